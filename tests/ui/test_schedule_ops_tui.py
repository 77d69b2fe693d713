"""`p` (pause/resume) and `R` (run now) in the TUI: on a scheduled backup row they act on every
cluster, on a (schedule, cluster) row of :health on that cluster only, always after a dialog
that says what is sent where; the simulator's Schedules really change; --readonly has neither;
the storage warning beside the backup form's clusters."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import SelectionList, Static

from fleettui.cli.main import main
from fleettui.kube import resources as kc
from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.sim.types import VELERO_BACKUPS, VELERO_SCHEDULES
from fleettui.ui.screens.backup_form import BackupFormScreen
from fleettui.ui.screens.confirm import ConfirmScreen
from fleettui.ui.screens.health import HealthScreen
from fleettui.ui.widgets.live_table import LiveTable
from tests.conftest import start_sim, wait_for
from tests.helpers.health_world import NOW, kurator_health_session
from tests.helpers.sessions import LONG, kurator_session
from tests.ui.fixed_world import FixedApp
from tests.ui.test_app import SIZE, make_app, static_text, table_text, until

M1, M2 = "kurator-member1", "kurator-member2"
Compare = Callable[..., bool]


def dialog_text(app: Any) -> tuple[str, str]:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    return screen.title_text, Text.assemble(screen.body).plain


def sim_schedules(runner: SimThread, fleet: SimFleet, cluster: str) -> list[dict[str, Any]]:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: copy.deepcopy(list(store.items(VELERO_SCHEDULES, "velero"))))


def sim_runs(runner: SimThread, fleet: SimFleet, cluster: str) -> list[str]:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: [b["metadata"]["name"] for b in
                                store.items(VELERO_BACKUPS, "velero")])


async def select_row(pilot: Pilot[int], app: Any, key: str) -> None:
    table = app.screen.query_one(LiveTable)
    await until(pilot, lambda: key in [str(k.value) for k in table.rows], what=f"row {key}")
    table.move_cursor(row=[str(k.value) for k in table.rows].index(key))
    await pilot.pause()


async def test_p_pauses_then_resumes_and_R_runs_now_on_every_cluster(tmp_path: Path) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path)  # daily cron at speed 1: no run of its own
    try:
        assert main(["--kubeconfig", str(kubeconfig), "backup", "create", "nightly", "--fleet",
                     "quickstart", "--schedule", "0 0 * * *"]) == 0
        wait_for(lambda: all(sim_schedules(runner, fleet, m) for m in (M1, M2)), timeout=30,
                 what="Kurator's Velero Schedules")
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("b")
            await select_row(pilot, app, "nightly")
            await pilot.press("p")  # the plan reads the members' Schedules (none watched here)
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="dialog")
            title, body = dialog_text(app)
            assert title == "Pause nightly on 2 clusters?"
            for m in (M1, M2):
                assert (f"{m}: set spec.paused=true on schedules.velero.io/"
                        f"{m}-backup-default-nightly") in body
            assert "Kurator never updates a member's Schedule" in body
            await pilot.press("y")
            await until(pilot, lambda: all(s["spec"].get("paused") for m in (M1, M2)
                                           for s in sim_schedules(runner, fleet, m)),
                        what="both Schedules paused in the members")

            await pilot.press("p")  # now a resume
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="dialog")
            assert dialog_text(app)[0] == "Resume nightly on 2 clusters?"
            await pilot.press("y")
            await until(pilot, lambda: not any(s["spec"].get("paused") for m in (M1, M2)
                                               for s in sim_schedules(runner, fleet, m)),
                        what="both Schedules running again")

            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="dialog")
            title, body = dialog_text(app)
            assert title == "Run now nightly on 2 clusters?"
            assert "labelled velero.io/schedule-name=kurator-member1-backup-default-nightly" \
                in body
            await pilot.press("n")  # cancelled: nothing is sent
            await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            assert sim_runs(runner, fleet, M1) == []
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="dialog")
            await pilot.press("y")
            await until(pilot, lambda: all(
                [r.startswith(f"{m}-backup-default-nightly-") for r in sim_runs(runner, fleet, m)]
                == [True] for m in (M1, M2)), what="one run on each member")
    finally:
        runner.stop()


async def test_health_row_acts_on_its_cluster_only() -> None:
    app = FixedApp(kurator_health_session())
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(HealthScreen(clock=lambda: NOW))
        await select_row(pilot, app, f"weekly/{M1}")  # paused there
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="dialog")
        title, body = dialog_text(app)
        assert title == f"Resume weekly on {M1}?"
        assert body.startswith(f"{M1}: set spec.paused=false on schedules.velero.io/"
                               f"{M1}-backup-default-weekly")
        assert M2 not in body and LONG not in body
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, HealthScreen))
        await select_row(pilot, app, f"weekly/{M2}")  # Kurator has made no Schedule there yet
        await pilot.press("R")
        await until(pilot, lambda: "Nothing to do on any cluster" in "".join(
            n.message for n in app._notifications), what="a notice, no dialog")
        assert isinstance(app.screen, HealthScreen)


async def test_readonly_has_neither_key() -> None:
    app = FixedApp(kurator_health_session())
    app.readonly = True
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(HealthScreen(clock=lambda: NOW))
        await select_row(pilot, app, f"weekly/{M1}")
        keys = {b.binding.key for b in app.active_bindings.values()}
        assert "p" not in keys and "R" not in keys
        await pilot.press("p", "R")
        await pilot.pause()
        assert isinstance(app.screen, HealthScreen)
        await pilot.press("escape")
        await pilot.press("b")
        await until(pilot, lambda: "nightly" in table_text(app), what="backups")
        await pilot.press("p", "R")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)


async def test_backup_form_warns_beside_clusters_whose_location_is_unfit() -> None:
    session = kurator_session()  # LONG's location is Unavailable
    bsl = session.store.objects(M2, kc.VELERO_BSLS)[0]
    session.store.replace(M2, kc.VELERO_BSLS, [{**bsl, "spec": {"accessMode": "ReadOnly"}}])
    app = FixedApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(BackupFormScreen())
        await until(pilot, lambda: app.screen.query_one("#clusters", SelectionList)
                    .option_count == 3, what="the fleet's clusters")
        await until(pilot, lambda: "storage:" in static_text(app, "#clusters-error"),
                    what="the storage warning")
        said = static_text(app, "#clusters-error")
        assert said.startswith(f"! storage: {LONG} (default is Unavailable), {M2} (default "
                               "is ReadOnly): backups there end FailedValidation")
        assert M1 not in said
        clusters = app.screen.query_one("#clusters", SelectionList)
        clusters.deselect(M2)
        clusters.deselect(LONG)
        await until(pilot, lambda: not static_text(app, "#clusters-error"),
                    what="no warning once they are unticked")
        assert isinstance(app.screen.query_one("#clusters-error", Static), Static)


def test_pause_dialog_snapshot(snap_compare: Compare) -> None:
    app = FixedApp(kurator_health_session())

    async def show(pilot: Pilot[Any]) -> None:
        await app.push_screen(HealthScreen(clock=lambda: NOW))
        await until(pilot, lambda: "failing" in table_text(app, "#health"))
        await pilot.press("up", "up")  # the nightly schedule's line: every cluster
        table = app.screen.query_one(LiveTable)
        table.move_cursor(row=0)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()

    assert snap_compare(app, run_before=show, terminal_size=(80, 24))


def read_only(session: Any, cluster: str) -> None:
    bsl = session.store.objects(cluster, kc.VELERO_BSLS)[0]
    session.store.replace(cluster, kc.VELERO_BSLS, [{**bsl, "spec": {"accessMode": "ReadOnly"}}])


async def test_restore_and_migrate_forms_warn_only_where_what_is_sent_fails() -> None:
    """A restore reads (ReadOnly is fine, Unavailable is not); a migrate's source backs up."""
    from fleettui.ui.screens.migrate_form import MigrateFormScreen
    from fleettui.ui.screens.restore_form import RestoreFormScreen

    session = kurator_session()  # LONG's location is Unavailable
    read_only(session, M2)
    for m in (M1, M2, LONG):  # each member's own run of the backup, so the restore can go on
        session.store.replace(m, kc.VELERO_BACKUPS, [{
            "metadata": {"name": f"{m}-backup-default-nightly-shop", "namespace": "velero"},
            "status": {"phase": "Completed", "startTimestamp": "2026-01-01T00:00:00Z"}}])
    app = FixedApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RestoreFormScreen("nightly-shop"))
        await until(pilot, lambda: "storage:" in static_text(app, "#clusters-error"),
                    what="the restore form's storage warning")
        said = static_text(app, "#clusters-error")
        assert said.startswith(f"! storage: {LONG} (default is Unavailable): restores there "
                               "cannot read the backup")
        assert M2 not in said and M1 not in said
        app.pop_screen()
        await app.push_screen(MigrateFormScreen("quickstart", M2))
        await until(pilot, lambda: "storage:" in static_text(app, "#source-error"),
                    what="the migrate source's warning")
        assert static_text(app, "#source-error").startswith(
            f"! storage: {M2} (default is ReadOnly): backups there end FailedValidation")
        targets = app.screen.query_one("#targets", SelectionList)
        targets.select(LONG)
        targets.select(M1)
        await until(pilot, lambda: "storage:" in static_text(app, "#targets-error"),
                    what="the migrate targets' warning")
        assert static_text(app, "#targets-error").startswith(
            f"! storage: {LONG} (default is Unavailable): restores there cannot read")
        assert M1 not in static_text(app, "#targets-error")


async def test_backup_form_reads_the_targets_locations_itself(tmp_path: Path) -> None:
    """Opened from the backups list (which watches no member), the form reads the fleet's
    locations and names the member whose location is Unavailable."""
    runner, _, kubeconfig = start_sim(tmp_path, member_storage={M2: "Unavailable"})
    try:
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("b")
            await until(pilot, lambda: app.session is not None, what="connected")
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, BackupFormScreen))
            await until(pilot, lambda: "storage:" in static_text(app, "#clusters-error"),
                        what="the storage warning")
            assert static_text(app, "#clusters-error").startswith(
                f"! storage: {M2} (default is Unavailable): backups there end "
                "FailedValidation")
            assert isinstance(app.screen, BackupFormScreen)
            assert M2 in app.screen.locations  # read by the form itself
    finally:
        runner.stop()
