"""Screens watch the members they show (#12 item 4): the fleets screen its visible rows, which
move with scrolling; a backup's status screen that backup's clusters, and the rows of members
beyond the cap come from Kurator's copy and say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleettui.kube import resources as kc
from fleettui.live import member_feeds
from fleettui.ui.screens import fleets
from fleettui.ui.screens.fleets import FleetsScreen
from tests.conftest import start_sim
from tests.sim.test_shared_bucket import kurator_backup
from tests.ui.test_app import SIZE, make_app, static_text, table_text, until

M1, M3 = "kurator-member1", "kurator-member3"


def wanted_by(app: object, screen: object) -> list[str]:
    session = app.session  # type: ignore[attr-defined]
    owner = screen.feed_owner  # type: ignore[attr-defined]
    found = session.feeds.owners.get(owner)
    return list(found[1]) if found else []


async def test_scrolling_the_fleets_screen_moves_the_watched_members(tmp_path: Path) -> None:
    runner, _, kubeconfig = start_sim(tmp_path, clusters=30)
    try:
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: "Available" in table_text(app), what="member storage")
            screen = app.screen
            assert isinstance(screen, FleetsScreen)
            await until(pilot, lambda: M1 in wanted_by(app, screen), what="member1 wanted")
            assert "kurator-member30" not in wanted_by(app, screen)  # far below the screen
            assert not app.session.store.has_feed("kurator-member30", kc.VELERO_BACKUPS)  # type: ignore[union-attr]
            for _ in range(30):
                await pilot.press("down")
            await until(pilot, lambda: "kurator-member30" in wanted_by(app, screen),
                        what="the last member wanted once scrolled to")
            assert M1 not in wanted_by(app, screen)
            await until(pilot, lambda: app.session is not None and app.session.store.has_feed(
                "kurator-member30", kc.VELERO_BACKUPS), what="the last member watched")
            assert len(wanted_by(app, screen)) < 30
    finally:
        runner.stop()


async def test_members_beyond_the_cap_show_kurators_copy_and_say_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(member_feeds, "MAX_OPEN", 2)
    runner, fleet, kubeconfig = start_sim(tmp_path, clusters=3)
    try:
        host = fleet.cluster("kurator-host").store
        runner.call(lambda: host.create(host.types["backup.kurator.dev/backups"],
                                        kurator_backup("once")))
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: "not watched (limit 2)" in table_text(app),
                        what="the fleets screen says which member is not watched")
            app.open_status("once")
            await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 3,
                        timeout=20, what="every cluster Completed")
            await until(pilot, lambda: "Kurator's copy" in static_text(app, "#reasons"),
                        what="the copied rows said")
            note = static_text(app, "#reasons")
            assert M3 in note and "1 not watched (limit 2)" in note
            assert M1 not in note  # watched: its row is its own Velero Backup
            session = app.session
            assert session is not None and session.feeds.open_count() == 2
            assert not session.store.has_feed(M3, kc.VELERO_BACKUPS)
    finally:
        runner.stop()


async def test_listed_rows_are_watched_at_once_only_scrolling_waits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The debounce is for a held key going past rows; rows listed (start, a change) are
    wanted in the same refresh: waiting there only delays the first screenful."""
    monkeypatch.setattr(fleets, "WANT_DEBOUNCE", 3600.0)
    runner, _, kubeconfig = start_sim(tmp_path, clusters=3)
    try:
        app = make_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: M3 in table_text(app), what="member rows")
            screen = app.screen
            await until(pilot, lambda: M1 in wanted_by(app, screen), what="member1 wanted")
            await until(pilot, lambda: "Available" in table_text(app), what="member storage")
    finally:
        runner.stop()
