"""SVG snapshots at 80x24 of `:health` and `:coverage` on fixed sessions and a fixed clock.

Update after an intended visual change with
`pytest tests/ui/test_health_snapshots.py --snapshot-update` and look at the SVGs first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from fleettui.ui.screens.coverage import CoverageScreen
from fleettui.ui.screens.health import HealthScreen
from tests.helpers.health_world import NOW, kurator_health_session
from tests.ui.fixed_world import FixedApp
from tests.ui.test_app import table_text, until
from tests.ui.test_coverage_screen import coverage_session, reader

Compare = Callable[..., bool]


def test_health_screen(snap_compare: Compare) -> None:
    app = FixedApp(kurator_health_session())

    async def show(pilot: Pilot[Any]) -> None:
        await app.push_screen(HealthScreen(clock=lambda: NOW))
        await until(pilot, lambda: "failing" in table_text(app, "#health"))
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(app, run_before=show, terminal_size=(80, 24))


def test_coverage_screen(snap_compare: Compare) -> None:
    app = FixedApp(coverage_session())

    async def show(pilot: Pilot[Any]) -> None:
        await app.push_screen(CoverageScreen(clock=lambda: NOW, reader=reader))
        await until(pilot, lambda: "partial" in table_text(app, "#coverage"))
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()

    assert snap_compare(app, run_before=show, terminal_size=(80, 24))
