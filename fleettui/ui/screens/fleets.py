"""Fleets and their member clusters: readiness, Velero storage location, last backup."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen
from fleettui.ui.widgets.live_table import LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session
    from fleettui.live.store import Changes

COLUMNS = [("FLEET / CLUSTER", 19), ("KIND", 15), ("READY", 7), ("STORAGE", 12),
           ("LAST RUN", 8), ("BACKUPS", 7)]


class FleetsScreen(LiveScreen):
    TITLE_TEXT = "Fleets"
    BINDINGS = [
        Binding("b", "app.switch_mode('backups')", "Backups", id="backups"),
        Binding("n", "new_backup", "New backup", id="new"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield LiveTable(COLUMNS, id="fleets")
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
