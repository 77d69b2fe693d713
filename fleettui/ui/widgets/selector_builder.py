"""Build label requirements from key / operator / values without knowing selector syntax.

Each click adds one requirement to the label filter text (AND) or starts a new OR group; the
text field stays the single source of truth, so typing and building mix freely.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, Select

from fleettui.ui.widgets.suggest import ListSuggester

OPERATORS = [("=", "="), ("!=", "!="), ("in", "in"), ("notin", "notin"), ("exists", "exists"),
             ("!exists", "!exists")]


class SelectorBuilder(Horizontal):
    @dataclass
    class Add(Message):
        key: str
        operator: str
        values: str
        new_group: bool

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.keys = ListSuggester(single=True)
        self.values = ListSuggester()

    def compose(self) -> ComposeResult:
        key = Input(placeholder="key", id="lb-key", suggester=self.keys)
        values = Input(placeholder="values, comma-separated", id="lb-values",
                       suggester=self.values)
        key.cursor_blink = values.cursor_blink = False
        yield key
        yield Select(OPERATORS, value="=", allow_blank=False, id="lb-op")
        yield values
        yield Button("+AND", id="lb-and", compact=True)
        yield Button("+OR", id="lb-or", compact=True)

    def suggest(self, labels: dict[str, set[str]]) -> None:
        self.keys.values = sorted(labels)
        self._labels = labels

    @on(Input.Changed, "#lb-key")
    def _key_changed(self, event: Input.Changed) -> None:
        self.values.values = sorted(getattr(self, "_labels", {}).get(event.value.strip(), ()))

    @on(Button.Pressed)
    def _add(self, event: Button.Pressed) -> None:
        event.stop()
        key = self.query_one("#lb-key", Input)
        values = self.query_one("#lb-values", Input)
        op = self.query_one("#lb-op", Select).value
        self.post_message(self.Add(key.value.strip(), str(op), values.value,
                                   event.button.id == "lb-or"))
