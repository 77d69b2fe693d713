"""SVG snapshots at 80x24 of the screens whose content is deterministic.

Update after an intended visual change with `pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the SVGs in tests/ui/__snapshots__/ before committing them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from tests.ui.test_app import table_text

Sim = tuple[SimThread, SimFleet, Path]
Compare = Callable[..., bool]


async def _until(pilot: Pilot[Any], check: Callable[[], object], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "screen never reached the expected state"
        await pilot.pause(0.05)


async def _fleets_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, FleetApp)
    await _until(pilot, lambda: table_text(app).count("Available") == 2)


def test_fleets_screen(sim: Sim, snap_compare: Compare) -> None:
    _, _, kc = sim
    app = FleetApp(str(kc), "kurator-host", "default")
    assert snap_compare(app, run_before=_fleets_ready)


def test_fleets_screen_readonly_has_no_mutating_keys(sim: Sim, snap_compare: Compare) -> None:
    _, _, kc = sim
    app = FleetApp(str(kc), "kurator-host", "default", readonly=True)
    assert snap_compare(app, run_before=_fleets_ready)


def test_form_with_errors_beside_fields(sim: Sim, snap_compare: Compare) -> None:
    _, _, kc = sim

    async def fill(pilot: Pilot[Any]) -> None:
        await _fleets_ready(pilot)
        await pilot.press("n")
        await _until(pilot, lambda: pilot.app.screen.query("#include_namespaces-hint"))
        await _until(pilot, lambda: "known" in str(
            pilot.app.screen.query_one("#include_namespaces-hint").render()))
        screen = pilot.app.screen
        screen.query_one("#name", Input).value = "Nightly_Backup"
        screen.query_one("#labels", Input).value = "env in (prod,"
        screen.query_one("#ttl", Input).value = "30d"
        await pilot.press("ctrl+s")
        await pilot.pause()

    app = FleetApp(str(kc), "kurator-host", "default")
    assert snap_compare(app, run_before=fill)


def test_help_lists_the_keys_of_the_backups_screen(sim: Sim, snap_compare: Compare) -> None:
    _, _, kc = sim

    async def open_help(pilot: Pilot[Any]) -> None:
        await _fleets_ready(pilot)
        await pilot.press("b", "question_mark")
        await _until(pilot, lambda: pilot.app.screen.query("#help-body"))

    app = FleetApp(str(kc), "kurator-host", "default")
    assert snap_compare(app, run_before=open_help)
