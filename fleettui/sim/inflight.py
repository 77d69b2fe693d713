"""kube-apiserver's in-flight limit: requests beyond N at once get 429 with Retry-After.

As apiserver pkg/server/filters/maxinflight.go does: reads and writes are counted apart (its
--max-requests-inflight and --max-mutating-requests-inflight), long-running requests (watches)
are not counted, and the refusal is plain text, not a Status object (client-go turns it into a
TooManyRequests error with details.retryAfterSeconds from the header).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

TOO_MANY = "Too many requests, please try again later.\n"
RETRY_AFTER = "1"  # maxinflight.go's fixed retryAfter


class InflightLimit:
    def __init__(self, limit: int = 0) -> None:
        self.limit = limit  # 0: no limit
        self.running = {False: 0, True: 0}  # by "is mutating"
        self.refused = 0

    @contextmanager
    def admit(self, request: web.Request) -> Iterator[web.Response | None]:
        """Yields None when the request may run (counted until the block ends), else the 429."""
        if not self.limit or request.query.get("watch") in ("1", "true"):
            yield None
            return
        mutating = request.method not in ("GET", "HEAD", "OPTIONS")
        if self.running[mutating] >= self.limit:
            self.refused += 1
            yield web.Response(status=429, text=TOO_MANY, headers={
                "Retry-After": RETRY_AFTER, "X-Content-Type-Options": "nosniff"})
            return
        self.running[mutating] += 1
        try:
            yield None
        finally:
            self.running[mutating] -= 1
