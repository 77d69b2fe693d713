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

from fleettui.live.health import session_health
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

COLUMNS = [Column("SCHEDULE", 13, NAME, least=8, most=40),
           Column("CLUSTER", 15, NAME, least=10, most=40), Column("VERDICT", 11, PHASE),
           Column("AGE", 6), Column("HISTORY", 10), Column("NEXT (UTC)", 11, drop=1),
           Column("LAST ATTEMPT", 22, drop=2)]
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
    return (row_key(h), [h.schedule, h.cluster, verdict_cell(h), age_text(h.recovery_age),
                         history_cell(h), next_text(h), attempt_text(h)])


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
    HealthScreen #reason { height: auto; max-height: 4; padding: 0 1; }
    HealthScreen #legend { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Status", id="open"),
    ]

    def __init__(self, limits: HealthLimits | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.limits = limits or HealthLimits()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.shown: dict[str, ScheduleHealth] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield from self.compose_table(COLUMNS, "health")
        yield Static("", id="empty", classes="empty")
        yield Static("", id="reason")
        yield Static(Text(f"history, oldest first: {STRIP_LEGEND}  · late after "
                          f"{age_text(self.limits.late_after)}, stuck after "
                          f"{age_text(self.limits.stuck_after)}", no_wrap=True,
                          overflow="ellipsis"), id="legend")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(REFRESH_SECONDS, self.refresh_view)

    def build_view(self, session: Session, now: datetime) -> rows.View:
        found = session_health(session, self.clock(), self.limits)
        self.shown = {row_key(h): h for h in found}
        view = rows.View(rows=[health_row(h) for h in found])
        if not found:
            view.message = ("No scheduled fleet backups yet." if session.mode == "kurator" else
                            "No Velero schedules in any context yet.")
        return view

    def refresh_view(self) -> None:
        super().refresh_view()
        self._show_reason()

    def _selected(self) -> ScheduleHealth | None:
        key = self.query_one(LiveTable).selected_key
        return self.shown.get(key) if key else None

    def _show_reason(self) -> None:
        found = self.query("#reason")
        if not found:
            return
        h = self._selected()
        set_text(found.first(Static), reason_cell(h) if h else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        h = self._selected()
        if h is not None:
            self.fleet_app.open_status(h.schedule)
