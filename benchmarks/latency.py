"""Change → screen latency of the live status table, beside `kubectl get -w` on the same change.

A simulator child (2 members, its Kurator and Velero controllers idle: sync every hour, backups
that would take 11 days) holds Kurator Backup `bench-latency`; the simulated Kurator creates the
member Velero Backup `kurator-member1-backup-default-bench-latency`, the simulated Velero sets it
InProgress, and from then on only this benchmark writes it. Each change is one /status write of
`status.progress.itemsBackedUp` with a value never used before (`total` fixed at 999, so the
status table's ITEMS cell reads e.g. `123/999`), stamped with CLOCK_MONOTONIC in the simulator
just before the write. Changes are serial: the next one is made 20-60 ms (random, so as not to
beat with the app's 30 Hz frame clock) after both observers have seen the previous one.

Observers, all on the same changes:

* fleettui, headless (Pilot, in this process): the first frame Textual composes (`App._display`)
  whose status table row shows the value; also stamped: the watch event reaching the
  `LiveStore` and the app's store flush, to say where the time goes;
* fleettui, real (`python -m fleettui --kubeconfig K --context kurator-host` in an 80x24 pty,
  status screen opened with `b` then Enter): the terminal read after which the pyte screen shows
  the value in the table row;
* the anchor: `kubectl get backups.velero.io -n velero -w -o custom-columns=...` against member
  1, the moment its line with the value arrives on the pipe.
"""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import (
    Figure,
    LineReader,
    Pty,
    SimProcess,
    fleettui_args,
    kubectl_watch,
    percentile,
    prepare_textual_env,
    real_api_missing,
    skipped,
    tagged,
    wait_printed,
)

if TYPE_CHECKING:
    from fleettui.ui.app import FleetApp

NAME = "latency"
DESCRIPTION = "status change on the simulator → on screen (Pilot and pty) vs kubectl get -w"

BACKUP = "bench-latency"
TOTAL = 999
CHANGES = 200
CHANGES_QUICK = 60
WARMUP = 5
WAIT = 3.0  # an observer that has not seen a change after this long missed it
ATTEMPTS = 3  # app runs tried when the app dies while the status screen opens
GOAL_P50, GOAL_P99 = 0.100, 0.250


@dataclass
class Series:
    """Latencies (s) of one observer; `missed` counts changes it never showed within WAIT."""

    app: list[float] = field(default_factory=list)
    kubectl: list[float] = field(default_factory=list)
    store: list[float] = field(default_factory=list)  # Pilot only: change → LiveStore.event
    flush: list[float] = field(default_factory=list)  # Pilot only: change → App.flush start
    write: list[float] = field(default_factory=list)  # Pilot only: the write's round trip
    missed: int = 0
    kubectl_missed: int = 0
    app_error: str = ""
    opened: bool = False
    open_crashes: int = 0  # app runs that died while the status screen was being opened

    def record_kubectl(self, got: tuple[int, float] | None, t0: float) -> None:
        if got is None:
            self.kubectl_missed += 1
        else:
            self.kubectl.append(got[1] - t0)


def backup_watched_by_kubectl(sim: SimProcess, backup: str) -> tuple[str, LineReader]:
    """Member1's Velero backup of `backup`, and a `kubectl get -w` that has printed it."""
    velero = sim.cmd("backup", name=backup, members=[1, 2])["velero"]["1"]
    kw = kubectl_watch(sim.kubeconfig)
    wait_printed(kw, velero)
    return velero, kw


def kubectl_line(name: str, value: int) -> Any:
    want = [name, str(value)]
    return lambda line: line.split() == want


async def gap() -> None:
    await asyncio.sleep(random.uniform(0.02, 0.06))


# ---- headless (Pilot) --------------------------------------------------------------------------
async def until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def open_status_pilot(app: FleetApp, backup: str, rows: int) -> Any:
    """Wait for the session, open the status screen as a person does (`b`, then the backup:
    so the backups list lies beneath it, as in the pty), wait for `rows` cluster rows."""
    from fleettui.ui.widgets.live_table import LiveTable

    await until(lambda: app.session is not None and app.session.mode, 30, "connection")
    await until(lambda: app.session is not None and app.session.store.get(
        app.context or "", _kurator_res(), "default", backup) is not None, 30, "Kurator backup")
    # Member Velero watches start from the fleets screen (FleetsScreen.refresh_view): let it
    # list the members first, as a person who sees the fleets screen before pressing `b` does.
    await until(lambda: app.screen.query_one("#fleets", LiveTable).row_count > rows, 30,
                "the fleets screen's member rows")
    await app.run_action("switch_mode('backups')")
    await until(lambda: bool(app.screen.query("#backups")) and app.screen.query_one(
        "#backups", LiveTable).row_count > 0, 10, "the backups list")
    app.open_status(backup)
    await until(lambda: bool(app.screen.query("#clusters")), 10, "status screen")
    table = app.screen.query_one("#clusters", LiveTable)
    await until(lambda: table.row_count >= rows and "InProgress" in str(table.get_row_at(0)[1]),
                30, "cluster rows InProgress")
    return table


def _kurator_res() -> Any:
    from fleettui.kube.resources import KURATOR_BACKUPS

    return KURATOR_BACKUPS


class FrameProbe:
    """Stamps the first composed frame (`App._display`) after which `check()` holds."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.check: Any = None
        self.seen: float | None = None
        self.frames = 0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return
            self.frames += 1
            if self.check is not None and self.seen is None and self.check():
                self.seen = time.monotonic()

        app._display = display

    def expect(self, check: Any) -> None:
        self.seen = None
        self.check = check


class StoreProbe:
    """Stamps LiveStore.event (watch thread) and FleetApp.flush (UI) for one awaited value."""

    def __init__(self, app: Any, velero: str) -> None:
        self.value = -1
        self.event_at: float | None = None
        self.flush_at: float | None = None
        store = app.session.store
        original_event = store.event
        original_flush = app.flush

        def event(cluster: str, res: Any, type_: str, obj: dict[str, Any]) -> None:
            if obj.get("metadata", {}).get("name") == velero and self.event_at is None and \
                    ((obj.get("status") or {}).get("progress") or {}).get(
                        "itemsBackedUp") == self.value:
                self.event_at = time.monotonic()
            original_event(cluster, res, type_, obj)

        def flush() -> None:
            if self.event_at is not None and self.flush_at is None:
                self.flush_at = time.monotonic()
            original_flush()

        store.event = event
        app.flush = flush

    def expect(self, value: int) -> None:
        self.value = value
        self.event_at = self.flush_at = None


async def pilot_phase(sim: SimProcess, velero: str, kw: LineReader, values: list[int]
                      ) -> Series:
    prepare_textual_env()
    from fleettui.ui.app import FleetApp
    from fleettui.ui.gc_pauses import GcPolicy

    out = Series()
    for attempt in range(1, ATTEMPTS + 1):
        app = FleetApp(str(sim.kubeconfig), "kurator-host", "default")
        app.gc_policy = GcPolicy()  # as `fleettui` runs it
        try:
            await pilot_measure(app, sim, velero, kw, values, out)
            return out
        except Exception as e:  # an app exception surfaces when run_test exits
            error = f"{type(e).__name__}: {e}"
            if out.opened:
                out.app_error = error
                print(f"  the app raised: {error}")
                return out
            out.open_crashes += 1
            print(f"  attempt {attempt}: the app failed while opening the status screen: {error}")
    raise RuntimeError(f"the status screen could not be opened in {ATTEMPTS} attempts")


async def pilot_measure(app: Any, sim: SimProcess, velero: str, kw: LineReader,
                        values: list[int], out: Series) -> None:
    async with app.run_test(size=(80, 24)):
        table = await open_status_pilot(app, BACKUP, 2)
        if app._exception is not None:
            raise RuntimeError(f"the app failed while opening: {app._exception!r}")
        out.opened = True
        frames = FrameProbe(app)
        probe = StoreProbe(app, velero)
        line_at = len(kw.lines)
        for i, value in enumerate(values):
            text = f"{value}/{TOTAL}"
            frames.expect(lambda text=text: str(table.get_row_at(0)[2]) == text)
            probe.expect(value)
            reply = await asyncio.to_thread(sim.cmd, "set", member=1, name=velero,
                                            items=value, total=TOTAL)
            t0 = float(reply["t"])
            write = float(reply["done"]) - t0
            deadline = t0 + WAIT
            while frames.seen is None and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            got = await asyncio.to_thread(kw.wait_for, kubectl_line(velero, value), line_at,
                                          max(0.1, deadline - time.monotonic()))
            if i >= WARMUP:
                if frames.seen is None:
                    out.missed += 1
                else:
                    out.app.append(frames.seen - t0)
                    if probe.event_at is not None:
                        out.store.append(probe.event_at - t0)
                    if probe.flush_at is not None:
                        out.flush.append(probe.flush_at - t0)
                out.write.append(write)
                out.record_kubectl(got, t0)
            if got is not None:
                line_at = got[0] + 1
            await gap()


# ---- real app in a pty -------------------------------------------------------------------------
def open_status_pty(app: Pty, backup: str) -> None:
    app.until(lambda: "quickstart" in app.text(), 30, "the fleets screen")
    app.send("b")
    app.until(lambda: backup in app.text(), 30, "the backups list")
    app.send("\r")
    app.until(lambda: f"Backup {backup}" in app.text() and "InProgress" in app.text(), 30,
              "the status screen")
    app.quiet(0.5)


def start_on_status(kubeconfig: Path, backup: str) -> Pty:
    """The real app in a pty with the status screen of `backup` open (up to ATTEMPTS starts)."""
    for attempt in range(1, ATTEMPTS + 1):
        app = Pty(fleettui_args(kubeconfig))
        try:
            open_status_pty(app, backup)
            return app
        except RuntimeError as e:
            app.close()
            print(f"  attempt {attempt}: the status screen did not open: {str(e)[:300]}")
    raise RuntimeError(f"the status screen could not be opened in {ATTEMPTS} attempts")


def pty_phase(sim: SimProcess, velero: str, kw: LineReader, values: list[int]) -> Series:
    out = Series()
    with start_on_status(sim.kubeconfig, BACKUP) as app:
        line_at = len(kw.lines)
        seen: list[float] = []
        row: list[re.Pattern[str]] = []

        def on_read(now: float) -> None:
            if not seen and row and any(row[0].search(line) for line in app.screen.display):
                seen.append(now)

        app.on_read = on_read
        for i, value in enumerate(values):
            seen.clear()
            row[:] = [re.compile(rf"kurator-member1\s+\S+ InProgress\s+{value}/{TOTAL}\b")]
            t0 = float(sim.cmd("set", member=1, name=velero, items=value, total=TOTAL)["t"])
            deadline = t0 + WAIT
            while not seen and time.monotonic() < deadline:
                app.pump(0.01)
            got = kw.wait_for(kubectl_line(velero, value), line_at,
                              max(0.1, deadline - time.monotonic()))
            if i >= WARMUP:
                if seen:
                    out.app.append(seen[0] - t0)
                else:
                    out.missed += 1
                out.record_kubectl(got, t0)
            if got is not None:
                line_at = got[0] + 1
            stop = time.monotonic() + random.uniform(0.02, 0.06)
            while time.monotonic() < stop:
                app.pump(max(0.0, stop - time.monotonic()))
    return out


# ---- figures -----------------------------------------------------------------------------------
def figures(label: str, s: Series, n: int) -> list[Figure]:
    p50, p99 = percentile(s.app, 50), percentile(s.app, 99)
    k50, k99 = percentile(s.kubectl, 50), percentile(s.kubectl, 99)
    ok = s.missed == 0 and len(s.app) >= 1
    out = [
        Figure(f"{label}: change → screen p50 ({n} changes)", round(p50 * 1000, 1), "ms",
               "<= 100", ok and p50 <= GOAL_P50),
        Figure(f"{label}: change → screen p99", round(p99 * 1000, 1), "ms", "<= 250",
               ok and p99 <= GOAL_P99),
        Figure(f"{label}: anchor kubectl get -w p50", round(k50 * 1000, 1), "ms"),
        Figure(f"{label}: anchor kubectl get -w p99", round(k99 * 1000, 1), "ms"),
        Figure(f"{label}: p50 ratio fleettui / kubectl", round(p50 / k50, 1), "x",
               "<= 1 (not slower)", p50 <= k50),
        Figure(f"{label}: p99 ratio fleettui / kubectl", round(p99 / k99, 1), "x",
               "<= 1 (not slower)", p99 <= k99),
        Figure(f"{label}: changes never shown (within {WAIT:.0f} s)", s.missed, "changes",
               "0", s.missed == 0),
    ]
    if s.app_error or s.open_crashes:
        out.append(Figure(f"{label}: app exceptions (retried while opening: "
                          f"{s.open_crashes})", int(bool(s.app_error)) + s.open_crashes,
                          "exceptions", "0", False))
    if s.kubectl_missed:
        out.append(Figure(f"{label}: changes kubectl never printed", s.kubectl_missed,
                          "changes"))
    if s.store:
        out += [
            Figure(f"{label}: where: the write's own round trip p50",
                   round(percentile(s.write, 50) * 1000, 1), "ms"),
            Figure(f"{label}: where: change → LiveStore.event p50",
                   round(percentile(s.store, 50) * 1000, 1), "ms"),
            Figure(f"{label}: where: change → App.flush p50",
                   round(percentile(s.flush, 50) * 1000, 1), "ms"),
            Figure(f"{label}: where: App.flush → frame p50",
                   round((percentile(s.app, 50) - percentile(s.flush, 50)) * 1000, 1), "ms"),
        ]
    return out


def run(quick: bool, api: str = "emulator") -> list[Figure]:
    n = CHANGES_QUICK if quick else CHANGES
    first = list(range(100, 100 + n + WARMUP))
    second = list(range(first[-1] + 1, first[-1] + 1 + n + WARMUP))
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp, \
            SimProcess(Path(tmp), clusters=2, api=api) as sim:
        velero, kw = backup_watched_by_kubectl(sim, BACKUP)
        try:
            pilot = asyncio.run(pilot_phase(sim, velero, kw, first))
            real = pty_phase(sim, velero, kw, second)
        finally:
            kw.close()
    return figures("Pilot", pilot, n) + figures("pty", real, n)


def run_real(quick: bool) -> list[Figure]:
    """The same on real kube-apiservers (host + 2 members, as the emulated run)."""
    why = real_api_missing()
    return skipped(NAME, why) if why else tagged(run(quick, "real"), "real")


if __name__ == "__main__":
    import sys

    for f in run("--quick" in sys.argv):
        print(f.line())
