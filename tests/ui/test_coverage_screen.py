"""`:coverage` on a fixed session and clock, members' namespaces and pods given by the test:
protected, partial (with the pods its selector matches), stale, unprotected, an unreadable
member named, system namespaces on `s`, and `n` opening the backup form filled in."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, SelectionList

from fleettui.kube import resources as kc
from fleettui.live.session import Session
from fleettui.model.coverage import Inventory
from fleettui.ui.screens.backup_form import BackupFormScreen
from fleettui.ui.screens.coverage import CoverageScreen
from fleettui.ui.widgets.live_table import LiveTable
from tests.helpers.health_world import NOW, kurator_health_session, velero_run, velero_schedule
from tests.helpers.sessions import LONG
from tests.ui.fixed_world import FixedApp
from tests.ui.test_app import SIZE, static_text, table_text, until

INVENTORIES = {
    "kurator-member1": Inventory(("default", "kube-system", "shop"),
                                 {"shop": [{"app": "web"}, {"app": "db"}]}),
    "kurator-member2": Inventory(("default", "shop"),
                                 {"shop": [{"app": "web"}, {"app": "db"}, {"app": "web"}]}),
    LONG: Inventory(problem="dial tcp: connection refused"),
}


def reader(session: Session, clusters: list[str]) -> dict[str, Inventory]:
    assert sorted(clusters) == sorted(INVENTORIES)
    return INVENTORIES


def coverage_session() -> Session:
    """`nightly` takes every namespace (fresh on member1, stale on member2); `web-only` takes
    app=web pods of shop on member2 and ran today."""
    s = kurator_health_session()
    name = "kurator-member2-backup-default-web-only"
    template: dict[str, Any] = {"includedNamespaces": ["shop"],
                                "labelSelector": {"matchLabels": {"app": "web"}}}
    backups = s.store.objects("kurator-host", kc.KURATOR_BACKUPS)
    backups.append({"metadata": {"name": "web-only", "namespace": "default"},
                    "spec": {"schedule": "0 0 * * *", "destination": {
                        "fleet": "quickstart",
                        "clusters": [{"name": "kurator-member2", "kind": "AttachedCluster"}]}},
                    "status": {}})
    s.store.replace("kurator-host", kc.KURATOR_BACKUPS, backups)
    scheds = s.store.objects("kurator-member2", kc.VELERO_SCHEDULES)
    s.store.replace("kurator-member2", kc.VELERO_SCHEDULES,
                    [*scheds, velero_schedule(name, template=template)])
    runs = s.store.objects("kurator-member2", kc.VELERO_BACKUPS)
    s.store.replace("kurator-member2", kc.VELERO_BACKUPS,
                    [*runs, velero_run(name, 27, "Completed"), velero_run(name, 28, "Completed")])
    return s


def cells(app: FixedApp) -> dict[str, str]:
    table = app.screen.query_one("#coverage", LiveTable)
    return {str(k.value): str(table.get_row(k)[1]) for k in table.rows}


async def open_coverage(app: FixedApp, pilot: Any) -> None:
    await app.push_screen(CoverageScreen(clock=lambda: NOW, reader=reader))
    await until(pilot, lambda: "shop" in table_text(app, "#coverage"), what="coverage rows")


async def test_cells_reasons_and_an_unreadable_member() -> None:
    app = FixedApp(coverage_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_coverage(app, pilot)
        shown = cells(app)
        assert "(schedules only; stale after" in static_text(app, "#title")
        assert shown["shop/kurator-member1"] == "✔ protected"
        assert shown["shop/kurator-member2"] == "◐ partial"
        assert shown["default/kurator-member2"] == "◷ stale"
        assert shown["ns/shop"] == "◐ 1/2 whole"
        assert not any(k.startswith(("kube-system", f"shop/{LONG}")) for k in shown)
        message = static_text(app, "#empty")
        assert f"{LONG}: cannot be read: dial tcp: connection refused" in message
        assert "1 system namespace(s) hidden" in message
        table = app.screen.query_one("#coverage", LiveTable)
        table.move_cursor(row=table.get_row_index("shop/kurator-member2"))
        await until(pilot, lambda: "selector app=web matches 2 of 3 pods" in
                    static_text(app, "#reason"))
        table.move_cursor(row=table.get_row_index("default/kurator-member2"))
        await until(pilot, lambda: "(failing)" in static_text(app, "#reason"))
        await pilot.press("s")
        await until(pilot, lambda: "kube-system/kurator-member1" in cells(app))


async def test_n_opens_the_backup_form_with_namespace_and_cluster() -> None:
    app = FixedApp(coverage_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_coverage(app, pilot)
        await pilot.press("s")
        await until(pilot, lambda: "kube-system/kurator-member1" in cells(app))
        table = app.screen.query_one("#coverage", LiveTable)
        table.move_cursor(row=table.get_row_index("kube-system/kurator-member1"))
        await pilot.pause()
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, BackupFormScreen))
        await until(pilot, lambda: app.screen.query_one("#clusters", SelectionList).option_count)
        assert app.screen.query_one("#include_namespaces", Input).value == "kube-system"
        assert list(app.screen.query_one("#clusters", SelectionList).selected) == [
            "kurator-member1"]


async def test_readonly_has_no_n() -> None:
    app = FixedApp(coverage_session())
    app.readonly = True
    async with app.run_test(size=SIZE) as pilot:
        await open_coverage(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CoverageScreen)


async def test_plain_velero_mode_n_ticks_only_that_context() -> None:
    from tests.helpers.health_world import velero_health_session

    session = velero_health_session()
    shop = Inventory(("shop",), {"shop": [{"app": "web"}]})

    def contexts(_: Session, clusters: list[str]) -> dict[str, Inventory]:
        return {c: shop for c in clusters}

    app = FixedApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CoverageScreen(clock=lambda: NOW, reader=contexts))
        await until(pilot, lambda: "shop/kurator-member2" in cells(app))
        assert cells(app)["shop/kurator-member1"] == "✔ protected"
        assert cells(app)["shop/kurator-member2"] == "◷ stale"  # its runs failed since the 26th
        table = app.screen.query_one("#coverage", LiveTable)
        table.move_cursor(row=table.get_row_index("shop/kurator-member2"))
        await pilot.pause()
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, BackupFormScreen))
        await until(pilot, lambda: app.screen.query_one("#clusters", SelectionList).option_count)
        assert list(app.screen.query_one("#clusters", SelectionList).selected) == [
            "kurator-member2"]
        assert app.screen.query_one("#include_namespaces", Input).value == "shop"


async def test_a_reader_that_breaks_is_said_per_cluster_not_a_hang() -> None:
    def broken(_: Session, clusters: list[str]) -> dict[str, Inventory]:
        raise RuntimeError("boom")

    app = FixedApp(coverage_session())
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CoverageScreen(clock=lambda: NOW, reader=broken))
        await until(pilot, lambda: "kurator-member1: cannot be read: RuntimeError: boom" in
                    static_text(app, "#empty"))
