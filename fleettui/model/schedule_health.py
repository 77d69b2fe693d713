"""Schedule health: one verdict per (schedule, cluster), from that member's own Velero objects.

Kurator copies only the last Completed scheduled run (failed runs are invisible there) and
Velero's CLI shows neither the next run nor the last attempt, so this is derived here from the
member's Velero Schedule and the Backups labelled ``velero.io/schedule-name=<schedule>``
(Velero pkg/controller/schedule_controller.go puts that label on every run).

Verdicts, the first that applies wins:

==========  ==================================================================================
paused      ``spec.paused``: Velero does not reconcile the schedule at all.
stuck       a run InProgress / WaitingForPluginOperations / Finalizing for longer than the
            stuck limit, a run not even started (New, Queued) for that long, or an older run
            left InProgress while a newer one exists (a Velero restart leaves them so).
failing     the Velero Schedule is FailedValidation (nothing will run), or the newest finished
            run is Failed, FailedValidation or PartiallyFailed (no restore ever uses a
            PartiallyFailed run: Velero's --from-schedule and Kurator take Completed ones only).
never ran   no run at all (waiting for the first one, or the first one never appeared).
late        the cron said a run was due and none appeared within the tolerance.
ok          otherwise.
==========  ==================================================================================

Run times: a run's name ends in the controller's UTC time (``<schedule>-YYYYMMDDhhmmss``), the
time the cron tick was served; creationTimestamp and startTimestamp stand in for it. Each run
serves the latest tick at or before it (``skew`` allowed for the member's clock); a tick that
no run serves, once ``late_after`` has passed, was missed (Velero checks every minute, creates at
most one run per check and never catches up).

Synced copies: with a shared bucket every member lists every member's backups (Velero's
backup-sync controller recreates them with their labels). Only runs labelled with *this*
cluster's schedule name count; in plain Velero mode, where every context may name its schedule
alike, a run created after it started was synced in from the bucket (the origin creates a run
before it starts it; only finished runs reach the bucket), so ``shared_names=True`` drops those.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fleettui.model.cron import next_runs
from fleettui.model.errors import FieldError
from fleettui.model.stamps import parse_stamp, suffix_stamp
from fleettui.model.velero import synced_from_bucket

OK, LATE, FAILING, STUCK, PAUSED, NEVER_RAN = "ok", "late", "failing", "stuck", "paused", \
    "never ran"
VERDICTS = (OK, LATE, FAILING, STUCK, PAUSED, NEVER_RAN)
# Without colour the word is enough; the symbol helps a glance down a column.
VERDICT_SYMBOLS = {OK: "✔", LATE: "◷", FAILING: "✗", STUCK: "⧗", PAUSED: "‖", NEVER_RAN: "∅"}
SCHEDULE_NAME_LABEL = "velero.io/schedule-name"

# History strip: one character per slot, oldest left.
RUN_COMPLETED, RUN_FAILED, RUN_PARTIAL, RUN_RUNNING, RUN_MISSED, RUN_DELETING = \
    "✔", "✗", "!", "…", "·", "⌫"
STRIP_LEGEND = "✔ completed ! partial ✗ failed … running · missed"

FAILED_PHASES = frozenset({"Failed", "FailedValidation"})
PARTIAL_PHASES = frozenset({"PartiallyFailed"})
RUNNING_PHASES = frozenset({"InProgress", "WaitingForPluginOperations",
                            "WaitingForPluginOperationsPartiallyFailed", "Finalizing",
                            "FinalizingPartiallyFailed"})
UNSTARTED_PHASES = frozenset({"", "New", "Queued", "ReadyToStart"})
MAX_TICKS = 2000  # ticks examined per row: an every-minute cron idle for days stops here



@dataclass(frozen=True)
class HealthLimits:
    """The limits a verdict is judged by (the CLI's options and the screen use the same)."""

    late_after: float = 600.0  # s after a due tick before it counts as missed
    stuck_after: float = 4 * 3600.0  # Velero's own default itemOperationTimeout is 4h
    skew: float = 120.0  # s a member's clock may be off from ours
    history: int = 10  # slots in the run-history strip


@dataclass(frozen=True)
class Run:
    """One Velero Backup made by a schedule, reduced to what health needs."""

    name: str
    phase: str
    when: datetime  # the tick it served: the name's suffix, else created, else started
    created: datetime | None = None
    started: datetime | None = None
    completed: datetime | None = None
    reason: str = ""  # failureReason, validationErrors or the error count
    deleting: bool = False

    @property
    def symbol(self) -> str:
        if self.deleting or self.phase == "Deleting":
            return RUN_DELETING
        if self.phase == "Completed":
            return RUN_COMPLETED
        if self.phase in FAILED_PHASES:
            return RUN_FAILED
        if self.phase in PARTIAL_PHASES:
            return RUN_PARTIAL
        return RUN_RUNNING

    @property
    def finished(self) -> bool:
        return self.symbol in (RUN_COMPLETED, RUN_FAILED, RUN_PARTIAL)

    @property
    def good_at(self) -> datetime:
        """When this recovery point was made (its completion, else its start)."""
        return self.completed or self.started or self.when


@dataclass
class ScheduleHealth:
    schedule: str  # what the operator named: the Kurator Backup, or the Velero Schedule
    cluster: str
    velero_schedule: str  # the Velero Schedule's name on that cluster
    cron: str
    verdict: str
    reason: str
    paused: bool = False
    last_attempt: Run | None = None
    last_success: Run | None = None
    recovery_age: float | None = None  # s since the newest Completed run completed
    next_run: datetime | None = None
    missed: int = 0  # due ticks with no run, in the strip's time range
    missed_now: int = 0  # of those, the ones since the newest run (what makes it late)
    streak: int = 0  # finished runs in a row, newest first, that were not Completed
    history: str = ""  # the strip, oldest left
    runs: list[Run] = field(default_factory=list)  # newest first
    problem: str = ""  # why the data may not be current (a member that cannot be read)

    @property
    def symbol(self) -> str:
        return VERDICT_SYMBOLS[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints (-o json): times RFC 3339, ages in seconds."""
        def run(r: Run | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {"name": r.name, "phase": r.phase or "New", "started": _iso(r.started),
                    "completed": _iso(r.completed), "reason": r.reason}

        return {"schedule": self.schedule, "cluster": self.cluster,
                "veleroSchedule": self.velero_schedule, "cron": self.cron,
                "verdict": self.verdict, "reason": self.reason, "paused": self.paused,
                "lastAttempt": run(self.last_attempt), "lastSuccess": run(self.last_success),
                "recoveryPointAgeSeconds": None if self.recovery_age is None else
                int(self.recovery_age),
                "nextRun": _iso(self.next_run), "missedRuns": self.missed,
                "missedSinceLastRun": self.missed_now, "failingStreak": self.streak,
                "history": self.history, "problem": self.problem}


# ---------------------------------------------------------------------------------------------
# Readers that never raise on odd input


def _map(value: object) -> Mapping[str, Any]:
    if type(value) is dict:  # the usual case, without the ABC check's cost
        return value
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run_reason(status: Mapping[str, Any]) -> str:
    reason = _text(status.get("failureReason"))
    errors = status.get("validationErrors")
    if not reason and isinstance(errors, list):
        reason = "; ".join(e for e in errors if isinstance(e, str))
    if not reason and _text(status.get("phase")) in PARTIAL_PHASES:
        count = status.get("errors")
        count = count if isinstance(count, int) and not isinstance(count, bool) else 0
        reason = f"{count} error{'' if count == 1 else 's'} (see the backup's logs)"
    return reason


def run_from_backup(obj: Mapping[str, Any]) -> Run | None:
    """A Run from a Velero Backup object (None when it has no name)."""
    metadata, status = _map(obj.get("metadata")), _map(obj.get("status"))
    name = _text(metadata.get("name"))
    if not name:
        return None
    created = parse_stamp(metadata.get("creationTimestamp"))
    started = parse_stamp(status.get("startTimestamp"))
    when = suffix_stamp(name) or created or started
    if when is None:
        return None  # nothing says when: cannot be placed among the ticks
    return Run(name, _text(status.get("phase")), when, created, started,
               parse_stamp(status.get("completionTimestamp")), _run_reason(status),
               bool(metadata.get("deletionTimestamp")))


def runs_of(velero_schedule: str, backups: Iterable[object], *, shared_names: bool = False
            ) -> list[Run]:
    """This cluster's runs of the schedule, newest first (by the label, never the name
    prefix: another cluster's schedule may share it, and a backup named alike is not a run)."""
    runs: list[Run] = []
    for obj in backups:
        data = _map(obj)
        labels = _map(_map(data.get("metadata")).get("labels"))
        if labels.get(SCHEDULE_NAME_LABEL) != velero_schedule:
            continue
        run, synced = _read_run(data)
        if run is not None and not (shared_names and synced):
            runs.append(run)
    return sorted(runs, key=lambda r: (r.when, r.name), reverse=True)


_RUNS: dict[tuple[str, str, str], tuple[Run | None, bool]] = {}


def _read_run(data: Mapping[str, Any]) -> tuple[Run | None, bool]:
    """The Run and whether it was synced in, kept per object version: a screen re-derives
    every row on each change, and reading a run's times is most of that cost."""
    metadata = _map(data.get("metadata"))
    uid, version = _text(metadata.get("uid")), _text(metadata.get("resourceVersion"))
    if not uid or not version:  # made by hand: nothing to key a cache on
        return run_from_backup(data), synced_from_bucket(data)
    # The uid, not the name: every member of a fleet names its runs alike, and resource
    # versions are per cluster, so (name, version) can be another cluster's run.
    key = (uid, version, _text(metadata.get("name")))
    found = _RUNS.get(key)
    if found is None:
        if len(_RUNS) > 200_000:
            _RUNS.clear()
        found = _RUNS[key] = (run_from_backup(data), synced_from_bucket(data))
    return found


# ---------------------------------------------------------------------------------------------
# Cron ticks


def _walk(cron: str, after: datetime, until: datetime) -> list[datetime]:
    """Cron ticks in (after, until]; when there are more than MAX_TICKS, the newest ones."""
    ticks: list[datetime] = []
    start, size = after, 16
    while start < until:
        chunk = next_runs(cron, size, start=start)
        ticks.extend(t for t in chunk if t <= until)
        if len(chunk) < size or chunk[-1] >= until:
            break
        start, size = chunk[-1], min(size * 4, 256)
        if len(ticks) >= MAX_TICKS:  # far behind: jump to the last stretch, not walk to it
            gap = (chunk[-1] - chunk[0]) / max(1, len(chunk) - 1)
            jump = until - gap * MAX_TICKS
            if jump > start:
                start, ticks = jump, []
    return ticks[-MAX_TICKS:]


class _TickCache:
    """Ticks of one cron up to one `until`, shared by every row that asks (a fleet has few
    distinct crons and many clusters: croniter costs a third of a millisecond a tick). A cron
    of the form @every runs from each row's own base, so it is never shared."""

    def __init__(self) -> None:
        self.key: tuple[str, datetime] | None = None
        self.since: datetime | None = None
        self.ticks: list[datetime] = []

    def get(self, cron: str, after: datetime, until: datetime) -> list[datetime]:
        if "@every" in cron:
            return _walk(cron, after, until)
        if self.key != (cron, until) or self.since is None:
            self.key, self.since, self.ticks = (cron, until), after, _walk(cron, after, until)
        elif after < self.since:
            earlier = _walk(cron, after, self.since)
            self.ticks = (earlier + self.ticks)[-MAX_TICKS:] if len(earlier) < MAX_TICKS \
                else _walk(cron, after, until)
            self.since = after
        return self.ticks[bisect_right(self.ticks, after):]


_TICKS: dict[str, _TickCache] = {}


def _ticks(cron: str, after: datetime, until: datetime) -> list[datetime]:
    if len(_TICKS) > 256:  # crons come and go with schedules; keep the memory bounded
        _TICKS.clear()
    return _TICKS.setdefault(cron, _TickCache()).get(cron, after, until)


def _served_ticks(ticks: Sequence[datetime], run_times: Iterable[datetime],
                  skew: float) -> set[int]:
    """Each run serves the latest tick at or before it (give or take the clock skew): Velero
    creates at most one run per due check and never catches up, so a run never serves two."""
    served = set()
    slack = timedelta(seconds=skew)
    for t in run_times:
        i = bisect_right(ticks, t + slack) - 1
        if i >= 0:
            served.add(i)
    return served


@dataclass
class _Misses:
    ticks: list[datetime] = field(default_factory=list)  # missed ticks in the window
    since_last: int = 0
    first_due: datetime | None = None  # the first tick ever due (never ran)
    error: str = ""


def _missed(cron: str, runs: list[Run], anchor: datetime | None, now: datetime,
            limits: HealthLimits) -> _Misses:
    """Due ticks no run served, from the oldest run in the strip (or the schedule's creation)
    up to ``now - late_after``; and how many of them follow the newest run."""
    found = _Misses()
    window_runs = runs[:limits.history]
    start = anchor
    if window_runs:  # from the oldest run in the strip, not from the schedule's creation
        oldest = window_runs[-1].when - timedelta(seconds=limits.skew)
        start = oldest if start is None else max(start, oldest)
    if start is None:
        return found
    until = now - timedelta(seconds=limits.late_after)
    try:
        ticks = _ticks(cron, start, until)
    except FieldError as e:
        found.error = e.message
        return found
    served = _served_ticks(ticks, (r.when for r in runs), limits.skew)
    found.ticks = [t for i, t in enumerate(ticks) if i not in served]
    newest = runs[0].when if runs else None
    found.since_last = sum(1 for t in found.ticks
                           if newest is None or t > newest + timedelta(seconds=limits.skew))
    found.first_due = ticks[0] if ticks and not runs else None
    return found


@lru_cache(maxsize=256)
def _next_run(cron: str, now: datetime) -> datetime | None:
    try:
        return next_runs(cron, 1, start=now)[0]
    except FieldError:
        return None


# ---------------------------------------------------------------------------------------------
# Words


def age_text(seconds: float | None) -> str:
    """A compact age: 45s, 12m, 5h20m, 3d4h ("-" when unknown)."""
    if seconds is None:
        return "-"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h}h{m:02d}m" if m else f"{h}h"
    d, h = divmod(s // 3600, 24)
    return f"{d}d{h}h" if h else f"{d}d"


def _at(t: datetime | None) -> str:
    return "-" if t is None else f"{t.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _history(runs: list[Run], missed: list[datetime], size: int) -> str:
    slots = [(r.when, r.symbol) for r in runs[:size]] + [(t, RUN_MISSED) for t in missed]
    slots.sort(key=lambda s: s[0])
    return "".join(symbol for _, symbol in slots[-size:])


def _streak(runs: list[Run]) -> int:
    count = 0
    for r in (r for r in runs if r.finished):
        if r.symbol == RUN_COMPLETED:
            break
        count += 1
    return count


def _stuck(runs: list[Run], now: datetime, limits: HealthLimits) -> str:
    """Why a run is stuck, or ""."""
    limit = timedelta(seconds=limits.stuck_after)
    for i, r in enumerate(runs):
        if r.finished or r.symbol == RUN_DELETING:
            continue
        if r.phase in RUNNING_PHASES and i > 0:
            return (f"{r.name} is still {r.phase} although a newer run exists (Velero was "
                    "probably restarted while it ran; Velero marks such runs Failed only at "
                    "its own start)")
        since = r.started if r.phase in RUNNING_PHASES else (r.created or r.when)
        if since is not None and now - since > limit:
            what = r.phase if r.phase in RUNNING_PHASES else f"{r.phase or 'New'} (not started)"
            return (f"{r.name} has been {what} for {age_text((now - since).total_seconds())} "
                    f"(limit {age_text(limits.stuck_after)}); Velero runs no other backup of "
                    "this schedule meanwhile")
    return ""


def _failing(schedule_obj: Mapping[str, Any], runs: list[Run], streak: int) -> str:
    status = _map(schedule_obj.get("status"))
    if _text(status.get("phase")) == "FailedValidation":
        errors = status.get("validationErrors")
        why = "; ".join(e for e in errors if isinstance(e, str)) if isinstance(errors, list) \
            else ""
        return f"the Velero Schedule is invalid, nothing will run: {why or 'no reason given'}"
    if not streak:
        return ""
    last = next(r for r in runs if r.finished)
    what = f"the last run {last.name} ended {last.phase}"
    if streak > 1:
        what = f"the last {streak} runs were not Completed; the newest, {last.name}, ended " \
               f"{last.phase}"
    return f"{what}: {last.reason}" if last.reason else what


# ---------------------------------------------------------------------------------------------
# The verdict


def assess(schedule: str, cluster: str, velero_schedule: str, cron: str,
           schedule_obj: Mapping[str, Any] | None, backups: Iterable[object], now: datetime,
           limits: HealthLimits | None = None, *, shared_names: bool = False,
           created: datetime | None = None, problem: str = "") -> ScheduleHealth:
    """The health of one schedule on one cluster.

    ``schedule_obj``: the member's Velero Schedule (None when it is not there, e.g. Kurator has
    not created it yet); its ``spec.schedule`` wins over ``cron``. ``backups``: the member's
    Velero Backups (any: filtered here by the schedule label). ``created``: when the schedule
    was made, when ``schedule_obj`` cannot say (Kurator's Backup). ``problem``: why the data
    may be old (said in the reason; the verdict is then the last known one).
    """
    limits = limits or HealthLimits()
    sched = _map(schedule_obj)
    spec, status, metadata = (_map(sched.get(k)) for k in ("spec", "status", "metadata"))
    cron = _text(spec.get("schedule")) or cron
    paused = spec.get("paused") is True
    runs = runs_of(velero_schedule, backups, shared_names=shared_names)
    anchor = max([t for t in (parse_stamp(metadata.get("creationTimestamp")) or created,
                              parse_stamp(status.get("lastSkipped"))) if t is not None],
                 default=None)
    misses = _Misses() if paused else _missed(cron, runs, anchor, now, limits)
    success = next((r for r in runs if r.symbol == RUN_COMPLETED), None)
    health = ScheduleHealth(
        schedule, cluster, velero_schedule, cron, OK, "", paused=paused,
        last_attempt=runs[0] if runs else None, last_success=success,
        recovery_age=None if success is None else
        max(0.0, (now - success.good_at).total_seconds()),
        next_run=None if paused else _next_run(cron, now), missed=len(misses.ticks),
        missed_now=misses.since_last, streak=_streak(runs),
        history=_history(runs, misses.ticks, limits.history), runs=runs, problem=problem)
    health.verdict, health.reason = _verdict(health, sched, misses, now, limits)
    if problem:
        health.reason += f" (last known state: {problem})"
    return health


def _verdict(h: ScheduleHealth, sched: Mapping[str, Any], misses: _Misses, now: datetime,
             limits: HealthLimits) -> tuple[str, str]:
    last_ok = ("no run has completed yet" if h.last_success is None else
               f"last good run {age_text(h.recovery_age)} ago")
    if h.paused:
        return PAUSED, f"paused (spec.paused): no run until resumed; {last_ok}"
    stuck = _stuck(h.runs, now, limits)
    if stuck:
        return STUCK, stuck
    failing = _failing(sched, h.runs, h.streak)
    if failing:
        return FAILING, f"{failing}; {last_ok}"
    if misses.error:
        return FAILING, f"the schedule {h.cron!r} cannot run: {misses.error}"
    if not h.runs:
        return NEVER_RAN, _never_ran(h, sched, misses)
    if h.missed_now:
        due = misses.ticks[-h.missed_now]
        return LATE, (f"{_plural(h.missed_now, 'run')} missed: one was due at {_at(due)} and "
                      f"none appeared within {age_text(limits.late_after)}; {last_ok}")
    running = "" if h.runs[0].finished else f"; {h.runs[0].name} is {h.runs[0].phase or 'New'}"
    if h.last_success is None:  # runs, none finished: the first one is under way
        return NEVER_RAN, f"no run has finished yet{running}"
    return OK, f"{last_ok}; next run {_at(h.next_run)}{running}"


def _never_ran(h: ScheduleHealth, sched: Mapping[str, Any], misses: _Misses) -> str:
    where = "" if sched else (f"no Velero Schedule {h.velero_schedule} on {h.cluster} yet "
                              "(Kurator creates it once the cluster is ready); ")
    if misses.first_due is not None:
        return (f"{where}the first run was due at {_at(misses.first_due)} and none appeared "
                f"({_plural(len(misses.ticks), 'run')} missed)")
    return f"{where}waiting for the first run at {_at(h.next_run)}"


# ---------------------------------------------------------------------------------------------
# Cells, the same in the CLI's table and the TUI's


def attempt_text(h: ScheduleHealth) -> str:
    """The last attempt: its phase and UTC time, e.g. ``Failed 11-28 00:00``."""
    r = h.last_attempt
    return "-" if r is None else f"{r.phase or 'New'} {r.when.astimezone(UTC):%m-%d %H:%M}"


def next_text(h: ScheduleHealth) -> str:
    if h.paused:
        return "paused"
    return "-" if h.next_run is None else f"{h.next_run.astimezone(UTC):%m-%d %H:%M}"


def verdict_text(h: ScheduleHealth) -> str:
    return f"{h.symbol} {h.verdict}"
