"""Fleets and their member clusters: readiness, Velero storage location, last backup."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fleettui.live.member_feeds import FLEET
from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session
    from fleettui.live.store import Changes

COLUMNS = [Column("FLEET / CLUSTER", 19, NAME, least=17, most=48),
           Column("KIND", 15, NAME, least=9, drop=3), Column("READY", 7, PHASE),
           Column("STORAGE", 12, PHASE), Column("LAST RUN", 8, drop=1),
           Column("BACKUPS", 7, drop=2)]
MARGIN = 3  # member rows above and below the visible ones that are watched too
WANT_DEBOUNCE = 0.15  # s: scrolling settles before the watched members change


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
        self._want_pending = False

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.query_one(LiveTable), "scroll_y", self._scrolled, init=False)

    def _scrolled(self) -> None:
        self.want_visible()

    def want_visible(self) -> None:
        """Watch the members on the visible rows (and a margin), once scrolling settles (a
        held key goes past rows that are never worth opening)."""
        if not self._want_pending:
            self._want_pending = True
            self.set_timer(WANT_DEBOUNCE, self._want_now)

    def _want_now(self) -> None:
        self._want_pending = False
        session = self.session
        if session is None or not self.is_mounted or self.app.screen is not self:
            return
        if not self.query(LiveTable):  # connected before the screen's children were mounted:
            return  # its first refresh after mounting wants them
        self.want_members(self.visible_members(), (FLEET,))

    def visible_members(self) -> list[str]:
        table = self.query_one(LiveTable)
        top = int(table.scroll_y)
        height = max(1, table.size.height - 1)  # the header row
        keys = [str(r.key.value) for r in table.ordered_rows[max(0, top - MARGIN):
                                                              top + height + MARGIN]]
        return [k.rsplit("/", 1)[1] for k in keys if k.startswith("member/")]

    def on_screen_suspend(self) -> None:
        self.release_members()  # another mode is shown

    def refresh_view(self) -> None:
        super().refresh_view()
        if self.session is not None and not self._want_pending:
            self._want_now()  # rows listed or changed: no scrolling to wait for

    def apply_changes(self, changes: Changes) -> None:
        self.storage.invalidate(changes)  # even while hidden, so nothing is stale on return
        super().apply_changes(changes)

    def on_screen_resume(self) -> None:
        # Changes made while another mode was shown never reached apply_changes.
        self.storage = rows.StorageCache()
        super().on_screen_resume()  # its refresh_view wants the visible rows again

    def build_view(self, session: Session, now: datetime) -> rows.View:
        return rows.fleet_rows(session, now, self.storage)

    def action_new_backup(self) -> None:
        self.fleet_app.action_new_backup()
