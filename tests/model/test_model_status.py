"""status.py: derived phases on the upstream status samples and synthetic cases."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.kurator import ClusterRef
from fleettui.model.status import (
    PHASE_SYMBOLS,
    STATES,
    ClusterRow,
    derive_backup_status,
    finished,
    overall_phase,
    rows_from_velero,
    state_for_phase,
    succeeded,
)

SAMPLES = "kurator/examples/status-samples-from-docs"
NOW = datetime(2023, 10, 28, 3, 0, tzinfo=UTC)
FLEET3 = [ClusterRef("kurator-member1"), ClusterRef("kurator-member2"),
          ClusterRef("kurator-member3")]


def _sample(shared_dir: Path, name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((shared_dir / SAMPLES / f"{name}.status.yaml").read_text()))


def _detail(cluster: str, phase: str, name: str = "", **status: Any) -> dict[str, Any]:
    return {"clusterName": cluster, "clusterKind": "AttachedCluster",
            "backupNameInCluster": name or f"{cluster}-backup-default-b",
            "backupStatusInCluster": {"phase": phase, **status}}


def _backup(details: list[dict[str, Any]], schedule: str = "", **meta: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"destination": {"fleet": "quickstart"}}
    if schedule:
        spec["schedule"] = schedule
    return {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": "b", "namespace": "default", **meta}, "spec": spec,
            "status": {"backupDetails": details}}


# --- the samples from the upstream docs -------------------------------------------------------


def test_every_sample_derives(shared_dir: Path) -> None:
    expected = {"backup-select-labels": "Completed", "backup-schedule": "Scheduled",
                "restore-minimal": "Completed", "restore-schedule": "Completed",
                "migrate-select-labels": "Completed"}
    files = sorted((shared_dir / SAMPLES).glob("*.status.yaml"))
    assert {f.name.removesuffix(".status.yaml") for f in files} == set(expected)
    for path in files:
        status = derive_backup_status(yaml.safe_load(path.read_text()), now=NOW)
        assert status.overall == expected[path.name.removesuffix(".status.yaml")], path.name
        assert status.summary


def test_select_labels_sample(shared_dir: Path) -> None:
    status = derive_backup_status(_sample(shared_dir, "backup-select-labels"))
    assert status.overall == "Completed" and not status.scheduled
    assert status.summary == "2/2 clusters completed"
    first = status.rows[0]
    assert (first.cluster_kind, first.cluster_name) == ("AttachedCluster", "kurator-member1")
    assert first.velero_name == "kurator-member1-backup-default-select-labels"
    assert (first.items_done, first.items_total) == (1, 1)
    assert first.started == datetime(2023, 10, 28, 3, 37, 7, tzinfo=UTC)
    assert first.completed == datetime(2023, 10, 28, 3, 37, 13, tzinfo=UTC)
    assert first.expires == datetime(2023, 11, 27, 3, 37, 7, tzinfo=UTC)
    assert status.rows[1].items_total is None  # progress: {}


def test_schedule_sample_waits_for_first_run(shared_dir: Path) -> None:
    status = derive_backup_status(_sample(shared_dir, "backup-schedule"), now=NOW)
    assert status.scheduled and status.overall == "Scheduled"
    assert [r.state for r in status.rows] == ["Waiting"]
    assert status.rows[0].velero_name == "kurator-member2-backup-default-schedule"
    assert "next 2023-10-28 03:05 UTC" in status.rows[0].message
    assert status.runs == {"kurator-member2": []}
    assert status.summary.startswith("Every 5 minutes (UTC): 1/1 clusters waiting")


def test_upstream_in_progress_sample_is_running(shared_dir: Path) -> None:
    # The specific-ns output shown in the upstream walkthrough (both clusters InProgress).
    text = (shared_dir / "docs" / "kurator-unified-backup-upstream.md").read_text()
    block = text.split("The expected result should be:\n\n```console\n")[1].split("```")[0]
    obj = yaml.safe_load(block)
    status = derive_backup_status(obj)
    assert status.overall == "Running"
    assert [r.state for r in status.rows] == ["Running", "Running"]
    assert [r.phase_display for r in status.rows] == ["InProgress", "InProgress"]
    assert status.summary.startswith("0/2 clusters completed; kurator-member1 InProgress")


def test_migrate_sample_rows(shared_dir: Path) -> None:
    status = derive_backup_status(_sample(shared_dir, "migrate-select-labels"))
    assert [(r.cluster_name, r.message) for r in status.rows] == [
        ("kurator-member1", "source (backup)"), ("kurator-member2", "target (restore)")]


# --- synthetic immediate backups --------------------------------------------------------------


def test_no_details_is_pending() -> None:
    status = derive_backup_status(_backup([]))
    assert status.overall == "Pending" and status.rows == []
    assert "no status yet" in status.summary


def test_missing_cluster_keeps_it_running() -> None:
    obj = _backup([_detail("kurator-member1", "Completed"), _detail("kurator-member2",
                                                                    "Completed")])
    status = derive_backup_status(obj, FLEET3)
    assert status.overall == "Running"
    assert [r.state for r in status.rows] == ["Completed", "Completed", "Pending"]
    assert status.rows[2].velero_name == "kurator-member3-backup-default-b"
    assert status.summary == ("2/3 clusters completed; kurator-member3 has no status yet "
                              "(cluster not ready or Kurator not reconciling)")


def test_failed_and_partially_failed() -> None:
    obj = _backup([_detail("kurator-member1", "PartiallyFailed", errors=2, warnings=1),
                   _detail("kurator-member2", "FailedValidation",
                           validationErrors=["Invalid included/excluded namespace lists"])])
    status = derive_backup_status(obj)
    assert status.overall == "Failed"
    assert [r.state for r in status.rows] == ["PartiallyFailed", "Failed"]
    assert status.rows[0].errors == 2 and status.rows[0].warnings == 1
    assert "kurator-member2 failed: Invalid included/excluded" in status.summary
    assert "kurator-member1 partially failed (2 errors, 1 warnings)" in status.summary
    partial = _backup([_detail("kurator-member1", "WaitingForPluginOperationsPartiallyFailed"),
                       _detail("kurator-member2", "Completed")])
    assert derive_backup_status(partial).overall == "PartiallyFailed"


def test_failure_reason_is_shown() -> None:
    reason = 'found a backup with status "InProgress" during the server starting'
    obj = _backup([_detail("m1", "Failed", failureReason=reason)])
    status = derive_backup_status(obj)
    assert status.rows[0].failure_reason.startswith("found a backup")
    assert "m1 failed: found a backup" in status.summary


def test_deleting() -> None:
    obj = _backup([_detail("m1", "Completed")], deletionTimestamp="2023-10-28T04:00:00Z")
    status = derive_backup_status(obj)
    assert status.overall == "Deleting"
    assert status.summary.startswith("being deleted")


def test_live_velero_object_wins_when_more_advanced() -> None:
    obj = _backup([_detail("m1", "New"), _detail("m2", "InProgress",
                                                 startTimestamp="2023-10-28T03:00:00Z")])
    live = {"m1": [{"kind": "Backup", "metadata": {"name": "m1-backup-default-b"},
                    "status": {"phase": "InProgress", "progress": {"itemsBackedUp": 3,
                                                                   "totalItems": 9}}}],
            "m2": [{"kind": "Backup", "metadata": {"name": "m2-backup-default-b"},
                    "status": {"phase": "New"}},
                   {"kind": "Backup", "metadata": {"name": "unrelated"},
                    "status": {"phase": "Failed"}}]}
    status = derive_backup_status(obj, velero_objects=live)
    m1, m2 = status.rows
    assert (m1.source, m1.phase, m1.items_done, m1.items_total) == ("velero", "InProgress", 3, 9)
    assert (m2.source, m2.phase) == ("kurator", "InProgress")
    assert status.overall == "Running"
    done = {"m2": [{"kind": "Backup", "metadata": {"name": "m2-backup-default-b"},
                    "status": {"phase": "Completed", "startTimestamp": "2023-10-28T03:00:00Z"}}]}
    assert derive_backup_status(obj, velero_objects=done).rows[1].state == "Completed"


def test_live_object_for_cluster_without_kurator_entry() -> None:
    obj = _backup([_detail("kurator-member1", "Completed")])
    live = {"kurator-member3": [{"metadata": {"name": "kurator-member3-backup-default-b"},
                                 "status": {"phase": "Failed"}}]}
    status = derive_backup_status(obj, FLEET3, velero_objects=live)
    assert [r.state for r in status.rows] == ["Completed", "Pending", "Failed"]
    # member2 may still start: the overall is not final while a cluster has no final phase.
    assert status.overall == "Running" and not finished(status)
    assert "kurator-member3 failed" in status.summary


# --- scheduled backups ----------------------------------------------------------------------


def _run(cluster: str, stamp: str, phase: str = "Completed") -> dict[str, Any]:
    name = f"{cluster}-backup-default-b-{stamp}"
    started = datetime.strptime(stamp, "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")
    return _detail(cluster, phase, name, startTimestamp=started)


def _placeholder(cluster: str) -> dict[str, Any]:
    return {"clusterName": cluster, "clusterKind": "AttachedCluster", "backupStatusInCluster": {}}


def test_schedule_with_several_runs() -> None:
    obj = _backup([_placeholder("m1"), _placeholder("m2"), _run("m1", "20231028000000"),
                   _run("m1", "20231029000000"), _run("m1", "20231027000000")], "0 0 * * *")
    status = derive_backup_status(obj, now=NOW)
    assert status.overall == "Scheduled"
    m1, m2 = status.rows
    assert m1.velero_name == "m1-backup-default-b-20231029000000" and m1.state == "Completed"
    assert m2.state == "Waiting" and "next 2023-10-29 00:00 UTC" in m2.message
    assert [r.velero_name[-14:] for r in status.runs["m1"]] == [
        "20231029000000", "20231028000000", "20231027000000"]
    assert status.runs["m2"] == []
    assert "last run completed on 1/2 clusters" in status.summary


def test_schedule_runs_ordered_by_name_suffix_without_timestamps() -> None:
    obj = _backup([_detail("m1", "Completed", "m1-backup-default-b-20231027000000"),
                   _detail("m1", "Completed", "m1-backup-default-b-20231029000000")], "0 0 * * *")
    assert derive_backup_status(obj, now=NOW).rows[0].velero_name.endswith("20231029000000")


def test_newer_failed_run_from_member_makes_schedule_failed() -> None:
    obj = _backup([_placeholder("m1"), _run("m1", "20231028000000")], "0 0 * * *")
    failed_run = {"kind": "Backup", "metadata": {
        "name": "m1-backup-default-b-20231029000000",
        "labels": {"velero.io/schedule-name": "m1-backup-default-b"}},
        "status": {"phase": "Failed", "startTimestamp": "2023-10-29T00:00:00Z",
                   "failureReason": "BSL unavailable"}}
    other = {"kind": "Backup", "metadata": {"name": "someone-else-20231030000000"},
             "status": {"phase": "Failed"}}
    status = derive_backup_status(obj, velero_objects={"m1": [failed_run, other]}, now=NOW)
    assert status.overall == "Failed"
    row = status.rows[0]
    assert row.source == "velero" and row.state == "Failed"
    assert row.message == "last successful run: m1-backup-default-b-20231028000000"
    assert [r.state for r in status.runs["m1"]] == ["Failed", "Completed"]


def test_running_scheduled_run_and_invalid_schedule_object() -> None:
    obj = _backup([_placeholder("m1")], "0 0 * * *")
    running = {"metadata": {"name": "m1-backup-default-b-20231028000000"},
               "status": {"phase": "InProgress"}}
    assert derive_backup_status(obj, velero_objects={"m1": [running]}, now=NOW).overall == \
        "Running"
    schedule = {"kind": "Schedule", "metadata": {"name": "m1-backup-default-b"},
                "status": {"phase": "FailedValidation",
                           "validationErrors": ["invalid schedule: expected exactly 5 fields"]}}
    status = derive_backup_status(obj, velero_objects={"m1": [schedule]}, now=NOW)
    assert status.overall == "Failed"
    assert "invalid schedule" in status.summary


def test_schedule_with_missing_cluster_is_pending() -> None:
    obj = _backup([_placeholder("kurator-member1")], "0 0 * * *")
    status = derive_backup_status(obj, [ClusterRef("kurator-member1"),
                                        ClusterRef("kurator-member2")], now=NOW)
    assert [r.state for r in status.rows] == ["Waiting", "Pending"]
    assert status.overall == "Pending"


# --- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("phase", "state"), [
    ("Failed", "Failed"), ("FailedValidation", "Failed"), ("PartiallyFailed", "PartiallyFailed"),
    ("FinalizingPartiallyFailed", "PartiallyFailed"), ("Completed", "Completed"),
    ("", "Running"), ("New", "Running"), ("Queued", "Running"), ("ReadyToStart", "Running"),
    ("InProgress", "Running"), ("WaitingForPluginOperations", "Running"),
    ("Finalizing", "Running"), ("SomethingNew", "Running"), ("Deleting", "Deleting"),
])
def test_state_for_phase(phase: str, state: str) -> None:
    assert state_for_phase(phase) == state


@pytest.mark.parametrize(("states", "expected", "overall"), [
    ([], 0, "Pending"), ([], 2, "Pending"), (["Completed"], 1, "Completed"),
    (["Completed"], 2, "Running"), (["Completed", "Failed"], 2, "Failed"),
    (["PartiallyFailed", "Running"], 2, "Running"), (["Running", "Pending"], 2, "Running"),
    (["Failed", "Running"], 2, "Running"), (["Failed"], 2, "Running"),
    (["PartiallyFailed", "Failed"], 2, "Failed"), (["Completed", "PartiallyFailed"], 2,
                                                   "PartiallyFailed"),
    (["Failed", "Deleting"], 2, "Failed"),
    (["Pending", "Pending"], 2, "Pending"), (["Completed", "Deleting"], 2, "Deleting"),
])
def test_overall_phase(states: list[str], expected: int, overall: str) -> None:
    assert overall_phase(states, expected) == overall


def test_overall_is_final_only_once_every_cluster_ended() -> None:
    # One member fails fast while another still runs: what a watch sees, change by change.
    seen = [_backup([_detail("m1", "PartiallyFailed"), _detail("m2", "InProgress")]),
            _backup([_detail("m1", "PartiallyFailed"), _detail("m2", "Failed")])]
    early, late = (derive_backup_status(obj) for obj in seen)
    assert (early.overall, finished(early), succeeded(early)) == ("Running", False, False)
    assert (late.overall, finished(late), succeeded(late)) == ("Failed", True, False)
    done = derive_backup_status(_backup([_detail("m1", "Completed")]))
    assert (done.overall, finished(done), succeeded(done)) == ("Completed", True, True)


@pytest.mark.parametrize(("states", "overall"), [
    ([], "Pending"), (["Pending", "Pending"], "Pending"), (["Waiting", "Completed"], "Scheduled"),
    (["Failed", "Running"], "Failed"), (["Running", "Waiting"], "Running"),
    (["Waiting", "Pending"], "Pending"), (["PartiallyFailed", "Completed"], "PartiallyFailed"),
])
def test_scheduled_overall_phase(states: list[str], overall: str) -> None:
    assert overall_phase(states, scheduled=True) == overall


def test_symbols_cover_every_state_and_phase_display() -> None:
    assert set(STATES) <= set(PHASE_SYMBOLS)
    assert ClusterRow("", "c", "v", phase="", state="Running").phase_display == "New"
    assert ClusterRow("", "c", "v").phase_display == ""
    assert ClusterRow("", "c", "v", state="Failed").symbol == "✗"


def test_rows_from_velero() -> None:
    objs = [
        {"kind": "Backup", "metadata": {"name": "a"},
         "status": {"phase": "InProgress", "progress": {"itemsBackedUp": 5, "totalItems": 10}}},
        {"kind": "Backup", "metadata": {"name": "b", "deletionTimestamp": "2024-01-01T00:00:00Z"},
         "status": {"phase": "Completed"}},
        {"kind": "Restore", "metadata": {"name": "r"},
         "status": {"phase": "Completed", "progress": {"itemsRestored": 2, "totalItems": 2}}},
        {"kind": "Schedule", "metadata": {"name": "s"}, "spec": {"paused": True},
         "status": {"phase": "Enabled", "lastBackup": "2024-01-01T00:00:00Z"}},
        {"kind": "Backup", "metadata": {"name": "n"}},
    ]
    rows = rows_from_velero(objs, "ctx-a")
    assert [(r.velero_name, r.state) for r in rows] == [
        ("a", "Running"), ("b", "Deleting"), ("r", "Completed"), ("s", "Waiting"),
        ("n", "Running")]
    assert (rows[0].items_done, rows[0].items_total) == (5, 10)
    assert rows[2].items_done == 2
    assert rows[3].message == "paused; last run created 2024-01-01 00:00Z"
    assert rows[4].phase_display == "New"
    assert all(r.cluster_name == "ctx-a" for r in rows)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) |
                     st.dictionaries(st.sampled_from([
                         "clusterName", "clusterKind", "backupNameInCluster", "phase",
                         "backupStatusInCluster", "startTimestamp", "progress", "itemsBackedUp",
                         "schedule", "destination", "clusters", "name", "backupDetails",
                         "deletionTimestamp", "validationErrors", "labels", "metadata"]),
                         inner, max_size=4), max_leaves=15)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["kind", "metadata", "spec", "status"]), _json,
                       max_size=4),
       st.dictionaries(st.text(max_size=4), st.lists(_json, max_size=2), max_size=2))
def test_derivation_never_raises_on_odd_objects(obj: dict[str, Any],
                                                live: dict[str, Any]) -> None:
    status = derive_backup_status(copy.deepcopy(obj), velero_objects=live, now=NOW)
    assert status.overall in {*STATES, "Scheduled"}
    assert all(r.state in STATES for r in status.rows)
    rows_from_velero([obj, *live.values()])


def test_schedule_summary_counts_earlier_completed_runs_while_a_new_one_runs() -> None:
    from fleettui.model.status import derive_backup_status

    def run(cluster: str, stamp: str, phase: str) -> dict[str, object]:
        name = f"{cluster}-backup-default-n-{stamp}"
        return {"apiVersion": "velero.io/v1", "kind": "Backup",
                "metadata": {"name": name, "namespace": "velero",
                             "labels": {"velero.io/schedule-name":
                                        f"{cluster}-backup-default-n"}},
                "status": {"phase": phase, "startTimestamp":
                           f"2026-11-25T{stamp[8:10]}:{stamp[10:12]}:00Z"}}

    obj = {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
           "metadata": {"name": "n", "namespace": "default"},
           "spec": {"schedule": "*/2 * * * *", "destination": {"fleet": "q"}},
           "status": {"backupDetails": [{"clusterName": "m1", "clusterKind": "AttachedCluster",
                                         "backupStatusInCluster": {}}]}}
    velero = {"m1": [run("m1", "20261125100000", "Completed"),
                     run("m1", "20261125100200", "InProgress")]}
    st = derive_backup_status(obj, velero_objects=velero)
    assert "no completed run" not in st.summary
    assert "1/1 clusters have a completed run" in st.summary
