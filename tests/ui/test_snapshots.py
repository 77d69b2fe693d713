"""SVG snapshots at 80x24 of the screens whose content is deterministic, and of the fleets,
backups and status screens at 60x15, 80x24 and 120x40 on a fixed world (tests/ui/fixed_world.py):
phase words whole, long names elided, dropped columns named.

Update after an intended visual change with `pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the SVGs in tests/ui/__snapshots__/ before committing them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from tests.ui.fixed_world import FixedApp, kurator_session, velero_session
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


SIZES = [(60, 15), (80, 24), (120, 40)]


async def _fixed_ready(pilot: Pilot[Any]) -> None:
    await _until(pilot, lambda: "Unavailable" in table_text(pilot.app))  # type: ignore[arg-type]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fleets_at_each_size(size: tuple[int, int], snap_compare: Compare) -> None:
    assert snap_compare(FixedApp(kurator_session()), run_before=_fixed_ready,
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_backups_at_each_size(size: tuple[int, int], snap_compare: Compare) -> None:
    async def backups(pilot: Pilot[Any]) -> None:
        await _fixed_ready(pilot)
        await pilot.press("b")
        await _until(pilot, lambda: "PartiallyFailed" in table_text(pilot.app))  # type: ignore

    assert snap_compare(FixedApp(kurator_session()), run_before=backups, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_at_each_size(size: tuple[int, int], snap_compare: Compare) -> None:
    async def status(pilot: Pilot[Any]) -> None:
        await _fixed_ready(pilot)
        app = pilot.app
        assert isinstance(app, FleetApp)
        app.open_status("nightly-shop")
        await _until(pilot, lambda: "FailedValidation" in table_text(app, "#clusters"))
        await pilot.pause()

    assert snap_compare(FixedApp(kurator_session()), run_before=status, terminal_size=size)


def test_velero_mode_status_gives_reasons(snap_compare: Compare) -> None:
    async def status(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, FleetApp)
        await _until(pilot, lambda: "kurator-member3" in table_text(app))
        app.open_status("nightly")
        await _until(pilot, lambda: "FailedValidation" in table_text(app, "#clusters"))
        await pilot.pause()

    assert snap_compare(FixedApp(velero_session()), run_before=status, terminal_size=(80, 24))
