"""The watch loop behaves like client-go's reflector where it matters: no request loop against
a server that ends watches at once, Retry-After obeyed, a long outage or RBAC backs off to 30 s,
and a surprise exception reports instead of silently ending the feed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.errors import UNTRUSTED, KubeError
from fleettui.kube.resources import CREDENTIALS, FORBIDDEN, MISSING, RECONNECTING
from fleettui.kube.watch import Backoff, ListWatch, WatchSettings, describe
from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import wait_for

Sim = tuple[SimThread, SimFleet, Path]
QUICK = WatchSettings(backoff_min=0.05, backoff_max=0.4, min_watch=0.5)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_stays_short_early_then_grows_to_thirty_seconds() -> None:
    clock = Clock()
    backoff = Backoff(WatchSettings(), clock)
    waits = [backoff.next() for _ in range(8)]
    assert max(waits) <= 2.0 * 1.2  # a fault of a few seconds is recovered from quickly
    clock.now += 61  # a long outage: stop hammering the server
    late = [backoff.next() for _ in range(6)]
    assert max(late) > 20 and max(late) <= 30 * 1.2
    backoff.reset()
    assert backoff.next() <= 0.2 * 1.2


def test_rbac_and_missing_crds_back_off_long_at_once_and_retry_after_wins() -> None:
    backoff = Backoff(WatchSettings(), Clock())
    forbidden = KubeError(403, "Forbidden", "no")
    assert max(backoff.next(forbidden) for _ in range(9)) > 20
    assert Backoff(WatchSettings(), Clock()).next(
        KubeError(429, "TooManyRequests", "busy", retry_after=7.0)) == 7.0


class FakeClient:
    """Lists fine; each watch ends at once (or raises what it is told to)."""

    name = "fake"
    generation = 0
    source = "nowhere"

    def __init__(self, watch_error: Exception | None = None) -> None:
        self.watches = 0
        self.watch_error = watch_error

    def list(self, *_: Any, **__: Any) -> dict[str, Any]:
        return {"metadata": {"resourceVersion": "1"}, "items": []}

    def watch_lines(self, *_: Any, **__: Any) -> Iterator[dict[str, Any]]:
        self.watches += 1
        if self.watch_error is not None:
            raise self.watch_error
        return iter([])


class Sink:
    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def replace(self, *_: Any) -> None:
        pass

    def event(self, *_: Any) -> None:
        pass

    def state(self, _cluster: str, _res: Any, state: str, message: str) -> None:
        with self.lock:
            self.states.append((state, message))


def run_for(client: FakeClient, sink: Sink, seconds: float) -> ListWatch:
    watch = ListWatch(client, kc.KURATOR_BACKUPS, "default", sink, QUICK)  # type: ignore[arg-type]
    watch.start()
    watch.stopped.wait(seconds)
    watch.stop()
    watch.thread.join(5)
    return watch


def test_watches_that_end_at_once_are_not_reopened_in_a_loop() -> None:
    client = FakeClient()
    run_for(client, Sink(), 1.0)
    assert 2 <= client.watches <= 25  # without the guard: tens of thousands a second


def test_a_surprise_exception_is_reported_and_the_feed_keeps_trying() -> None:
    client, sink = FakeClient(ValueError("bad chunk")), Sink()
    watch = run_for(client, sink, 0.6)
    assert not watch.thread.is_alive()  # ended by stop(), not by the exception
    assert client.watches >= 2  # it retried
    assert any(state == kc.RECONNECTING and "unexpected ValueError" in message
               for state, message in sink.states)


def test_retry_after_is_read_from_the_server(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    # The client's own waits between its retries (Retry-After honoured, tests/kube/test_throttle.py
    # times them) are cut short here: this test reads the value the error carries.
    monkeypatch.setattr("fleettui.kube.client.THROTTLE_WAIT_MAX", 0.01)
    runner, fleet, kubeconfig = sim
    client = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    try:
        # more throttling than a request retries: the error carries what the server asked
        runner.call(lambda: fleet.host.api.faults.configure({"error": 429, "count": 99}))
        with pytest.raises(KubeError) as caught:
            client.list(kc.KURATOR_BACKUPS, "default")
        assert caught.value.code == 429 and caught.value.retry_after == 1.0
        runner.call(lambda: fleet.host.api.faults.configure({"clear": True}))
        wait_for(lambda: client.list(kc.KURATOR_BACKUPS, "default"), what="served again")
    finally:
        client.close()


def test_stop_ends_a_read_blocked_on_a_quiet_stream(sim: Sim) -> None:
    """No bookmark for a long time (hung stream): stop() must not wait for the read timeout."""
    runner, fleet, kubeconfig = sim
    client = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    sink = Sink()
    watch = ListWatch(client, kc.KURATOR_BACKUPS, "default", sink,
                      WatchSettings(read_timeout=60.0)).start()
    try:
        wait_for(lambda: (kc.SYNCED, "") in sink.states, what="synced")
        runner.call(lambda: fleet.host.api.faults.configure({"hang_watches": True}))
        wait_for(lambda: watch._stream is not None, what="a watch open")
        watch.stop()
        watch.thread.join(3)
        assert not watch.thread.is_alive()
    finally:
        watch.stop()
        client.close()


def test_states_say_credentials_apart_from_missing_rights() -> None:
    def state(code: int, reason: str = "") -> str:
        return describe(KubeError(code, reason, "said", [], "c"))[0]

    assert state(401) == CREDENTIALS  # an expired token: fixed by logging in again
    assert state(0, UNTRUSTED) == CREDENTIALS  # a re-installed server's new CA
    assert state(403) == FORBIDDEN  # RBAC: fixed by a role
    assert state(404) == MISSING
    assert state(0) == state(500) == RECONNECTING
