"""A long log, shown through Textual's Line API: only the lines in view are ever rendered, so a
100,000-line Velero log scrolls as fast as a short one (toolong's approach; a DataTable or a
Static would lay out every line). Lines are plain Text, never markup: a log line with
`[bold]` in it is shown as typed."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

LEVEL_STYLES = {"level=error": Style(color="red"), "level=fatal": Style(color="red", bold=True),
                "level=panic": Style(color="red", bold=True),
                "level=warning": Style(color="yellow")}
ERROR_MARKS = ("level=error", "level=fatal", "level=panic")
CURRENT = Style(bgcolor="grey23", bold=True)
MATCH = Style(reverse=True)
# Tabs and control characters would move the terminal's cursor: shown as spaces instead.
_CONTROL = {c: " " for c in range(32)}


class LogLines(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    LogLines { height: 1fr; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[str] = []
        self.current: int | None = None  # the line a search or `e` went to, highlighted
        self._pattern: re.Pattern[str] | None = None
        # found once per log or search, so that n, N and e cost a lookup, not a scan
        self._matches: list[int] = []
        self._first_error: int | None = None

    def set_lines(self, lines: list[str]) -> None:
        self.lines = [line.translate(_CONTROL) for line in lines]
        self._first_error = next((i for i, line in enumerate(self.lines)
                                  if any(mark in line for mark in ERROR_MARKS)), None)
        self._matches = self._find_all()
        width = max((len(line) for line in self.lines), default=0)
        self.virtual_size = Size(width, len(self.lines))
        self.current = None
        self.scroll_home(animate=False)
        self.refresh()

    # ---- keys: jumps, not animations (an animated page repaints ~20 frames over SSH) --------
    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False)

    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False)

    # ---- rendering ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        text = self.line_text(index)
        segments = [s for s in text.render(self.app.console) if s.text != "\n"]
        strip = Strip(segments, text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def line_text(self, index: int) -> Text:
        line = self.lines[index]
        style = next((s for mark, s in LEVEL_STYLES.items() if mark in line), Style())
        text = Text(line, style=style, no_wrap=True, end="")
        if self._pattern is not None:
            text.highlight_regex(self._pattern, style=MATCH)
        if index == self.current:
            text.stylize(CURRENT)
            text.pad_right(max(0, self.scrollable_content_region.width - text.cell_len))
        return text

    def visible_lines(self) -> list[str]:
        """The text of the lines on screen now (tests read what is shown)."""
        top = self.scroll_offset.y
        return self.lines[top:top + self.scrollable_content_region.height]

    # ---- finding -----------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._pattern = re.compile(re.escape(text), re.IGNORECASE) if text else None
        self._matches = self._find_all()
        self.refresh()

    def _find_all(self) -> list[int]:
        pattern = self._pattern
        if pattern is None:
            return []
        search = pattern.search
        return [i for i, line in enumerate(self.lines) if search(line)]

    def matches(self) -> list[int]:
        """The lines the search matches, in order."""
        return self._matches

    def next_match(self, backwards: bool = False) -> int | None:
        """The next line (after the current one, wrapping) that matches the search."""
        found = self._matches
        if not found:
            return None
        if self.current is None:
            return found[-1] if backwards else found[0]
        if backwards:
            i = bisect_left(found, self.current) - 1
            return found[i]  # -1 wraps to the last
        i = bisect_right(found, self.current)
        return found[i % len(found)]

    def first_error(self) -> int | None:
        return self._first_error

    def go_to(self, index: int) -> None:
        """Highlight line `index` and bring it into view, a third from the top."""
        self.current = index
        height = self.scrollable_content_region.height
        self.scroll_to(x=0, y=max(0, index - height // 3), animate=False)
        self.refresh()

