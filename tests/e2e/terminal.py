"""Run a real `fleettui` process in a pseudo-terminal and read its screen like a person would.

pyte emulates the terminal (80x24), so tests assert on the characters actually displayed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence

import pyte

# Only whole colour codes (followed by ; or m): a read can end in the middle of one.
COLOUR = re.compile(rb"[34]8;(5;\d+|2;\d+;\d+;\d+)(?=[;m])")


def _take_terminal() -> None:
    """Like sshd: a new session whose controlling terminal is the pty (so hang-ups arrive)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, args: Sequence[str], cols: int = 80, rows: int = 24,
                 env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols),
                    "LINES": str(rows), **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "fleettui", *args], stdin=slave,
                                     stdout=slave, stderr=slave, env=full_env,
                                     preexec_fn=_take_terminal, close_fds=True)
        os.close(slave)
        self.bytes_read = 0
        self.tail = b""  # the last bytes written, to check what the app sent on exit
        self.colours: set[str] = set()  # every 256-colour / truecolour value the app used
        self._carry = b""

    def pump(self, timeout: float = 0.05) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], timeout)
            if not ready:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.bytes_read += len(data)
            self.tail = (self.tail + data)[-4096:]
            window, self._carry = self._carry + data, data[-32:]  # a code split across reads
            self.colours.update(m.decode() for m in COLOUR.findall(window))
            self.stream.feed(data)
            timeout = 0

    def text(self) -> str:
        self.pump()
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.1)
            shown = "\n".join(self.screen.display)
            if needle in shown:
                return shown
        raise AssertionError(f"{needle!r} never appeared; screen:\n" + self.text())

    def until(self, check: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text()}")
            self.pump(0.05)

    def send(self, keys: str) -> None:
        for ch in keys:  # one key at a time, as a person types
            os.write(self.master, ch.encode())
            self.pump(0.03)

    def send_at_once(self, keys: str) -> None:
        """Every key in one write: a paste, or an SSH packet that bundles keystrokes."""
        os.write(self.master, keys.encode())

    def drain(self, timeout: float = 3.0) -> None:
        """Read until the process has exited and closed the terminal."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump(0.05)
        self.pump(0.1)

    def close(self) -> int:
        """SIGTERM, then SIGKILL after 10 s. The terminal is read meanwhile: an app whose last
        frames filled the pty is blocked writing them and would only end at the SIGKILL."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(OSError):  # the test may have closed the terminal already
            self.drain(10.0)
        try:
            code = self.proc.wait(0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)
        return code
