"""A shared bucket makes every member list every member's backups: a member's "last backup"
and count are its own, never another cluster's copy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fleettui.kube import resources as kc
from fleettui.model.timefmt import clock
from fleettui.model.velero import synced_from_bucket
from fleettui.ui import rows
from tests.helpers.sessions import kurator_session

M1, M2 = "kurator-member1", "kurator-member2"


def backup(name: str, created: str, started: str, completed: str,
           labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "velero", "labels": labels or {},
                         "creationTimestamp": created},
            "status": {"phase": "Completed", "startTimestamp": started,
                       "completionTimestamp": completed}}


KURATOR = {"kurator.dev/backup-name": "nightly"}


def test_kurator_copies_are_told_by_their_cluster_name_and_others_by_their_times() -> None:
    own = backup(f"{M1}-backup-default-nightly", "2026-03-01T10:00:00Z",
                 "2026-03-01T10:00:01Z", "2026-03-01T10:05:00Z", KURATOR)
    theirs = {**own, "metadata": {**own["metadata"], "name": f"{M2}-backup-default-nightly"}}
    assert not synced_from_bucket(own, M1) and synced_from_bucket(theirs, M1)
    assert synced_from_bucket(own, M2)
    # plain Velero: a copy is created after the run had started (only finished runs sync)
    plain_own = backup("daily", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z",
                       "2026-03-01T10:05:00Z")
    plain_copy = backup("daily", "2026-03-01T10:06:00Z", "2026-03-01T10:00:00Z",
                        "2026-03-01T10:05:00Z")
    assert not synced_from_bucket(plain_own, M1) and synced_from_bucket(plain_copy, M1)
    assert not synced_from_bucket({"metadata": {"name": "x"}}, M1)  # no times: its own


def test_the_fleet_screen_counts_only_the_members_own_backups() -> None:
    session = kurator_session()
    own = backup(f"{M1}-backup-default-nightly", "2026-03-01T10:00:00Z",
                 "2026-03-01T10:00:01Z", "2026-03-01T10:05:00Z", KURATOR)
    newer_copy = backup(f"{M2}-backup-default-nightly", "2026-03-02T11:00:00Z",
                        "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", KURATOR)
    session.store.replace(M1, kc.VELERO_BACKUPS, [own, newer_copy])
    session.store.state(M1, kc.VELERO_BACKUPS, kc.SYNCED, "")
    now = datetime(2026, 3, 3, tzinfo=UTC)
    _, last, count = rows.member_storage(session, M1, now)
    assert count == "1"
    assert last == clock(datetime(2026, 3, 1, 10, 5, tzinfo=UTC), now)
