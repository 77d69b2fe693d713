"""Cron schedules as Kurator and Velero read them (robfig/cron v3), plus next runs and advice.

Parsing is a port of robfig/cron v3 (``Parser.Parse``) so that what passes here passes in the
controllers: 5 fields ``minute hour day-of-month month day-of-week``, ``*`` and ``?``, lists,
ranges, ``/step``, month and weekday names, day-of-week 0-6 (7 is rejected, as robfig does),
an optional ``CRON_TZ=<zone> `` or ``TZ=<zone> `` prefix, and with ``allow_descriptors`` the
``@yearly @annually @monthly @weekly @daily @midnight @hourly`` and ``@every <duration>``
forms that Velero's ``ParseStandard`` accepts. Kurator's own parser is built without
descriptors, so Kurator Backups must use 5 fields. One deliberate difference: a field with no
values at all (such as ``,``) is an error here, robfig accepts it and never fires.

Next runs are computed with croniter on a normalised numeric expression (``@every`` is handled
here: base + D, as robfig does); times without a zone prefix are UTC, the Velero pod's clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import pairwise
from statistics import mean
from zoneinfo import ZoneInfo

from cron_descriptor import Options, get_description
from croniter import croniter

from fleettui.model.durations import SECOND, humanize, parse_duration_ns
from fleettui.model.errors import FieldError, FieldWarning

FIELD_NAMES = "minute hour day-of-month month day-of-week"
DEFAULT_TTL_SECONDS = 720 * 3600  # Velero's --default-backup-ttl
MIN_INTERVAL_SECONDS = 300
MAX_RETAINED = 100
_LOOKAHEAD = 12  # runs sampled to estimate intervals

_MONTHS = {name: i + 1 for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_WEEKDAYS = {name: i for i, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# Go's unicode.IsSpace, which strings.Fields splits on (Python's split() knows more).
_GO_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_GO_SPACE_EDGES = re.compile(f"^{_GO_SPACE.pattern}|{_GO_SPACE.pattern}$")
_INT_RE = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class _FieldSpec:
    name: str
    low: int
    high: int
    names: dict[str, int] | None


_FIELDS = (
    _FieldSpec("minute", 0, 59, None),
    _FieldSpec("hour", 0, 23, None),
    _FieldSpec("day-of-month", 1, 31, None),
    _FieldSpec("month", 1, 12, _MONTHS),
    _FieldSpec("day-of-week", 0, 6, _WEEKDAYS),
)


@dataclass(frozen=True)
class CronSchedule:
    """A parsed schedule. Exactly one of ``every_ns`` and ``values`` is set."""

    expr: str
    zone: str | None = None
    descriptor: str | None = None
    every_ns: int | None = None
    values: tuple[tuple[int, ...], ...] | None = None
    stars: tuple[bool, ...] = ()
    texts: tuple[str, ...] = ()

    def croniter_expr(self) -> str:
        """Numeric 5-field form with robfig's day-of-month/day-of-week star semantics kept."""
        assert self.values is not None
        parts = []
        for values, star in zip(self.values, self.stars, strict=True):
            parts.append("*" if star else ",".join(str(v) for v in values))
        return " ".join(parts)

    def timezone(self) -> tzinfo:
        return _load_zone(self.zone or "UTC", "schedule")


# ---------------------------------------------------------------------------------------------
# Parsing


def _load_zone(name: str, field: str) -> tzinfo:
    # Go: "" and "UTC" are UTC; "Local" is the pod's clock, normally UTC in Velero's image.
    if name in ("", "UTC", "Local"):
        return UTC
    try:
        return ZoneInfo(name)
    except Exception as exc:  # ZoneInfo raises several types for odd keys
        raise FieldError(field, f'unknown time zone "{name[:60]}" in the CRON_TZ= prefix; use '
                                'an IANA name such as "Europe/Berlin" or "UTC"') from exc


def _number(text: str, spec: _FieldSpec, expr: str, field: str) -> int:
    if spec.names is not None and text.lower() in spec.names:
        return spec.names[text.lower()]
    if not _INT_RE.fullmatch(text):
        names = {"month": " or a month name (jan-dec)",
                 "day-of-week": " or a weekday name (sun-sat)"}.get(spec.name, "")
        shown = f'"{text}" in "{expr}"' if text != expr else f'"{text}"'
        raise FieldError(field, f"{spec.name}: {shown} is not a number{names}; use "
                                f"{spec.low}-{spec.high}{names}")
    if len(text.lstrip("+-0")) > 18:
        raise FieldError(field, f"{spec.name} {text[:20]}... out of range "
                                f"{spec.low}-{spec.high}")
    return int(text)


def _check_bounds(start: int, end: int, spec: _FieldSpec, expr: str, field: str) -> None:
    for value in (start, end):
        if value < spec.low or value > spec.high:
            hint = " (0 is Sunday)" if spec.name == "day-of-week" and value == 7 else ""
            raise FieldError(field, f"{spec.name} {value} out of range "
                                    f"{spec.low}-{spec.high}{hint}")
    if start > end:
        raise FieldError(field, f'{spec.name}: range "{expr}" runs backwards; write the smaller '
                                f"number first ({end}-{start})")


def _range(expr: str, spec: _FieldSpec, field: str) -> tuple[set[int], bool]:
    """One comma-separated part of a field: robfig getRange, returning values and star flag."""
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    star = low_high[0] in ("*", "?")
    if star:
        # robfig ignores anything after "*-", so "*-5" is simply "*".
        start, end = spec.low, spec.high
    else:
        start = _number(low_high[0], spec, expr, field)
        if len(low_high) > 2:
            raise FieldError(field, f'{spec.name}: too many "-" in "{expr}"; a range is a-b')
        end = _number(low_high[1], spec, expr, field) if len(low_high) == 2 else start
    step = 1
    if len(range_and_step) > 2:
        raise FieldError(field, f'{spec.name}: too many "/" in "{expr}"; a step is */n or a-b/n')
    if len(range_and_step) == 2:
        step_text = range_and_step[1]
        if not _INT_RE.fullmatch(step_text) or step_text.startswith("-"):
            raise FieldError(field, f'{spec.name}: step "{step_text[:20]}" in "{expr[:40]}" '
                                    "must be a positive number")
        # A step beyond the field's span behaves like span+1; also keeps int() bounded.
        step = int(step_text) if len(step_text.lstrip("+0")) <= 18 else spec.high + 1
        if len(low_high) == 1:
            end = spec.high  # "N/step" means "N-max/step"
        if step > 1:
            star = False
    _check_bounds(start, end, spec, expr, field)
    if step == 0:
        raise FieldError(field, f'{spec.name}: step in "{expr}" must be a positive number, '
                                "not 0")
    return set(range(start, end + 1, step)), star


def _parse_field(text: str, spec: _FieldSpec, field: str) -> tuple[tuple[int, ...], bool]:
    values: set[int] = set()
    star = False
    parts = [p for p in text.split(",") if p]
    if not parts:
        raise FieldError(field, f'{spec.name} "{text}" has no values; use "*" or a number '
                                f"{spec.low}-{spec.high}")
    for part in parts:
        part_values, part_star = _range(part, spec, field)
        values |= part_values
        star = star or part_star
    return tuple(sorted(values)), star


def _field_count_error(count: int, field: str) -> FieldError:
    hint = ""
    if count == 6:
        hint = "; a seconds field is not supported, remove the first field"
    elif count == 7:
        hint = "; seconds and year fields are not supported"
    elif 0 < count < 5:
        hint = '; use "*" for fields you do not restrict, e.g. "0 0 * * *"'
    return FieldError(field, f'expected exactly 5 fields "{FIELD_NAMES}", got {count}{hint}')


def _split_zone(expr: str, field: str) -> tuple[str | None, str]:
    if not (expr.startswith("TZ=") or expr.startswith("CRON_TZ=")):
        return None, expr
    space = expr.find(" ")
    if space < 0:
        raise FieldError(field, 'put a space between the CRON_TZ=<zone> prefix and the schedule, '
                                'e.g. "CRON_TZ=Europe/Berlin 0 3 * * *"')
    zone = expr[expr.index("=") + 1:space]
    _load_zone(zone, field)
    return zone, _GO_SPACE_EDGES.sub("", expr[space:])


def _parse_descriptor(text: str, expr: str, zone: str | None, field: str) -> CronSchedule:
    if text in DESCRIPTORS:
        parsed = _parse_fields(DESCRIPTORS[text], expr, zone, field)
        return CronSchedule(expr, zone, text, None, parsed.values, parsed.stars, parsed.texts)
    if text.startswith("@every "):
        nanos = parse_duration_ns(text[len("@every "):], field, allow_negative=True)
        # robfig Every(): at least one second, truncated to whole seconds.
        delay = max(SECOND, nanos - nanos % SECOND)
        return CronSchedule(expr, zone, "@every", every_ns=delay)
    known = " ".join([*DESCRIPTORS, "@every <duration>"])
    raise FieldError(field, f'unknown descriptor "{text[:40]}"; use one of {known}')


def _parse_fields(text: str, expr: str, zone: str | None, field: str) -> CronSchedule:
    fields = [f for f in _GO_SPACE.split(text) if f]
    if len(fields) != 5:
        raise _field_count_error(len(fields), field)
    values: list[tuple[int, ...]] = []
    stars: list[bool] = []
    for part, spec in zip(fields, _FIELDS, strict=True):
        field_values, star = _parse_field(part, spec, field)
        values.append(field_values)
        stars.append(star)
    return CronSchedule(expr, zone, None, None, tuple(values), tuple(stars), tuple(fields))


def validate_cron(expr: str, *, allow_descriptors: bool, field: str = "schedule") -> CronSchedule:
    """Parse a schedule the way robfig/cron does; raise FieldError naming the problem.

    ``allow_descriptors=False`` is Kurator (5 fields only), ``True`` is Velero (ParseStandard).
    """
    if not isinstance(expr, str):
        raise FieldError(field, "schedule must be text")
    if expr == "":
        raise FieldError(field, f'schedule is empty; enter 5 fields "{FIELD_NAMES}", '
                                'e.g. "0 0 * * *"')
    zone, text = _split_zone(expr, field)
    if text.startswith("@"):
        if not allow_descriptors:
            equivalent = DESCRIPTORS.get(text)
            hint = f'; write "{equivalent}" instead' if equivalent else ""
            raise FieldError(field, f'"{text[:40]}" is not accepted by Kurator, which needs '
                                    f'exactly 5 fields "{FIELD_NAMES}"{hint}')
        return _parse_descriptor(text, expr, zone, field)
    return _parse_fields(text, expr, zone, field)


def parse_cron(expr: str, field: str = "schedule") -> CronSchedule:
    """Anything Velero accepts (descriptors included)."""
    return validate_cron(expr, allow_descriptors=True, field=field)


# ---------------------------------------------------------------------------------------------
# Runs


def _as_utc(start: datetime | None) -> datetime:
    if start is None:
        return datetime.now(UTC)
    # A naive start is taken as UTC, the clock Velero uses.
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def _every_runs(schedule: CronSchedule, n: int, start: datetime) -> list[datetime]:
    assert schedule.every_ns is not None
    base = start.replace(microsecond=0)  # robfig drops the fraction of the base second
    step = timedelta(microseconds=schedule.every_ns // 1000)
    try:
        return [base + step * (k + 1) for k in range(n)]
    except OverflowError as exc:
        raise FieldError("schedule", f'"{schedule.expr[:60]}": the interval is too long to '
                                     "compute run times; use a shorter duration") from exc


def _runs(schedule: CronSchedule, n: int, start: datetime) -> list[datetime]:
    if schedule.every_ns is not None:
        return _every_runs(schedule, n, start)
    zone = schedule.timezone()
    try:
        it = croniter(schedule.croniter_expr(), start.astimezone(zone))
        return [it.get_next(datetime).astimezone(UTC) for _ in range(n)]
    except Exception as exc:  # croniter raises its own errors, ValueError, OverflowError...
        raise FieldError("schedule", f'"{schedule.expr[:60]}" never fires (no date matches, '
                                     'e.g. 30 February); check day-of-month and month') from exc


def next_runs(expr: str, n: int = 5, start: datetime | None = None) -> list[datetime]:
    """The next ``n`` run times (UTC) strictly after ``start`` (default now)."""
    return _runs(parse_cron(expr), max(0, n), _as_utc(start))


def _gaps(expr: str, start: datetime | None) -> list[float]:
    runs = _runs(parse_cron(expr), _LOOKAHEAD, _as_utc(start))
    return [(b - a).total_seconds() for a, b in pairwise(runs)]


def cron_interval_seconds(expr: str, start: datetime | None = None) -> float:
    """Smallest gap between consecutive runs among the next few."""
    return min(_gaps(expr, start))


# ---------------------------------------------------------------------------------------------
# Text


def _readable_part(part: str) -> str:
    # robfig treats "?" like "*" and ignores what follows "*-"; cron_descriptor knows neither.
    if part[:1] in ("*", "?"):
        steps = part.split("/")
        return "*" + (f"/{steps[1]}" if len(steps) == 2 else "")
    return part


def _readable_field(text: str) -> str:
    return ",".join(_readable_part(p) for p in text.split(",") if p)


def _describe_fields(schedule: CronSchedule) -> str:
    options = Options()
    options.use_24hour_time_format = True
    readable = " ".join(_readable_field(t) for t in schedule.texts)
    for candidate in (readable, schedule.croniter_expr()):
        try:
            return str(get_description(candidate, options))
        except Exception:  # cron_descriptor has its own exception types; try the next form
            continue
    return f"Cron schedule {schedule.expr}"


def describe(expr: str) -> str:
    """Plain English, e.g. "At 00:00", "Every 5 minutes", "Every 1h30m"."""
    schedule = parse_cron(expr)
    if schedule.every_ns is not None:
        text = f"Every {humanize(schedule.every_ns / SECOND)}"
    else:
        text = _describe_fields(schedule)
    if schedule.zone:
        text += f" ({schedule.zone} time)"
    return text


def schedule_warnings(expr: str, ttl_seconds: float | None, *, start: datetime | None = None,
                      field: str = "schedule",
                      ttl_field: str = "policy.ttl") -> list[FieldWarning]:
    """Advice about frequency and retention; [] when the schedule is sensible.

    ``ttl_seconds`` None or 0 means Velero's default TTL (720h).
    """
    gaps = _gaps(expr, start)
    warnings: list[FieldWarning] = []
    shortest, longest, average = min(gaps), max(gaps), mean(gaps)
    if shortest < MIN_INTERVAL_SECONDS:
        warnings.append(FieldWarning(field, (
            f"runs every {humanize(shortest)}, more often than every 5 minutes; every run is a "
            "full backup of each cluster, so consider */5 or slower")))
    ttl = ttl_seconds if ttl_seconds else DEFAULT_TTL_SECONDS
    ttl_name = humanize(ttl) + ("" if ttl_seconds else " (Velero's default)")
    retained = ttl / average
    if retained > MAX_RETAINED:
        warnings.append(FieldWarning(ttl_field, (
            f"keeps about {int(retained)} backups per cluster (ttl {ttl_name} with a run every "
            f"{humanize(average)}); shorten the ttl or run less often")))
    if ttl < longest:
        warnings.append(FieldWarning(ttl_field, (
            f"ttl {ttl_name} is shorter than the {humanize(longest)} between runs: backups "
            "expire before the next run, leaving time with no backup; set the ttl to at least "
            f"{humanize(longest)}")))
    return warnings
