"""A one-line form field that keeps every pasted line.

Textual's Input keeps only the first line of a paste; a list pasted from `kubectl get ns -o name`
would lose all but one name. List fields join the lines with commas, other fields with spaces.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input


class FormInput(Input):
    def __init__(self, *args: Any, list_field: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = False  # a blinking cursor repaints twice a second over SSH
        self.joiner = "," if list_field else " "

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Textual's handler further up the MRO would keep one line
        event.stop()
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if not lines:
            return
        joined = self.joiner.join(lines)
        if self.selection.is_empty:
            self.insert_text_at_cursor(joined)
        else:
            self.replace(joined, *self.selection)
