"""The cheap repaint path: only what changed is re-rendered, a text box asks for a layout only
when its height changes, a change is painted at once after a quiet spell, and a stream of changes
gets a bounded number of frames."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from fleettui.ui.frames import FrameBudget, paint_now
from fleettui.ui.screens.base import set_text
from fleettui.ui.widgets.live_table import LiveTable

COLUMNS = [("NAME", 8), ("PHASE", 12), ("ITEMS", 7)]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_budget_paints_a_burst_at_once_then_holds_the_rate() -> None:
    clock = Clock()
    budget = FrameBudget(rate=30, burst=3, clock=clock)
    for _ in range(3):
        assert budget.delay() == 0
        budget.spend()
    wait = budget.delay()
    assert abs(wait - 1 / 30) < 1e-9
    clock.now += wait
    assert budget.delay() == 0


def test_budget_under_a_storm_gives_about_rate_frames_a_second() -> None:
    clock = Clock()
    budget = FrameBudget(rate=30, burst=3, clock=clock)
    frames = 0
    end = clock.now + 10
    while clock.now < end:  # a change every millisecond for 10 s
        wait = budget.delay()
        if wait <= 0:
            budget.spend()
            frames += 1
        clock.now += 0.001
    assert 300 <= frames <= 304


def test_budget_refills_to_its_burst_only() -> None:
    clock = Clock()
    budget = FrameBudget(rate=10, burst=2, clock=clock)
    clock.now += 60
    budget.spend()
    budget.spend()
    assert budget.delay() > 0


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LiveTable(COLUMNS, id="t")


def rows(*items: int) -> list[tuple[str, list[str]]]:
    return [(f"k{i}", [f"c{i}", "InProgress", f"{n}/9"]) for i, n in enumerate(items)]


def line(table: LiveTable, y: int) -> str:
    return table.render_line(y).text


async def test_a_changed_cell_renders_its_new_value_and_nothing_else_moves() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(LiveTable)
        table.sync(rows(1, 2, 3))
        await pilot.pause()
        before = [line(table, y) for y in range(4)]
        assert "1/9" in before[1] and "3/9" in before[3]
        table.sync(rows(1, 7, 3))
        await pilot.pause()
        after = [line(table, y) for y in range(4)]
        assert "7/9" in after[2] and "2/9" not in after[2]
        assert after[:2] == before[:2] and after[3] == before[3]
        # the cursor moving onto and off the changed row keeps its new value
        await pilot.press("down")
        assert "7/9" in line(table, 2)
        table.sync(rows(1, 8, 3))
        await pilot.press("up")
        assert "8/9" in line(table, 2) and "1/9" in line(table, 1)


async def test_paint_now_composes_the_frame_in_the_same_call() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(LiveTable)
        table.sync(rows(1, 2))
        await pilot.pause()
        frames: list[Any] = []
        display = app._display

        def record(screen: Any, renderable: Any) -> None:
            frames.append(renderable)
            display(screen, renderable)

        app._display = record  # type: ignore[method-assign]
        table.sync(rows(1, 5))
        assert paint_now(app) is True
        assert len(frames) == 1 and frames[0] is not None
        assert "5/9" in line(table, 2)
        assert paint_now(app) is False  # nothing left to paint


async def test_paint_now_leaves_layouts_to_textual() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(LiveTable)
        table.sync(rows(1))
        await pilot.pause()
        table.styles.height = 3  # a layout change
        assert paint_now(app) is False
        await pilot.pause()
        assert table.size.height == 3


class TextApp(App[None]):
    CSS = "#fixed { height: 1; }"

    def compose(self) -> ComposeResult:
        yield Static("", id="auto")
        yield Static("", id="fixed")


async def test_set_text_asks_for_a_layout_only_when_the_height_changes() -> None:
    app = TextApp()
    async with app.run_test(size=(20, 8)) as pilot:
        auto, fixed = app.query_one("#auto", Static), app.query_one("#fixed", Static)
        set_text(auto, "one line")
        await pilot.pause()
        layouts = auto._layout_updates
        set_text(auto, "another line")
        set_text(fixed, "a fixed box, however long its text is")
        assert auto._layout_updates == layouts and not fixed._layout_required
        set_text(auto, "a text that wraps onto two lines")
        assert auto._layout_updates == layouts + 1
        await pilot.pause()
        assert auto.size.height == 2
        await pilot.resize_terminal(40, 8)  # now one line is enough for the same text
        await pilot.pause()
        assert auto.size.height == 1
        set_text(auto, "a text that wraps onto two lines!")  # one line at the new width
        await pilot.pause()
        assert auto.size.height == 1 and "lines!" in str(auto.render())
        set_text(auto, "x" * 60)
        await pilot.pause()
        assert auto.size.height == 2


async def test_set_text_skips_an_unchanged_text_but_not_a_new_style() -> None:
    app = TextApp()
    async with app.run_test(size=(20, 8)) as pilot:
        auto = app.query_one("#auto", Static)
        set_text(auto, "same")
        await pilot.pause()
        content = auto.visual
        set_text(auto, "same")
        assert auto.visual is content
        set_text(auto, Text("same", style="red"))
        assert auto.visual is not content


def test_gc_policy_freezes_the_survivors_of_each_full_collection(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from fleettui.ui.gc_pauses import GcPolicy

    # What the policy does, counted where it does it: gc.get_freeze_count() is the whole
    # process's, and moves whenever any other thread frees an object that was frozen.
    freezes: list[int] = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: (freezes.append(1), real_freeze())[1])

    def frozen(obj: object) -> bool:  # frozen = in no generation any more
        return not any(o is obj for o in gc.get_objects())

    gc.disable()  # no automatic collection in between: this test makes its own
    policy = GcPolicy()
    survivor: list[object] = [object()]
    try:
        policy.after_flush()
        assert freezes == [] and not frozen(survivor)  # no full collection since
        gc.collect()
        policy.after_flush()
        assert len(freezes) == 1 and frozen(survivor)
        policy.after_flush()
        assert len(freezes) == 1  # once per full collection
        gc.collect()
        policy.after_flush()
        assert len(freezes) == 2
    finally:
        gc.unfreeze()
        gc.enable()
