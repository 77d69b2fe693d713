"""One cluster's Velero log of one run: fetched in a worker (the UI never waits on the
network), then searched with `/`, `n`/`N` and `e` (the first error).

Whatever goes wrong fetching it (Velero never answers the DownloadRequest, nothing was
uploaded, the URL expired, a Failed request) is said in one line in place of the log."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from fleettui.kube.errors import KubeError
from fleettui.ui.screens.base import set_text
from fleettui.ui.widgets.log_lines import LogLines

# Given "should I stop?", returns the log's lines or raises KubeError (live/downloads.py).
Fetch = Callable[[Callable[[], bool]], list[str]]


class LogViewerScreen(Screen[None]):
    DEFAULT_CSS = """
    LogViewerScreen #log-state { height: auto; padding: 0 1; }
    LogViewerScreen #log-line { height: auto; max-height: 5; padding: 0 1;
                                background: $boost; display: none; }
    LogViewerScreen #log-search { display: none; dock: bottom; margin-bottom: 1; }
    LogViewerScreen #log-search.shown { display: block; }
    """
    AUTO_FOCUS = "LogLines"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("slash", "search", "Search", id="search"),
        Binding("n", "next", "Next", id="next"),
        Binding("N", "previous", "Previous", id="previous", show=False),
        Binding("e", "first_error", "First error", id="first-error"),
        Binding("g", "top", "Top", show=False),
        Binding("G", "bottom", "Bottom", show=False),
    ]

    def __init__(self, title: str, fetch: Fetch) -> None:
        super().__init__()
        self.title_text = title
        self.fetch = fetch
        self.closing = threading.Event()
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text, style="bold"), id="title")
        yield Static("fetching the log from Velero…", id="log-state")
        yield LogLines(id="log")
        yield Static("", id="log-line")  # the line gone to, whole: logs are wider than 80
        yield Input(placeholder="search (enter: find, escape: cancel)", id="log-search")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group="log-fetch")

    def on_unmount(self) -> None:
        self.closing.set()  # the worker's wait for Velero stops at its next poll

    def _load(self) -> None:
        try:
            lines = self.fetch(self.closing.is_set)
        except KubeError as e:
            if not self.closing.is_set():
                self.app.call_from_thread(self._failed, str(e))
            return
        except Exception as e:  # Cancelled, or a bug: said, never a crash of the app
            if not self.closing.is_set():
                self.app.call_from_thread(self._failed, f"{type(e).__name__}: {e}")
            return
        if not self.closing.is_set():
            self.app.call_from_thread(self._show, lines)

    def _failed(self, message: str) -> None:
        self._say(Text(f"✗ {message}", style="red"))

    def _show(self, lines: list[str]) -> None:
        self.loaded = True
        self.query_one(LogLines).set_lines(lines)
        errors = sum(1 for line in lines if "level=error" in line)
        self._say(f"{len(lines):,} lines, {errors} at level error"
                  + ("  (e: first error)" if errors else ""))

    def _say(self, text: str | Text) -> None:
        set_text(self.query_one("#log-state", Static), text)

    def _go(self, index: int) -> None:
        self.viewer.go_to(index)
        box = self.query_one("#log-line", Static)
        set_text(box, Text(self.viewer.lines[index]))
        box.display = True

    @property
    def viewer(self) -> LogLines:
        return self.query_one(LogLines)

    # ---- actions -----------------------------------------------------------------------
    def action_back(self) -> None:
        box = self.query_one("#log-search", Input)
        if box.has_class("shown"):
            box.remove_class("shown")
            self.viewer.focus()
            return
        self.app.pop_screen()

    def action_search(self) -> None:
        box = self.query_one("#log-search", Input)
        box.add_class("shown")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.remove_class("shown")
        self.viewer.focus()
        self.viewer.set_search(event.value)
        self.viewer.current = None
        self._find(False, event.value)

    def action_next(self) -> None:
        self._find(False)

    def action_previous(self) -> None:
        self._find(True)

    def _find(self, backwards: bool, typed: str | None = None) -> None:
        if not self.loaded:
            return
        text = typed if typed is not None else self.query_one("#log-search", Input).value
        if not text:
            self._say("press / to search first")
            return
        found = self.viewer.next_match(backwards)
        if found is None:
            self._say(Text(f"no line contains {text!r}", style="yellow"))
            return
        self._go(found)
        everywhere = self.viewer.matches()
        self._say(f"match {bisect_left(everywhere, found) + 1} of {len(everywhere)} for {text!r} "
                  f"(line {found + 1:,}; n: next, N: previous)")

    def action_first_error(self) -> None:
        if not self.loaded:
            return
        found = self.viewer.first_error()
        if found is None:
            self._say("no line at level error in this log")
            return
        self._go(found)
        self._say(f"first error: line {found + 1:,}")

    def action_top(self) -> None:
        self.viewer.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.viewer.scroll_end(animate=False)
