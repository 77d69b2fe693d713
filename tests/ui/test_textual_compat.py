"""Textual's private API is used only where this Textual has it, and never when asked not to;
the app still works on the public path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui import app as app_module
from fleettui.ui import textual_compat
from fleettui.ui.textual_compat import internals_allowed
from tests.ui.test_app import (
    SIZE,
    make_app,
    open_form,
    static_text,
    table_text,
    type_into,
    until,
)

Sim = tuple[SimThread, SimFleet, Path]
REPO = Path(__file__).resolve().parents[2]


def test_internals_only_on_the_line_they_were_written_for() -> None:
    assert internals_allowed("8.2.8", "")
    assert internals_allowed("8.2.10", "0")
    assert not internals_allowed("8.3.0", "")
    assert not internals_allowed("9.0.1", "")
    assert not internals_allowed("", "")
    assert not internals_allowed("8.2.8", "1")


def test_the_switch_turns_every_internal_off() -> None:
    code = ("from fleettui.ui import textual_compat as c, app as a\n"
            "print(c.QUIET_DRIVER, c.PAINT_NOW, c.CELL_REPAINT, a.quiet_driver())")
    env = {**os.environ, "FLEETTUI_TEXTUAL_PUBLIC": "1"}
    env.pop("TEXTUAL_DRIVER", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=REPO, timeout=60, check=True).stdout
    assert out.split() == ["False", "False", "False", "None"]


def test_this_textual_has_what_the_internals_need() -> None:
    """The pinned Textual: a failure here means the pin moved without the code."""
    assert textual_compat.QUIET_DRIVER and textual_compat.PAINT_NOW
    assert textual_compat.CELL_REPAINT


async def test_the_public_path_still_shows_a_backup_to_completed(
        sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual_compat, "PAINT_NOW", False)
    monkeypatch.setattr(textual_compat, "CELL_REPAINT", False)
    monkeypatch.setattr(app_module, "paint_now", _must_not_run)
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "public-path")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Completed" in static_text(app, "#overall"), timeout=30,
                    what="Completed shown")
        # the cells changed through DataTable.update_cell, and show it
        await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2,
                    what="both clusters' rows updated")


def _must_not_run(*_: object) -> bool:
    raise AssertionError("paint_now ran on the public path")
