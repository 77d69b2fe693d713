"""Each kind of fault with the live status screen open: the table ends equal to the truth,
and the header says "reconnecting" while the servers are down."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fleettui.sim.fleet import SimConfig, SimThread
from fleettui.ui.app import FleetApp
from tests.conftest import start_sim
from tests.reliability.test_fault_storm import FAULTS
from tests.ui.test_app import SIZE, open_form, static_text, table_text, type_into, until


async def test_status_screen_through_every_fault(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sim, fleet, kubeconfig = start_sim(tmp_path, state=state, backup_seconds=0.3,
                                       bookmark_seconds=0.3)
    app = FleetApp(str(kubeconfig), "kurator-host", "default", hung_after=1.0)
    saw_reconnecting = False
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot, app)
            await type_into(pilot, "name", "storm")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2)
            for k, fault in enumerate(FAULTS, start=1):
                if fault == "restart":
                    sim.stop()
                    await until(pilot, lambda: "reconnecting" in static_text(app, "#overall"),
                                timeout=20, what="reconnecting shown")
                    saw_reconnecting = True
                    sim = SimThread(SimConfig(state=state, sync_interval=0.2,
                                              backup_seconds=0.3, bookmark_seconds=0.3))
                    fleet = sim.start()
                else:
                    sim.call(lambda f=fault, api=fleet.members[0].api: api.faults.configure(f))
                started = time.monotonic()
                sim.call(lambda k=k, store=fleet.members[0].store: set_warnings(store, k))
                await until(pilot, lambda k=k: f"0/{k}" in table_text(app, "#clusters")
                            and "reconnecting" not in static_text(app, "#overall"),
                            timeout=10, what=f"recovery after {fault}")
                assert time.monotonic() - started <= 5.0
                print(f"{fault}: recovered in {time.monotonic() - started:.2f}s")
    finally:
        sim.stop()
    assert saw_reconnecting


def set_warnings(store: Any, k: int) -> None:
    """Change the truth behind the fault: member1's Velero backup now reports k warnings."""
    obj = store.find("velero.io/backups", "velero", "kurator-member1-backup-default-storm")
    status = {**obj["status"], "warnings": k}
    store.replace(store.types["velero.io/backups"], {**obj, "status": status})
