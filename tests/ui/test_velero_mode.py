"""Plain Velero mode: no Kurator API on the context, so the kubeconfig's contexts are the fleet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from tests.ui.test_app import SIZE, static_text, table_text, until

Sim = tuple[SimThread, SimFleet, Path]


def velero_backup(name: str) -> dict[str, Any]:
    return {"apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "velero"},
            "spec": {"includedNamespaces": ["shop"]}}


def seed(runner: SimThread, fleet: SimFleet, name: str) -> None:
    def add() -> None:
        for member in fleet.members:
            member.store.create(member.store.types["velero.io/backups"], velero_backup(name))

    runner.call(add)


async def test_contexts_are_the_fleet_and_backups_group_by_name(sim: Sim) -> None:
    runner, fleet, kc = sim
    seed(runner, fleet, "nightly")
    app = FleetApp(str(kc), "kurator-member1", "default")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "velero mode" in static_text(app, "#connection"))
        await until(pilot, lambda: table_text(app).count("Available") == 2, what="2 BSLs")
        fleets = table_text(app)
        assert "kurator-host" in fleets and "no Velero" in fleets  # host has no Velero CRDs
        await pilot.press("b")
        await until(pilot, lambda: "2/2" in table_text(app), what="both contexts Completed")
        assert "nightly" in table_text(app)
        app.open_status("nightly")
        await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2)
        assert "reconnecting" not in static_text(app, "#overall")


async def test_delete_uses_delete_backup_requests(sim: Sim) -> None:
    runner, fleet, kc = sim
    seed(runner, fleet, "old")
    app = FleetApp(str(kc), "kurator-member1", "default")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await until(pilot, lambda: "2/2" in table_text(app), what="both Completed")
        await pilot.press("d")
        await until(pilot, lambda: app.screen.query("#dialog-body"), what="confirm dialog")
        body = static_text(app, "#dialog-body")
        assert "DeleteBackupRequest" in body and "object storage" in body
        await pilot.press("y")
        await until(pilot, lambda: "old" not in table_text(app), timeout=20,
                    what="backup gone from every context")
    created = [a for a in fleet.audit if a["verb"] == "create"]
    assert [a["path"].rsplit("/", 1)[-1] for a in created] == ["deletebackuprequests"] * 2


async def test_form_creates_velero_schedules_in_chosen_contexts(sim: Sim) -> None:
    _runner, fleet, kc = sim
    app = FleetApp(str(kc), "kurator-member1", "default")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: table_text(app).count("Available") == 2)
        await pilot.press("n")
        await until(pilot, lambda: app.screen.query("#name"))
        from textual.widgets import Input, SelectionList

        chosen = app.screen.query_one("#clusters", SelectionList)
        assert sorted(chosen.selected) == ["kurator-member1", "kurator-member2"]  # not the host
        app.screen.query_one("#name", Input).value = "hourly-shop"
        app.screen.query_one("#include_namespaces", Input).value = "shop"
        app.screen.query_one("#scheduled").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        app.screen.query_one("#schedule", Input).value = "@hourly"  # Velero accepts it
        await pilot.pause()
        assert static_text(app, "#schedule-error") == ""
        assert "kind: Schedule" in app.screen.preview_yaml  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Backup hourly-shop" in static_text(app, "#title"))
    for member in fleet.members:
        sched = member.store.find("velero.io/schedules", "velero", "hourly-shop")
        assert sched is not None and sched["spec"]["schedule"] == "@hourly"
        assert sched["spec"]["template"]["includedNamespaces"] == ["shop"]
    assert fleet.host.store.find("velero.io/schedules", "velero", "hourly-shop") is None
