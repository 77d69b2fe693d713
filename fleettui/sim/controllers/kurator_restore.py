"""Simulated Kurator Unified Restore and Migrate controllers on the host cluster.

They follow the real ones (Kurator pkg/fleet-manager/backup/restore_controller.go and
migrate_controller.go), silences included: a destination outside the Backup is retried with no
status; a scheduled Backup without a Completed run in some cluster stops the reconcile with
nothing created anywhere; Velero Restores are create-only and labelled with the bare
Restore/Migrate name; the status copy refreshes every `sync_interval`; the restore polls until
every entry is Completed; a Migrate waits until its source backup is in each target (the bucket
sync), then restores there, and only a fully Completed migrate leaves BackupInProgress."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from fleettui.model.errors import FieldError
from fleettui.model.names import velero_object_name
from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.controllers.base import WorkQueue, set_status, write
from fleettui.sim.controllers.kurator import (
    MANAGER,
    VELERO_NS,
    KuratorBackupController,
    ResolveError,
)
from fleettui.sim.controllers.velero import rfc3339
from fleettui.sim.errors import ApiError
from fleettui.sim.kurator_objects import velero_migrate_backup_for, velero_restore_for
from fleettui.sim.store import Event, Obj
from fleettui.sim.types import (
    KURATOR_BACKUPS,
    KURATOR_MIGRATES,
    KURATOR_RESTORES,
    VELERO_BACKUPS,
    VELERO_RESTORES,
)

RESTORE_FINALIZER = "restore.kurator.dev"
MIGRATE_FINALIZER = "migrate.kurator.dev"
RESTORE_LABEL = "kurator.dev/restore-name"
MIGRATE_LABEL = "kurator.dev/migrate-name"
SCHEDULE_LABEL = "velero.io/schedule-name"
MIGRATE_WAIT = 5.0  # fleetmanager.RequeueAfter: the migrate's waiting steps
RETRY = 5.0  # controller-runtime's backoff, simplified


class KuratorRestoreController:
    def __init__(self, backups: KuratorBackupController) -> None:
        self.backups = backups  # its fleet resolution and member stores
        self.host = backups.host
        self.sync_interval = backups.sync_interval
        self.restores = WorkQueue(self.reconcile_restore)
        self.migrates = WorkQueue(self.reconcile_migrate)
        self.host.listeners.append(self.on_event)

    def start(self) -> None:
        for rkey, queue in ((KURATOR_RESTORES, self.restores), (KURATOR_MIGRATES, self.migrates)):
            for obj in self.host.items(rkey):
                queue.add((obj["metadata"]["namespace"], obj["metadata"]["name"]))

    async def stop(self) -> None:
        await self.restores.stop()
        await self.migrates.stop()

    def on_event(self, ev: Event) -> None:
        queue = {KURATOR_RESTORES: self.restores, KURATOR_MIGRATES: self.migrates}.get(ev.rkey)
        if queue is None or ev.type == "DELETED":
            return
        meta = ev.obj["metadata"]
        old = (ev.old or {}).get("metadata", {})
        if ev.old is None or old.get("generation") != meta.get("generation") or \
                old.get("finalizers") != meta.get("finalizers") or \
                meta.get("deletionTimestamp") != old.get("deletionTimestamp"):
            queue.add((meta["namespace"], meta["name"]))

    def member(self, cluster: str) -> ControllerStore:
        store = self.backups.members(cluster)
        if store is None:
            raise ApiError(503, f"cluster {cluster} unreachable")
        return store

    def resolve(self, obj: Obj, destination: object) -> list[tuple[str, str]]:
        return self.backups.resolve({"metadata": obj["metadata"],
                                     "spec": {"destination": destination or {}}})

    # ---- restore -------------------------------------------------------------------------
    async def reconcile_restore(self, key: tuple[str, str]) -> float | None:
        obj = self.host.find(KURATOR_RESTORES, *key)
        if obj is None:
            return None
        if obj["metadata"].get("deletionTimestamp"):
            return self.finalize(obj, KURATOR_RESTORES, RESTORE_FINALIZER, RESTORE_LABEL,
                                 [(c, VELERO_RESTORES) for c in self._restore_clusters(obj)])
        obj = add_finalizer(self.host, KURATOR_RESTORES, obj, RESTORE_FINALIZER)
        spec = obj.get("spec") or {}
        backup = self.host.find(KURATOR_BACKUPS, key[0], str(spec.get("backupName") or ""))
        try:
            clusters = self.restore_destination(obj, backup)
        except ResolveError:
            return RETRY  # only in the fleet-manager log: no status, retried forever
        assert backup is not None
        chosen = {}
        for kind, cluster in clusters:
            name = self.backup_for(backup, cluster)
            if name is None:
                return None  # "no completed Velero backups available": stops, creates nothing
            chosen[(kind, cluster)] = name
        fleet = ((backup.get("spec") or {}).get("destination") or {}).get("fleet")
        for (_, cluster), backup_name in chosen.items():
            self.ensure_restore(obj, cluster, fleet, backup_name, spec.get("policy"))
        details = self.sync(obj, "restoreDetails", clusters, "restore")
        return None if all_completed(details) else self.sync_interval

    def restore_destination(self, obj: Obj, backup: Obj | None) -> list[tuple[str, str]]:
        if backup is None:
            raise ResolveError("failed to retrieve the referred backup")
        base = self.backups.resolve(backup)
        wanted = (obj.get("spec") or {}).get("destination")
        if not wanted:
            return base
        backup_fleet = ((backup.get("spec") or {}).get("destination") or {}).get("fleet")
        if wanted.get("fleet") != backup_fleet:
            raise ResolveError("the restore destination fleet must be the same as the backup's")
        clusters = self.resolve(obj, wanted)
        if not set(clusters) <= set(base):
            raise ResolveError("the restore clusters must be a subset of the base clusters")
        return clusters

    def _restore_clusters(self, obj: Obj) -> list[str]:
        backup = self.host.find(KURATOR_BACKUPS, obj["metadata"]["namespace"],
                                str((obj.get("spec") or {}).get("backupName") or ""))
        try:
            return [c for _, c in self.restore_destination(obj, backup)]
        except ResolveError:
            return []  # Kurator drops the finalizer anyway: the Velero Restores are orphaned

    def backup_for(self, backup: Obj, cluster: str) -> str | None:
        """Kurator's getBackupForRestore: the immediate backup's name, unchecked, or the
        newest Completed run of the schedule (None when there is none, or listing fails)."""
        meta = backup["metadata"]
        name = velero_object_name(cluster, "backup", meta["namespace"], meta["name"])
        if not (backup.get("spec") or {}).get("schedule"):
            return name
        store = self.backups.members(cluster)
        if store is None:
            return None
        runs = [b for b in store.items(VELERO_BACKUPS, VELERO_NS)
                if (b["metadata"].get("labels") or {}).get(SCHEDULE_LABEL) == name
                and (b.get("status") or {}).get("phase") == "Completed"]
        newest = max(runs, key=lambda b: b["status"].get("startTimestamp", ""), default=None)
        return None if newest is None else str(newest["metadata"]["name"])

    # ---- migrate -------------------------------------------------------------------------
    async def reconcile_migrate(self, key: tuple[str, str]) -> float | None:
        obj = self.host.find(KURATOR_MIGRATES, *key)
        if obj is None:
            return None
        spec = obj.get("spec") or {}
        if obj["metadata"].get("deletionTimestamp"):
            return self.finalize(obj, KURATOR_MIGRATES, MIGRATE_FINALIZER, MIGRATE_LABEL,
                                 self._migrate_objects(obj))
        obj = add_finalizer(self.host, KURATOR_MIGRATES, obj, MIGRATE_FINALIZER)
        status = copy.deepcopy(obj.get("status") or {})
        if status.get("phase") in (None, "", "Pending"):
            status["phase"] = "BackupInProgress"
        try:
            sources = self.resolve(obj, spec.get("sourceCluster"))
            targets = self.resolve(obj, spec.get("targetCluster"))
        except ResolveError:
            return RETRY
        if not sources or not (spec.get("sourceCluster") or {}).get("clusters"):
            return RETRY  # Kurator panics (recovered) and retries forever
        source = sources[-1]  # the last of a map: arbitrary with several
        try:
            backup_name = self.ensure_source_backup(obj, source[1])
        except FieldError:
            return RETRY  # Kurator's builder panics (recovered): no backup, retried forever
        status["sourceClusterStatus"] = self.source_status(source, backup_name)
        if status["sourceClusterStatus"]["backupStatusInCluster"].get("phase") == "Completed":
            mark_source_ready(status)
        status = self.migrate_targets(obj, status, targets, backup_name)
        set_status(self.host, KURATOR_MIGRATES, obj, status, manager=MANAGER)
        return None if status.get("phase") == "Completed" else self._migrate_wait(status)

    def _migrate_wait(self, status: dict[str, Any]) -> float:
        return self.sync_interval if status.get("targetClusterStatus") else MIGRATE_WAIT

    def ensure_source_backup(self, obj: Obj, cluster: str) -> str:
        velero = velero_migrate_backup_for(obj, cluster, go_zero_values=False)
        velero["spec"]["ttl"] = "0s"  # Kurator sends 0s: Velero's default retention applies
        name = str(velero["metadata"]["name"])
        store = self.member(cluster)
        if store.find(VELERO_BACKUPS, VELERO_NS, name) is None:
            store.create(store.types[VELERO_BACKUPS], velero, manager=MANAGER)
        return name

    def source_status(self, source: tuple[str, str], backup_name: str) -> Obj:
        store = self.member(source[1])
        velero = store.find(VELERO_BACKUPS, VELERO_NS, backup_name) or {}
        return {"clusterName": source[1], "clusterKind": source[0],
                "backupNameInCluster": backup_name,
                "backupStatusInCluster": copy.deepcopy(velero.get("status") or {})}

    def migrate_targets(self, obj: Obj, status: dict[str, Any],
                        targets: list[tuple[str, str]], backup_name: str) -> dict[str, Any]:
        """Restores in every target once each has the source backup (by the bucket sync)."""
        spec = obj.get("spec") or {}
        if status.get("phase") != "BackupInProgress":
            status["phase"] = "RestoreInProgress"
        for _, cluster in targets:
            if self.member(cluster).find(VELERO_BACKUPS, VELERO_NS, backup_name) is None:
                return status  # not synced to this target yet: nothing anywhere this pass
        # No resource filter on the migrate's restores: the backup was filtered already.
        policy = {k: v for k, v in (spec.get("policy") or {}).items() if k != "resourceFilter"}
        fleet = (spec.get("targetCluster") or {}).get("fleet", "")
        for _, cluster in targets:
            self.ensure_restore(obj, cluster, fleet, backup_name, policy, migrate=True)
        details = self.sync(obj, "targetClusterStatus", targets, "migrate", write_back=False)
        status["targetClusterStatus"] = details
        if all_completed(details):
            status["phase"] = "Completed"
        return status

    def _migrate_objects(self, obj: Obj) -> list[tuple[str, str]]:
        spec = obj.get("spec") or {}
        found: list[tuple[str, str]] = []
        for key, rkey in (("sourceCluster", VELERO_BACKUPS), ("targetCluster", VELERO_RESTORES)):
            try:
                found += [(c, rkey) for _, c in self.resolve(obj, spec.get(key))]
            except ResolveError:
                continue
        return found

    # ---- shared --------------------------------------------------------------------------
    def ensure_restore(self, obj: Obj, cluster: str, fleet: object, backup_name: str,
                       policy: object, migrate: bool = False) -> None:
        """Create-only, as Kurator's CreateOrUpdate with an empty mutate function."""
        meta = obj["metadata"]
        velero = velero_restore_for(meta["name"], cluster, meta["namespace"], str(fleet or ""),
                                    backup_name, policy, migrate=migrate, go_zero_values=False)
        store = self.member(cluster)
        if store.find(VELERO_RESTORES, VELERO_NS, velero["metadata"]["name"]) is None:
            store.create(store.types[VELERO_RESTORES], velero, manager=MANAGER)

    def sync(self, obj: Obj, field: str, clusters: list[tuple[str, str]], kind: str,
             write_back: bool = True) -> list[Obj]:
        """Copy each Velero Restore's status into `field` (upserted, never removed)."""
        meta = obj["metadata"]
        details = copy.deepcopy((obj.get("status") or {}).get(field) or [])
        for cluster_kind, cluster in clusters:
            name = velero_object_name(cluster, kind, meta["namespace"], meta["name"])
            velero = self.member(cluster).find(VELERO_RESTORES, VELERO_NS, name)
            if velero is not None:
                upsert(details, cluster, cluster_kind, name, velero.get("status"))
        if write_back and details != (obj.get("status") or {}).get(field):
            set_status(self.host, KURATOR_RESTORES, obj,
                       {**(obj.get("status") or {}), field: details}, manager=MANAGER)
        return details

    def finalize(self, obj: Obj, rkey: str, finalizer: str, label: str,
                 objects: list[tuple[str, str]]) -> float | None:
        name = obj["metadata"]["name"]
        for cluster, velero_rkey in objects:
            store = self.backups.members(cluster)
            if store is None:
                return RETRY  # stays Terminating while a member is unreachable
            for v in list(store.items(velero_rkey, VELERO_NS)):
                if (v["metadata"].get("labels") or {}).get(label) == name:
                    store.delete(store.types[velero_rkey], VELERO_NS, v["metadata"]["name"])
        new = copy.deepcopy(obj)
        new["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers", [])
                                         if f != finalizer]
        write(self.host, rkey, new, manager=MANAGER)
        return None


def add_finalizer(host: ControllerStore, rkey: str, obj: Obj, finalizer: str) -> Obj:
    if finalizer in (obj["metadata"].get("finalizers") or []):
        return obj
    new = copy.deepcopy(obj)
    new["metadata"].setdefault("finalizers", []).append(finalizer)
    return write(host, rkey, new, manager=MANAGER)


def upsert(details: list[Obj], cluster: str, kind: str, name: str, status: object) -> None:
    for d in details:
        if (d.get("clusterName"), d.get("clusterKind"), d.get("restoreNameInCluster")) == (
                cluster, kind, name):
            d["restoreStatusInCluster"] = copy.deepcopy(status or {})
            return
    details.append({"clusterName": cluster, "clusterKind": kind, "restoreNameInCluster": name,
                    "restoreStatusInCluster": copy.deepcopy(status or {})})


def all_completed(details: list[Obj]) -> bool:
    """Kurator's allRestoreCompleted (an empty list counts as done, as there)."""
    return all((d.get("restoreStatusInCluster") or {}).get("phase") == "Completed"
               for d in details)


def mark_source_ready(status: dict[str, Any]) -> None:
    conditions = status.setdefault("conditions", [])
    if not any(c.get("type") == "sourceReady" for c in conditions):
        conditions.append({"type": "sourceReady", "status": "True",
                           "lastTransitionTime": rfc3339(datetime.now(UTC))})
