"""All fleet backups and schedules with their derived overall phase; filter, open, delete."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from fleettui.ui import rows
from fleettui.ui.screens.filtered_list import FilteredListScreen
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session

COLUMNS = [Column("NAME", 18, NAME, least=12, most=48),
           Column("TYPE", 11, NAME, least=7, drop=2), Column("WHERE", 10, NAME, least=7, drop=3),
           Column("OVERALL", 17, PHASE), Column("DONE", 5), Column("CREATED", 8, drop=1)]


class BackupsScreen(FilteredListScreen):
    TITLE_TEXT = "Backups and schedules"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("enter", "open", "Status", id="open", show=False),
        Binding("f", "app.switch_mode('fleets')", "Fleets", id="fleets"),
        Binding("n", "app.new_backup", "New", id="new"),
        Binding("y", "yaml", "YAML", id="yaml"),
        Binding("d,ctrl+d", "delete", "Delete", id="delete"),
        Binding("r", "new_restore", "Restore", id="restore"),
        Binding("m", "new_migrate", "Migrate", id="migrate", show=False),  # 80 columns
        Binding("p", "pause_resume", "Pause/resume", id="pause", show=False),
        Binding("R", "run_now", "Run now", id="run-now", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_list(COLUMNS, "backups")

    def build_view(self, session: Session, now: datetime) -> rows.View:
        view = rows.backup_list(session.backend, now, self.filter_text)
        if view.message.endswith(" yet."):
            view.message += (" Read-only: fleettui creates nothing (started with --readonly)."
                             if self.fleet_app.readonly else " Press n to create one.")
        return view

    def action_clear_filter(self) -> None:
        self.clear_filter()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def _selected(self) -> str | None:
        return self.query_one(LiveTable).selected_key

    def action_open(self) -> None:
        name = self._selected()
        if name:
            self.fleet_app.open_status(name)

    def action_yaml(self) -> None:
        name = self._selected()
        if name:
            self.fleet_app.show_yaml(name)

    def action_delete(self) -> None:
        name = self._selected()
        if name:
            self.fleet_app.confirm_delete(name)

    def action_pause_resume(self) -> None:
        name = self._selected()
        if name:
            self.fleet_app.schedule_op(None, name)

    def action_run_now(self) -> None:
        name = self._selected()
        if name:
            self.fleet_app.schedule_op("run-now", name)

    def action_new_restore(self) -> None:
        """A restore form for the selected backup or schedule (Kurator mode)."""
        from fleettui.ui.screens.restore_form import RestoreFormScreen

        name = self._selected()
        if name and self._kurator("Restore"):
            self.app.push_screen(RestoreFormScreen(name))

    def action_new_migrate(self) -> None:
        from fleettui.live.recoveries import backup_fleet
        from fleettui.ui.screens.migrate_form import MigrateFormScreen

        if self._kurator("Migrate") and self.session is not None:
            name = self._selected()
            self.app.push_screen(MigrateFormScreen(
                backup_fleet(self.session, name) if name else ""))

    def _kurator(self, what: str) -> bool:
        if self.session is not None and self.session.mode == "kurator":
            return True
        self.app.notify(f"{what} from the TUI needs Kurator; in plain Velero mode use "
                        "`fleettui velero restore create`", title=what, severity="warning")
        return False
