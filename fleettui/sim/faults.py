"""Fault injection for one emulated cluster: what tests and benchmarks break on purpose."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from fleettui.sim.errors import ApiError
from fleettui.sim.store import Watcher


@dataclass
class Faults:
    error_code: int = 0  # answer the next `error_count` API requests with this code
    error_count: int = 0
    error_rate: float = 0.0  # or answer this fraction of requests with `error_code`
    gone_count: int = 0  # the next N watches that name a resourceVersion get 410
    delay_ms: int = 0  # added latency per request
    watchers: dict[Watcher, web.StreamResponse] = field(default_factory=dict)

    def configure(self, spec: dict[str, Any]) -> None:
        """Apply a fault spec: {"error": 500, "count": 3}, {"drop_watches": true}, ..."""
        if "error" in spec:
            self.error_code = int(spec["error"])
            self.error_count = int(spec.get("count", 1))
            self.error_rate = float(spec.get("rate", 0.0))
        if "gone" in spec:
            self.gone_count = int(spec["gone"])
        if "delay_ms" in spec:
            self.delay_ms = int(spec["delay_ms"])
        if spec.get("drop_watches"):
            self.drop_watches()
        if spec.get("hang_watches"):
            self.hang_watches()
        if spec.get("clear"):
            self.error_code = self.error_count = self.gone_count = self.delay_ms = 0
            self.error_rate = 0.0

    def describe(self) -> dict[str, Any]:
        return {"error": self.error_code, "count": self.error_count, "rate": self.error_rate,
                "gone": self.gone_count, "delay_ms": self.delay_ms,
                "watches": len(self.watchers)}

    async def before_request(self, request: web.Request) -> None:
        if self.delay_ms:
            await asyncio.sleep(self.delay_ms / 1000)
        if self.error_code and (self.error_count > 0 or random.random() < self.error_rate):
            self.error_count = max(0, self.error_count - 1)
            code = self.error_code
            if self.error_count == 0 and not self.error_rate:
                self.error_code = 0
            raise ApiError(code, _MESSAGES.get(code, f"injected error {code}"))

    def take_gone(self) -> bool:
        if self.gone_count > 0:
            self.gone_count -= 1
            return True
        return False

    def drop_watches(self) -> None:
        """End every open watch stream cleanly, as an API server restart or LB timeout does."""
        for w in list(self.watchers):
            w.close()

    def hang_watches(self) -> None:
        """Open watches go silent for good (no events, no bookmarks) but stay connected."""
        for w in list(self.watchers):
            w.hung = True


_MESSAGES = {
    500: "Internal error occurred: injected by the fleet simulator",
    503: "the server is currently unable to handle the request",
    429: "Too many requests, please try again later.",
    403: 'forbidden: User "system:anonymous" cannot perform this request (injected)',
}
