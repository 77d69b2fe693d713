"""`:coverage`: every namespace on every member, protected, partial, stale or unprotected, and
why; `n` on a row opens the backup form with that namespace and cluster filled in. The cells are
those of `fleettui coverage` (live.health)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fleettui.live.health import members_of, session_coverage
from fleettui.live.member_feeds import STATUS
from fleettui.model.coverage import (
    PARTIAL,
    PROTECTED,
    STALE,
    STATE_SYMBOLS,
    UNPROTECTED,
    Cell,
    Coverage,
    Inventory,
)
from fleettui.model.schedule_health import HealthLimits, age_text
from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen, set_text
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session

COLUMNS = [Column("NAMESPACE / CLUSTER", 24, NAME, least=17, most=48),
           Column("COVERAGE", 13, PHASE), Column("BY", 30, NAME, least=8, most=60)]
STYLES = {PROTECTED: "green", PARTIAL: "yellow", STALE: "magenta", UNPROTECTED: "bold red"}
Reader = Callable[["Session", list[str]], dict[str, Inventory]]
MAX_AGE = 26 * 3600.0  # as `fleettui check` and `coverage`: a daily schedule plus two hours


def state_cell(state: str, label: str = "") -> Text:
    return Text(f"{STATE_SYMBOLS[state]} {label or state}", style=STYLES[state], no_wrap=True)


def namespace_row(ns: str, cells: list[Cell]) -> rows.Row:
    """A namespace's line above its clusters: how many protect it."""
    worst = max(cells, key=lambda c: (c.state == UNPROTECTED, c.state == STALE,
                                      c.state == PARTIAL))
    whole = sum(1 for c in cells if c.state == PROTECTED)
    return (f"ns/{ns}", [Text(ns, style="bold"),
                         state_cell(worst.state, f"{whole}/{len(cells)} whole"), ""])


def cell_row(cell: Cell) -> rows.Row:
    return (f"{cell.namespace}/{cell.cluster}", [
        f"  {cell.cluster}", state_cell(cell.state), ", ".join(cell.schedules) or "-"])


def reason_text(cell: Cell) -> Text:
    """Text, never markup: namespace, cluster and schedule names come from clusters."""
    text = Text()
    text.append(f"{cell.symbol} {cell.state}", style=STYLES[cell.state])
    text.append(f" {cell.namespace} on ")
    text.append(cell.cluster, style="bold")
    text.append(f": {cell.reason}")
    return text


class CoverageScreen(LiveScreen):
    TITLE_TEXT = "Coverage"
    DEFAULT_CSS = """
    CoverageScreen #reason { height: auto; max-height: 4; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("n", "new_backup", "Back up this namespace", id="new"),
        Binding("r", "reload", "Re-read namespaces", id="reload"),
        Binding("s", "toggle_system", "System namespaces", id="system"),
    ]

    def __init__(self, max_age: float = MAX_AGE, limits: HealthLimits | None = None,
                 clock: Callable[[], datetime] | None = None,
                 reader: Reader | None = None) -> None:
        """`reader` reads the members' namespaces and pods (tests give a fixed one)."""
        super().__init__()
        self.reader = reader
        self.max_age = max_age
        self.limits = limits or HealthLimits()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.include_system = False
        self.inventories: dict[str, Inventory] | None = None  # None: still being read
        self.reading = False
        self.cells: dict[str, Cell] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield from self.compose_table(COLUMNS, "coverage")
        yield Static("", id="empty", classes="empty")
        yield Static("", id="reason")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#title", Static).update(Text(
            f"{self.TITLE_TEXT} (schedules only; stale after {age_text(self.max_age)})",
            style="bold"))  # short: whole at 60 columns
        super().on_mount()
        self.action_reload()

    # ---- reading the members' namespaces and pods (a worker: never on the UI thread) -------
    def action_reload(self) -> None:
        session = self.session
        if session is not None:
            self.reading = True
            self.read_inventories(session, members_of(session))

    @work(thread=True, exclusive=True, group="coverage", exit_on_error=False)
    def read_inventories(self, session: Session, clusters: list[str]) -> None:
        from fleettui.live.health import read_inventories

        try:
            found = (self.reader or read_inventories)(session, clusters)
        except Exception as e:  # never leave the screen saying "reading…" for ever
            found = {c: Inventory(problem=f"{type(e).__name__}: {e}") for c in clusters}
        self.app.call_from_thread(self._inventories_read, found)

    def _inventories_read(self, found: dict[str, Inventory]) -> None:
        self.reading = False
        self.inventories = found
        self.refresh_view()

    # ---- the view ----------------------------------------------------------------------------
    def build_view(self, session: Session, now: datetime) -> rows.View:
        if self.inventories is None:
            if not self.reading:  # opened before the app was connected: read now
                self.action_reload()
            self.cells = {}
            return rows.View(message=f"reading the namespaces and pods of "
                                     f"{len(members_of(session))} cluster(s)…")
        self.want_members(members_of(session), (STATUS,))
        cov = session_coverage(session, self.inventories, self.clock(), self.max_age,
                               self.limits, self.include_system)
        self.cells = {f"{c.namespace}/{c.cluster}": c for c in cov.cells.values()}
        return rows.View(rows=self._rows(cov), message=self._message(cov))

    def _rows(self, cov: Coverage) -> list[rows.Row]:
        found: list[rows.Row] = []
        for ns in cov.namespaces:
            cells = [c for (n, _), c in cov.cells.items() if n == ns]
            if cells:
                found.append(namespace_row(ns, cells))
                found.extend(cell_row(c) for c in cells)
        return found

    def _message(self, cov: Coverage) -> str:
        notes = [f"{cluster}: cannot be read: {why}" for cluster, why in cov.problems.items()]
        if cov.hidden_system:
            notes.append(f"{cov.hidden_system} system namespace(s) hidden (s shows them)")
        if not cov.namespaces:
            notes.insert(0, "No namespaces could be read on any cluster.")
        return "\n".join(notes)

    def refresh_view(self) -> None:
        super().refresh_view()
        found = self.query("#reason")
        if found:
            cell = self._selected()
            set_text(found.first(Static), reason_text(cell) if cell else "")

    def _selected_key(self) -> str:
        return self.query_one(LiveTable).selected_key or ""

    def _selected(self) -> Cell | None:
        return self.cells.get(self._selected_key())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_view()

    def action_toggle_system(self) -> None:
        self.include_system = not self.include_system
        self.refresh_view()

    def action_new_backup(self) -> None:
        """The backup form with this namespace (and this cluster, on a cluster row)."""
        if self.fleet_app.readonly:
            return
        from fleettui.ui.screens.backup_form import BackupFormScreen

        cell = self._selected()
        key = self._selected_key()
        if cell is not None:
            self.app.push_screen(BackupFormScreen(cell.namespace, [cell.cluster]))
        elif key.startswith("ns/"):
            self.app.push_screen(BackupFormScreen(key.removeprefix("ns/")))
