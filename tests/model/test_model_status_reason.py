"""Every non-Completed row says why, from Velero's own status, in both modes (issue #10)."""

from __future__ import annotations

from typing import Any

from fleettui.model.status import derive_backup_status, row_from_velero


def velero(name: str, status: dict[str, Any], kind: str = "Backup") -> dict[str, Any]:
    return {"kind": kind, "metadata": {"name": name}, "status": status}


def test_plain_velero_rows_carry_failure_reason_and_validation_errors() -> None:
    failed = row_from_velero(velero("b", {"phase": "Failed", "failureReason": "bucket gone"}),
                             "ctx-a")
    invalid = row_from_velero(velero("b", {
        "phase": "FailedValidation",
        "validationErrors": ["Invalid included/excluded namespace lists", "bad ttl"]}), "ctx-b")
    silent = row_from_velero(velero("b", {"phase": "Failed"}), "ctx-c")
    assert failed.reason == "bucket gone"
    assert invalid.reason == "Invalid included/excluded namespace lists; bad ttl"
    assert silent.reason == "Velero recorded no reason (see: velero backup logs b)"


def test_partial_pending_waiting_and_completed_reasons() -> None:
    partial = row_from_velero(velero("b", {"phase": "PartiallyFailed", "errors": 1,
                                           "warnings": 2}), "ctx")
    assert partial.reason == "1 error, 2 warnings (see: velero backup logs b)"
    assert row_from_velero(velero("b", {"phase": "Completed"}), "ctx").reason == ""
    assert row_from_velero(velero("b", {"phase": "InProgress"}), "ctx").reason == ""
    schedule = row_from_velero({"kind": "Schedule", "metadata": {"name": "s"},
                                "status": {"phase": "FailedValidation",
                                           "validationErrors": ["invalid schedule: x"]}}, "c")
    assert schedule.reason == "invalid schedule: x"
    obj = {"kind": "Backup", "metadata": {"name": "x", "namespace": "default"},
           "spec": {"destination": {"fleet": "f", "clusters": [{"name": "m1"}]}}}
    pending = derive_backup_status(obj).rows[0]
    assert "m1 has no status yet" in pending.reason


def test_kurator_rows_reason_and_headline_without_the_phrases() -> None:
    obj = {"kind": "Backup", "metadata": {"name": "x", "namespace": "default"},
           "spec": {"destination": {"fleet": "f"}},
           "status": {"backupDetails": [
               {"clusterName": "m1", "clusterKind": "AttachedCluster",
                "backupNameInCluster": "m1-backup-default-x",
                "backupStatusInCluster": {"phase": "Failed", "failureReason": "[red]boom"}},
               {"clusterName": "m2", "clusterKind": "AttachedCluster",
                "backupNameInCluster": "m2-backup-default-x",
                "backupStatusInCluster": {"phase": "Completed"}}]}}
    st = derive_backup_status(obj)
    assert [r.reason for r in st.rows] == ["[red]boom", ""]
    assert st.headline == "1/2 clusters completed"
    assert st.summary == "1/2 clusters completed; m1 failed: [red]boom"


def test_a_restores_reason_points_at_velero_restore_logs() -> None:
    partial = row_from_velero(velero("r", {"phase": "PartiallyFailed", "errors": 1},
                                     kind="Restore"), "ctx")
    assert partial.reason == "1 error, 0 warnings (see: velero restore logs r)"
    listed = row_from_velero({"metadata": {"name": "r"}, "spec": {"backupName": "b"},
                              "status": {"phase": "Failed"}}, "ctx")  # a list item: no kind
    assert listed.reason == "Velero recorded no reason (see: velero restore logs r)"
    obj = {"kind": "Restore", "metadata": {"name": "x", "namespace": "default"},
           "spec": {"backupName": "b", "destination": {"fleet": "f",
                                                         "clusters": [{"name": "m1"}]}},
           "status": {"restoreDetails": [{"clusterName": "m1", "restoreNameInCluster": "m1-r",
                                          "restoreStatusInCluster": {"phase": "Failed"}}]}}
    (row,) = derive_backup_status(obj).rows
    assert row.reason == "Velero recorded no reason (see: velero restore logs m1-r)"
