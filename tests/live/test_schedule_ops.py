"""Schedule operation plans on fixed sessions (what is sent where, what is skipped and why) and
the Backup run-now builds, as `velero backup create --from-schedule` does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fleettui.kube import resources as kc
from fleettui.live.schedule_ops import (
    PAUSE,
    RESUME,
    RUN_NOW,
    PlanError,
    SchedulePlan,
    ScheduleStep,
    backup_from_schedule,
    plan,
    plan_lines,
    toggle_op,
)
from fleettui.live.session import Session
from fleettui.ui.schedule_actions import plan_text
from tests.helpers.health_world import kurator_health_session, velero_health_session

NOW = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)


def test_velero_mode_skips_what_needs_nothing_and_says_why() -> None:
    s = velero_health_session()
    ctx = s.contexts
    sched = s.store.get(ctx[0], kc.VELERO_SCHEDULES, "velero", "daily")
    assert sched is not None
    s.store.replace(ctx[0], kc.VELERO_SCHEDULES, [{**sched, "spec": {**sched["spec"],
                                                                     "paused": True}}])
    p = plan(s, PAUSE, "daily")
    assert [(st.cluster, st.sends) for st in p.steps] == [(ctx[0], False)] + [
        (c, True) for c in ctx[1:]]
    assert plan_lines(p)[0] == f"{ctx[0]}: already paused: nothing is sent."
    assert plan_lines(p)[1].startswith(f"{ctx[1]}: set spec.paused=true on "
                                       "schedules.velero.io/daily in namespace velero.")
    assert toggle_op(s, "daily", "velero") == PAUSE  # some still run
    assert toggle_op(s, "daily", "velero", [ctx[0]]) == RESUME
    with pytest.raises(PlanError) as e:
        plan(s, RESUME, "weekly")
    assert e.value.not_found


def test_kurator_mode_targets_the_members_schedules_of_that_backup() -> None:
    s = kurator_health_session()
    p = plan(s, RUN_NOW, "weekly")
    by = {st.cluster: st for st in p.steps}
    member1 = by["kurator-member1"]
    assert member1.sends and member1.schedule == "kurator-member1-backup-default-weekly"
    assert "the schedule stays paused" in member1.effect
    assert [c for c, st in by.items() if not st.sends] == [c for c in by if c != "kurator-member1"]
    assert all("Kurator has not created it yet" in st.effect for st in p.steps if not st.sends)
    with pytest.raises(PlanError) as e:
        plan(s, PAUSE, "weekly", clusters=["elsewhere"])
    assert not e.value.not_found and "elsewhere: not a cluster of weekly" in e.value.message


def test_a_one_time_backup_is_no_schedule() -> None:
    s = Session(None, "host", "default", mode="kurator")
    s.store.replace("host", kc.KURATOR_BACKUPS, [{"metadata": {"name": "once",
                                                               "namespace": "default"},
                                                  "spec": {"destination": {"fleet": "f"}}}])
    with pytest.raises(PlanError) as e:
        plan(s, PAUSE, "once")
    assert "one-time backup" in e.value.message and not e.value.not_found


def schedule(**spec: object) -> dict[str, object]:
    return {"metadata": {"name": "nightly", "namespace": "velero", "uid": "u-1",
                         "labels": {"team": "a"}, "annotations": {"note": "x"}},
            "spec": {"schedule": "@daily", "template": {"includedNamespaces": ["shop"],
                                                        "ttl": "24h0m0s"}, **spec}}


def test_run_now_builds_velero_s_backup_from_the_schedule() -> None:
    made = backup_from_schedule(schedule(), NOW)
    assert made["metadata"] == {"name": "nightly-20260301120005", "namespace": "velero",
                                "labels": {"team": "a", "velero.io/schedule-name": "nightly"},
                                "annotations": {"note": "x"}}
    assert made["spec"] == {"includedNamespaces": ["shop"], "ttl": "24h0m0s"}
    templated = schedule(template={"metadata": {"labels": {"from": "template"}}},
                         useOwnerReferencesInBackup=True)
    made = backup_from_schedule(templated, NOW)
    assert made["metadata"]["labels"] == {"from": "template",
                                          "velero.io/schedule-name": "nightly"}
    assert made["metadata"]["ownerReferences"] == [{
        "apiVersion": "velero.io/v1", "kind": "Schedule", "name": "nightly", "uid": "u-1",
        "controller": True}]


def test_a_fleet_wide_dialog_says_it_once_for_many_clusters() -> None:
    steps = [ScheduleStep(f"member{i}", f"member{i}-backup-default-n",
                          f"set spec.paused=true on schedules.velero.io/member{i}-backup-"
                          "default-n", "Velero creates no run from it") for i in range(20)]
    steps.append(ScheduleStep("odd", "odd-backup-default-n", "", "already paused: nothing "
                              "is sent"))
    text = plan_text(SchedulePlan(PAUSE, "n", "velero", steps)).plain
    assert text.startswith("On each of 20 clusters: set spec.paused=true on its Velero "
                           "Schedule. Velero creates no run from it.\nmember0, member1")
    assert "… and 8 more" in text and "odd: already paused: nothing is sent." in text
    assert len(text.splitlines()) <= 4
