"""Check lists and radio buttons whose state shows in the glyph, not only in its colour.

Textual draws ticked and unticked boxes both as `▐X▌` (radio buttons both as `▐●▌`) and tells
them apart by colour alone: with NO_COLOR or a poor palette nobody can see what is selected.
Here an unticked box or an unselected radio button is drawn empty.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

UNSET = " "


class Checklist(SelectionList[str]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip  # not the layout this was written for: keep Textual's drawing
        if option.value not in self.selected:
            segments[1] = Segment(UNSET, segments[1].style)
        return Strip(segments, strip.cell_length)


class Choice(RadioButton):
    ON = RadioButton.BUTTON_INNER

    def render(self) -> Content:
        # BUTTON_INNER is the public knob for the glyph; set per instance for the state.
        self.BUTTON_INNER = self.ON if self.value else UNSET
        return super().render()
