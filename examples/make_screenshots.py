"""Regenerate the README screenshots: `python examples/make_screenshots.py` (needs no cluster).

Drives the real app headless against the embedded simulator at 80x24 and saves SVGs.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from fleettui.sim.fleet import SimConfig, SimThread
from fleettui.ui.app import FleetApp
from fleettui.ui.widgets.live_table import LiveTable

HERE = Path(__file__).resolve().parent


async def shoot() -> None:
    sim = SimThread(SimConfig(sync_interval=0.5, backup_seconds=2, clusters=3))
    fleet = sim.start()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        fleet.write_kubeconfig(kubeconfig)
        app = FleetApp(str(kubeconfig), "kurator-host", "default")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait(pilot, lambda: "Available" in rows(app))
            app.save_screenshot("fleets.svg", str(HERE))
            await pilot.press("n")
            await wait(pilot, lambda: bool(app.screen.query("#name")))
            app.screen.query_one("#name").value = "nightly-shop"  # type: ignore[attr-defined]
            app.screen.query_one("#include_namespaces").value = "shop"  # type: ignore[attr-defined]
            app.screen.query_one("#labels").value = "tier in (web,db)"  # type: ignore[attr-defined]
            await pilot.pause(0.5)
            app.save_screenshot("form.svg", str(HERE))
            await pilot.press("ctrl+s")
            await wait(pilot, lambda: rows(app, "#clusters").count("Completed") == 3)
            app.save_screenshot("status.svg", str(HERE))
    sim.stop()


def rows(app: FleetApp, selector: str = "LiveTable") -> str:
    found = app.screen.query(selector)
    if not found:
        return ""
    table = found.first(LiveTable)
    return " ".join(str(c) for i in range(table.row_count) for c in table.get_row_at(i))


async def wait(pilot: object, check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("screen never reached the expected state")
        await pilot.pause(0.1)  # type: ignore[attr-defined]


if __name__ == "__main__":
    asyncio.run(shoot())
