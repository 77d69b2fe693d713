"""A read-only YAML view of an object, with syntax colours and no markup interpretation."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static


class YamlScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="back")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text, style="bold"), id="title")
        with VerticalScroll(id="yaml"):
            # Syntax renders the text as-is: cluster strings cannot inject markup here.
            yield Static(Syntax(self.text, "yaml", theme="ansi_dark", word_wrap=False))
        yield Footer(show_command_palette=False)  # ":" is in the footer already
