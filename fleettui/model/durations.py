"""Go ``time.Duration`` strings, as used by Kurator and Velero TTLs (``720h``, ``1h30m``)."""

from __future__ import annotations

import math
import re

from fleettui.model.errors import FieldError

NANOSECOND = 1
MICROSECOND = 1_000
MILLISECOND = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS = {
    "ns": NANOSECOND, "us": MICROSECOND, "\u00b5s": MICROSECOND, "\u03bcs": MICROSECOND,
    "ms": MILLISECOND, "s": SECOND, "m": MINUTE, "h": HOUR,
}
_MAX = (1 << 63) - 1  # Go's Duration is an int64 count of nanoseconds
_DAYS_RE = re.compile(r"(\d+(?:\.\d+)?)d")
_UNIT_HELP = "units are ns, us, ms, s, m, h (e.g. 720h, 1h30m, 90s)"


def _short_go(nanos: int) -> str:
    """Go form without the zero tail: 720h0m0s -> 720h, 1h30m0s -> 1h30m."""
    text = format_duration_ns(nanos)
    for tail in ("0s", "0m"):
        if text.endswith(tail) and len(text) > len(tail) and not text[-len(tail) - 1].isdigit():
            text = text[: -len(tail)]
    return text


def _suggest_for_days(text: str) -> str:
    """Rewrite days as hours (``30d`` -> ``720h``, ``1d12h`` -> ``36h``); "720h" if hopeless."""
    hours = _DAYS_RE.sub(lambda m: f"{float(m.group(1)) * 24:g}h", text)
    if "d" in hours:  # a form the rewrite did not handle; avoid re-entering this hint
        return "720h"
    try:
        return _short_go(abs(_parse_nanoseconds(hours, "")))
    except FieldError:
        return "720h"


def _leading_digits(text: str, i: int) -> int:
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    return i


def _parse_nanoseconds(text: str, field: str) -> int:
    """Go's ``time.ParseDuration`` on the same grammar, result in nanoseconds."""
    original = text
    invalid = FieldError(field, f'"{_shown(original)}" is not a duration; {_UNIT_HELP}')
    negative = text[:1] == "-"
    if text[:1] in ("-", "+"):
        text = text[1:]
    if text == "0":
        return 0
    if text == "":
        raise invalid
    total = 0
    i = 0
    while i < len(text):
        if not (text[i] == "." or "0" <= text[i] <= "9"):
            raise invalid
        end = _leading_digits(text, i)
        whole = text[i:end]
        i = end
        fraction = ""
        if i < len(text) and text[i] == ".":
            end = _leading_digits(text, i + 1)
            fraction = text[i + 1:end]
            i = end
        if whole == "" and fraction == "":
            raise invalid  # no digits at all, e.g. ".s"
        start = i
        while i < len(text) and text[i] != "." and not "0" <= text[i] <= "9":
            i += 1
        unit_text = text[start:i]
        if unit_text == "":
            raise FieldError(field, f'missing unit in duration "{_shown(original)}"; '
                                    f"{_UNIT_HELP}")
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise _unknown_unit(unit_text, original, field)
        total += _component(whole, fraction, unit, original, field)
        if total > _MAX + 1:
            raise _too_large(original, field)
    if negative:
        return -total
    if total > _MAX:
        raise _too_large(original, field)
    return total


def _shown(text: str) -> str:
    """The user's text for a message, shortened when it is very long."""
    return text if len(text) <= 40 else text[:37] + "..."


def _too_large(original: str, field: str) -> FieldError:
    return FieldError(field, f'duration "{_shown(original)}" is too large (the maximum is '
                             "about 2562047h)")


def _component(whole: str, fraction: str, unit: int, original: str, field: str) -> int:
    """Nanoseconds of one ``<digits>[.<digits>]<unit>`` part."""
    whole = whole.lstrip("0")
    if len(whole) > 20:  # more than int64 nanoseconds whatever the unit; also bounds int()
        raise _too_large(original, field)
    value = int(whole or "0") * unit
    fraction = fraction[:30]  # later digits are below a nanosecond; Go ignores them too
    if fraction:
        # Go adds float64(f) * (unit/scale) truncated; integer division keeps it exact.
        value += int(fraction) * unit // 10 ** len(fraction)
    return value


def _unknown_unit(unit: str, original: str, field: str) -> FieldError:
    if unit.startswith("d"):
        hint = _suggest_for_days(original)
        return FieldError(field, f'days ("d") are not a Go duration unit; write hours instead, '
                                 f'e.g. "{hint}" for "{_shown(original)}"')
    if any(ch.isspace() for ch in unit):
        return FieldError(field, f'"{_shown(original)}" contains spaces; write it without them, '
                                 'e.g. "1h30m"')
    return FieldError(field, f'unknown unit "{_shown(unit)}" in duration '
                             f'"{_shown(original)}"; {_UNIT_HELP}')


def parse_duration_ns(text: str, field: str = "policy.ttl", *,
                      allow_negative: bool = False) -> int:
    """Exact nanoseconds of a Go duration string; negative values are refused by default."""
    if not isinstance(text, str):
        raise FieldError(field, "duration must be text such as 720h")
    nanos = _parse_nanoseconds(text, field)
    if nanos < 0 and not allow_negative:
        raise FieldError(field, f'a duration must not be negative (got "{_shown(text)}"); drop '
                                'the "-"')
    return nanos


def parse_duration(text: str, field: str = "policy.ttl", *,
                   allow_negative: bool = False) -> float:
    """Seconds of a Go duration string (``"720h"`` -> 2592000.0); "0" is allowed."""
    return parse_duration_ns(text, field, allow_negative=allow_negative) / SECOND


def _format_fraction(value: int, precision: int) -> tuple[str, int]:
    """Go fmtFrac: the ``.ddd`` part of value / 10**precision without trailing zeros."""
    digits = ""
    printed = False
    for _ in range(precision):
        digit = value % 10
        printed = printed or digit != 0
        if printed:
            digits = str(digit) + digits
        value //= 10
    return ("." + digits if printed else ""), value


def format_duration_ns(nanos: int) -> str:
    """Go's ``Duration.String()``: ``720h0m0s``, ``1.5s``, ``500ms``, ``0s``."""
    sign = "-" if nanos < 0 else ""
    u = abs(nanos)
    if u == 0:
        return "0s"
    if u < SECOND:
        if u < MICROSECOND:
            return f"{sign}{u}ns"
        unit, precision = ("\u00b5s", 3) if u < MILLISECOND else ("ms", 6)
        frac, whole = _format_fraction(u, precision)
        return f"{sign}{whole}{frac}{unit}"
    frac, seconds = _format_fraction(u, 9)
    text = f"{seconds % 60}{frac}s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        hours = minutes // 60
        if hours:
            text = f"{hours}h{text}"
    return sign + text


def format_duration(seconds: float, field: str = "policy.ttl") -> str:
    """Go's canonical form of a number of seconds (``2592000`` -> ``720h0m0s``)."""
    nanos = seconds * SECOND
    if not math.isfinite(nanos) or abs(nanos) > _MAX + 1:
        raise FieldError(field, f"{seconds} seconds is not a finite Go duration (the maximum is "
                                "about 2562047h)")
    return format_duration_ns(round(nanos))


def normalize_duration(text: str, field: str = "policy.ttl") -> str:
    """What Go sends back after a round trip through metav1.Duration (``720h`` -> ``720h0m0s``)."""
    return format_duration_ns(parse_duration_ns(text, field, allow_negative=True))


def humanize(seconds: float) -> str:
    """Short display form: ``30d``, ``1h30m``, ``2d4h``, ``45s``, ``500ms``."""
    if not math.isfinite(seconds):
        return "∞" if seconds > 0 else "-∞" if seconds < 0 else "?"
    if seconds < 0:
        return "-" + humanize(-seconds)
    if seconds < 1:
        millis = round(seconds * 1000)
        return f"{millis}ms" if millis else "0s"
    whole = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
