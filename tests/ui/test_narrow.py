"""Narrow terminals and failure reasons on the live screens (issue #10): phase words are never
cut, names are elided, dropped columns are named, every non-Completed cluster says why."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets.data_table import ColumnKey

from fleettui.kube import resources as kc
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable
from tests.ui.fixed_world import LONG, FixedApp, kurator_session, velero_session
from tests.ui.test_app import static_text, table_text, until

PHASES = ["✓ Completed", "! PartiallyFailed", "✗ FailedValidation"]


def screen_lines(table: LiveTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_a_resize_in_the_middle_of_a_live_table_keeps_phase_words_whole() -> None:
    app = FixedApp(kurator_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "Unavailable" in table_text(app))
        app.open_status("nightly-shop")
        await until(pilot, lambda: "FailedValidation" in table_text(app, "#clusters"))
        table = app.screen.query_one("#clusters", LiveTable)
        first = PHASES[0]
        for width, height in ((80, 24), (60, 15), (46, 15), (100, 30)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            shown = "\n".join(screen_lines(table))
            assert all(p in shown for p in [first, *PHASES[1:]]), (width, shown)
            hidden = static_text(app, "#clusters-hidden")
            assert ("EXPIRES" in hidden) == (width < 100), (width, hidden)
            if width <= 60:
                assert "STARTED" in hidden and "STARTED" not in shown
            if width <= 80:
                assert LONG not in shown and "…" in shown and "\n kur" in shown
            # a live update while narrow: a longer phase word widens its column, whole
            session = app.session
            assert session is not None
            backup = session.store.get("kurator-host", kc.KURATOR_BACKUPS, "default",
                                       "nightly-shop")
            assert backup is not None
            status = backup["status"]["backupDetails"][0]["backupStatusInCluster"]
            status["phase"] = "WaitingForPluginOperations" if width < 100 else "Completed"
            session.store.event("kurator-host", kc.KURATOR_BACKUPS, "MODIFIED", backup)
            await pilot.pause(0.1)
            shown = "\n".join(screen_lines(table))
            first = "▶ WaitingForPluginOperations" if width < 100 else "✓ Completed"
            assert all(p in shown for p in [first, *PHASES[1:]]), shown


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LiveTable([Column("NAME", 12, NAME, least=8), Column("PHASE", 8, PHASE),
                         Column("A", 6, drop=1), Column("B", 6, drop=2)], id="t")


async def test_only_a_layout_change_rebuilds_the_table() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(LiveTable)
        table.sync([("k", ["a-cluster-name", Text("✓ Completed"), "1", "2"])])
        await pilot.pause()
        assert table.hidden == () and "✓ Completed" in table.render_line(1).text
        columns = list(table.columns.values())
        table.sync([("k", ["a-cluster-name", Text("✗ Cancelled"), "1", "3"])])  # same widths
        assert all(a is b for a, b in zip(table.columns.values(), columns, strict=True))
        table.sync([("k", ["a-cluster-name", Text("▶ InProgress"), "1", "3"])])  # wider: grows
        assert table.columns[ColumnKey("PHASE")].width == len("▶ InProgress")
        table.sync([("k", ["a-cluster-name", Text("✗ Failed"), "1", "3"])])  # back to 8 wide
        assert table.columns[ColumnKey("PHASE")].width == 8
        await pilot.resize_terminal(30, 8)
        await pilot.pause()
        assert table.hidden == ("B",)  # names elided to their least first, then B dropped
        assert "✗ Failed" in table.render_line(1).text
        assert "a-clus" in table.render_line(1).text and "…" in table.render_line(1).text
        await pilot.resize_terminal(24, 8)
        await pilot.pause()
        assert table.hidden == ("A", "B") and "✗ Failed" in table.render_line(1).text


async def test_velero_mode_status_says_why_each_context_failed_without_markup() -> None:
    app = FixedApp(velero_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "kurator-member3" in table_text(app))
        app.open_status("nightly")
        await until(pilot, lambda: "FailedValidation" in table_text(app, "#clusters"))
        reasons = static_text(app, "#reasons")
        assert "kurator-member2: [red]rpc error: bucket gone" in reasons
        assert "kurator-member3: bad [b]ttl[/b]" in reasons
        assert "kurator-member1" not in reasons  # Completed: nothing to explain
