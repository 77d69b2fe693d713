"""A simulated Kurator fleet-manager backup controller on the host cluster.

It follows the real controller (Kurator pkg/fleet-manager/backup/backup_controller.go): resolve
the fleet's ready clusters, create Velero Backups or Schedules in each member (create-only), copy
their status into `status.backupDetails` every `sync_interval` seconds (real Kurator: 30 s), stop
polling once an immediate backup has all entries Completed, keep a placeholder plus one entry per
completed run for schedules, and on delete remove the member objects by label before dropping the
finalizer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fleettui.model.errors import FieldError
from fleettui.model.names import velero_object_name
from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.controllers.base import WorkQueue, set_status, write
from fleettui.sim.errors import ApiError
from fleettui.sim.kurator_objects import velero_objects_for
from fleettui.sim.store import Event, Obj
from fleettui.sim.types import ATTACHED, FLEETS, KURATOR_BACKUPS, VELERO_BACKUPS, VELERO_SCHEDULES

FINALIZER = "backup.kurator.dev"
VELERO_NS = "velero"

MANAGER = "fleet-manager"  # field manager of its writes, as on a real cluster


class ResolveError(Exception):
    pass


class KuratorBackupController:
    def __init__(self, host: ControllerStore, members: Callable[[str], ControllerStore | None],
                 sync_interval: float = 30.0) -> None:
        self.host = host
        self.members = members  # cluster name → its store, None when unreachable
        self.sync_interval = sync_interval
        self.queue = WorkQueue(self.reconcile)
        host.listeners.append(self.on_event)

    def start(self) -> None:
        for b in self.host.items(KURATOR_BACKUPS):
            self.queue.add((b["metadata"]["namespace"], b["metadata"]["name"]))

    async def stop(self) -> None:
        await self.queue.stop()

    def on_event(self, ev: Event) -> None:
        if ev.rkey != KURATOR_BACKUPS or ev.type == "DELETED":
            return
        old_meta = (ev.old or {}).get("metadata", {})
        meta = ev.obj["metadata"]
        # Like a generation-changed predicate: our own status writes don't retrigger us.
        if ev.old is None or old_meta.get("generation") != meta.get("generation") or \
                old_meta.get("finalizers") != meta.get("finalizers"):
            self.queue.add((meta["namespace"], meta["name"]))

    # ---- cluster resolution --------------------------------------------------------------
    def resolve(self, obj: Obj) -> list[tuple[str, str]]:
        """(kind, name) of the target clusters that are ready, as Kurator's fleet lookup does."""
        ns = obj["metadata"]["namespace"]
        dest = (obj.get("spec") or {}).get("destination") or {}
        fleet = self.host.find(FLEETS, ns, dest.get("fleet", ""))
        if fleet is None:
            raise ResolveError(f"fleet {dest.get('fleet')} not found")
        ready = []
        for ref in (fleet.get("spec") or {}).get("clusters") or []:
            kind = ref.get("kind") or "Cluster"
            ac = self.host.find(ATTACHED, ns, ref.get("name", "")) if kind == "AttachedCluster" \
                else None
            if ac is not None and (ac.get("status") or {}).get("ready"):
                ready.append((ref.get("kind", ""), ref["name"]))
        wanted = dest.get("clusters") or []
        if not wanted:
            return ready
        chosen = []
        for ref in wanted:
            pair = (ref.get("kind", ""), ref.get("name", ""))
            if pair not in ready:
                raise ResolveError(f"cluster {pair} not recorded in the fleet")
            chosen.append(pair)
        return chosen

    # ---- reconcile ---------------------------------------------------------------------
    async def reconcile(self, key: tuple[str, str]) -> float | None:
        obj = self.host.find(KURATOR_BACKUPS, *key)
        if obj is None:
            return None
        if obj["metadata"].get("deletionTimestamp"):
            return self.finalize(obj)
        if FINALIZER not in (obj["metadata"].get("finalizers") or []):
            obj = copy.deepcopy(obj)
            obj["metadata"].setdefault("finalizers", []).append(FINALIZER)
            obj = write(self.host, KURATOR_BACKUPS, obj, manager=MANAGER)
        try:
            clusters = self.resolve(obj)
        except ResolveError:
            return self.sync_interval  # Kurator logs it and retries; nothing reaches status
        scheduled = bool((obj.get("spec") or {}).get("schedule"))
        try:
            for kind, name in clusters:
                self.ensure_velero_object(obj, kind, name, scheduled)
        except FieldError:
            # Kurator's builder panics (recovered) on e.g. a policy without resourceFilter:
            # no Velero object, no status, retried forever.
            return self.sync_interval
        details = self.sync_details(obj, clusters, scheduled)
        if details != (obj.get("status") or {}).get("backupDetails"):
            status = dict(obj.get("status") or {})
            status["backupDetails"] = details
            set_status(self.host, KURATOR_BACKUPS, obj, status, manager=MANAGER)
        done = all((d.get("backupStatusInCluster") or {}).get("phase") == "Completed"
                   for d in details)
        if done and details and not scheduled:
            return None  # real Kurator stops polling; the status is frozen from here on
        return self.sync_interval

    def ensure_velero_object(self, obj: Obj, kind: str, cluster: str, scheduled: bool) -> None:
        store = self.members(cluster)
        if store is None:
            raise ApiError(503, f"cluster {cluster} unreachable")
        velero = velero_objects_for(obj, cluster)
        rkey = VELERO_SCHEDULES if scheduled else VELERO_BACKUPS
        if store.find(rkey, VELERO_NS, velero["metadata"]["name"]) is None:
            velero = copy.deepcopy(velero)
            velero["metadata"].pop("creationTimestamp", None)
            velero.pop("status", None)
            store.create(store.types[rkey], velero, manager=MANAGER)

    def sync_details(self, obj: Obj, clusters: list[tuple[str, str]],
                     scheduled: bool) -> list[Obj]:
        details = copy.deepcopy((obj.get("status") or {}).get("backupDetails") or [])
        ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        for kind, cluster in clusters:
            store = self.members(cluster)
            if store is None:
                continue
            vname = velero_object_name(cluster, "backup", ns, name)
            if scheduled:
                entry = self.latest_completed_run(store, vname)
                if entry is None:
                    if not any(d.get("clusterName") == cluster for d in details):
                        details.append({"clusterName": cluster, "clusterKind": kind,
                                        "backupStatusInCluster": {}})
                    continue
                upsert(details, cluster, kind, entry["metadata"]["name"], entry.get("status"))
            else:
                velero = store.find(VELERO_BACKUPS, VELERO_NS, vname)
                if velero is not None:
                    upsert(details, cluster, kind, vname, velero.get("status"))
        return details

    def latest_completed_run(self, store: ControllerStore, schedule: str) -> Obj | None:
        runs = [b for b in store.items(VELERO_BACKUPS, VELERO_NS)
                if (b["metadata"].get("labels") or {}).get("velero.io/schedule-name") == schedule
                and (b.get("status") or {}).get("phase") == "Completed"]
        return max(runs, key=lambda b: b["status"].get("startTimestamp", ""), default=None)

    def finalize(self, obj: Obj) -> float | None:
        try:
            clusters = self.resolve(obj)
        except ResolveError:
            clusters = []  # Kurator drops the finalizer at once and orphans everything
        name = obj["metadata"]["name"]
        rkey = VELERO_SCHEDULES if (obj.get("spec") or {}).get("schedule") else VELERO_BACKUPS
        for _, cluster in clusters:
            store = self.members(cluster)
            if store is None:
                return self.sync_interval  # still "ready" but unreachable: stay Terminating
            for v in list(store.items(rkey, VELERO_NS)):
                if (v["metadata"].get("labels") or {}).get("kurator.dev/backup-name") == name:
                    store.delete(store.types[rkey], VELERO_NS, v["metadata"]["name"])
        new = copy.deepcopy(obj)
        new["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers", [])
                                         if f != FINALIZER]
        write(self.host, KURATOR_BACKUPS, new, manager=MANAGER)
        return None


def upsert(details: list[Obj], cluster: str, kind: str, vname: str,
           status: dict[str, Any] | None) -> None:
    for d in details:
        if (d.get("clusterName"), d.get("clusterKind"), d.get("backupNameInCluster")) == (
                cluster, kind, vname):
            d["backupStatusInCluster"] = copy.deepcopy(status or {})
            return
    details.append({"clusterName": cluster, "clusterKind": kind, "backupNameInCluster": vname,
                    "backupStatusInCluster": copy.deepcopy(status or {})})
