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
        """This screen's own keys and the app's first, one line per action with all its keys;
        the keys of Textual's widgets (cursor movement, editing) after them, so the app's own
        are visible at 80x24."""
        ours = own_bindings(self.under)
        own: dict[tuple[str, str], list[str]] = {}
        generic: dict[tuple[str, str], list[str]] = {}
        # active_bindings already drops actions that check_action hides (e.g. --readonly).
        for active in self.under.active_bindings.values():
            b = active.binding
            if not b.description or not active.enabled:
                continue
            what = (b.action.removeprefix("app."), b.description)
            keys = (own if what in ours else generic).setdefault(what, [])
            display = self.app.get_key_display(b)
            if display not in keys:
                keys.append(display)
        text = lines_of(own)
        text.append("\n  ctrl+p or : opens the command palette with every action.\n"
                    "  esc goes back; q quits (a changed form asks first).\n", style="dim")
        if generic:
            text.append("\nWhile a field or list has the focus\n", style="bold")
            text.append_text(lines_of(generic))
        return text


def lines_of(keys: dict[tuple[str, str], list[str]]) -> Text:
    text = Text()
    for (_, description), displays in keys.items():
        text.append(f"{' '.join(displays):>12}  ", style="bold")
        text.append(description + "\n")
    return text


def own_bindings(screen: Screen[object]) -> set[tuple[str, str]]:
    """(action, description) of the bindings fleettui itself declares on this screen's classes
    and the app's (Textual copies a binding per key, so identity does not survive)."""
    found: set[tuple[str, str]] = set()
    for node in (screen, screen.app):
        for cls in type(node).__mro__:
            if cls.__module__.startswith("fleettui."):
                found.update((b.action.removeprefix("app."), b.description)
                             for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding))
    return found
