"""The restores and migrates lists (`:restores`, `:migrates`): filter, open, YAML, delete, as
for backups."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from fleettui.model.timefmt import clock
from fleettui.ui import rows
from fleettui.ui.screens.filtered_list import FilteredListScreen
from fleettui.ui.screens.recovery_status import (
    RecoveryStatusScreen,
    confirm_delete,
    show_yaml,
    start_feeds,
)
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session

# Names made by the forms are 22 characters (restore-YYYYMMDDhhmmss): kept whole at 80 columns;
# cluster names are elided first, then the creation time goes.
RESTORE_COLUMNS = [Column("NAME", 22, NAME, least=22, most=48),
                   Column("BACKUP", 16, NAME, least=8, drop=2), Column("OVERALL", 17, PHASE),
                   Column("DONE", 5), Column("CREATED", 8, drop=3)]
MIGRATE_COLUMNS = [Column("NAME", 22, NAME, least=22, most=48),
                   Column("SOURCE", 15, NAME, least=10, drop=1),
                   Column("TARGETS", 15, NAME, least=10, drop=2), Column("OVERALL", 17, PHASE),
                   Column("DONE", 5), Column("CREATED", 8, drop=3)]


class RecoveriesScreen(FilteredListScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("enter", "open", "Status", id="open", show=False),
        Binding("y", "yaml", "YAML", id="yaml"),
        Binding("d,ctrl+d", "delete", "Delete", id="delete"),
        Binding("escape", "back", "Back / clear filter"),
    ]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind  # Restore | Migrate
        self.TITLE_TEXT = f"{kind}s"

    def compose(self) -> ComposeResult:
        columns = RESTORE_COLUMNS if self.kind == "Restore" else MIGRATE_COLUMNS
        yield from self.compose_list(columns, "recoveries")

    def build_view(self, session: Session, now: datetime) -> rows.View:
        from fleettui.live.recoveries import done_count, recoveries

        start_feeds(self)
        text = self.filter_text
        view = rows.View()
        word = self.kind.lower()
        if session.mode != "kurator":
            view.message = (f"{self.kind}s are Kurator's: in plain Velero mode use `fleettui "
                            "velero restore create`.")
            return view
        for r in recoveries(session, self.kind, now, text):
            where = [r.source] if self.kind == "Restore" else [r.source, r.targets]
            view.rows.append((r.name, [r.name, *where, rows.phase_text(r.status.overall),
                                       done_count(r.status), clock(r.created, now)]))
        if not view.rows:
            key = "r" if self.kind == "Restore" else "m"
            view.message = (f"No {word} matches “{text}”." if text else
                            f"No {word}s yet." + (" Read-only: fleettui creates nothing." if
                                                  self.fleet_app.readonly else
                                                  f" Press {key} on a backup in :backups."))
        return view

    def action_back(self) -> None:
        if not self.clear_filter():
            self.app.pop_screen()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def _selected(self) -> str | None:
        return self.query_one(LiveTable).selected_key

    def action_open(self) -> None:
        name = self._selected()
        if name:
            self.app.push_screen(RecoveryStatusScreen(self.kind, name))

    def action_yaml(self) -> None:
        name = self._selected()
        if name:
            show_yaml(self, self.kind, name)

    def action_delete(self) -> None:
        name = self._selected()
        if name:
            confirm_delete(self, self.kind, name)
