"""The status screen's schedule line is recomputed when its next run passes, not on every flush."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fleettui.ui.screens.status import StatusScreen


def upcoming(line: str) -> str:
    return line.split("next: ", 1)[1]


def test_schedule_line_moves_on_when_its_next_run_passes() -> None:
    screen = StatusScreen("nightly")
    t0 = datetime(2026, 3, 1, 0, 0, 30, tzinfo=UTC)
    first = screen._schedule_line("*/5 * * * *", t0)
    assert upcoming(first).startswith("2026-03-01 00:05 UTC")
    assert screen._schedule_line("*/5 * * * *", t0 + timedelta(minutes=4)) == first
    later = screen._schedule_line("*/5 * * * *", datetime(2026, 3, 1, 0, 5, tzinfo=UTC))
    assert upcoming(later).startswith("2026-03-01 00:10 UTC")


def test_schedule_line_follows_an_edited_cron_and_explains_a_bad_one() -> None:
    screen = StatusScreen("nightly")
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert "00:00" in upcoming(screen._schedule_line("0 0 * * *", now))
    assert "13:00" in upcoming(screen._schedule_line("0 13 * * *", now))
    bad = screen._schedule_line("61 * * * *", now)
    assert bad.startswith("✗ schedule '61 * * * *' is invalid") and "minute" in bad
