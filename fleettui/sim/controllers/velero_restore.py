"""A simulated Velero restore controller in one member cluster.

Restores go New → InProgress (progress rises) → Completed, or end FailedValidation with Velero
v1.11's messages (no or two sources, both selectors, a missing backup) or Failed when the
backup's tarball is not in the bucket yet (the backup has not finished). A restore really
creates the backed-up objects again, with the namespace mapping applied; an object that exists
already is left alone and counted as a warning, as Velero does.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from datetime import UTC, datetime
from typing import Any

from fleettui.model.selectors import selector_matches
from fleettui.sim.bucket import Bucket
from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.controllers.base import WorkQueue, set_status
from fleettui.sim.controllers.velero import MANAGER, VELERO_NS, VeleroSettings, rfc3339
from fleettui.sim.errors import ApiError
from fleettui.sim.object_store import ObjectStore
from fleettui.sim.resource_type import ResourceType
from fleettui.sim.store import Event, Obj
from fleettui.sim.types import NAMESPACES, VELERO_BACKUPS, VELERO_RESTORES

SCHEDULE_LABEL = "velero.io/schedule-name"
# Server-managed metadata a restore does not carry over (Velero resets it).
_RESET = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
          "deletionTimestamp", "ownerReferences", "selfLink")


class VeleroRestoreController:
    def __init__(self, store: ControllerStore, settings: VeleroSettings, bucket: Bucket,
                 objects: ObjectStore | None = None) -> None:
        self.store = store
        self.settings = settings
        self.bucket = bucket
        self.objects = objects  # where the restore's log, results and list go
        self.queue = WorkQueue(self.run_restore)
        store.listeners.append(self.on_event)

    def start(self) -> None:
        for r in self.store.items(VELERO_RESTORES, VELERO_NS):
            self.queue.add((VELERO_NS, r["metadata"]["name"]))

    async def stop(self) -> None:
        await self.queue.stop()

    def on_event(self, ev: Event) -> None:
        # Velero acts on created Restores only (its predicate), not on updates.
        if ev.rkey == VELERO_RESTORES and ev.type == "ADDED" and \
                ev.obj["metadata"].get("namespace") == VELERO_NS:
            self.queue.add((VELERO_NS, ev.obj["metadata"]["name"]), 0.05)

    async def run_restore(self, key: tuple[str, str]) -> float | None:
        obj = self.store.find(VELERO_RESTORES, *key)
        if obj is None or (obj.get("status") or {}).get("phase") not in (None, "", "New"):
            return None
        spec = obj.get("spec") or {}
        backup_name, errors = self.source(spec)
        if errors:
            set_status(self.store, VELERO_RESTORES, obj,
                       {"phase": "FailedValidation", "validationErrors": errors}, manager=MANAGER)
            return None
        start = datetime.now(UTC)
        entry = self.bucket.get(backup_name)
        if entry is None:
            backup = self.store.find(VELERO_BACKUPS, VELERO_NS, backup_name) or {}
            phase = (backup.get("status") or {}).get("phase") or "New"
            failed = set_status(self.store, VELERO_RESTORES, obj, {
                "phase": "Failed", "startTimestamp": rfc3339(start),
                "completionTimestamp": rfc3339(datetime.now(UTC)),
                "failureReason": f"error downloading backup: the backup tarball of {backup_name}"
                                 f" is not in the bucket (the backup is {phase})"},
                manager=MANAGER)
            if self.objects is not None:
                self.objects.restore_finished(failed, [], [],
                                              failed["status"]["failureReason"])
            return None
        items = restorable(entry.items, spec, self.store)
        status: dict[str, Any] = {"phase": "InProgress", "startTimestamp": rfc3339(start),
                                  "progress": {"totalItems": len(items), "itemsRestored": 0}}
        obj = set_status(self.store, VELERO_RESTORES, obj, status, manager=MANAGER)
        existed: list[Obj] = []
        mapping = dict(spec.get("namespaceMapping") or {})
        step = self.settings.backup_seconds / max(1, len(items)) / 2
        for done, item in enumerate(items, start=1):
            if not self.recreate(item, mapping, backup_name, key[1]):
                existed.append(item)
            await asyncio.sleep(step)
            current = self.store.find(VELERO_RESTORES, *key)
            if current is None:
                return None
            status = copy.deepcopy(current.get("status") or {})
            status["progress"] = {"totalItems": len(items), "itemsRestored": done}
            obj = set_status(self.store, VELERO_RESTORES, current, status, manager=MANAGER)
        status = copy.deepcopy(obj.get("status") or {})
        status.update(phase="Completed", completionTimestamp=rfc3339(datetime.now(UTC)))
        if existed:
            status["warnings"] = len(existed)
        ended = set_status(self.store, VELERO_RESTORES, obj, status, manager=MANAGER)
        if self.objects is not None:
            self.objects.restore_finished(ended, items, existed)
        return None

    def source(self, spec: dict[str, Any]) -> tuple[str, list[str]]:
        """The backup to restore and Velero's validation errors (v1.11 validateAndComplete)."""
        errors: list[str] = []
        backup_name = str(spec.get("backupName") or "")
        schedule = str(spec.get("scheduleName") or "")
        if bool(backup_name) == bool(schedule):
            errors.append("Either a backup or schedule must be specified as a source for the "
                          "restore, but not both")
        if spec.get("labelSelector") and spec.get("orLabelSelectors"):
            errors.append("encountered labelSelector as well as orLabelSelectors in restore "
                          "spec, only one can be specified")
        if schedule and not backup_name:
            backup_name = self.newest_completed(schedule)
            if not backup_name:
                errors.append("No backups found for schedule")
        if backup_name and self.store.find(VELERO_BACKUPS, VELERO_NS, backup_name) is None:
            errors.append(f"Error retrieving backup: can't find backup {VELERO_NS}/"
                          f"{backup_name}: backups.velero.io \"{backup_name}\" not found")
        return backup_name, errors

    def newest_completed(self, schedule: str) -> str:
        runs = [b for b in self.store.items(VELERO_BACKUPS, VELERO_NS)
                if (b["metadata"].get("labels") or {}).get(SCHEDULE_LABEL) == schedule
                and (b.get("status") or {}).get("phase") == "Completed"]
        newest = max(runs, key=lambda b: b["status"].get("startTimestamp", ""), default=None)
        return "" if newest is None else str(newest["metadata"]["name"])

    def recreate(self, item: Obj, mapping: dict[str, str], backup: str, restore: str) -> bool:
        """Create one backed-up object again; False when it exists already (a warning)."""
        obj = copy.deepcopy(item)
        meta = obj["metadata"]
        for key in _RESET:
            meta.pop(key, None)
        obj.pop("status", None)
        labels = meta.setdefault("labels", {})
        labels.update({"velero.io/backup-name": backup, "velero.io/restore-name": restore})
        if obj.get("kind") == "Namespace":
            meta["name"] = mapping.get(meta["name"], meta["name"])
        else:
            meta["namespace"] = mapping.get(meta["namespace"], meta["namespace"])
            self.ensure_namespace(meta["namespace"], backup, restore)
        rt = type_of(self.store, obj)
        if rt is None:
            return False
        try:
            self.store.create(rt, obj, manager=MANAGER)
        except ApiError:
            return False
        return True

    def ensure_namespace(self, name: str, backup: str, restore: str) -> None:
        """Velero creates a restored object's namespace when the backup has no object for it."""
        if self.store.find(NAMESPACES.key, "", name) is not None:
            return
        ns = {"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": name, "labels": {"velero.io/backup-name": backup,
                                                    "velero.io/restore-name": restore}}}
        with contextlib.suppress(ApiError):  # created meanwhile
            self.store.create(NAMESPACES, ns, manager=MANAGER)


def restorable(items: list[Obj], spec: dict[str, Any], store: ControllerStore) -> list[Obj]:
    """The items of a backup that the restore's filters keep, namespaces first; Velero's own
    kinds are never restored (it excludes them itself)."""
    inc = set(spec.get("includedNamespaces") or ["*"])
    exc = set(spec.get("excludedNamespaces") or [])
    inc_res = set(spec.get("includedResources") or ["*"])
    exc_res = set(spec.get("excludedResources") or [])
    sels = [spec["labelSelector"]] if spec.get("labelSelector") else list(
        spec.get("orLabelSelectors") or [])

    def keep(obj: Obj) -> bool:
        meta = obj["metadata"]
        ns = meta["name"] if obj.get("kind") == "Namespace" else meta.get("namespace", "")
        resource = resource_name(store, obj)
        if str(obj.get("apiVersion", "")).startswith("velero.io/"):
            return False
        if not ("*" in inc or ns in inc) or ns in exc:
            return False
        if not ("*" in inc_res or resource in inc_res) or resource in exc_res:
            return False
        return not sels or any(selector_matches(s, meta.get("labels") or {}) for s in sels)

    kept = [o for o in items if keep(o)]
    return sorted(kept, key=lambda o: o.get("kind") != "Namespace")


def type_of(store: ControllerStore, obj: Obj) -> ResourceType | None:
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return next((rt for rt in store.types.values()
                 if rt.kind == obj.get("kind") and rt.group == group), None)


def resource_name(store: ControllerStore, obj: Obj) -> str:
    """The name a resource filter uses: `pods`, `namespaces`, `schedules.velero.io`."""
    rt = type_of(store, obj)
    if rt is None:
        return ""
    return f"{rt.plural}.{rt.group}" if rt.group else rt.plural
