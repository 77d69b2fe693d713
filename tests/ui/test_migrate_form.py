"""The migrate form (`m`), the migrate's live status (source backup row and target restore rows
in one view, a failed source said as failed, a stuck phase called out) and the migrates list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from textual.widgets import Select, SelectionList

from fleettui.live.recoveries import stuck_notes
from fleettui.model.restore_form import MigrateForm, build_migrate
from fleettui.model.status import ClusterRow, FleetBackupStatus
from fleettui.sim.types import KURATOR_MIGRATES
from fleettui.ui.app import FleetApp
from fleettui.ui.screens.migrate_form import MigrateFormScreen
from fleettui.ui.screens.recovery_status import RecoveryStatusScreen
from tests.cli import test_cli_migrate
from tests.cli.cli_helpers import cli
from tests.cli.restore_helpers import APP_NS, M1, M2, creates, find, pod
from tests.cli.test_cli_migrate import MIGRATE
from tests.conftest import start_sim
from tests.ui.test_app import SIZE, Sim, make_app, static_text, table_text, type_into, until
from tests.ui.test_restore_form import outcome

synced = test_cli_migrate.synced  # members that sync the bucket (the CLI tests' fixture)


async def open_migrate(pilot: object, app: FleetApp) -> MigrateFormScreen:
    await until(pilot, lambda: app.session is not None and "quickstart" in table_text(app),  # type: ignore[arg-type]
                what="connected")
    app.switch_mode("backups")
    await until(pilot, lambda: app.screen.query("#backups"), what="backups")  # type: ignore[arg-type]
    await pilot.press("m")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, MigrateFormScreen), what="the form")  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, MigrateFormScreen)
    return screen


async def test_migrate_from_m_to_completed_with_both_rows_in_one_view(
        synced: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = synced
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_migrate(pilot, app)
        assert screen.query_one("#fleet", Select).value == "quickstart"
        screen.query_one("#source", Select).value = M1
        await until(pilot, lambda: M1 not in [str(getattr(o, "value", "")) for o in
                                              screen.query_one("#targets", SelectionList)
                                              .options], what="the source left out")
        screen.query_one("#targets", SelectionList).select(M2)
        await type_into(pilot, "name", "move")
        await type_into(pilot, "include_namespaces", APP_NS)
        await type_into(pilot, "namespace_mapping", f"{APP_NS}:moved")
        await type_into(pilot, "ordered_resources", f"pods={APP_NS}/busybox")
        preview = yaml.safe_load(screen.preview_yaml)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RecoveryStatusScreen),
                    what="the live status")
        await until(pilot, lambda: "Completed" in static_text(app, "#overall"), timeout=40,
                    what="the migrate completed")
        rows = table_text(app, "#clusters").splitlines()
        assert rows[0].startswith(f"{M1} | backup |") and rows[1].startswith(f"{M2} | restore")
    created = find(runner, fleet, "kurator-host", KURATOR_MIGRATES, "default", "move")
    assert created is not None and created["spec"] == preview["spec"]
    assert created["spec"]["policy"]["orderedResources"] == {"pods": f"{APP_NS}/busybox"}
    assert pod(runner, fleet, M2, "busybox", "moved") is not None
    # The CLI builds the same object from the same input (it has no ordered-resources flag).
    code, out, err = cli(capsys, *MIGRATE, "--fleet", "quickstart", "--dry-run=client",
                         "-o", "yaml")
    assert code == 0, err
    del preview["spec"]["policy"]["orderedResources"]
    assert yaml.safe_load(out) == preview


async def test_migrate_form_refuses_with_errors_beside_fields(sim: Sim) -> None:
    _, fleet, kubeconfig = sim
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_migrate(pilot, app)
        await type_into(pilot, "ordered_resources", "pods=a/b/c")
        assert "namespace/name" in static_text(app, "#ordered_resources-error")
        before = len(fleet.audit)
        await pilot.press("ctrl+s")
        assert "nothing sent" in outcome(app)
        assert "exactly one source" in static_text(app, "#source-error")
        assert "name the target clusters" in static_text(app, "#targets-error")
        assert screen.query_one("#ordered_resources").value == "pods=a/b/c"  # type: ignore[attr-defined]
        assert creates(fleet, "migrates", before) == []
        assert app.screen.focused is screen.query_one("#source")  # the first to fix
        screen.query_one("#targets").focus()
        await pilot.press("space")
        await until(pilot, lambda: list(screen.query_one("#targets", SelectionList).selected)
                    == [M1], what="the keyboard ticks the first target")


async def test_a_failed_source_backup_shows_the_migrate_failed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner, _, kubeconfig = start_sim(tmp_path, bucket_sync=0.2,
                                      member_outcome={M1: "Failed"})
    try:
        code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), *MIGRATE)
        assert code == 0, err
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.session is not None, what="connected")
            app.push_screen(RecoveryStatusScreen("Migrate", "move"))
            await until(pilot, lambda: "Failed" in static_text(app, "#overall"), timeout=30,
                        what="Failed overall")
            assert f"{M2}: nothing to restore: the source backup on {M1} failed" in \
                static_text(app, "#reasons")
    finally:
        runner.stop()


async def test_a_phase_stuck_past_the_limit_is_called_out(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim  # no bucket sync: the target's restore never starts
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), *MIGRATE)
    assert code == 0, err
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None, what="connected")
        app.push_screen(RecoveryStatusScreen("Migrate", "move", stuck_after=2.0))
        # The source's backup completes (on a loaded machine it too may pass the 2 s limit
        # first, and is then said until it moves on); the target's restore never starts.
        await until(pilot, lambda: f"⚠ {M2}: still Pending after" in static_text(app, "#stuck")
                    and M1 not in static_text(app, "#stuck"), timeout=30,
                    what="only the stuck target said")
        assert "over the 2s limit for one phase" in static_text(app, "#stuck")
        assert f"velero restore describe {M2}-migrate-default-move" in static_text(app, "#stuck")


def test_stuck_notes_count_from_the_start_or_the_creation() -> None:
    now = datetime(2026, 1, 2, 10, 30, tzinfo=UTC)
    rows = [ClusterRow("AttachedCluster", "a", "a-restore-default-r", "InProgress", "Running",
                       started=now - timedelta(minutes=11)),
            ClusterRow("AttachedCluster", "b", "b-restore-default-r", "InProgress", "Running",
                       started=now - timedelta(minutes=3)),
            ClusterRow("AttachedCluster", "c", "c-restore-default-r", "Completed", "Completed",
                       started=now - timedelta(hours=1)),
            ClusterRow("AttachedCluster", "d", "d-restore-default-r")]
    st = FleetBackupStatus("Running", rows, {}, False, "")
    obj = {"metadata": {"creationTimestamp": "2026-01-02T10:15:00Z"}}
    notes = stuck_notes(st, obj, now, limit=600)
    assert [n.split(":")[0] for n in notes] == ["a", "d"]
    assert notes[0].startswith("a: still InProgress after 11m00s (over the 10m00s limit")
    assert notes[1].startswith("d: still Pending after 15m00s")
    assert "velero restore describe a-restore-default-r" in notes[0]
    # A migrate's first row is its source's backup.
    migrate = stuck_notes(st, {**obj, "kind": "Migrate"}, now, limit=600)
    assert "velero backup describe a-restore-default-r" in migrate[0]


def test_ordered_resources_parse_as_the_velero_cli_writes_them() -> None:
    form = MigrateForm(name="m", fleet="q", source="a", targets=["b"],
                       ordered_resources="pods=ns/a, ns/b ; persistentvolumes=pv1")
    result = build_migrate(form)
    assert result.ok
    assert result.manifest["spec"]["policy"]["orderedResources"] == {
        "pods": "ns/a, ns/b", "persistentvolumes": "pv1"}
    for bad, words in (("pods", "write resource=ns/name"), ("pods=a;pods=b", "listed twice"),
                       ("pods=a/b/c", "namespace/name")):
        errors = build_migrate(MigrateForm(name="m", fleet="q", source="a", targets=["b"],
                                           ordered_resources=bad)).errors
        assert words in errors["ordered_resources"], bad
