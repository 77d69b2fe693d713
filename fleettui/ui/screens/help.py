"""`?`: the key bindings that are live on the screen underneath, read from Textual itself."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys on this screen", style="bold"), id="help-title")
            yield Static(self.bindings_text(), id="help-body")

    def bindings_text(self) -> Text:
        text = Text()
        seen: set[tuple[str, str]] = set()
        # active_bindings already drops actions that check_action hides (e.g. --readonly).
        for key, active in self.under.active_bindings.items():
            b = active.binding
            if not b.description or not active.enabled or (b.description, key) in seen:
                continue
            seen.add((b.description, key))
            text.append(f"{self.app.get_key_display(b):>12}  ", style="bold cyan")
            text.append(b.description + "\n")
        text.append("\n  ctrl+p or : opens the command palette with every action.\n"
                    "  esc goes back; q quits.\n", style="dim")
        return text
