"""A flush or a status change that reaches a screen whose widgets are being mounted or removed
draws nothing and raises nothing (it ended the app: NoMatches from refresh_view)."""

from __future__ import annotations

from fleettui.live.store import Changes
from fleettui.ui.screens.base import LiveScreen
from fleettui.ui.widgets.live_table import LiveTable
from tests.ui.test_app import SIZE, Sim, make_app, table_text, until


async def test_a_change_reaching_a_screen_without_its_widgets_is_ignored(sim: Sim) -> None:
    _, _, kubeconfig = sim
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await screen.query_one(LiveTable).remove()  # as while Textual removes the screen
        screen.apply_changes(Changes())
        app.status = "reconnecting"
        await pilot.pause()
        assert app.screen is screen and app.is_running
