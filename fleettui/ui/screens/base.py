"""What every live screen shares: a title line, a connection line, the footer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static

from fleettui.ui.rows import View, connection_text
from fleettui.ui.widgets.live_table import ColumnSpec, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session
    from fleettui.live.store import Changes
    from fleettui.ui.app_api import FleetAppApi


class LiveScreen(Screen[None]):
    TITLE_TEXT = ""
    AUTO_FOCUS = "LiveTable"
    DEFAULT_CSS = """
    LiveScreen .hidden-note { height: auto; padding: 0 1; color: $text-muted; display: none; }
    """

    def compose_header(self) -> ComposeResult:
        yield Static(Text(self.TITLE_TEXT, style="bold"), id="title")
        yield Static("", id="connection")

    def compose_footer(self) -> ComposeResult:
        yield Footer(show_command_palette=False)  # ":" is in the footer already

    def compose_table(self, columns: Sequence[ColumnSpec], id: str) -> ComposeResult:
        """A live table and the line that names the columns it hides at this width."""
        yield LiveTable(columns, id=id)
        yield Static("", id=f"{id}-hidden", classes="hidden-note")

    def on_live_table_hidden(self, event: LiveTable.Hidden) -> None:
        found = self.query(f"#{event.table.id}-hidden")
        if found:
            note = found.first(Static)
            set_text(note, Text("hidden at this width: " + ", ".join(event.labels), style="dim")
                     if event.labels else "")
            note.display = bool(event.labels) and event.table.display

    @property
    def fleet_app(self) -> FleetAppApi:
        return cast("FleetAppApi", self.app)

    @property
    def session(self) -> Session | None:
        return self.fleet_app.session

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # --readonly: mutating actions vanish from keys, footer and help, on every screen.
        return not (self.fleet_app.readonly and action in self.fleet_app.MUTATING_ACTIONS)

    def on_mount(self) -> None:
        self.query_one("#connection").styles.height = "auto"  # a problem wraps, not cut
        self.watch(self.app, "status", self._show_status)
        self.ready = True
        self.refresh_view()

    def _show_status(self, status: str) -> None:
        self._show_connection()
        self._refresh_if_built()

    def _refresh_if_built(self) -> None:
        """A flush or a status change can reach a screen while Textual is still mounting its
        widgets or already removing them: then there is nothing to draw (a refresh on a
        built screen, as on mount and resume, still raises for a widget that is missing)."""
        try:
            self.refresh_view()
        except NoMatches:
            return

    def _show_connection(self) -> None:
        found = self.query("#connection")
        if found:
            set_text(found.first(Static), connection_text(self.session, self.fleet_app.status))

    def on_screen_resume(self) -> None:
        self._show_connection()
        self.refresh_view()

    ready = False  # set while mounted: a flush may arrive between push and mount, or after

    def on_unmount(self) -> None:
        self.ready = False
        self.release_members()

    # ---- which members this screen shows (live/member_feeds.py) ------------------------------
    @property
    def feed_owner(self) -> str:
        return f"{type(self).__name__}-{id(self)}"

    def want_members(self, clusters: Sequence[str], what: Sequence[str]) -> None:
        """Watch these members while the screen is open (cheap when nothing changed)."""
        if self.session is not None:
            self.session.feeds.want(self.feed_owner, clusters, what)

    def release_members(self) -> None:
        if self.session is not None:
            self.session.feeds.release(self.feed_owner)  # they linger a while, then close

    def apply_changes(self, changes: Changes) -> None:
        # Only the top screen: Textual's is_current is also true for the one beneath it.
        if self.ready and self.app.screen is self:
            if changes.states:
                self._show_connection()
            self._refresh_if_built()

    def refresh_view(self) -> None:
        """Re-derive the rows from the store and sync the table (cheap: tables diff)."""
        session = self.session
        empty = self.query("#empty")
        if not empty:
            return
        box = empty.first(Static)
        if session is None:
            set_text(box, self.fleet_app.connect_error or "connecting…")
            return
        view = self.build_view(session, datetime.now(UTC))
        self.query_one(LiveTable).sync(view.rows)
        set_text(box, view.message)
        box.display = bool(view.message)

    def build_view(self, session: Session, now: datetime) -> View:
        return View()


def set_text(box: Static, text: str | Text) -> None:
    """Update only on change, and ask for a layout only when the box's height changes: a layout
    repaints the whole screen, a plain update only the box's lines."""
    new = text if isinstance(text, Text) else Text(text)
    shown = (new.plain, str(new.style), tuple(new.spans))
    if getattr(box, "_fleettui_shown", None) == shown:
        return
    box._fleettui_shown = shown  # type: ignore[attr-defined]
    box.update(new, layout=_height_changes(box, new))


def _height_changes(box: Static, text: Text) -> bool:
    """Whether `text` needs other than the box's laid-out height (True when not laid out)."""
    height = box.styles.height
    if height is not None and not height.is_auto:
        return False
    width, lines = box.content_size
    if not width or not box.is_mounted:
        return True
    if "\n" not in text.plain and text.cell_len <= width:
        return lines != 1
    return len(text.wrap(box.app.console, width)) != lines
