"""The form tells the outcome of every submit where the user looks, keeps every key typed in a
burst, and never throws a changed form away without asking."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, SelectionList

from fleettui.kube.errors import KubeError
from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from fleettui.ui.screens.backup_form import refusal
from fleettui.ui.screens.confirm import ConfirmScreen
from fleettui.ui.widgets.toggles import Checklist, Choice
from tests.ui.test_app import SIZE, make_app, open_form, static_text, table_text, type_into, until

Sim = tuple[SimThread, SimFleet, Path]
KURATOR = "backup.kurator.dev/backups"


def outcome_on_screen(app: FleetApp) -> str:
    """The outcome bar's text, only if all of it is on screen above the footer (no scrolling)."""
    bar = app.screen.query_one("#form-error")
    footer = app.screen.query_one("Footer")
    region = bar.region
    if not bar.display or region.height == 0 or region.bottom > footer.region.y:
        return ""
    return static_text(app, "#form-error")


def created(fleet: SimFleet, name: str) -> bool:
    return fleet.host.store.find(KURATOR, "default", name) is not None


def post_keys(app: FleetApp, keys: list[str]) -> None:
    """All at once, as a burst from the terminal arrives (Pilot's press waits between keys)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


@pytest.mark.parametrize(("code", "expected"), [
    (400, "400"), (403, "403"), (409, "change Name"), (422, "422"), (500, "500")])
async def test_every_refusal_is_on_screen_with_the_form_intact(sim: Sim, code: int,
                                                               expected: str) -> None:
    runner, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "refused")
        await type_into(pilot, "include_namespaces", "kurator-backup")
        runner.call(lambda: fleet.host.api.faults.configure({"error": code, "count": 1}))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: outcome_on_screen(app).startswith("✗"), what="the refusal")
        text = outcome_on_screen(app)
        assert "kurator-host" in text and expected in text and "nothing you typed" in text
        assert app.screen.query_one("#name", Input).value == "refused"
        assert app.screen.query_one("#include_namespaces", Input).value == "kurator-backup"
    assert not created(fleet, "refused")


async def test_dry_run_says_accepted_and_creates_nothing(sim: Sim) -> None:
    _, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "only-tried")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: outcome_on_screen(app).startswith("✓"), what="accepted")
        assert "dry-run" in outcome_on_screen(app) and "nothing created" in outcome_on_screen(app)
    assert not created(fleet, "only-tried")
    assert any(a["dryRun"] for a in fleet.audit if a["verb"] == "create")


async def test_a_dead_server_is_explained_on_the_form(sim: Sim) -> None:
    runner, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "into-the-void")
        runner.stop()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: outcome_on_screen(app).startswith("✗"), timeout=30,
                    what="unreachable explained")
        assert "reach" in outcome_on_screen(app)
        assert app.screen.query_one("#name", Input).value == "into-the-void"


async def test_a_name_that_exists_is_flagged_before_submit(sim: Sim) -> None:
    _, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "first")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: created(fleet, "first"), what="first created")
        await until(pilot, lambda: "Backup first" in static_text(app, "#title"), what="status")
        await pilot.press("escape")
        await open_form(pilot, app)
        await type_into(pilot, "name", "first")
        assert "exists already" in static_text(app, "#name-error")


async def test_a_burst_typed_behind_n_lands_in_the_form_and_submits_it(sim: Sim) -> None:
    _, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
        post_keys(app, ["n", "ctrl+u", *"qb-typed", "tab", "tab", "tab", *"shop", "ctrl+s"])
        await until(pilot, lambda: created(fleet, "qb-typed"), what="qb-typed created")
    obj = fleet.host.store.find(KURATOR, "default", "qb-typed")
    assert obj is not None
    assert obj["spec"]["policy"]["resourceFilter"]["includedNamespaces"] == ["shop"]


async def test_a_pasted_list_keeps_every_line(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        app.screen.query_one("#include_namespaces", Input).focus()
        await pilot.pause()
        app.post_message(events.Paste("shop\nkurator-backup\n\nmonitoring\n"))
        box = app.screen.query_one("#include_namespaces", Input)
        await until(pilot, lambda: box.value, what="the paste")
        assert box.value == "shop,kurator-backup,monitoring"


@pytest.mark.parametrize("key", ["escape", "q", "ctrl+c"])
async def test_a_changed_form_asks_before_it_is_lost(sim: Sim, key: str) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "half-done")
        app.screen.query_one("#clusters").focus()  # where q is not typed into a field
        await pilot.pause()
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")  # keep editing
        await until(pilot, lambda: app.screen.query("#name"), what="back on the form")
        assert app.screen.query_one("#name", Input).value == "half-done"
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked again")
        await pilot.press("y")
        if key == "escape":
            await until(pilot, lambda: not app.screen.query("#name"), what="form closed")
            assert app.is_running
        else:
            await until(pilot, lambda: not app.is_running, what="the app quit")


async def test_an_untouched_form_closes_without_a_question(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await pilot.press("escape")
        await until(pilot, lambda: "quickstart" in table_text(app), what="back on fleets")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_ctrl_p_opens_the_palette_as_help_says(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette",
                    what="the palette")


async def test_help_lists_the_screens_own_keys_first(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen.query("#help-body"), what="help")
        lines = static_text(app, "#help-body").splitlines()
        assert any("New backup" in line for line in lines[:8])
        assert any("Backups" in line for line in lines[:8])


async def test_readonly_says_so_and_offers_no_create(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await until(pilot, lambda: "yet" in static_text(app, "#empty"), what="empty list")
        assert "Press n" not in static_text(app, "#empty")
        assert "Read-only" in static_text(app, "#empty")
        assert "read-only" in static_text(app, "#connection")


async def test_ticked_and_selected_states_differ_in_glyph_not_only_colour(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        clusters = app.screen.query_one("#clusters", Checklist)
        await until(pilot, lambda: clusters.option_count == 2, what="members listed")
        clusters.deselect(clusters.get_option_at_index(1).value)
        await pilot.pause()
        ticked, unticked = (clusters.render_line(i).text for i in (0, 1))
        assert ticked[:3] != unticked[:3]
        once, scheduled = app.screen.query(Choice).results(Choice)
        assert once.render().plain[:3] != scheduled.render().plain[:3]
        assert isinstance(clusters, SelectionList)


def test_without_a_terminal_the_tui_says_so_at_once() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "fleettui", "demo"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=10)
    assert time.monotonic() - started < 5  # the interpreter's start included
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "terminal" in lines[0] and "ssh -t" in lines[0]




def test_a_refusal_names_its_code_once() -> None:
    said = refusal(KubeError(401, "Unauthorized", "token rejected (401 Unauthorized): the "
                             "credentials in k are not accepted", [], "host"), [])
    assert said.startswith("✗ host: token rejected (401 Unauthorized): the credentials")
    said = refusal(KubeError(403, "Forbidden", "backups is forbidden", [], "host"), [])
    assert said.startswith("✗ host: 403 Forbidden: backups is forbidden")
