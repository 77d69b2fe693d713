"""SVG snapshots at 80x24 of the restore form, a restore's and a migrate's live status and the
restores list, on the fixed world (tests/helpers/sessions.py) plus restores and a migrate
added here; every phase is final, so nothing depends on the clock.

Update after an intended visual change with `pytest tests/ui/test_restore_snapshots.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from fleettui.kube import resources as kc
from fleettui.live.session import Session
from fleettui.ui.app import FleetApp
from fleettui.ui.screens.recoveries import RecoveriesScreen
from fleettui.ui.screens.recovery_status import RecoveryStatusScreen
from fleettui.ui.screens.restore_form import RestoreFormScreen
from tests.helpers.sessions import DAY, HOST, LONG, MEMBERS
from tests.ui.fixed_world import FixedApp, kurator_session
from tests.ui.test_app import static_text, table_text, until

Compare = Callable[..., bool]
SIZE = (80, 24)
M1, M2 = MEMBERS[0], MEMBERS[1]


def _status(phase: str, **extra: Any) -> dict[str, Any]:
    return {"phase": phase, "startTimestamp": DAY + "05:00Z",
            "completionTimestamp": DAY + "05:42Z",
            "progress": {"totalItems": 14, "itemsRestored": 14 if phase == "Completed" else 9},
            **extra}


def _meta(name: str) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "creationTimestamp": DAY + "04:59Z"}


def world() -> Session:
    """The fixed fleet, a completed Velero backup of `all-good` on member1, a restore of
    `nightly-shop` that partly failed on member2, and a migrate member1 → member2."""
    s = kurator_session()
    store = s.store
    store.replace(M1, kc.VELERO_BACKUPS, [{
        "metadata": {"name": f"{M1}-backup-default-all-good", "namespace": "velero"},
        "status": {"phase": "Completed", "startTimestamp": DAY + "00:00Z"}}])
    restore = {"kind": "Restore", "metadata": _meta("shop-back"),
               "spec": {"backupName": "nightly-shop", "destination": {
                   "fleet": "quickstart", "clusters": [{"name": m, "kind": "AttachedCluster"}
                                                       for m in (M1, M2)]}},
               "status": {"restoreDetails": [
                   {"clusterName": M1, "clusterKind": "AttachedCluster",
                    "restoreNameInCluster": f"{M1}-restore-default-shop-back",
                    "restoreStatusInCluster": _status("Completed")},
                   {"clusterName": M2, "clusterKind": "AttachedCluster",
                    "restoreNameInCluster": f"{M2}-restore-default-shop-back",
                    "restoreStatusInCluster": _status("PartiallyFailed", errors=1,
                                                      warnings=3)}]}}
    migrate = {"kind": "Migrate", "metadata": _meta("move"),
               "spec": {"sourceCluster": {"fleet": "quickstart", "clusters": [
                   {"name": M1, "kind": "AttachedCluster"}]},
                        "targetCluster": {"fleet": "quickstart", "clusters": [
                            {"name": M2, "kind": "AttachedCluster"}]}},
               "status": {"sourceClusterStatus": {
                   "backupNameInCluster": f"{M1}-migrate-default-move",
                   "backupStatusInCluster": {**_status("Completed"), "progress": {
                       "totalItems": 14, "itemsBackedUp": 14}}},
                   "targetClusterStatus": [{
                       "clusterName": M2, "clusterKind": "AttachedCluster",
                       "restoreNameInCluster": f"{M2}-migrate-default-move",
                       "restoreStatusInCluster": _status("Completed")}]}}
    store.replace(HOST, kc.KURATOR_RESTORES, [restore])
    store.replace(HOST, kc.KURATOR_MIGRATES, [migrate])
    return s


async def _ready(pilot: Pilot[Any]) -> FleetApp:
    app = pilot.app
    assert isinstance(app, FleetApp)
    await until(pilot, lambda: app.session is not None, what="the fixed session")
    return app


RESOURCE_LIST = {"v1/Namespace": ["kurator-backup", "shop"],
                 "v1/Pod": ["kurator-backup/busybox", "kurator-backup/busybox-with-pv",
                            "shop/db-0", "shop/frontend-0"],
                 "apps/v1/Deployment": ["shop/frontend"],
                 "velero.io/v1/Backup": ["velero/kurator-member1-backup-default-all-good"]}


def test_restore_form_lists_uncovered_clusters_and_the_backup_used(
        snap_compare: Compare, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also the preview of what would come back (#14 item 3), from a fixed resource list."""
    from fleettui.live import downloads

    monkeypatch.setattr(downloads, "session_resource_list", lambda *_, **__: RESOURCE_LIST)

    async def form(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        app.push_screen(RestoreFormScreen("all-good"))
        await until(pilot, lambda: "Completed" in static_text(app, "#choices"),
                    what="the choices")
        app.screen.query_one("#name", Input).value = "all-good-back"
        await until(pilot, lambda: "total: 7 items" in static_text(app, "#comes-back"),
                    what="the preview")
        assert (f"{M1}: kurator-backup: 1 Namespace, 2 Pod; shop: 1 Deployment, 1 Namespace, "
                "2 Pod; total: 7 items") in static_text(app, "#comes-back")
        await pilot.pause()
        text = static_text(app, "#choices")
        assert f"✓ {M1}: {M1}-backup-default-all-good (Completed, 2026-01-02 10:00 UTC)" \
            in text
        assert f"{LONG} (cluster not ready" not in text  # not covered: not checked at all

    assert snap_compare(FixedApp(world()), run_before=form, terminal_size=SIZE)


def test_restore_status_partly_failed(snap_compare: Compare) -> None:
    async def status(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        app.push_screen(RecoveryStatusScreen("Restore", "shop-back"))
        await until(pilot, lambda: "PartiallyFailed" in static_text(app, "#overall"),
                    what="the overall phase")
        assert "1 error, 3 warnings" in static_text(app, "#reasons")

    assert snap_compare(FixedApp(world()), run_before=status, terminal_size=SIZE)


def test_migrate_status_source_row_first(snap_compare: Compare) -> None:
    async def status(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        app.push_screen(RecoveryStatusScreen("Migrate", "move"))
        await until(pilot, lambda: "Completed" in static_text(app, "#overall"),
                    what="the overall phase")
        rows = table_text(app, "#clusters").splitlines()
        assert rows[0].startswith(f"{M1} | backup") and rows[1].startswith(f"{M2} | restore")

    assert snap_compare(FixedApp(world()), run_before=status, terminal_size=SIZE)


def test_restores_list(snap_compare: Compare) -> None:
    async def listed(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        app.push_screen(RecoveriesScreen("Restore"))
        await until(pilot, lambda: "shop-back" in table_text(app), what="the restore")
        assert "1/2" in table_text(app)

    assert snap_compare(FixedApp(world()), run_before=listed, terminal_size=SIZE)


async def test_plain_velero_mode_says_restore_needs_kurator() -> None:
    from tests.ui.fixed_world import velero_session

    app = FixedApp(velero_session())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None, what="the fixed session")
        app.switch_mode("backups")
        await until(pilot, lambda: "nightly" in table_text(app), what="the backups")
        await pilot.press("r")
        await until(pilot, lambda: app._notifications, what="the notice")
        notice = next(iter(app._notifications))
        assert "needs Kurator" in notice.message and "velero restore create" in notice.message
        assert not isinstance(app.screen, RestoreFormScreen)


async def test_cluster_strings_are_shown_verbatim_never_as_markup() -> None:
    session = world()
    restore = session.store.get(HOST, kc.KURATOR_RESTORES, "default", "shop-back")
    assert restore is not None
    detail = restore["status"]["restoreDetails"][1]
    detail["restoreStatusInCluster"] = _status("Failed", failureReason="[bold red]disk [/]full")
    session.store.replace(HOST, kc.KURATOR_RESTORES, [restore])
    app = FixedApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None, what="the fixed session")
        app.push_screen(RecoveryStatusScreen("Restore", "shop-back"))
        await until(pilot, lambda: "Failed" in static_text(app, "#overall"), what="Failed")
        assert f"{M2}: [bold red]disk [/]full" in static_text(app, "#reasons")
