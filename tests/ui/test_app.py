"""The TUI driven with Textual's Pilot against the simulator: each screen and error path."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, Static

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.ui.app import FleetApp
from fleettui.ui.widgets.live_table import LiveTable

Sim = tuple[SimThread, SimFleet, Path]
SIZE = (80, 24)
REPO = Path(__file__).resolve().parents[2]


async def until(pilot: Pilot[int], check: Callable[[], object], timeout: float = 15.0,
                what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def table_text(app: FleetApp, selector: str = "LiveTable") -> str:
    found = app.screen.query(selector)
    if not found:
        return ""  # the screen is still being mounted
    table = found.first(LiveTable)
    return "\n".join(" | ".join(str(c) for c in table.get_row_at(i))
                     for i in range(table.row_count))


def static_text(app: FleetApp, selector: str) -> str:
    found = app.screen.query(selector)
    return str(found.first(Static).render()) if found else ""


async def type_into(pilot: Pilot[int], field: str, text: str) -> None:
    box = pilot.app.screen.query_one(f"#{field}", Input)
    box.value = text
    await pilot.pause()


async def open_form(pilot: Pilot[int], app: FleetApp) -> None:
    await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
    await pilot.press("n")
    await until(pilot, lambda: app.screen.query("#name"), what="the form")


def make_app(kubeconfig: Path, readonly: bool = False) -> FleetApp:
    return FleetApp(str(kubeconfig), "kurator-host", "default", readonly=readonly)


async def test_fleets_screen_shows_members_and_storage(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Available" in table_text(app), what="member storage")
        text = table_text(app)
        assert "quickstart" in text and "kurator-member1" in text and "kurator-member2" in text
        assert "✓ yes" in text


async def test_form_submit_then_live_status_reaches_completed(sim: Sim) -> None:
    _, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "pilot-ns")
        await type_into(pilot, "include_namespaces", "kurator-backup")
        preview = yaml.safe_load(app.screen.preview_yaml)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Backup pilot-ns" in static_text(app, "#title"),
                    what="status screen")
        await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2,
                    what="both clusters Completed")
        assert "Completed" in static_text(app, "#overall")
    host = fleet.host.store
    created = host.find("backup.kurator.dev/backups", "default", "pilot-ns")
    assert created is not None
    assert created["spec"]["policy"]["resourceFilter"] == {"includedNamespaces":
                                                          ["kurator-backup"]}
    assert created["spec"] == preview["spec"]  # the preview was exactly what was sent
    assert created["metadata"]["name"] == preview["metadata"]["name"]


async def test_form_shows_errors_beside_fields_and_keeps_input(sim: Sim) -> None:
    _, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        long_name = "x" * 70
        await type_into(pilot, "name", long_name)
        await type_into(pilot, "labels", "env in (a,")
        await type_into(pilot, "ttl", "30d")
        app.screen.query_one("#scheduled", RadioButton).value = True
        await type_into(pilot, "schedule", "61 * * * *")
        await pilot.press("ctrl+s")
        assert "63" in static_text(app, "#name-error")
        assert "labels" not in static_text(app, "#labels-error")  # names no other field
        assert static_text(app, "#labels-error").startswith("✗")
        assert "720h" in static_text(app, "#ttl-error")
        assert "minute" in static_text(app, "#schedule-error")
        outcome = static_text(app, "#form-error")
        assert "nothing sent" in outcome
        for label in ("Name", "Label filter", "Keep for (TTL)", "Cron schedule"):
            assert label in outcome
        assert app.screen.focused is app.screen.query_one("#name")  # the first to fix
        assert app.screen.query_one("#name", Input).value == long_name  # nothing lost
        assert app.screen.query_one("#schedule", Input).value == "61 * * * *"
    assert not [a for a in fleet.audit if a["verb"] == "create"]


async def test_scheduled_with_an_empty_cron_is_refused_beside_the_field(sim: Sim) -> None:
    _, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "no-cron")
        app.screen.query_one("#scheduled", RadioButton).value = True
        await type_into(pilot, "schedule", "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "schedule is empty" in static_text(app, "#schedule-error"))
        assert app.screen.query_one("#name", Input).value == "no-cron"
        assert app.screen.query_one("#scheduled").value  # type: ignore[attr-defined]
    assert fleet.host.store.find("backup.kurator.dev/backups", "default", "no-cron") is None


async def test_cron_field_explains_schedule_as_you_type(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        app.screen.query_one("#scheduled", RadioButton).value = True
        await type_into(pilot, "schedule", "*/15 2 * * 1")
        hint = static_text(app, "#schedule-hint")
        assert "15 minutes" in hint and "Monday" in hint
        assert hint.count("UTC") >= 5


async def test_api_conflict_and_forbidden_keep_the_form(sim: Sim, tmp_path: Path) -> None:
    runner, fleet, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "twice")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Backup twice" in static_text(app, "#title"))
        await pilot.press("escape")
        await pilot.press("n")
        await until(pilot, lambda: app.screen.query("#name"))
        await type_into(pilot, "name", "twice")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "already exists" in static_text(app, "#form-error"))
        assert app.screen.query_one("#name", Input).value == "twice"
        runner.call(lambda: fleet.host.api.faults.configure({"error": 500, "count": 1}))
        await type_into(pilot, "name", "after-500")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Internal error" in static_text(app, "#form-error"))
        assert app.screen.query_one("#name", Input).value == "after-500"
    names = [o["metadata"]["name"] for o in fleet.host.store.items("backup.kurator.dev/backups")]
    assert names == ["twice"]  # nothing half-created


async def test_readonly_hides_mutations_and_sends_none(sim: Sim, tmp_path: Path) -> None:
    _, fleet, _ = sim
    ro = tmp_path / "ro"
    fleet.write_kubeconfig(ro, readonly=True)
    app = make_app(ro, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app))
        await pilot.press("n")
        await pilot.pause()
        assert not app.screen.query("#name")
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "new_backup" not in keys
        await pilot.press("b")
        await pilot.press("d")
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen.query("#help-body"), what="help screen")
        help_text = str(app.screen.query_one("#help-body", Static).render())
        assert "Delete" not in help_text and "Filter" in help_text
    assert [a for a in fleet.audit if a["user"] == "fleettui-readonly"] == []


async def test_status_says_reconnecting_when_the_server_goes(tmp_path: Path) -> None:
    from tests.conftest import start_sim

    sim, _fleet, kc = start_sim(tmp_path)
    app = make_app(kc)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: "quickstart" in table_text(app))
            await pilot.press("b")
            await pilot.press("n")
            await until(pilot, lambda: app.screen.query("#name"))
            await type_into(pilot, "name", "gone")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2)
            sim.stop()
            await until(pilot, lambda: "reconnecting" in static_text(app, "#overall"),
                        timeout=20, what="reconnecting shown")
            assert table_text(app, "#clusters").count("Completed") == 2  # last known state
    finally:
        sim.stop()


async def test_markup_in_cluster_strings_is_shown_verbatim(sim: Sim) -> None:
    runner, fleet, kc = sim
    host = fleet.host.store

    def add() -> None:
        rt = host.types["backup.kurator.dev/backups"]
        host.create(rt, {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
                         "metadata": {"name": "evil", "namespace": "default"},
                         "spec": {"destination": {"fleet": "[bold red]x[/]"}}})

    runner.call(add)
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await until(pilot, lambda: "evil" in table_text(app))
        assert "[bold red]x[/]" in table_text(app)


async def test_forbidden_and_invalid_on_submit_are_explained(sim: Sim, tmp_path: Path) -> None:
    runner, fleet, _ = sim
    ro = tmp_path / "ro"
    fleet.write_kubeconfig(ro, readonly=True)
    app = make_app(ro)  # a read-only token, but the app was not started with --readonly
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "not-allowed")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "forbidden" in static_text(app, "#form-error"))
        assert "RBAC" in static_text(app, "#form-error")
        assert app.screen.query_one("#name", Input).value == "not-allowed"
    app = make_app(sim[2])
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "rejected")
        runner.call(lambda: fleet.host.api.faults.configure({"error": 422, "count": 1}))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "injected error 422" in static_text(app, "#form-error"))
    assert fleet.host.store.find("backup.kurator.dev/backups", "default", "rejected") is None


async def test_label_builder_adds_and_or_requirements(sim: Sim) -> None:
    _, _, kc = sim
    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "lb-key", "tier")
        app.screen.query_one("#lb-op").value = "in"  # type: ignore[attr-defined]
        await type_into(pilot, "lb-values", "web,db")
        await pilot.click("#lb-and")
        await type_into(pilot, "lb-key", "app")
        app.screen.query_one("#lb-op").value = "="  # type: ignore[attr-defined]
        await type_into(pilot, "lb-values", "busybox")
        await pilot.click("#lb-or")
        await pilot.pause()
        assert app.screen.query_one("#labels", Input).value == "tier in (web,db) OR app=busybox"
        hint = static_text(app, "#labels-hint")
        assert "tier in (db,web)" in hint and "or: app=busybox" in hint
        await type_into(pilot, "lb-values", "a,b")
        await pilot.click("#lb-and")  # "=" with two values
        await pilot.pause()
        assert "in/notin" in static_text(app, "#labels-error")


async def test_palette_offers_every_action_per_backup(sim: Sim, tmp_path: Path) -> None:
    runner, fleet, kc = sim
    host = fleet.host.store
    runner.call(lambda: host.create(host.types["backup.kurator.dev/backups"], {
        "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
        "metadata": {"name": "weekly", "namespace": "default"},
        "spec": {"destination": {"fleet": "quickstart"}}}))
    from fleettui.ui.commands import FleetCommands

    for readonly, expected in ((False, {"open weekly", "yaml weekly", "delete weekly",
                                        "new backup"}),
                               (True, {"open weekly", "yaml weekly"})):
        app = make_app(kc, readonly=readonly)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda app=app: "quickstart" in table_text(app))  # type: ignore[misc]
            await until(pilot, lambda app=app: app.backup_names() == ["weekly"])  # type: ignore[misc]
            names = {n for n, _, _ in FleetCommands(app.screen)._entries()}
            assert expected <= names
            assert readonly is ("delete weekly" not in names)


async def test_fleet_counts_follow_member_changes_even_while_hidden(sim: Sim) -> None:
    runner, fleet, kc = sim
    member = fleet.members[0].store

    def add(name: str) -> None:  # a one-time backup Kurator made there (its feed's scope)
        runner.call(lambda: member.create(member.types["velero.io/backups"], {
            "apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": f"kurator-member1-backup-default-{name}", "namespace": "velero",
                         "labels": {"kurator.dev/backup-name": name}}, "spec": {}}))

    def count() -> str:
        for line in table_text(app).splitlines():
            if "kurator-member1" in line:
                return line.rsplit("|", 1)[-1].strip()
        return ""

    app = make_app(kc)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: count() == "0", what="member1 with no backups")
        add("one")
        await until(pilot, lambda: count() == "1", what="the new backup counted")
        await pilot.press("b")
        add("two")
        await pilot.press("f")
        await until(pilot, lambda: count() == "2", what="counted after coming back")


async def schedule_line(kubeconfig: Path, speed: float) -> str:
    app = make_app(kubeconfig)
    app.schedule_speed = speed
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "quickstart" in table_text(app), what="fleets listed")
        app.open_status("schedule-matchlabels")
        await until(pilot, lambda: "next:" in static_text(app, "#schedule"),
                    what="the schedule line")
        return static_text(app, "#schedule")


async def test_demo_schedule_line_says_the_simulator_runs_it_faster(sim: Sim) -> None:
    _, fleet, kubeconfig = sim
    manifest = yaml.safe_load((REPO / "examples" / "schedule-matchlabels.yaml").read_text())
    fleet.host.store.create(fleet.host.store.types["backup.kurator.dev/backups"], manifest)
    assert "faster" not in await schedule_line(kubeconfig, 1.0)
    assert "fires it 8640x faster" in await schedule_line(kubeconfig, 8640.0)
