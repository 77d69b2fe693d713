"""A list screen with a name filter (`/` opens it, esc clears it): the backups, restores and
migrates lists."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widgets import Input, Static

from fleettui.ui.screens.base import LiveScreen
from fleettui.ui.widgets.live_table import ColumnSpec, LiveTable


class FilteredListScreen(LiveScreen):
    def compose_list(self, columns: Sequence[ColumnSpec], table_id: str) -> ComposeResult:
        yield from self.compose_header()
        box = Input(placeholder="filter by name (esc clears)", id="filter")
        box.cursor_blink = False  # no repaint traffic while idle
        yield box
        yield from self.compose_table(columns, table_id)
        yield Static("", id="empty", classes="empty")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        super().on_mount()

    @property
    def filter_text(self) -> str:
        return self.query_one("#filter", Input).value

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_view()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(LiveTable).focus()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def clear_filter(self) -> bool:
        """Clear and hide the filter; False when it was not shown."""
        box = self.query_one("#filter", Input)
        shown = bool(box.display)
        box.value = ""
        box.display = False
        self.query_one(LiveTable).focus()
        return shown
