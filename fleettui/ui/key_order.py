"""Keys handled one at a time, in the order typed, by the screen they were typed for.

Textual dispatches a key to the focused widget by posting it to that widget's queue and moves on
to the next key at once. When keys arrive in one burst (a paste, an SSH packet that bundles
keystrokes), a key that opens a screen (`n`) is still on its way up the DOM while the next keys
are already posted to the old screen's widgets, and are lost or run the old screen's bindings (a
typed `q` quits). Here the app lets the next key go only when the previous one has been handled
at every level it bubbled through, and when the screen on top is mounted.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

HELD_KEY_LIMIT = 5.0  # seconds: a backstop; a busy machine can take a second to mount a form
RETRY = 0.01  # seconds between checks while a new screen mounts


class KeyHandled(Message):
    """Posted right behind a key to the widget the key went to; it bubbles the same way, so
    when it reaches the app the key has been handled everywhere it went."""


class KeyOrder:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.held: deque[events.Key | events.Paste] = deque()
        self.in_flight: KeyHandled | None = None
        self.target: MessagePump | None = None  # where the key in flight was sent
        self.since = 0.0  # when the current wait (marker or screen) began
        self.retry_pending = False

    def hold(self, event: events.Key | events.Paste) -> None:
        self.held.append(event)

    def handled(self, marker: KeyHandled) -> None:
        if marker is self.in_flight:
            self.in_flight = None

    def waiting(self) -> bool:
        """Whether the next key must wait (a key in flight, or a screen still mounting)."""
        removed = self.target is not None and not self.target.is_attached
        if removed or time.monotonic() - self.since > HELD_KEY_LIMIT:
            self.in_flight = None  # the marker went with its widget: it will not arrive
            return False
        return self.in_flight is not None or not screen_ready(self.app)

    def start_wait(self) -> None:
        self.since = time.monotonic()

    def sent(self, event: events.Key | events.Paste, target: MessagePump) -> None:
        """`event` was forwarded to `target`: follow it with the marker."""
        self.target = None
        if event.is_forwarded:
            self.in_flight = KeyHandled()
            self.target = target
            target.post_message(self.in_flight)
        self.start_wait()


def screen_ready(app: App[Any]) -> bool:
    """The top screen is mounted (its auto-focus applied), so keys reach the right widget."""
    return app.screen.is_mounted


def typed_into_field(event: events.Key | events.Paste, target: MessagePump) -> bool:
    """Text for a focused input field: the field takes it in order and it moves neither the
    focus nor the screen, so the next key need not wait for it (typing stays fast)."""
    if not isinstance(target, Input):
        return False
    return isinstance(event, events.Paste) or event.is_printable
