"""The `:health` screen at scale: 100 members x 10 scheduled fleet backups x 30 runs each
(1,000 rows over 30,000 Velero Backups; 20 x 10 x 30 with `--quick`).

A Kurator-mode session filled by hand (no simulator, no network: what is measured is the
screen's own work on the UI thread) holds one Fleet of N members, 10 scheduled Kurator Backups
on all of them, and in every member the 10 Velero Schedules Kurator makes with 30 runs each
(one a day, the newest failed on a few). The app runs headless (Pilot) at 80x24.

* first render: push the screen → the first frame composed (`App._display`, as `latency`
  stamps it) with the first screenful in the table (the goal); then → every row is (the
  screen derives a screenful first, the rest a part per tick); and deriving every row again
  with warm caches, without the table;
* one changed run: one member's newest run of one schedule changes phase (a watch MODIFIED
  event in the store), then the app's flush (take the store's changes, the screen re-derives
  what changed and syncs its table) is timed; 30 changes (10 quick), each on another member,
  p50 and max.

Goals (issue #15 item 6): first render ≤ 200 ms, one changed row ≤ 20 ms.
"""

from __future__ import annotations

import asyncio
import copy
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.common import Figure
from benchmarks.latency import FrameProbe

NAME = "health"
DESCRIPTION = "the :health screen, 100 members x 10 schedules x 30 runs: first render, one change"

MEMBERS, MEMBERS_QUICK = 100, 20
SCHEDULES = 10
RUNS = 30
CHANGES, CHANGES_QUICK = 30, 10
FIRST_GOAL_MS = 200.0
CHANGE_GOAL_MS = 20.0
HOST = "kurator-host"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(schedule: str, day: int, phase: str, n: int) -> dict[str, Any]:
    start = NOW.replace(hour=0) - timedelta(days=day)
    status: dict[str, Any] = {"phase": phase, "startTimestamp": _iso(start),
                              "completionTimestamp": _iso(start + timedelta(minutes=5))}
    if phase == "Failed":
        status["failureReason"] = "rpc error: connection to the object store was reset"
    return {"metadata": {"name": f"{schedule}-{start:%Y%m%d%H%M%S}", "namespace": "velero",
                         "uid": f"uid-{schedule}-{day}", "resourceVersion": str(n),
                         "creationTimestamp": _iso(start),
                         "labels": {"velero.io/schedule-name": schedule}},
            "status": status}


def session(members: int) -> Any:
    from fleettui.kube import resources as kc
    from fleettui.live.session import Session

    s = Session(None, HOST, "default", mode="kurator")
    names = [f"member-{i:03d}" for i in range(members)]
    created = _iso(NOW - timedelta(days=RUNS + 1))
    s.store.replace(HOST, kc.FLEETS, [{"metadata": {"name": "big", "namespace": "default"},
                                       "spec": {"clusters": [{"name": m, "kind":
                                                              "AttachedCluster"}
                                                             for m in names]}}])
    s.store.replace(HOST, kc.ATTACHED_CLUSTERS, [
        {"metadata": {"name": m, "namespace": "default"}, "status": {"ready": True}}
        for m in names])
    backups = [f"nightly-{k}" for k in range(SCHEDULES)]
    s.store.replace(HOST, kc.KURATOR_BACKUPS, [
        {"metadata": {"name": b, "namespace": "default", "creationTimestamp": created},
         "spec": {"schedule": "0 0 * * *", "destination": {"fleet": "big"}}} for b in backups])
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS):
        s.store.state(HOST, res, kc.SYNCED, "")
    n = 0
    for i, m in enumerate(names):
        scheds, runs = [], []
        for b in backups:
            vname = f"{m}-backup-default-{b}"
            scheds.append({"metadata": {"name": vname, "namespace": "velero",
                                        "creationTimestamp": created},
                           "spec": {"schedule": "0 0 * * *", "template": {}},
                           "status": {"phase": "Enabled"}})
            for day in range(RUNS):
                n += 1
                failed = day == 0 and i % 7 == 0
                runs.append(_run(vname, day, "Failed" if failed else "Completed", n))
        s.store.replace(m, kc.VELERO_SCHEDULES, scheds)
        s.store.replace(m, kc.VELERO_BACKUPS, runs)
        for res in (kc.VELERO_SCHEDULES, kc.VELERO_BACKUPS, kc.VELERO_BSLS):
            s.store.state(m, res, kc.SYNCED, "")
    s.store.take_changes()
    return s


def app_class() -> Any:
    from fleettui.ui.app import FleetApp

    class BenchApp(FleetApp):
        """The app on the prepared session: connecting installs it, nothing is watched."""

        def __init__(self, prepared: Any) -> None:
            super().__init__(None, HOST, "default")
            self.prepared = prepared

        def connect(self) -> None:  # type: ignore[override]
            self.session = self.prepared
            self._connected("kurator")

        def _store_dirty(self) -> None:
            pass  # the benchmark flushes by hand, so each flush is timed alone

    return BenchApp


async def _wait(pilot: Any, check: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the health screen never showed every row")
        await pilot.pause(0.001)


def _change(s: Any, member: str, schedule: int, n: int) -> None:
    """The newest run of one schedule on one member flips phase (one MODIFIED event)."""
    from fleettui.kube import resources as kc

    vname = f"{member}-backup-default-nightly-{schedule}"
    newest = max((b for b in s.store.objects(member, kc.VELERO_BACKUPS)
                  if b["metadata"]["labels"]["velero.io/schedule-name"] == vname),
                 key=lambda b: b["metadata"]["name"])
    new = copy.deepcopy(newest)
    new["status"]["phase"] = "PartiallyFailed" if newest["status"]["phase"] == "Completed" \
        else "Completed"
    new["metadata"]["resourceVersion"] = str(10_000_000 + n)
    s.store.event(member, kc.VELERO_BACKUPS, "MODIFIED", new)


async def _measure(members: int, changes: int) -> list[Figure]:
    from fleettui.live.health import session_health
    from fleettui.ui.screens.health import HealthScreen
    from fleettui.ui.widgets.live_table import LiveTable

    s = session(members)
    app = app_class()(s)
    rows = members * SCHEDULES + SCHEDULES
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = HealthScreen(clock=lambda: NOW)
        probe = FrameProbe(app)
        probe.expect(lambda: app.screen is screen and screen.query_one(LiveTable).row_count
                     >= members + 1)  # the first schedule's rows: more than a screenful
        t0 = time.monotonic()
        await app.push_screen(screen)
        table = screen.query_one(LiveTable)
        await _wait(pilot, lambda: probe.seen is not None)
        first = ((probe.seen or t0) - t0) * 1000
        probe.expect(lambda: table.row_count == rows)
        await _wait(pilot, lambda: probe.seen is not None)
        every = ((probe.seen or t0) - t0) * 1000
        t0 = time.perf_counter()
        session_health(s, NOW)
        again = (time.perf_counter() - t0) * 1000
        took = []
        names = [f"member-{i:03d}" for i in range(members)]
        for n in range(changes):
            member = names[(n * 37) % members]
            _change(s, member, n % SCHEDULES, n)
            t0 = time.perf_counter()
            app.flush()
            took.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
        shown = str(table.get_row(f"nightly-{(changes - 1) % SCHEDULES}/"
                                  f"{names[((changes - 1) * 37) % members]}")[3])
    p50 = statistics.median(took)
    return [
        Figure(f"first render: first screenful ({members * SCHEDULES * RUNS:,} runs)", first,
               "ms", f"≤ {FIRST_GOAL_MS:g} ms", first <= FIRST_GOAL_MS),
        Figure(f"first render: all {rows:,} rows", every, "ms"),
        Figure("every row derived again (warm caches, no table)", again, "ms"),
        Figure(f"one changed run → table synced, p50 of {changes}", p50, "ms",
               f"≤ {CHANGE_GOAL_MS:g} ms", p50 <= CHANGE_GOAL_MS),
        Figure("one changed run → table synced, max", max(took), "ms"),
        Figure("the last change shown in its row's history", float(shown[-1] in "!✔"), "",
               "1", shown[-1] in "!✔"),
    ]


def run(quick: bool) -> list[Figure]:
    return asyncio.run(_measure(MEMBERS_QUICK if quick else MEMBERS,
                                CHANGES_QUICK if quick else CHANGES))


if __name__ == "__main__":
    from benchmarks.common import table

    figures = run(False)
    for f in figures:
        print(f.line())
    print(table([(NAME, f) for f in figures]))
