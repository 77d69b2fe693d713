"""`:health` at fleet size: the first screenful is derived at once and the rest a part per
tick, in row order, saying so meanwhile; a changed run re-derives only its member's rows (and
its schedule's line); a change on the host (a new scheduled backup) derives every row again."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from fleettui.kube import resources as kc
from fleettui.live.health import session_health
from fleettui.live.session import Session
from fleettui.ui.screens import health
from fleettui.ui.screens.health import HealthScreen, row_key
from fleettui.ui.widgets.live_table import LiveTable
from tests.helpers.health_world import NOW, iso
from tests.ui.fixed_world import FixedApp
from tests.ui.test_app import SIZE, static_text, until

HOST = "kurator-host"
MEMBERS = [f"member-{i:02d}" for i in range(40)]
SCHEDULES = ["alpha", "beta", "gamma"]


def run(vname: str, day: int, phase: str) -> dict[str, Any]:
    start = NOW.replace(hour=0, minute=0, second=0) - timedelta(days=day)
    return {"metadata": {"name": f"{vname}-{start:%Y%m%d%H%M%S}", "namespace": "velero",
                         "uid": f"{vname}-{day}", "resourceVersion": "1",
                         "creationTimestamp": iso(start),
                         "labels": {"velero.io/schedule-name": vname}},
            "status": {"phase": phase, "startTimestamp": iso(start),
                       "completionTimestamp": iso(start + timedelta(minutes=3))}}


def big_session() -> Session:
    s = Session(None, HOST, "default", mode="kurator")
    created = iso(NOW - timedelta(days=9))
    s.store.replace(HOST, kc.FLEETS, [{"metadata": {"name": "f", "namespace": "default"},
                                       "spec": {"clusters": [{"name": m} for m in MEMBERS]}}])
    s.store.replace(HOST, kc.KURATOR_BACKUPS, [
        {"metadata": {"name": n, "namespace": "default", "creationTimestamp": created},
         "spec": {"schedule": "0 0 * * *", "destination": {"fleet": "f"}}}
        for n in SCHEDULES])
    s.store.replace(HOST, kc.ATTACHED_CLUSTERS, [
        {"metadata": {"name": m, "namespace": "default"}, "status": {"ready": True}}
        for m in MEMBERS])
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS):
        s.store.state(HOST, res, kc.SYNCED, "")
    for m in MEMBERS:
        vnames = [f"{m}-backup-default-{n}" for n in SCHEDULES]
        s.store.replace(m, kc.VELERO_SCHEDULES, [
            {"metadata": {"name": v, "namespace": "velero", "creationTimestamp": created},
             "spec": {"schedule": "0 0 * * *"}} for v in vnames])
        s.store.replace(m, kc.VELERO_BACKUPS, [run(v, d, "Completed") for v in vnames
                                               for d in range(5)])
        for res in (kc.VELERO_SCHEDULES, kc.VELERO_BACKUPS):
            s.store.state(m, res, kc.SYNCED, "")
    return s


def keys(app: FixedApp) -> list[str]:
    return [str(k.value) for k in app.screen.query_one(LiveTable).rows]


@pytest.mark.serial  # the first part is looked at within the delay before the next one
async def test_filled_in_row_order_then_one_member_changes_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "FILL_DELAY", 1.5)
    session = big_session()
    app = FixedApp(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = HealthScreen(clock=lambda: NOW)
        await app.push_screen(screen)
        await until(pilot, lambda: keys(app), what="the first rows")
        first = keys(app)
        assert first[0] == "schedule/alpha" and len(first) < 41  # a screenful, then parts
        assert "of 3 schedules shown so far" in static_text(app, "#empty")
        monkeypatch.setattr(health, "FILL_DELAY", 0.01)  # the parts after the next one
        everything = len(SCHEDULES) * (len(MEMBERS) + 1)
        await until(pilot, lambda: len(keys(app)) == everything, what="every row")
        expected = [k for n in SCHEDULES for k in
                    [f"schedule/{n}", *(f"{n}/{m}" for m in MEMBERS)]]
        assert keys(app) == expected
        await until(pilot, lambda: "shown so far" not in static_text(app, "#empty"))
        assert screen.shown == {row_key(h): h for h in session_health(session, NOW)}

        table = app.screen.query_one(LiveTable)
        before = {k: [str(c) for c in table.get_row(k)] for k in keys(app)}
        victim = "member-17"
        vname = f"{victim}-backup-default-beta"
        newest = next(b for b in session.store.objects(victim, kc.VELERO_BACKUPS)
                      if b["metadata"]["name"].startswith(vname) and
                      b["metadata"]["uid"].endswith("-0"))
        failed = copy.deepcopy(newest)
        failed["status"]["phase"] = "Failed"
        failed["metadata"]["resourceVersion"] = "2"
        session.store.event(victim, kc.VELERO_BACKUPS, "MODIFIED", failed)
        await until(pilot, lambda: "failing" in str(table.get_row(f"beta/{victim}")[1]),
                    what="the changed row")
        after = {k: [str(c) for c in table.get_row(k)] for k in keys(app)}
        assert {k for k in after if after[k] != before[k]} == {f"beta/{victim}",
                                                               "schedule/beta"}
        assert after["schedule/beta"][1] == "✗ failing"  # the line speaks for the worst

        backups = session.store.objects(HOST, kc.KURATOR_BACKUPS)
        session.store.replace(HOST, kc.KURATOR_BACKUPS, [*backups, {
            "metadata": {"name": "aaa-first", "namespace": "default",
                         "creationTimestamp": iso(NOW)},
            "spec": {"schedule": "0 0 * * *", "destination": {"fleet": "f"}}}])
        await until(pilot, lambda: keys(app)[0] == "schedule/aaa-first", what="a new schedule")
        await until(pilot, lambda: len(keys(app)) == everything + len(MEMBERS) + 1,
                    what="every row again")
