"""A watch that was streaming is healthy: when it then breaks, the retry starts from the
shortest backoff, however long the process has lived and however many faults came before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.kube.watch import ListWatch, WatchSettings
from tests.kube.test_watch_backoff import Sink

# long_outage=0: any failure that is not followed by a healthy stream counts as a long outage.
SETTINGS = WatchSettings(backoff_min=0.05, backoff_max=0.4, backoff_long_max=30.0,
                         long_outage=0.0)


class StreamsThenBreaks:
    """Every watch delivers one event, then its stream breaks (a hung server's read timeout)."""

    name = "fake"
    generation = 0
    source = "nowhere"

    def list(self, *_: Any, **__: Any) -> dict[str, Any]:
        return {"metadata": {"resourceVersion": "1"}, "items": []}

    def watch_lines(self, *_: Any, **__: Any) -> Iterator[dict[str, Any]]:
        yield {"type": "MODIFIED", "object": {"metadata": {"name": "b", "resourceVersion": "2"}}}
        raise KubeError(0, "Unreachable", "watch stream broke: timed out")


class CountedStop(threading.Event):
    """Records each backoff wait instead of sleeping; stops the watch after `waits` of them."""

    def __init__(self, waits: int) -> None:
        super().__init__()
        self.left = waits
        self.waited: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout or 0.0)
        self.left -= 1
        if self.left <= 0:
            self.set()
        return self.is_set()


def test_a_stream_that_breaks_after_events_is_retried_at_the_shortest_backoff() -> None:
    watch = ListWatch(StreamsThenBreaks(), kc.VELERO_BACKUPS, "velero",  # type: ignore[arg-type]
                      Sink(), SETTINGS)
    stop = CountedStop(12)
    watch.stopped = stop
    watch.run()  # in this thread: returns once stopped
    assert len(stop.waited) == 12
    # Before: the backoff was reset only by a watch that ended cleanly, so twelve healthy
    # streams that each broke waited 0.05, 0.1, 0.2 ... up to 30 s: a live status fell
    # tens of seconds behind after a minute of intermittent faults.
    assert max(stop.waited) <= SETTINGS.backoff_min * 1.2, stop.waited
