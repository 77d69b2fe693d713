"""A Migrate's derived status: the source backup's row and a restore row per target, with the
overall every view shares; where Kurator's phase says BackupInProgress forever, this says
Failed, or that the backup is waiting for the bucket sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fleettui.model.status import (
    COMPLETED,
    FAILED,
    MIGRATE_SYNC_GRACE,
    PENDING,
    RUNNING,
    derive_backup_status,
    finished,
)

M1, M2 = "kurator-member1", "kurator-member2"
DONE_AT = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def migrate(source_status: dict[str, Any] | None = None,
            targets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": "BackupInProgress"}
    if source_status is not None:
        status["sourceClusterStatus"] = {
            "clusterName": M1, "clusterKind": "AttachedCluster",
            "backupNameInCluster": f"{M1}-migrate-default-mv",
            "backupStatusInCluster": source_status}
    if targets is not None:
        status["targetClusterStatus"] = targets
    return {"kind": "Migrate", "metadata": {"name": "mv", "namespace": "default"},
            "spec": {"sourceCluster": {"fleet": "f", "clusters": [{"name": M1}]},
                     "targetCluster": {"fleet": "f", "clusters": [{"name": M2}]}},
            "status": status}


COMPLETED_SOURCE = {"phase": "Completed", "startTimestamp": "2026-11-28T11:59:50Z",
                    "completionTimestamp": "2026-11-28T12:00:00Z"}


def test_a_failed_source_backup_fails_the_migrate() -> None:
    st = derive_backup_status(migrate({"phase": "Failed", "failureReason": "disk full"}),
                              now=DONE_AT)
    assert [(r.cluster_name, r.state) for r in st.rows] == [(M1, FAILED), (M2, FAILED)]
    assert st.overall == FAILED and finished(st)  # a --wait ends, exit 1
    assert st.rows[1].reason == f"nothing to restore: the source backup on {M1} failed"


def test_a_completed_source_waits_for_the_bucket_sync_after_the_grace() -> None:
    soon = derive_backup_status(migrate(COMPLETED_SOURCE), now=DONE_AT + timedelta(seconds=2))
    late = derive_backup_status(migrate(COMPLETED_SOURCE),
                                now=DONE_AT + timedelta(seconds=MIGRATE_SYNC_GRACE))
    for st in (soon, late):
        assert [r.state for r in st.rows] == [COMPLETED, PENDING] and st.overall == RUNNING
    assert not soon.rows[1].reason.startswith("waiting for the backup to sync")
    assert late.rows[1].reason == (
        "waiting for the backup to sync to the targets (the source backup completed at "
        "12:00:00 UTC; Velero syncs its bucket about once a minute)")
    assert late.rows[1].reason in late.summary


def test_a_running_source_leaves_the_targets_waiting_for_it() -> None:
    st = derive_backup_status(migrate({"phase": "InProgress"}), now=DONE_AT)
    assert st.overall == RUNNING
    assert st.rows[1].reason == "the restore waits for the source backup to complete"


def test_member_objects_win_over_kurators_copy() -> None:
    restore = {"kind": "Restore", "metadata": {"name": f"{M2}-migrate-default-mv"},
               "status": {"phase": "Completed", "progress": {"itemsRestored": 3,
                                                             "totalItems": 3}}}
    source = {"kind": "Backup", "metadata": {"name": f"{M1}-migrate-default-mv"},
              "status": COMPLETED_SOURCE}
    st = derive_backup_status(migrate({"phase": "InProgress"}, targets=[]),
                              velero_objects={M1: [source], M2: [restore]}, now=DONE_AT)
    assert [(r.state, r.source) for r in st.rows] == [(COMPLETED, "velero"),
                                                      (COMPLETED, "velero")]
    assert st.overall == COMPLETED and st.rows[1].items_done == 3
