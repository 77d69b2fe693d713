"""Resilient list-then-watch, the way client-go's reflector does it, in a daemon thread.

Why threads: the official client is synchronous; a thread per (cluster, resource) keeps the UI's
event loop free and lets a blocked read on one dead cluster stall nothing else. Each watcher:

* lists (all pages) and hands the full set to the sink, then watches from the list's
  resourceVersion with bookmarks on;
* resumes from the last seen resourceVersion when the stream ends or breaks;
* relists on `410 Gone` (the server no longer has that history);
* treats a stream silent for longer than `read_timeout` as hung and reconnects;
* backs off exponentially with jitter on errors (see Backoff), also when a watch ends at once,
  obeys Retry-After, and tells the sink its state
  ("reconnecting", "forbidden", ...) so the UI says so instead of showing an empty list; the last
  known objects stay in the sink meanwhile;
* when the server is back but no longer accepts the kubeconfig (its certificate is not signed by
  our CA, or it answers 401: re-installed, or the token rotated) re-reads the credentials and
  retries at once if they changed; else it says what happened and what to do ("credentials")
  and re-reads them with a capped backoff until they fit.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fleettui.kube.client import KubeClient, Resource
from fleettui.kube.errors import KubeError, from_status_body
from fleettui.kube.resources import (
    CONNECTING,
    CREDENTIALS,
    FORBIDDEN,
    MISSING,
    RECONNECTING,
    SYNCED,
)

Obj = dict[str, Any]


class Sink(Protocol):
    def replace(self, cluster: str, res: Resource, items: list[Obj]) -> None: ...
    def event(self, cluster: str, res: Resource, type_: str, obj: Obj) -> None: ...
    def state(self, cluster: str, res: Resource, state: str, message: str) -> None: ...


@dataclass
class WatchSettings:
    timeout: float = 300.0  # ask the server to end each watch after this long
    read_timeout: float = 75.0  # no byte (not even a bookmark) for this long → hung
    backoff_min: float = 0.2
    backoff_max: float = 2.0  # early in an outage: a recovered server is seen within seconds
    backoff_long_max: float = 30.0  # a long outage, or RBAC / a missing CRD: client-go's cap
    long_outage: float = 60.0  # after this long failing, back off up to backoff_long_max
    min_watch: float = 1.0  # a watch that ends sooner counts as a failure (no busy loop)
    reread_max: float = 10.0  # a kubeconfig that does not fit is re-read at least this often


class Backoff:
    """Exponential with jitter like client-go's reflector, but with a short cap while an
    outage is young (faults of a few seconds are over within seconds); a Retry-After from the
    server is obeyed as it is."""

    def __init__(self, settings: WatchSettings, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.settings = settings
        self.clock = clock
        self.delay = settings.backoff_min
        self.failing_since: float | None = None

    def reset(self) -> None:
        self.delay = self.settings.backoff_min
        self.failing_since = None

    def next(self, error: KubeError | None = None) -> float:
        """Seconds to wait before the next attempt, after a failure (``error`` if any)."""
        now = self.clock()
        if self.failing_since is None:
            self.failing_since = now
        if error is not None and error.retry_after is not None:
            return error.retry_after
        slow = (error is not None and error.code in (401, 403, 404)) or \
            now - self.failing_since >= self.settings.long_outage
        cap = self.settings.backoff_long_max if slow else self.settings.backoff_max
        wait = min(cap, self.delay) * random.uniform(0.8, 1.2)
        self.delay = min(cap, self.delay * 2)
        return wait


class ListWatch:
    def __init__(self, client: KubeClient, res: Resource, namespace: str | None, sink: Sink,
                 settings: WatchSettings | None = None, selector: str = "") -> None:
        self.client = client
        self.res = res
        self.namespace = namespace
        self.sink = sink
        self.settings = settings or WatchSettings()
        self.selector = selector
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True,
                                       name=f"watch-{client.name}-{res.plural}")
        self.rv: str | None = None
        self.relists = 0
        self._stream: Any = None  # the open watch response, shut by stop()
        self.streamed = False  # the current attempt's watch delivered something: it was healthy

    def start(self) -> ListWatch:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop now: a read blocked on a quiet stream ends too (its socket is shut)."""
        self.stopped.set()
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):  # closed meanwhile, or an old urllib3
                stream.shutdown()

    def _opened(self, stream: Any) -> None:
        self._stream = stream
        if self.stopped.is_set():  # stop() came between the request and this
            with contextlib.suppress(Exception):
                stream.shutdown()

    def _state(self, state: str, message: str = "") -> None:
        if not self.stopped.is_set():
            self.sink.state(self.client.name, self.res, state, message)

    def run(self) -> None:
        backoff, reread = Backoff(self.settings), self.settings.backoff_min
        self._state(CONNECTING)
        while not self.stopped.is_set():
            generation = self.client.generation
            started = time.monotonic()
            self.streamed = False
            try:
                if self.rv is None:
                    self.relist()
                    backoff.reset()
                if self.watch_once() or time.monotonic() - started >= self.settings.min_watch:
                    backoff.reset()
                    reread = self.settings.backoff_min  # a clean end: resume at once
                else:  # ended at once, empty: a misbehaving server must not get a request loop
                    self.stopped.wait(backoff.next())
            except KubeError as e:
                if e.code == 410:
                    self.rv = None
                    continue
                if e.credentials:
                    if self._reloaded(generation):
                        continue  # new CA or token on disk: try them at once
                    self._state(CREDENTIALS, f"{e.message}: fix {self.client.source}; fleettui "
                                f"re-reads it every {self.settings.reread_max:g} s")
                    self.stopped.wait(reread * random.uniform(0.8, 1.2))
                    reread = min(self.settings.reread_max, reread * 2)
                    continue
                if self.streamed:  # healthy until it broke: a new fault, not a long outage
                    backoff.reset()
                self._state(*describe(e))
                self.stopped.wait(backoff.next(e))
            except Exception as e:  # a bug or a surprise must not end the feed silently
                if self.streamed:
                    backoff.reset()
                self._state(RECONNECTING, f"unexpected {type(e).__name__}: {e}")
                self.stopped.wait(backoff.next())

    def _reloaded(self, generation: int) -> bool:
        """Re-read the client's credentials; True when they changed."""
        try:
            return self.client.reload(generation)
        except KubeError:
            return False  # unreadable now (half-written file?): say the first problem, retry

    def relist(self) -> None:
        listed = self.client.list(self.res, self.namespace, self.selector)
        self.rv = str((listed.get("metadata") or {}).get("resourceVersion") or "0")
        self.relists += 1
        if not self.stopped.is_set():
            self.sink.replace(self.client.name, self.res, list(listed.get("items") or []))
        self._state(SYNCED)

    def watch_once(self) -> bool:
        """Follow one watch to its end; True if the server sent anything (it is healthy)."""
        assert self.rv is not None
        reported = False
        for ev in self.client.watch_lines(self.res, self.namespace, self.rv,
                                          self.settings.timeout, self.settings.read_timeout,
                                          self.selector, self._opened):
            if self.stopped.is_set():
                return True
            type_, obj = ev.get("type"), ev.get("object") or {}
            if type_ == "ERROR":
                raise from_status_body(int(obj.get("code") or 500), obj, self.client.name)
            rv = (obj.get("metadata") or {}).get("resourceVersion")
            if rv:
                self.rv = str(rv)
            if not reported:
                self._state(SYNCED)  # a reconnect that works clears "reconnecting"
                reported = self.streamed = True
            if type_ in ("ADDED", "MODIFIED", "DELETED"):
                self.sink.event(self.client.name, self.res, str(type_), obj)
        return reported


def describe(e: KubeError) -> tuple[str, str]:
    if e.credentials:  # an expired token is not a missing permission
        return CREDENTIALS, e.message
    if e.code == 403:
        return FORBIDDEN, e.message
    if e.code == 404:
        return MISSING, f"{e.message} (is the CRD installed?)"
    return RECONNECTING, e.message
