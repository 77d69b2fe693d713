"""The restore form (`r` on a backup), its live status and the restores list, driven with
Textual's Pilot against the simulator: what is sent is what the CLI builds from the same input,
and nothing Kurator would retry forever or stop on silently is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.widgets import Input, SelectionList

from fleettui.kube.resources import VELERO_BACKUPS
from fleettui.model.restore import BackupChoice
from fleettui.sim.types import KURATOR_RESTORES
from fleettui.ui.app import FleetApp
from fleettui.ui.screens.confirm import ConfirmScreen
from fleettui.ui.screens.restore_form import RestoreFormScreen, choices_text
from tests.cli.cli_helpers import cli
from tests.cli.restore_helpers import APP_NS, M1, M2, creates, find, pod
from tests.conftest import start_sim
from tests.ui.test_app import SIZE, Sim, make_app, static_text, table_text, type_into, until


def take_backup(capsys: pytest.CaptureFixture[str], kubeconfig: Path, name: str,
                *extra: str) -> None:
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create", name,
                       "--fleet", "quickstart", "--include-namespaces", APP_NS, *extra,
                       "--wait", "--timeout", "60s")
    assert code == 0, err


async def open_restore(pilot: object, app: FleetApp, backup: str) -> None:
    app.switch_mode("backups")
    await until(pilot, lambda: backup in table_text(app), what="the backup listed")  # type: ignore[arg-type]
    table = app.screen.query_one("#backups")
    table.focus()
    while table.selected_key != backup:  # type: ignore[attr-defined]
        await pilot.press("down")  # type: ignore[attr-defined]
    await pilot.press("r")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, RestoreFormScreen),  # type: ignore[arg-type]
                what="the restore form")


def choices(app: FleetApp) -> str:
    return static_text(app, "#choices")


def outcome(app: FleetApp) -> str:
    """The outcome bar's text, "" while it is hidden (a text nobody sees is no outcome)."""
    box = app.screen.query_one("#form-error")
    return static_text(app, "#form-error") if box.display and box.region.height else ""


async def test_restore_from_r_to_completed_builds_what_the_cli_builds(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    take_backup(capsys, kubeconfig, "before")
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "before")
        await until(pilot, lambda: choices(app).count("Completed") == 2,
                    what="the Velero backup each cluster uses")
        assert f"✓ {M1}: {M1}-backup-default-before (Completed, " in choices(app)
        screen = app.screen
        assert isinstance(screen, RestoreFormScreen)
        await until(pilot, lambda: APP_NS in screen.suggesters["include_namespaces"].values,
                    what="namespaces of the backup's clusters offered for completion")
        screen.query_one("#clusters", SelectionList).focus()
        await pilot.press("space")  # the keyboard unticks the first cluster
        await until(pilot, lambda: list(screen.query_one("#clusters", SelectionList)
                                        .selected) == [M2], what="member1 unticked")
        await type_into(pilot, "name", "tui-copy")
        await type_into(pilot, "namespace_mapping", f"{APP_NS}:tui-copy-ns")
        await type_into(pilot, "labels", "app=busybox")
        screen.query_one("#options", SelectionList).select("preserve_node_ports")
        await pilot.pause()
        assert M1 not in choices(app)  # only the chosen cluster is checked
        await pilot.press("ctrl+t")
        await until(pilot, lambda: "accepts this restore" in outcome(app),
                    what="the dry run's outcome")
        assert find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default",
                    "tui-copy") is None
        preview = yaml.safe_load(screen.preview_yaml)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Restore tui-copy" in static_text(app, "#title"),
                    what="the live status")
        await until(pilot, lambda: "Completed" in static_text(app, "#overall"),
                    what="the restore completed", timeout=30)
        assert M2 in table_text(app, "#clusters") and M1 not in table_text(app, "#clusters")
    created = find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default", "tui-copy")
    assert created is not None and created["spec"] == preview["spec"]
    assert pod(runner, fleet, M2, "busybox", "tui-copy-ns") is not None  # really restored
    # The CLI, given the same input, builds the same object.
    code, out, err = cli(capsys, "restore", "create", "tui-copy", "--from-backup", "before",
                         "--fleet", "quickstart", "--cluster", M2, "--namespace-mapping",
                         f"{APP_NS}:tui-copy-ns", "-l", "app=busybox",
                         "--preserve-node-ports", "--dry-run=client", "-o", "yaml")
    assert code == 0, err
    assert yaml.safe_load(out) == preview


async def test_clusters_outside_the_backup_cannot_be_ticked_and_say_why(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    take_backup(capsys, kubeconfig, "only-one", "--cluster", M1)
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "only-one")
        clusters = app.screen.query_one("#clusters", SelectionList)
        outside = clusters.get_option(M2)
        assert outside.disabled and "not in this backup" in str(outside.prompt)
        assert list(clusters.selected) == [M1]
        assert M2 not in choices(app)


async def test_a_schedule_with_no_completed_run_is_refused_naming_each_cluster(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create", "yearly",
                       "--fleet", "quickstart", "--schedule", "0 0 1 1 *")
    assert code == 0, err
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "yearly")
        await until(pilot, lambda: choices(app).count("has not run") == 2,
                    what="each cluster refused")
        assert f"✗ {M1}: schedule {M1}-backup-default-yearly has not run in {M1} yet" \
            in choices(app)
        before = len(fleet.audit)
        for key in ("ctrl+t", "ctrl+s"):
            await pilot.press(key)
            await until(pilot, lambda: "nothing sent" in outcome(app),
                        what="the refusal")
            assert "Clusters" in outcome(app)
        assert "no usable Velero backup in" in static_text(app, "#clusters-error")
        assert creates(fleet, "restores", before) == []  # not even a dry run


async def test_errors_show_beside_fields_as_typed_and_nothing_is_lost(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    take_backup(capsys, kubeconfig, "src")
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "src")
        await type_into(pilot, "namespace_mapping", "a:same,b:same")
        assert "both mapped" in static_text(app, "#namespace_mapping-error")  # no submit
        await type_into(pilot, "name", "Bad_Name")
        assert static_text(app, "#name-error").startswith("✗")
        await type_into(pilot, "restore_status", "deployments;")
        before = len(fleet.audit)
        await pilot.press("ctrl+s")
        said = outcome(app)
        assert "nothing sent" in said and "Namespace mapping" in said
        assert app.screen.query_one("#name", Input).value == "Bad_Name"
        assert app.screen.query_one("#namespace_mapping", Input).value == "a:same,b:same"
        assert creates(fleet, "restores", before) == []
        await pilot.press("escape")  # a changed form asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RestoreFormScreen), what="form back")
        assert app.screen.query_one("#name", Input).value == "Bad_Name"


async def test_restores_list_filters_opens_shows_yaml_and_deletes(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    take_backup(capsys, kubeconfig, "base")
    for name in ("first", "second"):
        code, _, err = cli(capsys, *kcfg, "restore", "create", name, "--from-backup", "base",
                           "--wait", "--timeout", "60s")
        assert code == 0, err
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None, what="connected")
        await pilot.press("colon")
        await pilot.press(*"restores")
        await pilot.press("enter")
        await until(pilot, lambda: table_text(app).count("Completed") == 2,
                    what="both restores Completed")
        await pilot.press("slash")
        await pilot.press(*"sec")
        await until(pilot, lambda: "first" not in table_text(app), what="the filter")
        await pilot.press("enter")  # back to the table
        await pilot.press("enter")  # open
        await until(pilot, lambda: "Restore second" in static_text(app, "#title"),
                    what="the live status")
        rows = table_text(app, "#clusters")
        assert M1 in rows and M2 in rows and rows.count("Completed") == 2
        await pilot.press("escape")
        await until(pilot, lambda: "Restores" in static_text(app, "#title"), what="list")
        await pilot.press("y")
        await until(pilot, lambda: "object(s)" in static_text(app, "#title"), what="YAML")
        assert "Restore second (3 object(s))" in static_text(app, "#title")
        await pilot.press("escape")
        await until(pilot, lambda: "Restores" in static_text(app, "#title"), what="list")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the dialog")
        body = static_text(app, "#dialog-body")
        assert "restores.backup.kurator.dev/second" in body
        assert f"{M2}: restore.velero.io/{M2}-restore-default-second" in body
        assert "Not deleted: the restored objects" in body
        await pilot.press("y")
        await until(pilot, lambda: find(runner, fleet, "kurator-host", KURATOR_RESTORES,
                                        "default", "second") is None, what="deleted")
        assert find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default", "first")


async def test_readonly_has_no_restore_migrate_or_delete(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    take_backup(capsys, kubeconfig, "base")
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "restore", "create", "done",
                       "--from-backup", "base")
    assert code == 0, err
    app = make_app(kubeconfig, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        app.switch_mode("backups")
        await until(pilot, lambda: "base" in table_text(app), what="the backup")
        assert not {"r", "m", "d"} & set(app.active_bindings)
        before = len(fleet.audit)
        await pilot.press("r", "m", "d")
        await pilot.pause()
        assert not isinstance(app.screen, (RestoreFormScreen, ConfirmScreen))
        from fleettui.ui.screens.recoveries import RecoveriesScreen

        app.push_screen(RecoveriesScreen("Restore"))
        await until(pilot, lambda: "done" in table_text(app), what="the restores list")
        assert "d" not in app.active_bindings
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        form = RestoreFormScreen("base")
        app.push_screen(form)
        await until(pilot, lambda: app.screen is form, what="a form pushed by hand")
        assert not {"ctrl+s", "ctrl+t"} & set(app.active_bindings)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [a for a in fleet.audit[before:] if a["verb"] in ("create", "delete")] == []


def test_choices_are_plain_text_whatever_a_cluster_calls_things() -> None:
    text = choices_text([BackupChoice("[bold]evil", "[red]x", True, "Completed"),
                         BackupChoice("m2", "sched", False, note="[b]none[/b] completed")],
                        not_ready={"m2"})
    assert "✓ [bold]evil: [red]x (Completed, start unknown)" in text.plain
    assert "✗ m2: [b]none[/b] completed (cluster not ready" in text.plain


async def test_a_server_refusal_is_said_with_everything_kept(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    take_backup(capsys, kubeconfig, "base")
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "restore", "create", "taken",
                       "--from-backup", "base")
    assert code == 0, err
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await open_restore(pilot, app, "base")
        await type_into(pilot, "name", "taken")
        await type_into(pilot, "include_namespaces", APP_NS)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "409" in outcome(app), what="the refusal")
        assert "nothing you typed was lost" in outcome(app)
        assert "taken" in static_text(app, "#name-error")
        assert isinstance(app.screen, RestoreFormScreen)
        assert app.screen.query_one("#include_namespaces", Input).value == APP_NS


async def test_a_schedule_restores_each_clusters_newest_completed_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Hourly at 360x: a run every 10 s, done in 0.5 s; the newest Completed run then stays
    # the newest for seconds, long enough to compare with the store.
    runner, _, kubeconfig = start_sim(tmp_path, speed=360.0)
    try:
        code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create",
                           "hourly", "--fleet", "quickstart", "--schedule", "0 * * * *")
        assert code == 0, err
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await open_restore(pilot, app, "hourly")
            await until(pilot, lambda: choices(app).count("(Completed, ") == 2, timeout=40,
                        what="a completed run in each cluster")
            screen = app.screen
            assert isinstance(screen, RestoreFormScreen) and app.session is not None
            screen.revalidate()
            for choice in screen.choices:
                runs = [b for b in app.session.store.objects(choice.cluster, VELERO_BACKUPS)
                        if b["metadata"]["name"].startswith(
                            f"{choice.cluster}-backup-default-hourly-")
                        and b.get("status", {}).get("phase") == "Completed"]
                newest = max(runs, key=lambda b: b["status"]["startTimestamp"])
                assert choice.usable and choice.velero_name == newest["metadata"]["name"]
                assert f"{choice.cluster}: {choice.velero_name} (Completed" in choices(app)
    finally:
        runner.stop()
