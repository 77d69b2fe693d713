"""Every API error on submit: a clear message on the form, the form intact, nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from tests.ui.test_app import SIZE, open_form, static_text, type_into, until

Sim = tuple[SimThread, SimFleet, Path]


@pytest.mark.parametrize("code", [400, 403, 404, 409, 422, 429, 500, 503])
async def test_submit_error_keeps_form_and_creates_nothing(sim: Sim, code: int) -> None:
    runner, fleet, kc = sim
    app = FleetApp(str(kc), "kurator-host", "default")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "careful")
        await type_into(pilot, "include_namespaces", "shop")
        # a 429 is retried (as client-go does): refuse more often than it retries
        count = 99 if code == 429 else 1
        runner.call(lambda: fleet.host.api.faults.configure({"error": code, "count": count}))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: static_text(app, "#form-error").startswith("✗"),
                    what=f"the {code} explained")
        message = static_text(app, "#form-error")
        assert "kurator-host" in message and len(message) > 20
        assert app.screen.query_one("#name", Input).value == "careful"
        assert app.screen.query_one("#include_namespaces", Input).value == "shop"
        assert "New fleet backup" in static_text(app, "#title")  # still on the form
    for cluster in fleet.clusters:
        assert cluster.store.find("backup.kurator.dev/backups", "default", "careful") is None
        assert not list(cluster.store.items("velero.io/backups", "velero"))
