"""100 injected faults with the live status screen open and `backup status --watch -o jsonl`
running: after each, both show the simulator's truth within 5 s, and the screen said
"reconnecting" while the servers were down. Prints its figures."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimConfig, SimThread
from fleettui.ui.app import FleetApp
from tests.cli.cli_helpers import Process
from tests.conftest import start_sim
from tests.reliability.test_fault_storm import FAULTS, RECOVERY_LIMIT
from tests.ui.test_app import SIZE, open_form, static_text, table_text, type_into, until

VELERO = "kurator-member1-backup-default-storm"

# serial: recovery times are measured, so no other test may compete for the CPU meanwhile, except
# the other storm and one serial test at a time (the serial phase's groups); this storm itself
# uses about 9% of a core: it waits for the watches to recover.
pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.xdist_group("storm-screen")]


def set_warnings(store: Any, k: int) -> None:
    """Change the truth behind the fault: member1's Velero backup now reports k warnings."""
    obj = store.find("velero.io/backups", "velero", VELERO)
    store.replace(store.types["velero.io/backups"], {**obj, "status": {**obj["status"],
                                                                        "warnings": k}})


def cli_warnings(proc: Process) -> int | None:
    events = [e for e in proc.events() if e["cluster"] == "kurator-member1"]
    return events[-1]["warnings"] if events else None


async def test_hundred_faults_on_screen_and_in_jsonl(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    settings = {"sync_interval": 0.2, "backup_seconds": 0.3, "bookmark_seconds": 0.3}
    sim, fleet, kubeconfig = start_sim(tmp_path, state=state, **settings)
    app = FleetApp(str(kubeconfig), "kurator-host", "default", hung_after=1.0)
    proc: Process | None = None
    recoveries: list[float] = []
    reconnecting_seen = restarts = 0
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot, app)
            await type_into(pilot, "name", "storm")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2)
            proc = Process("--kubeconfig", str(kubeconfig), "--hung-after", "1", "backup",
                           "status", "storm", "--watch", "-o", "jsonl")
            proc.wait_for(lambda p: cli_warnings(p) == 0, what="the CLI following")
            for k in range(1, 101):
                fault = "restart" if k % 10 == 0 else FAULTS[k % (len(FAULTS) - 1)]
                if fault == "restart":
                    restarts += 1
                    sim.stop()
                    await until(pilot, lambda: "reconnecting" in static_text(app, "#overall"),
                                timeout=20, what="reconnecting shown")
                    reconnecting_seen += 1
                    sim = SimThread(SimConfig(state=state, **settings))  # type: ignore[arg-type]
                    fleet = sim.start()
                else:
                    sim.call(lambda f=fault, api=fleet.members[0].api: api.faults.configure(f))  # type: ignore[misc]
                started = time.monotonic()
                sim.call(lambda k=k, store=fleet.members[0].store: set_warnings(store, k))  # type: ignore[misc]
                await until(pilot, lambda k=k: f"0/{k}" in table_text(app, "#clusters")  # type: ignore[misc]
                            and "reconnecting" not in static_text(app, "#overall"),
                            timeout=RECOVERY_LIMIT * 2, what=f"screen after fault {k} {fault}")
                proc.wait_for(lambda p, k=k: cli_warnings(p) == k, timeout=RECOVERY_LIMIT * 2,  # type: ignore[misc]
                              what=f"jsonl after fault {k} {fault}")
                recoveries.append(time.monotonic() - started)
    finally:
        if proc is not None:
            proc.kill()
        sim.stop()
    print(f"\n100 faults on screen and in jsonl: recovery p50={statistics.median(recoveries):.2f}s"
          f" max={max(recoveries):.2f}s, reconnecting shown in {reconnecting_seen}/{restarts} "
          "restarts")
    assert len(recoveries) == 100
    assert max(recoveries) <= RECOVERY_LIMIT
    assert reconnecting_seen == restarts
