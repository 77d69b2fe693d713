"""A Linux terminal driver whose input thread sleeps until a key arrives.

Textual's LinuxDriver polls its input every 100 ms (to notice when to stop), which is ten
wake-ups a second on an idle bastion session. Here the thread blocks in select() and is woken
through a pipe when input is disabled; it only times out while a lone ESC waits to be told apart
from the start of an escape sequence. Relies on Textual 8.2 internals (the parser's pending
timeout), which is why Textual is pinned to that line.
"""

from __future__ import annotations

import contextlib
import os
import selectors
from codecs import getincrementaldecoder
from typing import Any

from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

ESC_WAIT = 0.1  # how long Textual waits before a lone ESC counts as the Escape key


class QuietLinuxDriver(LinuxDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        self._stopping = False

    def disable_input(self) -> None:
        # The flag first, then the wake-up: the thread must not go back to sleep in between.
        self._stopping = True
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"!")
        super().disable_input()

    def run_input_thread(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        self._stopping = False
        try:
            while not (self._stopping or self.exit_event.is_set()):
                pending = parser._timeout_time is not None
                for key, _ in selector.select(ESC_WAIT if pending else None):
                    if key.fd == self._wake_read:
                        os.read(self._wake_read, 64)
                        continue
                    try:
                        text = decode(os.read(self.fileno, 4096))
                    except OSError:  # EIO: the terminal hung up
                        text = ""
                    if not text:  # the terminal is gone (SSH dropped): end the app cleanly
                        self._app.call_later(self._app.exit)
                        return
                    for event in parser.feed(text):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
