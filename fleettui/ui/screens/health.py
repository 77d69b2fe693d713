"""`:health`: one row per (schedule, cluster) with one verdict, the recovery-point age, the next
run and a run-history strip; the selected row's reason underneath. The rows are those of
`fleettui schedules` (live.health), so the TUI and the CLI never disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fleettui.live.health import (
    members_of,
    schedule_clusters,
    schedule_names,
    session_health,
    worst_first,
)
from fleettui.live.member_feeds import STATUS
from fleettui.model.schedule_health import (
    FAILING,
    LATE,
    NEVER_RAN,
    OK,
    PAUSED,
    RUN_COMPLETED,
    RUN_FAILED,
    RUN_MISSED,
    RUN_PARTIAL,
    RUN_RUNNING,
    STRIP_LEGEND,
    STUCK,
    HealthLimits,
    ScheduleHealth,
    age_text,
    attempt_text,
    next_text,
    verdict_text,
)
from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen, set_text
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session
    from fleettui.live.store import Changes

COLUMNS = [Column("SCHEDULE / CLUSTER", 19, NAME, least=17, most=48),
           Column("VERDICT", 11, PHASE), Column("AGE", 6), Column("HISTORY", 10),
           Column("NEXT (UTC)", 11, drop=1), Column("LAST ATTEMPT", 22, drop=2)]
VERDICT_STYLES = {OK: "green", LATE: "yellow", FAILING: "bold red", STUCK: "magenta",
                  PAUSED: "blue", NEVER_RAN: "dim"}
RUN_STYLES = {RUN_COMPLETED: "green", RUN_FAILED: "bold red", RUN_PARTIAL: "yellow",
              RUN_RUNNING: "cyan", RUN_MISSED: "dim"}
REFRESH_SECONDS = 60.0  # ages and late verdicts move with the clock, not only with changes
FILL_DELAY = 0.01  # s between deriving one part of the rows and the next (a frame, keys)


def verdict_cell(h: ScheduleHealth) -> Text:
    return Text(verdict_text(h), style=VERDICT_STYLES.get(h.verdict, ""), no_wrap=True)


def history_cell(h: ScheduleHealth) -> Text:
    """The strip, each run coloured, every one a distinct glyph (readable without colour)."""
    text = Text(no_wrap=True)
    for symbol in h.history or "-":
        text.append(symbol, style=RUN_STYLES.get(symbol, ""))
    return text


def row_key(h: ScheduleHealth) -> str:
    return f"{h.schedule}/{h.cluster}"  # DNS names: neither holds a "/"


def health_row(h: ScheduleHealth) -> rows.Row:
    return (row_key(h), [f"  {h.cluster}", verdict_cell(h), age_text(h.recovery_age),
                         history_cell(h), next_text(h), attempt_text(h)])


def worst(group: list[ScheduleHealth]) -> ScheduleHealth:
    return worst_first(group)[0]


def schedule_row(group: list[ScheduleHealth]) -> rows.Row:
    """A schedule's line above its clusters: its worst verdict and oldest recovery point."""
    first, bad = group[0], worst(group)
    ages = [h.recovery_age for h in group]
    oldest = None if None in ages else max(a for a in ages if a is not None)
    soonest = min((h for h in group if h.next_run is not None),
                  key=lambda h: h.next_run or datetime.max.replace(tzinfo=UTC), default=first)
    return (f"schedule/{first.schedule}", [
        Text(first.schedule, style="bold"), verdict_cell(bad), age_text(oldest), "",
        next_text(soonest), f"⏱ {first.cron}"])


def changed_members(changes: Changes, session: Session | None) -> set[str] | None:
    """The members whose feeds changed, or None when the host's did (Kurator Backups, fleets:
    rows may come or go anywhere)."""
    clusters = {cluster for cluster, _ in changes.feeds | changes.states}
    if session is not None and session.mode == "kurator" and session.context in clusters:
        return None
    return clusters


def group_rows(groups: Iterable[list[ScheduleHealth]]) -> list[rows.Row]:
    found: list[rows.Row] = []
    for group in groups:
        found.append(schedule_row(group))
        found.extend(health_row(h) for h in group)
    return found


def grouped(found: list[ScheduleHealth]) -> dict[str, list[ScheduleHealth]]:
    groups: dict[str, list[ScheduleHealth]] = {}
    for h in found:
        groups.setdefault(h.schedule, []).append(h)
    return groups


def group_reason(group: list[ScheduleHealth]) -> Text:
    counts: dict[str, int] = {}
    for h in group:
        counts[h.verdict] = counts.get(h.verdict, 0) + 1
    text = Text()
    text.append(group[0].schedule, style="bold")
    text.append(f" on {len(group)} cluster{'' if len(group) == 1 else 's'}: " + ", ".join(
        f"{n} {verdict}" for verdict, n in sorted(counts.items())))
    return text


def reason_cell(h: ScheduleHealth) -> Text:
    """The selected row's reason (Text: nothing from a cluster is read as markup)."""
    text = Text()
    text.append(verdict_text(h), style=VERDICT_STYLES.get(h.verdict, ""))
    text.append(f" {h.schedule} on ")
    text.append(h.cluster, style="bold")
    text.append(f": {h.reason}")
    return text


class HealthScreen(LiveScreen):
    TITLE_TEXT = "Schedule health"
    DEFAULT_CSS = """
    HealthScreen #reason { height: auto; max-height: 5; padding: 0 1; }
    HealthScreen #legend { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Status", id="open"),
        Binding("p", "pause_resume", "Pause/resume", id="pause"),
        Binding("R", "run_now", "Run now", id="run-now"),
    ]

    def __init__(self, limits: HealthLimits | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.limits = limits or HealthLimits()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.shown: dict[str, ScheduleHealth] = {}
        self.groups: dict[str, list[ScheduleHealth]] = {}
        self._built_for: Session | None = None  # the session every row was derived from
        self._runs: dict[str, dict[str, list[dict[str, Any]]]] = {}  # while filling
        self._fill_gen = 0  # a full refresh starts a new fill; the old one's ticks stop
        self._total = 0
        self._pending: list[tuple[str, list[str] | None]] = []  # parts not derived yet
        self._message = ""
        self._missed = False  # a change arrived that no row shows yet

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield from self.compose_table(COLUMNS, "health")
        yield Static("", id="empty", classes="empty")
        yield Static("", id="reason")
        yield Static(Text(f"runs, oldest first: {STRIP_LEGEND}", no_wrap=True,
                          overflow="ellipsis"), id="legend")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        limits = self.limits
        self.query_one("#title", Static).update(Text(
            f"{self.TITLE_TEXT} (late {age_text(limits.late_after)} after a due run, stuck "
            f"after {age_text(limits.stuck_after)})", style="bold"))
        super().on_mount()
        self.set_interval(REFRESH_SECONDS, self.refresh_all)

    def build_view(self, session: Session, now: datetime) -> rows.View:
        self.want_members(members_of(session), (STATUS,))
        # A screenful now, the rest a part per tick after it: the first rows show at once
        # and keys are served meanwhile (every row of 100 members x 10 schedules x 30 runs
        # takes over a second to derive the first time).
        names = schedule_names(session)
        self._runs, self._fill_gen = {}, self._fill_gen + 1
        self._total, self._pending = len(names), self._parts(session, names)
        self.shown, self.groups = {}, {}
        first: list[ScheduleHealth] = []
        while self._pending and len(first) < self.app.size.height:  # a screenful
            first += self._derive(session, *self._pending.pop(0))
        self._add(first)
        view = rows.View(group_rows(self.groups.values()))
        if not names:
            view.message = ("No scheduled fleet backups yet." if session.mode == "kurator" else
                            "No Velero schedules in any context yet.")
        elif self.fleet_app.schedule_speed != 1:
            view.message = (f"The demo's simulator fires schedules "
                            f"{self.fleet_app.schedule_speed:g}x faster than their cron: next "
                            "runs are the cron's, and no run is ever late.")
        self._message = view.message
        if self._pending:
            view.message = self._progress()
            self.set_timer(FILL_DELAY, partial(self._fill_next, self._fill_gen))
        return view

    def _parts(self, session: Session, names: list[str]) -> list[tuple[str, list[str] | None]]:
        """What to derive, in row order: a screenful of the first schedule's clusters (as
        many as the terminal has lines), the rest of them, then each other schedule whole."""
        if not names:
            return []
        first = max(8, self.app.size.height)
        clusters = schedule_clusters(session, names[0])
        parts: list[tuple[str, list[str] | None]] = [(names[0], clusters[:first])]
        if clusters[first:]:
            parts.append((names[0], clusters[first:]))
        return parts + [(name, None) for name in names[1:]]

    def _derive(self, session: Session, name: str, clusters: list[str] | None
                ) -> list[ScheduleHealth]:
        return session_health(session, self.clock(), self.limits, only=clusters,
                              schedules=[name], runs=self._runs)

    def _add(self, found: list[ScheduleHealth]) -> list[rows.Row]:
        """Keep derived rows (after those of their schedule); the table rows to append."""
        new: list[rows.Row] = []
        for name, part in grouped(found).items():
            self.shown.update((row_key(h), h) for h in part)
            if name in self.groups:
                self.groups[name].extend(part)
            else:
                self.groups[name] = list(part)
                new.append(schedule_row(self.groups[name]))
            new.extend(health_row(h) for h in part)
        return new

    def _progress(self) -> str:
        done = self._total - len({name for name, _ in self._pending})
        return "\n".join(filter(None, [self._message, f"… {done} of {self._total} schedules "
                                        "shown so far" if self._pending else ""]))

    def _fill_next(self, generation: int) -> None:
        """The next part's rows, appended; then the next part, a tick later."""
        session = self.session
        if generation != self._fill_gen or not self._pending or session is None or \
                not self.is_mounted:
            return
        name, clusters = self._pending.pop(0)
        grown = name in self.groups
        appended = self._add(self._derive(session, name, clusters))
        table = self.query_one(LiveTable)
        table.append_rows(appended)
        if grown:  # its line now speaks for every cluster
            table.update_rows([schedule_row(self.groups[name])])
        box = self.query_one("#empty", Static)
        set_text(box, self._progress())
        box.display = bool(self._progress())
        if self._pending:
            self.set_timer(FILL_DELAY, partial(self._fill_next, generation))
        else:
            self._runs = {}  # only for the fill: a change re-reads its member
            self._show_reason()

    def refresh_view(self) -> None:
        """Derive every row, unless they are current: a pushed screen is asked three times at
        once (mount, the app's status, resume), each costing a second at 1,000 rows on a busy
        machine, and changes reach the rows through apply_changes."""
        if self._missed or self._built_for is not self.session:
            self._missed = False
            super().refresh_view()
            self._built_for = self.session
        self._show_reason()

    def refresh_all(self) -> None:
        """Every row again: ages and late verdicts move with the clock."""
        self._missed = True
        self.refresh_view()

    def apply_changes(self, changes: Changes) -> None:
        """A change in some members' feeds re-derives only their rows and their schedules'
        lines: every row of 100 members x 10 schedules costs about 0.6 s to derive and diff,
        one member's ten about a millisecond (benchmarks/health_screen.py)."""
        session = self.session
        clusters = changed_members(changes, session)
        if session is None or clusters is None or not self.shown or not self.ready or \
                self.app.screen is not self:
            self._missed = True  # rows are derived again when next shown
            super().apply_changes(changes)
            return
        if changes.states:
            self._show_connection()
        if clusters and not self._update_members(session, clusters):
            self._missed = True
            self.refresh_view()

    def _update_members(self, session: Session, clusters: set[str]) -> bool:
        """Re-derive these members' rows; False when rows came or went (the whole table)."""
        for cluster in clusters:
            self._runs.pop(cluster, None)  # a fill still running reads them again
        fresh = session_health(session, self.clock(), self.limits, only=clusters,
                               schedules=list(self.groups), runs=self._runs)
        before = sorted(k for k, h in self.shown.items() if h.cluster in clusters)
        if sorted(row_key(h) for h in fresh) != before:
            return False
        changed = [h for h in fresh if self.shown[row_key(h)] != h]
        for h in changed:
            self.shown[row_key(h)] = h
            group = self.groups[h.schedule]
            group[next(i for i, old in enumerate(group) if old.cluster == h.cluster)] = h
        if changed:
            self.query_one(LiveTable).update_rows(
                [health_row(h) for h in changed] +
                [schedule_row(self.groups[s]) for s in dict.fromkeys(h.schedule
                                                                     for h in changed)])
            self._show_reason()
        return True

    def _selected_key(self) -> str:
        return self.query_one(LiveTable).selected_key or ""

    def _selected_schedule(self) -> str:
        key = self._selected_key()
        h = self.shown.get(key)
        return h.schedule if h else key.removeprefix("schedule/")

    def _show_reason(self) -> None:
        found = self.query("#reason")
        if not found:
            return
        key = self._selected_key()
        h = self.shown.get(key)
        group = self.groups.get(key.removeprefix("schedule/"))
        text = reason_cell(h) if h else group_reason(group) if group else ""
        set_text(found.first(Static), text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def _op_target(self) -> tuple[str, list[str]]:
        """A (schedule, cluster) row acts on that cluster; a schedule's line on all of them."""
        h = self.shown.get(self._selected_key())
        return (h.schedule, [h.cluster]) if h else (self._selected_schedule(), [])

    def action_pause_resume(self) -> None:
        name, clusters = self._op_target()
        if name:
            self.fleet_app.schedule_op(None, name, clusters)

    def action_run_now(self) -> None:
        name, clusters = self._op_target()
        if name:
            self.fleet_app.schedule_op("run-now", name, clusters)

    def action_open(self) -> None:
        name = self._selected_schedule()
        if name:
            self.fleet_app.open_status(name)
