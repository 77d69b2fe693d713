"""--readonly through every screen and action sends no mutating request; no kubeconfig token,
CA or storage credential value ever reaches a screen or `-o yaml` output."""

from __future__ import annotations

import base64
from pathlib import Path

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.sim.world import DEMO_ACCESS_KEY, DEMO_SECRET_KEY
from fleettui.ui.app import FleetApp
from fleettui.ui.commands import FleetCommands
from tests.ui.test_app import SIZE, static_text, table_text, until

Sim = tuple[SimThread, SimFleet, Path]


def seed_backup(runner: SimThread, fleet: SimFleet) -> None:
    host = fleet.host.store
    runner.call(lambda: host.create(host.types["backup.kurator.dev/backups"], {
        "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
        "metadata": {"name": "seen", "namespace": "default"},
        "spec": {"destination": {"fleet": "quickstart"}}}))


def secrets_of(fleet: SimFleet) -> list[str]:
    ca = fleet.tls.ca_pem.decode().splitlines()[1]  # a line of the CA certificate
    return [fleet.config.admin_token, fleet.config.readonly_token, DEMO_ACCESS_KEY,
            DEMO_SECRET_KEY, base64.b64encode(DEMO_SECRET_KEY.encode()).decode(), ca]


async def test_readonly_walk_sends_nothing_and_shows_no_secret(sim: Sim, tmp_path: Path) -> None:
    runner, fleet, _ = sim
    seed_backup(runner, fleet)
    ro = tmp_path / "ro"
    fleet.write_kubeconfig(ro, readonly=True)
    app = FleetApp(str(ro), "kurator-host", "default", readonly=True)
    screens: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Available" in table_text(app))
        screens.append(app.export_screenshot())
        for keys in (["n"], ["d"], ["ctrl+d"], ["b"], ["n"], ["d"], ["ctrl+d"], ["y"]):
            await pilot.press(*keys)
            await pilot.pause(0.1)
            screens.append(app.export_screenshot())
            if app.screen.query("#yaml"):
                await pilot.press("escape")
        await until(pilot, lambda: "seen" in table_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: "Backup seen" in static_text(app, "#title"))
        for keys in (["d"], ["ctrl+d"], ["y"], ["escape"], ["question_mark"], ["escape"]):
            await pilot.press(*keys)
            await pilot.pause(0.1)
            screens.append(app.export_screenshot())
        names = {n for n, _, _ in FleetCommands(app.screen)._entries()}
        assert not [n for n in names if n.startswith(("delete", "new"))]
        for name, _, run in FleetCommands(app.screen)._entries():
            if not name.startswith("open"):
                run()
                await pilot.pause(0.1)
                screens.append(app.export_screenshot())
    assert [a for a in fleet.audit if a["user"] == "fleettui-readonly"] == []
    assert not [a for a in fleet.audit if a["verb"] != "get"]
    for secret in secrets_of(fleet):
        assert not any(secret in shot for shot in screens), "a secret reached the screen"


def test_cli_output_never_contains_secrets(sim: Sim, tmp_path: Path, capsys: object) -> None:
    import contextlib
    import io

    from fleettui.cli.main import main

    runner, fleet, kc = sim
    seed_backup(runner, fleet)
    outputs = []
    for argv in (["backup", "get", "seen", "-o", "yaml"], ["backup", "list", "-o", "json"],
                 ["backup", "status", "seen"], ["backup", "list"]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["--kubeconfig", str(kc), "--context", "kurator-host", *argv])
        outputs.append(out.getvalue() + err.getvalue())
    assert "seen" in outputs[0]
    for secret in secrets_of(fleet):
        assert not any(secret in text for text in outputs)
