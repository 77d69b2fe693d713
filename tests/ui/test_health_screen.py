"""`:health` on fixed sessions and a fixed clock: every verdict, the reason of the selected row
(markup from a cluster shown verbatim), enter opens the schedule's status, 80x24, and the same
verdicts as `fleettui schedules` for the same objects, in both modes."""

from __future__ import annotations

import pytest

from fleettui.cli.fleet_state import FleetState
from fleettui.cli.schedules import table_row
from fleettui.live.health import session_health
from fleettui.live.session import Session
from fleettui.ui.screens.health import HealthScreen
from fleettui.ui.screens.status import StatusScreen
from fleettui.ui.widgets.live_table import LiveTable
from tests.helpers.health_world import (
    MARKUP_REASON,
    NOW,
    kurator_health_session,
    velero_health_session,
)
from tests.helpers.sessions import LONG
from tests.ui.fixed_world import FixedApp
from tests.ui.test_app import SIZE, static_text, table_text, until


def rows_by_key(app: FixedApp) -> dict[str, list[str]]:
    """The (schedule, cluster) rows, without the schedules' own lines above them."""
    table = app.screen.query_one("#health", LiveTable)
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows
            if not str(key.value).startswith("schedule/")}


async def open_health(app: FixedApp, pilot: object) -> HealthScreen:
    screen = HealthScreen(clock=lambda: NOW)
    await app.push_screen(screen)
    await until(pilot, lambda: table_text(app, "#health"), what="health rows")  # type: ignore[arg-type]
    return screen


async def test_every_row_has_one_verdict_and_the_selected_reason() -> None:
    app = FixedApp(kurator_health_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_health(app, pilot)
        shown = rows_by_key(app)
        verdicts = {key: cells[1] for key, cells in shown.items()}
        assert verdicts == {
            "nightly/kurator-member1": "✔ ok",
            "nightly/kurator-member2": "✗ failing",
            f"nightly/{LONG}": "◷ late",
            "weekly/kurator-member1": "‖ paused",
            "weekly/kurator-member2": "∅ never ran",
            f"weekly/{LONG}": "∅ never ran",
        }
        assert shown["nightly/kurator-member2"][3] == "✔✔✔✔!✗✗"
        assert shown[f"nightly/{LONG}"][3] == "✔✔✔✔···"
        assert shown[f"nightly/{LONG}"][0] == f"  {LONG}"  # whole at 80 columns
        table = app.screen.query_one("#health", LiveTable)
        nightly = [str(c) for c in table.get_row("schedule/nightly")]
        assert nightly[:2] == ["nightly", "✗ failing"] and nightly[3] == ""  # the worst
        table.move_cursor(row=0)
        await until(pilot, lambda: "on 3 clusters: 1 failing, 1 late, 1 ok" in
                    static_text(app, "#reason"))
        table.move_cursor(row=2)
        await until(pilot, lambda: "kurator-member2" in static_text(app, "#reason"))
        reason = static_text(app, "#reason")
        assert MARKUP_REASON in reason  # verbatim: not read as markup
        assert "the last 3 runs were not Completed" in reason
        assert table.hidden == ("LAST ATTEMPT",)  # the rest fits 80 columns


async def test_enter_opens_the_schedules_status() -> None:
    app = FixedApp(kurator_health_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_health(app, pilot)
        app.screen.query_one("#health", LiveTable).move_cursor(row=2)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, StatusScreen))
        assert isinstance(app.screen, StatusScreen) and app.screen.backup_name == "nightly"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HealthScreen))


async def test_no_schedules_says_so() -> None:
    from tests.helpers.sessions import kurator_session

    app = FixedApp(kurator_session())
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(HealthScreen(clock=lambda: NOW))
        await until(pilot, lambda: "No scheduled fleet backups yet" in
                    static_text(app, "#empty"))


@pytest.mark.parametrize("make", [kurator_health_session, velero_health_session])
async def test_tui_and_cli_give_the_same_verdicts(make: object) -> None:
    session: Session = make()  # type: ignore[operator]
    state = FleetState(session.store, session.context, session.namespace, session.mode,
                       contexts=list(session.contexts))
    cli = {f"{cells[0]}/{cells[1]}": cells[2] for cells in
           (table_row(h) for h in session_health(state, NOW))}
    app = FixedApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await open_health(app, pilot)
        tui = {key: cells[1] for key, cells in rows_by_key(app).items()}
    assert tui == cli and len(tui) >= 3
    assert {"✔ ok", "✗ failing"} <= set(tui.values())


async def test_the_palette_opens_health_and_coverage() -> None:
    from fleettui.ui.screens.coverage import CoverageScreen

    app = FixedApp(kurator_health_session())
    async with app.run_test(size=SIZE) as pilot:
        for command, screen in (("health", HealthScreen), ("coverage", CoverageScreen)):
            await pilot.press("colon")
            await pilot.press(*command)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda s=screen: isinstance(app.screen, s), what=command)  # type: ignore[misc]
            await pilot.press("escape")
            await until(pilot, lambda s=screen: not isinstance(app.screen, s))  # type: ignore[misc]


async def test_the_demo_says_its_schedules_fire_faster() -> None:
    app = FixedApp(kurator_health_session())
    app.schedule_speed = 8640
    async with app.run_test(size=SIZE) as pilot:
        await open_health(app, pilot)
        await until(pilot, lambda: "fires schedules 8640x faster" in static_text(app, "#empty"))
