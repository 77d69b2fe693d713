"""`:health`: one row per (schedule, cluster) with one verdict, the recovery-point age, the next
run and a run-history strip; the selected row's reason underneath. The rows are those of
`fleettui schedules` (live.health), so the TUI and the CLI never disagree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fleettui.live.health import session_health, worst_first
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

COLUMNS = [Column("SCHEDULE / CLUSTER", 19, NAME, least=17, most=48),
           Column("VERDICT", 11, PHASE), Column("AGE", 6), Column("HISTORY", 10),
           Column("NEXT (UTC)", 11, drop=1), Column("LAST ATTEMPT", 22, drop=2)]
VERDICT_STYLES = {OK: "green", LATE: "yellow", FAILING: "bold red", STUCK: "magenta",
                  PAUSED: "blue", NEVER_RAN: "dim"}
RUN_STYLES = {RUN_COMPLETED: "green", RUN_FAILED: "bold red", RUN_PARTIAL: "yellow",
              RUN_RUNNING: "cyan", RUN_MISSED: "dim"}
REFRESH_SECONDS = 60.0  # ages and late verdicts move with the clock, not only with changes


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
        self.set_interval(REFRESH_SECONDS, self.refresh_view)

    def build_view(self, session: Session, now: datetime) -> rows.View:
        found = session_health(session, self.clock(), self.limits)
        self.shown = {row_key(h): h for h in found}
        self.groups = grouped(found)
        view = rows.View()
        for group in self.groups.values():
            view.rows.append(schedule_row(group))
            view.rows.extend(health_row(h) for h in group)
        if not found:
            view.message = ("No scheduled fleet backups yet." if session.mode == "kurator" else
                            "No Velero schedules in any context yet.")
        elif self.fleet_app.schedule_speed != 1:
            view.message = (f"The demo's simulator fires schedules "
                            f"{self.fleet_app.schedule_speed:g}x faster than their cron: next "
                            "runs are the cron's, and no run is ever late.")
        return view

    def refresh_view(self) -> None:
        super().refresh_view()
        self._show_reason()

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
