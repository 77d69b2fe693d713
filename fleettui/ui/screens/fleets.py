"""Fleets and their member clusters: readiness, Velero storage location, last backup."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen
from fleettui.ui.widgets.live_table import NAME, PHASE, Column

if TYPE_CHECKING:
    from fleettui.live.session import Session
    from fleettui.live.store import Changes

COLUMNS = [Column("FLEET / CLUSTER", 19, NAME, least=17, most=48),
           Column("KIND", 15, NAME, least=9, drop=3), Column("READY", 7, PHASE),
           Column("STORAGE", 12, PHASE), Column("LAST RUN", 8, drop=1),
           Column("BACKUPS", 7, drop=2)]


class FleetsScreen(LiveScreen):
    TITLE_TEXT = "Fleets"
    BINDINGS = [
        Binding("b", "app.switch_mode('backups')", "Backups", id="backups"),
        Binding("n", "new_backup", "New backup", id="new"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield from self.compose_table(COLUMNS, "fleets")
        yield Static("", id="empty", classes="empty")
        yield from self.compose_footer()

    def __init__(self) -> None:
        super().__init__()
        self.storage = rows.StorageCache()

    def apply_changes(self, changes: Changes) -> None:
        self.storage.invalidate(changes)  # even while hidden, so nothing is stale on return
        super().apply_changes(changes)

    def on_screen_resume(self) -> None:
        # Changes made while another mode was shown never reached apply_changes.
        self.storage = rows.StorageCache()
        super().on_screen_resume()

    def build_view(self, session: Session, now: datetime) -> rows.View:
        return rows.fleet_rows(session, now, self.storage)

    def action_new_backup(self) -> None:
        self.fleet_app.action_new_backup()
