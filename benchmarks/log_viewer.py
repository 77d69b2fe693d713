"""The Velero log viewer with a 100,000-line log (20,000 with `--quick`), headless at 80x24.

The lines are given to the screen as fetched (no network: what is measured is the viewer's own
work on the UI thread):

* open: push the screen → the first frame composed (`App._display`, as `latency` stamps it)
  with the log's first lines in view;
* a page down, `e` (the first error, near the end) and `n` (the next match of a search that
  matches every 1,000th line): key → the frame that shows it, p50 and max over a few presses.

Goals (issue #15 item 3, "copes with 100,000 lines"): open ≤ 1 s, a key → screen ≤ 100 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from benchmarks.common import Figure
from benchmarks.latency import FrameProbe

NAME = "logs"
DESCRIPTION = "the log viewer on a 100,000-line Velero log: open, page, first error, next match"

LINES, LINES_QUICK = 100_000, 20_000
PRESSES = 10
OPEN_GOAL_MS = 1000.0
KEY_GOAL_MS = 100.0


def log_lines(n: int) -> list[str]:
    return [f'time="2026-01-02T10:{i // 6000 % 60:02d}:{i // 100 % 60:02d}Z" '
            f'level={"error" if i == n - 10 else "info"} msg="Processed item {i}" '
            f'backup=velero/nightly logSource="pkg/backup/backup.go:546" name=pod-{i} '
            f'namespace=shop{"-mark" if i % 1000 == 0 else ""} resource=pods'
            for i in range(n)]


async def _key(pilot: Any, probe: FrameProbe, key: str, check: Any) -> float:
    probe.expect(check)
    t0 = time.monotonic()
    await pilot.press(key)
    deadline = t0 + 30
    while probe.seen is None and time.monotonic() < deadline:
        await pilot.pause(0.001)
    return ((probe.seen or deadline) - t0) * 1000


async def _measure(n: int) -> list[Figure]:
    from textual.app import App
    from textual.widgets import Input

    from fleettui.ui.screens.log_viewer import LogViewerScreen
    from fleettui.ui.widgets.log_lines import LogLines

    lines = log_lines(n)
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        probe = FrameProbe(app)
        screen = LogViewerScreen("bench", lambda cancelled: lines)
        probe.expect(lambda: app.screen is screen and screen.loaded)
        t0 = time.monotonic()
        await app.push_screen(screen)
        while probe.seen is None and time.monotonic() < t0 + 60:
            await pilot.pause(0.001)
        opened = ((probe.seen or t0) - t0) * 1000
        view = screen.query_one(LogLines)
        pages = [await _key(pilot, probe, "pagedown",
                            lambda k=k: view.scroll_offset.y > k * 10) for k in range(PRESSES)]
        error = await _key(pilot, probe, "e", lambda: view.current == n - 10)
        screen.query_one("#log-search", Input).value = "shop-mark"
        await pilot.press("slash")
        await pilot.press("enter")
        await pilot.pause()
        nexts = []
        for _ in range(PRESSES):
            before = view.current
            nexts.append(await _key(pilot, probe, "n", lambda b=before: view.current != b))
    keys = [*pages, error, *nexts]
    p50 = statistics.median(keys)
    return [
        Figure(f"open {n:,} lines → first frame", opened, "ms", f"≤ {OPEN_GOAL_MS:g} ms",
               opened <= OPEN_GOAL_MS),
        Figure("key → screen (page down, e, n), p50", p50, "ms", f"≤ {KEY_GOAL_MS:g} ms",
               p50 <= KEY_GOAL_MS),
        Figure("key → screen, max", max(keys), "ms"),
        Figure("page down → screen, p50", statistics.median(pages), "ms"),
        Figure("n (next of 1 match in 1,000 lines) → screen, p50", statistics.median(nexts),
               "ms"),
        Figure("e: first error near the end → screen", error, "ms"),
    ]


def run(quick: bool) -> list[Figure]:
    return asyncio.run(_measure(LINES_QUICK if quick else LINES))
