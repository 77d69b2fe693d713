"""When the live screens repaint: a token bucket of frames, and painting a frame right now.

A change after a quiet spell is painted at once (no waiting for a frame clock), a short burst too;
a sustained stream of changes (an event storm) gets `rate` frames a second, so the CPU spent on
painting stays bounded however fast the clusters change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.widget import Widget


class FrameBudget:
    def __init__(self, rate: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1 / rate
        self.burst = float(burst)
        self.clock = clock
        self.tokens = self.burst
        self.at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) / self.interval)
        self.at = now

    def delay(self) -> float:
        """Seconds until a frame may go; 0 means now."""
        self._refill()
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) * self.interval

    def spend(self) -> None:
        """A frame went out."""
        self._refill()
        self.tokens -= 1


def paint_now(app: App[Any]) -> bool:
    """Compose the top screen's frame now, instead of after three message hops (widget idle →
    screen update → screen idle) and the screen's next update tick, up to a frame away. A layout
    the screen already knows of is done here too; a widget's layout, scroll or style request
    that has not reached the screen yet is left to Textual's own path. Textual 8.2 internals:
    what Widget._check_refresh, Screen._on_update and the tick do. True if a frame was composed.
    """
    if not app.screen_stack:
        return False
    screen = app.screen
    if app._batch_count or not screen.is_mounted:
        return False
    widgets = list(screen.walk_children(Widget))
    if any(w._layout_required or w._scroll_required or w._refresh_styles_required
           or w._recompose_required for w in widgets):
        return False
    for widget in widgets:
        if widget._repaint_required:
            widget._repaint_required = False
            if widget.display:
                screen._dirty_widgets.add(widget)
    if not (screen._dirty_widgets or screen._repaint_required or screen._layout_required
            or screen._scroll_required):
        return False
    screen._on_timer_update()
    return True
