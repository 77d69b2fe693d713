"""The simulator's Kurator Restore and Migrate and Velero restores, as the real controllers
behave: objects really come back, silences included (kurator-restore-migrate.md)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.sim.types import (
    KURATOR_BACKUPS,
    KURATOR_MIGRATES,
    KURATOR_RESTORES,
    NAMESPACES,
    PODS,
    VELERO_BACKUPS,
    VELERO_RESTORES,
)
from tests.conftest import start_sim, wait_for
from tests.sim.kubectl import kubectl, needs_kubectl

Sim = tuple[SimThread, SimFleet, Path]
API = "backup.kurator.dev/v1alpha1"
M1, M2 = "kurator-member1", "kurator-member2"
APP_NS = "kurator-backup"


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[Sim]:
    """A fleet whose members sync the shared bucket (what a migrate needs)."""
    running = start_sim(tmp_path, bucket_sync=0.2)
    try:
        yield running
    finally:
        running[0].stop()


def create(runner: SimThread, fleet: SimFleet, cluster: str, rkey: str, obj: dict[str, Any]
           ) -> None:
    store = fleet.cluster(cluster).store
    runner.call(lambda: store.create(store.types[rkey], copy.deepcopy(obj)))


def find(runner: SimThread, fleet: SimFleet, cluster: str, rkey: str, ns: str, name: str
         ) -> dict[str, Any] | None:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: copy.deepcopy(store.find(rkey, ns, name)))


def delete(runner: SimThread, fleet: SimFleet, cluster: str, rkey: str, ns: str, name: str
           ) -> None:
    store = fleet.cluster(cluster).store
    runner.call(lambda: store.delete(store.types[rkey], ns, name))


def kurator(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API, "kind": kind, "metadata": {"name": name, "namespace": "default"},
            "spec": spec}


def backup_done(runner: SimThread, fleet: SimFleet, name: str) -> bool:
    obj = find(runner, fleet, "kurator-host", KURATOR_BACKUPS, "default", name) or {}
    details = (obj.get("status") or {}).get("backupDetails") or []
    return len(details) == 2 and all(
        (d.get("backupStatusInCluster") or {}).get("phase") == "Completed" for d in details)


def restore_phases(runner: SimThread, fleet: SimFleet, name: str) -> list[str]:
    obj = find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default", name) or {}
    return [(d.get("restoreStatusInCluster") or {}).get("phase", "")
            for d in (obj.get("status") or {}).get("restoreDetails") or []]


def take_backup(runner: SimThread, fleet: SimFleet, name: str) -> None:
    create(runner, fleet, "kurator-host", KURATOR_BACKUPS, kurator("Backup", name, {
        "destination": {"fleet": "quickstart"},
        "policy": {"resourceFilter": {"includedNamespaces": [APP_NS]}}}))
    wait_for(lambda: backup_done(runner, fleet, name), what=f"backup {name} completed")


def test_a_deleted_namespace_comes_back_with_its_pods(sim: Sim) -> None:
    runner, fleet, _ = sim
    take_backup(runner, fleet, "before")
    for name in ("busybox", "busybox-with-pv"):
        delete(runner, fleet, M1, PODS.key, APP_NS, name)
    delete(runner, fleet, M1, NAMESPACES.key, "", APP_NS)
    create(runner, fleet, "kurator-host", KURATOR_RESTORES,
           kurator("Restore", "after", {"backupName": "before"}))
    wait_for(lambda: restore_phases(runner, fleet, "after") == ["Completed", "Completed"],
             what="restore completed in both members")
    pod = find(runner, fleet, M1, PODS.key, APP_NS, "busybox")
    assert pod is not None and pod["metadata"]["labels"]["velero.io/restore-name"] == \
        f"{M1}-restore-default-after"
    assert find(runner, fleet, M1, NAMESPACES.key, "", APP_NS) is not None
    velero = find(runner, fleet, M1, VELERO_RESTORES, "velero", f"{M1}-restore-default-after")
    assert velero is not None
    assert velero["metadata"]["labels"] == {"kurator.dev/restore-name": "after",
                                            "fleet.kurator.dev/fleet-name": "quickstart",
                                            "fleet.kurator.dev/plugin": "backup"}
    assert velero["spec"]["backupName"] == f"{M1}-backup-default-before"
    # member2 kept its pods: they exist already, so each counts as a warning, as in Velero.
    assert velero["status"].get("warnings") is None
    other = find(runner, fleet, M2, VELERO_RESTORES, "velero", f"{M2}-restore-default-after")
    assert other is not None and other["status"]["warnings"] >= 1


def test_namespace_mapping_puts_the_objects_under_the_new_name(sim: Sim) -> None:
    runner, fleet, _ = sim
    take_backup(runner, fleet, "src")
    create(runner, fleet, "kurator-host", KURATOR_RESTORES, kurator("Restore", "mapped", {
        "backupName": "src", "destination": {"fleet": "quickstart", "clusters": [
            {"kind": "AttachedCluster", "name": M2}]},
        "policy": {"namespaceMapping": {APP_NS: "shop-copy"},
                   "resourceFilter": {"labelSelector": {"matchLabels": {"app": "busybox"}}}}}))
    wait_for(lambda: restore_phases(runner, fleet, "mapped") == ["Completed"], what="restored")
    assert find(runner, fleet, M2, PODS.key, "shop-copy", "busybox") is not None
    assert find(runner, fleet, M2, PODS.key, "shop-copy", "busybox-with-pv") is None  # filtered
    assert find(runner, fleet, M1, NAMESPACES.key, "", "shop-copy") is None  # not a target


def test_a_restore_outside_the_backup_is_retried_silently(sim: Sim) -> None:
    runner, fleet, _ = sim
    create(runner, fleet, "kurator-host", KURATOR_BACKUPS, kurator("Backup", "only-one", {
        "destination": {"fleet": "quickstart", "clusters": [
            {"kind": "AttachedCluster", "name": M1}]}}))
    create(runner, fleet, "kurator-host", KURATOR_RESTORES, kurator("Restore", "elsewhere", {
        "backupName": "only-one", "destination": {"fleet": "quickstart", "clusters": [
            {"kind": "AttachedCluster", "name": M2}]}}))
    obj = wait_for(lambda: (find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default",
                                 "elsewhere") or {}).get("metadata", {}).get("finalizers"),
                   what="the restore reconciled")
    assert obj == ["restore.kurator.dev"]
    restore = find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default", "elsewhere")
    assert restore is not None and not restore.get("status")
    assert find(runner, fleet, M2, VELERO_RESTORES, "velero",
                f"{M2}-restore-default-elsewhere") is None


def test_a_schedule_without_a_completed_run_stops_the_restore(sim: Sim) -> None:
    runner, fleet, _ = sim
    create(runner, fleet, "kurator-host", KURATOR_BACKUPS, kurator("Backup", "yearly", {
        "destination": {"fleet": "quickstart"}, "schedule": "0 0 1 1 *"}))
    create(runner, fleet, "kurator-host", KURATOR_RESTORES,
           kurator("Restore", "from-yearly", {"backupName": "yearly"}))
    wait_for(lambda: (find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default",
                           "from-yearly") or {}).get("metadata", {}).get("finalizers"),
             what="the restore reconciled")
    for member in (M1, M2):
        store = fleet.cluster(member).store
        assert not runner.call(lambda s=store: list(s.items(VELERO_RESTORES)))  # type: ignore[misc]


def test_the_newest_completed_run_is_chosen_not_a_newer_partial_one(sim: Sim) -> None:
    runner, fleet, _ = sim
    schedule = f"{M1}-backup-default-nightly"
    for stamp, phase in (("20261101000000", "Completed"), ("20261102000000", "Completed"),
                         ("20261103000000", "PartiallyFailed")):
        run: dict[str, Any] = {"apiVersion": "velero.io/v1", "kind": "Backup",
               "metadata": {"name": f"{schedule}-{stamp}", "namespace": "velero",
                            "labels": {"velero.io/schedule-name": schedule}},
               "spec": {}, "status": {"phase": phase,
                                      "startTimestamp": f"2026-11-0{stamp[7]}T00:00:00Z"}}
        fleet.cluster(M1).store.objects[VELERO_BACKUPS][("velero", run["metadata"]["name"])] = \
            run  # as synced, with no controller running it
    nightly = kurator("Backup", "nightly", {"destination": {"fleet": "quickstart"},
                                            "schedule": "0 0 * * *"})
    chosen = runner.call(lambda: fleet.restores.backup_for(nightly, M1))
    assert chosen == f"{schedule}-20261102000000"
    assert runner.call(lambda: fleet.restores.backup_for(nightly, M2)) is None


def test_restoring_an_unfinished_backup_fails_as_velero_does(sim: Sim) -> None:
    runner, fleet, _ = sim
    create(runner, fleet, M1, VELERO_BACKUPS, {
        "apiVersion": "velero.io/v1", "kind": "Backup",
        "metadata": {"name": "slow", "namespace": "velero"}, "spec": {}})
    create(runner, fleet, M1, VELERO_RESTORES, {
        "apiVersion": "velero.io/v1", "kind": "Restore",
        "metadata": {"name": "too-early", "namespace": "velero"},
        "spec": {"backupName": "slow"}})
    failed = wait_for(lambda: (find(runner, fleet, M1, VELERO_RESTORES, "velero", "too-early")
                               or {}).get("status", {}).get("failureReason"), what="failed")
    assert "error downloading backup" in failed
    create(runner, fleet, M1, VELERO_RESTORES, {
        "apiVersion": "velero.io/v1", "kind": "Restore",
        "metadata": {"name": "no-backup", "namespace": "velero"},
        "spec": {"backupName": "never-taken"}})
    errors = wait_for(lambda: (find(runner, fleet, M1, VELERO_RESTORES, "velero", "no-backup")
                               or {}).get("status", {}).get("validationErrors"), what="refused")
    assert "can't find backup velero/never-taken" in errors[0]


def migrate(name: str) -> dict[str, Any]:
    return kurator("Migrate", name, {
        "sourceCluster": {"fleet": "quickstart", "clusters": [
            {"kind": "AttachedCluster", "name": M1}]},
        "targetCluster": {"fleet": "quickstart", "clusters": [
            {"kind": "AttachedCluster", "name": M2}]},
        "policy": {"resourceFilter": {"includedNamespaces": [APP_NS]},
                   "namespaceMapping": {APP_NS: "moved"}}})


def test_a_migrate_backs_up_the_source_and_restores_in_the_target(synced: Sim) -> None:
    runner, fleet, _ = synced
    create(runner, fleet, "kurator-host", KURATOR_MIGRATES, migrate("move"))
    done = wait_for(lambda: (find(runner, fleet, "kurator-host", KURATOR_MIGRATES, "default",
                                  "move") or {}).get("status", {}).get("phase") == "Completed"
                    and find(runner, fleet, "kurator-host", KURATOR_MIGRATES, "default", "move"),
                    what="migrate completed")
    status = done["status"]
    assert status["conditions"][0]["type"] == "sourceReady"
    assert status["sourceClusterStatus"]["backupNameInCluster"] == f"{M1}-migrate-default-move"
    assert [d["clusterName"] for d in status["targetClusterStatus"]] == [M2]
    assert find(runner, fleet, M2, PODS.key, "moved", "busybox") is not None
    assert find(runner, fleet, M1, NAMESPACES.key, "", "moved") is None  # copied, not moved


def test_a_migrate_whose_backup_never_reaches_the_target_stays_in_backup(sim: Sim) -> None:
    runner, fleet, _ = sim  # no bucket sync: the source backup never reaches member2
    create(runner, fleet, "kurator-host", KURATOR_MIGRATES, migrate("stuck"))
    wait_for(lambda: ((find(runner, fleet, "kurator-host", KURATOR_MIGRATES, "default", "stuck")
                       or {}).get("status") or {}).get("conditions"), what="source ready")
    obj = find(runner, fleet, "kurator-host", KURATOR_MIGRATES, "default", "stuck")
    assert obj is not None and obj["status"]["phase"] == "BackupInProgress"
    assert not obj["status"].get("targetClusterStatus")


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_sees_a_deleted_namespace_again_after_the_upstream_restore(sim: Sim) -> None:
    """The walkthrough by kubectl alone: back up, delete, apply restore-minimal's shape."""
    runner, fleet, kubeconfig = sim
    take_backup(runner, fleet, "select-labels")
    kubectl(kubeconfig, "delete", "pod", "busybox", "-n", APP_NS, context=M2)
    gone = kubectl(kubeconfig, "get", "pods", "-n", APP_NS, "-o", "name", context=M2).stdout
    assert "pod/busybox\n" not in gone
    kubectl(kubeconfig, "apply", "-f", "-", stdin=(
        "apiVersion: backup.kurator.dev/v1alpha1\nkind: Restore\nmetadata:\n  name: minimal\n"
        "  namespace: default\nspec:\n  backupName: select-labels\n"))
    wait_for(lambda: restore_phases(runner, fleet, "minimal") == ["Completed", "Completed"],
             what="restored")
    back = kubectl(kubeconfig, "get", "pods", "-n", APP_NS, "-o", "name", context=M2).stdout
    assert "pod/busybox\n" in back
