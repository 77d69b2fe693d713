"""live.health over hand-filled stores: Kurator's copied runs stand in for an unreadable member,
plain Velero mode drops runs synced in from another context, contexts without Velero are no
members, and a schedule's scope comes from Kurator's policy until the member has its Schedule."""

from __future__ import annotations

from typing import Any

from fleettui.kube import resources as kc
from fleettui.live.health import kurator_health, members_of, scopes_of, session_health
from fleettui.live.session import Session
from fleettui.model.coverage import PARTIAL, coverage, inventory_from_objects
from tests.helpers.health_world import (
    NOW,
    kurator_health_session,
    kurator_scheduled,
    velero_health_session,
    velero_run,
)
from tests.helpers.sessions import HOST


def copied(backup: dict[str, Any], cluster: str, run: dict[str, Any]) -> None:
    backup["status"]["backupDetails"].append({
        "clusterName": cluster, "clusterKind": "AttachedCluster",
        "backupNameInCluster": run["metadata"]["name"], "backupStatusInCluster": run["status"]})


def test_an_unreadable_member_keeps_kurators_copied_runs_and_says_why() -> None:
    s = kurator_health_session()
    member = "kurator-member1"
    backup = kurator_scheduled("copied")
    copied(backup, member, velero_run(f"{member}-backup-default-copied", 28, "Completed"))
    s.store.replace(HOST, kc.KURATOR_BACKUPS, [backup])
    s.store.replace(member, kc.VELERO_BACKUPS, [])  # the member's own objects: none read
    rows = kurator_health(s.store, HOST, "default", NOW, errors={member: "connection refused"})
    row = next(r for r in rows if r.cluster == member)
    assert row.last_success is not None and row.verdict == "ok"
    assert row.reason.endswith(f"(last known state: {member} cannot be read: "
                               "connection refused)")


def test_a_member_not_read_yet_says_so() -> None:
    synced = kurator_health_session()
    assert all(r.problem == "" for r in session_health(synced, NOW))
    s2 = Session(None, HOST, "default", mode="kurator")
    s2.store.replace(HOST, kc.KURATOR_BACKUPS, [kurator_scheduled("n")])
    lonely = kurator_health(s2.store, HOST, "default", NOW)
    assert lonely and all("not read yet" in r.problem for r in lonely)


def test_plain_velero_drops_runs_synced_in_from_another_context() -> None:
    s = velero_health_session()
    ctx = "kurator-member3"
    synced = velero_run("daily", 28, "Completed")
    synced["metadata"]["name"] = "daily-20261128000007"
    synced["metadata"]["creationTimestamp"] = "2026-11-28T00:03:00Z"  # a minute after it ended
    s.store.replace(ctx, kc.VELERO_BACKUPS, [velero_run("daily", 25, "Completed"), synced])
    row = next(r for r in session_health(s, NOW) if r.cluster == ctx)
    assert [r.name for r in row.runs] == ["daily-20261125000000"]
    assert row.verdict == "late"


def test_contexts_without_velero_are_no_members() -> None:
    s = velero_health_session()
    s.store.state("kurator-member3", kc.VELERO_SCHEDULES, kc.MISSING, "not served")
    assert members_of(s) == ["kurator-member1", "kurator-member2"]
    assert members_of(kurator_health_session()) == sorted(
        ["kurator-member1", "kurator-member2", "kurator-member-eu-west-1-production"])


def test_scope_from_kurators_policy_until_the_member_has_its_schedule() -> None:
    s = kurator_health_session()
    policy = {"resourceFilter": {"includedNamespaces": ["shop"],
                                 "labelSelector": {"matchLabels": {"app": "web"}}}}
    s.store.replace(HOST, kc.KURATOR_BACKUPS, [kurator_scheduled("web", policy=policy)])
    scopes = scopes_of(s, session_health(s, NOW))
    scope = scopes["kurator-member1"][0]
    assert scope.schedule == "web" and scope.included == ("shop",) and scope.selectors
    inv = inventory_from_objects([{"metadata": {"name": "shop"}}],
                                 [{"metadata": {"namespace": "shop", "labels": {"app": "web"}}}])
    fresh = scope.__class__(**{**scope.__dict__, "age": 60.0})
    cell = coverage({"kurator-member1": inv}, {"kurator-member1": [fresh]}, 3600).cells[
        ("shop", "kurator-member1")]
    assert cell.state == PARTIAL and "matches 1 of 1 pod" in cell.reason
