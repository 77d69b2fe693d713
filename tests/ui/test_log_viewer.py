"""The Velero log viewer and the results lines (issue #15 item 3), driven with Pilot against
the simulator: `l` on a cluster row opens that cluster's log, `/` finds a line, `e` jumps to
the first error, a failed download is said in place without hanging the UI, and a
100,000-line log opens and scrolls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from fleettui.ui.screens.log_viewer import LogViewerScreen
from fleettui.ui.screens.status import StatusScreen
from fleettui.ui.widgets.log_lines import LogLines
from tests.cli.test_cli_downloads import failed_fleet, run_backup
from tests.ui.test_app import SIZE, make_app, static_text, table_text, until

Ran = tuple[SimThread, SimFleet, Path]


@pytest.fixture
def ran(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Ran]:
    """Backup `shop`: member1's run PartiallyFailed, member2's Failed."""
    sim, fleet, kubeconfig = failed_fleet(tmp_path)
    try:
        run_backup(capsys, ["--kubeconfig", str(kubeconfig)], sim, fleet, "shop",
                   "--include-namespaces", "kurator-backup")
        yield sim, fleet, kubeconfig
    finally:
        sim.stop()


async def _status(pilot: Pilot[int], app: FleetApp) -> None:
    await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
    app.open_status("shop")
    await until(pilot, lambda: "PartiallyFailed" in table_text(app, "#clusters"),
                what="the status rows")


def _viewer(app: FleetApp) -> LogLines:
    return app.screen.query_one(LogLines)


async def test_l_opens_the_log_and_slash_and_e_find_lines(ran: Ran) -> None:
    app = make_app(ran[2])
    async with app.run_test(size=SIZE) as pilot:
        await _status(pilot, app)
        assert table_text(app, "#clusters").splitlines()[0].startswith("kurator-member1")
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogViewerScreen)
                    and app.screen.loaded, what="the log loaded")
        shown = _viewer(app).visible_lines()
        assert 'msg="Setting up backup temp file"' in shown[0]
        assert "backup=velero/kurator-member1-backup-default-shop" in shown[0]
        await pilot.press("slash")
        app.screen.query_one("#log-search", Input).value = "Backed up a total"
        await pilot.press("enter")
        await pilot.pause()
        log = _viewer(app)
        assert log.current is not None and "Backed up a total of" in log.lines[log.current]
        assert "Backed up a total of" in "\n".join(log.visible_lines())
        assert "match 1 of 1" in static_text(app, "#log-state")
        await pilot.press("e")
        await pilot.pause()
        assert log.current is not None and "level=error" in log.lines[log.current]
        assert log.current == min(i for i, line in enumerate(log.lines)
                                  if "level=error" in line)
        assert "first error" in static_text(app, "#log-state")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LogViewerScreen), what="back")


async def test_status_shows_the_selected_runs_per_item_errors(ran: Ran) -> None:
    _, fleet, kc = ran
    app = make_app(kc)
    backup = fleet.members[0].store.find("velero.io/backups", "velero",
                                         "kurator-member1-backup-default-shop")
    assert backup is not None
    errors = backup["status"]["errors"]
    async with app.run_test(size=SIZE) as pilot:
        await _status(pilot, app)
        await until(pilot, lambda: "error namespace kurator-backup" in
                    static_text(app, "#results"), what="the results lines")
        text = static_text(app, "#results")
        assert text.count("error namespace kurator-backup: error executing custom action") \
            == min(errors, 6)
        fetched = [k for k, _ in fleet.objects.gets if k.endswith("-results.gz")]
        await pilot.press("down")  # member2: Failed, its own results
        await until(pilot, lambda: "object store was reset" in static_text(app, "#results"),
                    what="member2's results")
        await pilot.press("up")  # back to member1: from the cache, no second download
        await until(pilot, lambda: "kurator-member1," in static_text(app, "#results"),
                    what="member1's results again")
        again = [k for k, _ in fleet.objects.gets if k.endswith("-results.gz")]
        assert len(again) == len(fetched) + 1


@pytest.mark.parametrize(("mode", "words"), [("missing", "nothing was uploaded"),
                                              ("expired", "had expired"),
                                              ("failed", "to phase Failed")])
async def test_a_failed_download_is_said_in_place(ran: Ran, mode: str, words: str) -> None:
    sim, fleet, kc = ran
    sim.call(lambda: fleet.members[0].api.controls["downloads"]({"mode": mode}))
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await _status(pilot, app)
        await pilot.press("l")
        await until(pilot, lambda: words in static_text(app, "#log-state"),
                    what="the failure said")
        assert "✗ kurator-member1: " in static_text(app, "#log-state")
        await pilot.press("escape")  # the UI still answers
        await until(pilot, lambda: not isinstance(app.screen, LogViewerScreen), what="back")


async def test_a_request_never_processed_does_not_hang_the_ui(ran: Ran) -> None:
    sim, fleet, kc = ran
    sim.call(lambda: fleet.members[0].api.controls["downloads"]({"mode": "unprocessed"}))
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await _status(pilot, app)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogViewerScreen), what="viewer")
        assert "fetching the log" in static_text(app, "#log-state")
        await pilot.press("escape")  # while the worker still waits for Velero
        await until(pilot, lambda: not isinstance(app.screen, LogViewerScreen), what="back",
                    timeout=3)
        # the worker stops at its next poll: nothing is left running (conftest checks)
        await until(pilot, lambda: not [w for w in app.workers if w.group == "log-fetch"],
                    what="the fetch worker ended")


class _LogApp(App[None]):
    def __init__(self, lines: list[str], title: str = "big") -> None:
        super().__init__()
        self.log_lines = lines
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.push_screen(LogViewerScreen(self.title_text, lambda cancelled: self.log_lines))


def big_log(n: int) -> list[str]:
    return [f'time="2026-01-02T10:00:00Z" level={"error" if i == n - 7 else "info"} '
            f'msg="[b]line {i} [/b]" backup=velero/big' for i in range(n)]


async def test_a_100000_line_log_opens_and_scrolls() -> None:
    app = _LogApp(big_log(100_000))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LogViewerScreen)  # type: ignore[arg-type]
                    and app.screen.loaded, what="loaded")
        log = app.screen.query_one(LogLines)
        assert "100,000 lines, 1 at level error" in str(
            app.screen.query_one("#log-state").render())
        await pilot.press("end")
        await pilot.pause()
        assert log.visible_lines()[-1].startswith('time="') and "line 99999 " in \
            log.visible_lines()[-1]
        await pilot.press("e")
        await pilot.pause()
        assert log.current == 99_993 and "line 99993 " in "\n".join(log.visible_lines())
        rendered = "".join(s.text for s in log.render_line(99_993 - log.scroll_offset.y))
        assert '"[b]line 99993 [/b]"' in rendered  # shown as typed, not read as markup


def fixed_log() -> list[str]:
    """A PartiallyFailed run's log as the simulator writes it, at a fixed time."""
    from fleettui.sim import velero_artifacts as art

    backup = {"metadata": {"name": "nightly", "namespace": "velero"},
              "spec": {"includedNamespaces": ["shop"]},
              "status": {"phase": "PartiallyFailed", "errors": 1, "warnings": 1,
                         "startTimestamp": "2026-01-02T10:00:00Z",
                         "completionTimestamp": "2026-01-02T10:01:30Z"}}
    items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}] + [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "namespace": "shop"}}
        for n in ("db-0", "frontend-0", "[red]odd-name")]
    return art.backup_log(backup, items, art.backup_results(backup, items))


def test_log_viewer_snapshot_at_the_first_error(snap_compare: Callable[..., bool]) -> None:
    async def first_error(pilot: Pilot[None]) -> None:
        app = pilot.app
        await until(pilot, lambda: isinstance(app.screen, LogViewerScreen)  # type: ignore[arg-type]
                    and app.screen.loaded, what="loaded")
        await pilot.press("e")
        await pilot.pause()
        assert "level=error" in "\n".join(app.screen.query_one(LogLines).visible_lines())
        assert "error=" in str(app.screen.query_one("#log-line").render())  # the whole line

    app = _LogApp(fixed_log(), "Velero log of nightly in kurator-member1")
    assert snap_compare(app, run_before=first_error, terminal_size=SIZE)


async def test_readonly_reads_no_log_and_no_results(ran: Ran) -> None:
    _, fleet, kc = ran
    app = make_app(kc, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await _status(pilot, app)
        await until(pilot, lambda: "per-item results not read" in static_text(app, "#results"),
                    what="the readonly note")
        await pilot.press("l")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, LogViewerScreen)
    assert not [a for a in fleet.audit if "downloadrequests" in a["path"]]


async def test_leaving_while_results_are_awaited_stops_their_fetch(ran: Ran) -> None:
    sim, fleet, kc = ran
    sim.call(lambda: fleet.members[0].api.controls["downloads"]({"mode": "unprocessed"}))
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await _status(pilot, app)
        await until(pilot, lambda: "reading Velero's results" in static_text(app, "#results"),
                    what="the results asked for")
        screen = app.screen
        assert isinstance(screen, StatusScreen)
        await pilot.press("escape")
        # the fetch stops at its next poll, not after Velero's 30 s limit
        await until(pilot, lambda: not screen.results._pending, what="the fetch stopped",
                    timeout=5)


async def test_l_on_a_restore_row_opens_its_restore_log(
        sim: tuple[SimThread, SimFleet, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from fleettui.ui.screens.recovery_status import RecoveryStatusScreen
    from tests.cli.cli_helpers import cli

    runner, fleet, kc = sim
    run_backup(capsys, ["--kubeconfig", str(kc)], runner, fleet, "base",
               "--include-namespaces", "kurator-backup")
    code, _, err = cli(capsys, "--kubeconfig", str(kc), "restore", "create", "back",
                       "--from-backup", "base", "--cluster", "kurator-member1", "--fleet",
                       "quickstart")
    assert code == 0, err
    name = "kurator-member1-restore-default-back"

    def restored() -> bool:
        obj = runner.call(lambda: fleet.members[0].store.find("velero.io/restores", "velero",
                                                              name))
        return ((obj or {}).get("status") or {}).get("phase") == "Completed"
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
        await until(pilot, restored, what="the restore completed", timeout=40)
        app.push_screen(RecoveryStatusScreen("Restore", "back"))
        await until(pilot, lambda: "Completed" in table_text(app, "#clusters"), what="the row")
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogViewerScreen)
                    and app.screen.loaded, what="the restore log", timeout=20)
        shown = _viewer(app).visible_lines()
        assert 'msg="starting restore"' in shown[0] and f"restore=velero/{name}" in shown[0]
