"""The shared bucket: each member's Velero syncs the others' Backups as real Velero's backup sync
does, and nothing in the simulator takes a synced copy for the member's own."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim, wait_for
from tests.sim.test_restore_migrate import create, find

Sim = tuple[SimThread, SimFleet, Path]
MEMBERS = ["kurator-member1", "kurator-member2", "kurator-member3"]
VB = "velero.io/backups"
KB = "backup.kurator.dev/backups"


@pytest.fixture
def fleet3(tmp_path: Path) -> Iterator[Sim]:
    running = start_sim(tmp_path, clusters=3, bucket_sync=0.2, backup_seconds=0.2,
                        speed=86400 / 2)  # a daily cron fires every ~2 s
    try:
        yield running
    finally:
        running[0].stop()


def kurator_backup(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"destination": {"fleet": "quickstart"},
                     "policy": {"resourceFilter": {"includedNamespaces": ["kurator-backup"]}},
                     **spec}}


def backups(runner: SimThread, fleet: SimFleet, cluster: str) -> list[dict[str, Any]]:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: copy.deepcopy(list(store.items(VB, "velero"))))


def synced_again(runner: SimThread, fleet: SimFleet, cluster: str) -> None:
    """Wait for a later sync of `cluster` (its location's lastSyncedTime moves on)."""
    def synced() -> str:
        bsl = find(runner, fleet, cluster, "velero.io/backupstoragelocations", "velero",
                   "default") or {}
        return str((bsl.get("status") or {}).get("lastSyncedTime", ""))

    before = synced()
    wait_for(lambda: synced() > before, what=f"another bucket sync on {cluster}")


def completed_everywhere(runner: SimThread, fleet: SimFleet, names: list[str]) -> bool:
    for cluster in MEMBERS:
        got = {b["metadata"]["name"]: (b.get("status") or {}).get("phase")
               for b in backups(runner, fleet, cluster)}
        if any(got.get(n) != "Completed" for n in names):
            return False
    return True


def test_copies_carry_what_velero_sync_gives_them(fleet3: Sim) -> None:
    runner, fleet, _ = fleet3
    create(runner, fleet, "kurator-host", KB, kurator_backup("nightly-db"))
    own = [f"{m}-backup-default-nightly-db" for m in MEMBERS]
    wait_for(lambda: completed_everywhere(runner, fleet, own), timeout=30,
             what="every member's backup synced to every member")
    origin = find(runner, fleet, "kurator-member1", VB, "velero", own[0])
    copied = find(runner, fleet, "kurator-member2", VB, "velero", own[0])
    assert origin is not None and copied is not None
    # Labels, annotations, spec and status as uploaded; uid and creation are the copy's own.
    assert copied["metadata"]["labels"] == origin["metadata"]["labels"] == {
        "kurator.dev/backup-name": "nightly-db", "fleet.kurator.dev/fleet-name": "quickstart",
        "fleet.kurator.dev/plugin": "backup", "velero.io/storage-location": "default"}
    assert copied["metadata"]["annotations"] == origin["metadata"]["annotations"]
    assert "velero.io/source-cluster-k8s-gitversion" in copied["metadata"]["annotations"]
    assert copied["spec"] == {**origin["spec"], "storageLocation": "default"}
    assert copied["status"] == origin["status"]
    assert copied["metadata"]["uid"] != origin["metadata"]["uid"]
    bsl = find(runner, fleet, "kurator-member3", "velero.io/backupstoragelocations", "velero",
               "default")
    assert bsl is not None and bsl["status"]["lastSyncedTime"]
    # Velero never runs a copy again, and Kurator reads each member's own backup.
    rv = copied["metadata"]["resourceVersion"]
    synced_again(runner, fleet, "kurator-member2")
    again = find(runner, fleet, "kurator-member2", VB, "velero", own[0])
    assert again is not None and again["metadata"]["resourceVersion"] == rv
    assert fleet.bucket.get(own[0]) is not None
    assert fleet.bucket.entries[own[0]].origin == "kurator-member1"

    def details() -> dict[str, str]:
        kb = find(runner, fleet, "kurator-host", KB, "default", "nightly-db") or {}
        return {d["clusterName"]: d.get("backupNameInCluster", "")
                for d in (kb.get("status") or {}).get("backupDetails") or []}

    wait_for(lambda: len(details()) == 3, what="Kurator's status for every member")
    assert details() == {m: f"{m}-backup-default-nightly-db" for m in MEMBERS}


def test_scheduled_runs_tell_own_from_copies_by_the_schedule_label(fleet3: Sim) -> None:
    runner, fleet, _ = fleet3
    create(runner, fleet, "kurator-host", KB, kurator_backup("daily", schedule="0 0 * * *"))

    def runs_of(cluster: str) -> dict[str, list[str]]:
        by_schedule: dict[str, list[str]] = {}
        for b in backups(runner, fleet, cluster):
            schedule = (b["metadata"].get("labels") or {}).get("velero.io/schedule-name")
            if schedule and (b.get("status") or {}).get("phase") == "Completed":
                by_schedule.setdefault(schedule, []).append(b["metadata"]["name"])
        return by_schedule

    schedules = {m: f"{m}-backup-default-daily" for m in MEMBERS}
    wait_for(lambda: all(set(runs_of(m)) == set(schedules.values()) for m in MEMBERS),
             timeout=40, what="each member holding every member's scheduled runs")
    for member in MEMBERS:
        runs = runs_of(member)
        own = runs[schedules[member]]
        assert own and all(n.startswith(schedules[member] + "-") for n in own)
        copies = [n for s, names in runs.items() if s != schedules[member] for n in names]
        assert copies and not any(n.startswith(member + "-") for n in copies)
        # The copies came through the bucket: no other member's Schedule exists here.
        for other, schedule in schedules.items():
            here = find(runner, fleet, member, "velero.io/schedules", "velero", schedule)
            assert (here is not None) == (other == member)

    def latest_per_cluster() -> dict[str, str]:
        kb = find(runner, fleet, "kurator-host", KB, "default", "daily") or {}
        latest: dict[str, str] = {}
        for d in (kb.get("status") or {}).get("backupDetails") or []:
            if d.get("backupNameInCluster"):
                latest[d["clusterName"]] = d["backupNameInCluster"]
        return latest

    latest = wait_for(lambda: len(latest_per_cluster()) == 3 and latest_per_cluster(),
                      timeout=30, what="a completed run in Kurator's status for every member")
    for member, name in latest.items():
        assert name.startswith(schedules[member] + "-")


def test_data_gone_from_the_bucket_takes_the_copies_with_it(fleet3: Sim) -> None:
    runner, fleet, _ = fleet3
    # Plain Velero backups: Kurator would take a new one if its own went missing.
    own = [f"{m}-adhoc" for m in MEMBERS]
    for member, name in zip(MEMBERS, own, strict=True):
        create(runner, fleet, member, VB, {
            "apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "velero"},
            "spec": {"includedNamespaces": ["kurator-backup"]}})
    wait_for(lambda: completed_everywhere(runner, fleet, own), timeout=30,
             what="every backup synced everywhere")
    create(runner, fleet, "kurator-member1", "velero.io/deletebackuprequests", {
        "apiVersion": "velero.io/v1", "kind": "DeleteBackupRequest",
        "metadata": {"name": "del-adhoc", "namespace": "velero"},
        "spec": {"backupName": own[0]}})

    def copies_left() -> list[str]:
        return [m for m in MEMBERS
                if find(runner, fleet, m, VB, "velero", own[0]) is not None]

    wait_for(lambda: copies_left() == [], timeout=30,
             what="the copies deleted once the data left the bucket")
    assert all(find(runner, fleet, m, VB, "velero", own[1]) is not None for m in MEMBERS)
