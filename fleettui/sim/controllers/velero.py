"""A simulated Velero server in one member cluster.

Backups go New → InProgress (progress items rise) → Finalizing → Completed, or end Failed /
PartiallyFailed at the configured failure rate; invalid specs end FailedValidation with Velero's
messages. Schedules become Enabled and create `<schedule>-<YYYYMMDDhhmmss>` backups on their cron,
with the cron interval divided by `speed` so a demo sees runs within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fleettui.model.cron import next_runs
from fleettui.model.durations import parse_duration
from fleettui.model.errors import FieldError
from fleettui.model.selectors import selector_matches
from fleettui.sim.bucket import Bucket
from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.controllers.base import WorkQueue, set_status, write
from fleettui.sim.errors import ApiError
from fleettui.sim.object_store import ObjectStore
from fleettui.sim.store import Event, Obj
from fleettui.sim.types import (
    NAMESPACES,
    VELERO_BACKUPS,
    VELERO_BSL,
    VELERO_DBR,
    VELERO_SCHEDULES,
)

VELERO_NS = "velero"
OLD_FILTERS = ("includedResources", "excludedResources", "includeClusterResources")
NEW_FILTERS = ("includedClusterScopedResources", "excludedClusterScopedResources",
               "includedNamespaceScopedResources", "excludedNamespaceScopedResources")

MANAGER = "velero-server"  # field manager of its writes, as on a real cluster
STORAGE_LOCATION = "default"  # the one location Kurator's fleet backup plugin configures
SOURCE_CLUSTER = {"velero.io/source-cluster-k8s-gitversion": "v1.32.0-fleettui-sim",
                  "velero.io/source-cluster-k8s-major-version": "1",
                  "velero.io/source-cluster-k8s-minor-version": "32"}


OUTCOMES = ("", "Completed", "PartiallyFailed", "Failed", "FailedValidation")


@dataclass
class VeleroSettings:
    backup_seconds: float = 3.0  # typical wall time of one backup
    failure_rate: float = 0.0  # fraction of backups that end Failed or PartiallyFailed
    speed: float = 1.0  # schedule time compression
    steps: int = 5  # progress updates per backup
    outcome: str = ""  # every backup ends so (FailedValidation: at once); "": by failure_rate
    bucket_sync: float = 0.0  # seconds between syncs from the shared bucket; 0: no sync

    def configure(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Change one member's Velero at run time: {"backup_seconds": 20, "outcome": "Failed"}
        (POST /_sim/velero on that member's port); returns the settings now in force."""
        if "outcome" in spec:
            outcome = str(spec["outcome"] or "")
            if outcome not in OUTCOMES:
                raise ValueError(f"outcome must be one of {', '.join(o for o in OUTCOMES if o)}"
                                 " or empty")
            self.outcome = outcome
        if "backup_seconds" in spec:
            self.backup_seconds = max(0.0, float(spec["backup_seconds"]))
        if "failure_rate" in spec:
            self.failure_rate = min(1.0, max(0.0, float(spec["failure_rate"])))
        return {"backup_seconds": self.backup_seconds, "failure_rate": self.failure_rate,
                "outcome": self.outcome}


def rfc3339(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def validation_errors(spec: dict[str, Any], store: ControllerStore) -> list[str]:
    """The checks Velero's backup controller makes before it starts (FailedValidation)."""
    errs = []
    if any(spec.get(k) not in (None, []) for k in OLD_FILTERS) and any(
            spec.get(k) for k in NEW_FILTERS):
        errs.append("include-resources, exclude-resources and include-cluster-resources are old "
                    "filter parameters.\ninclude-cluster-scoped-resources, "
                    "exclude-cluster-scoped-resources, include-namespace-scoped-resources and "
                    "exclude-namespace-scoped-resources are new filter parameters.\nThey cannot "
                    "be used together")
    if spec.get("labelSelector") and spec.get("orLabelSelectors"):
        errs.append("encountered labelSelector as well as orLabelSelectors in backup spec, only "
                    "one can be specified")
    both = set(spec.get("includedNamespaces") or []) & set(spec.get("excludedNamespaces") or [])
    if both:
        errs.append(f"Invalid included/excluded namespace lists: excludes list cannot contain an "
                    f"item in the includes list: {sorted(both)[0]}")
    location = spec.get("storageLocation") or "default"
    bsl = store.find(VELERO_BSL, VELERO_NS, location)
    if bsl is None:
        errs.append(f'an existing backup storage location was not specified at backup creation '
                    f'time and the default "{location}" was not found'
                    if not spec.get("storageLocation") else
                    f'a BackupStorageLocation CRD with the name specified in the backup spec '
                    f'needs to be created before this backup can be executed. Error: '
                    f'backupstoragelocations.velero.io "{location}" not found')
    else:  # both checks, in Velero's order (velero pkg/controller/backup_controller.go)
        if (bsl.get("spec") or {}).get("accessMode") == READ_ONLY:
            errs.append(f"backup can't be created because backup storage location {location} "
                        "is currently in read-only mode")
        if (bsl.get("status") or {}).get("phase") != "Available":
            errs.append(f"backup can't be created because BackupStorageLocation {location} is "
                        "in Unavailable status.")
    return errs


READ_ONLY = "ReadOnly"
STORAGE_STATES = ("Available", "Unavailable", READ_ONLY)
UNAVAILABLE_MESSAGE = ("BackupStorageLocation \"{name}\" is unavailable: rpc error: code = "
                       "Unknown desc = operation error S3: ListObjectsV2, https response error "
                       "StatusCode: 403, api error AccessDenied: Access Denied (simulated)")


def set_storage(store: ControllerStore, state: str, name: str = STORAGE_LOCATION) -> None:
    """Make a member's location Available, Unavailable (with the message Velero's BSL
    controller writes when the bucket refuses it) or ReadOnly (spec.accessMode, which the
    operator sets; the location stays Available), validated now."""
    if state not in STORAGE_STATES:
        raise ValueError(f"storage state must be one of {', '.join(STORAGE_STATES)}")
    bsl = store.find(VELERO_BSL, VELERO_NS, name)
    if bsl is None:
        raise ValueError(f"no BackupStorageLocation {name}")
    spec = {**(bsl.get("spec") or {}), "accessMode": READ_ONLY if state == READ_ONLY
            else "ReadWrite"}
    bsl = write(store, VELERO_BSL, {**bsl, "spec": spec}, manager="operator")
    status: dict[str, Any] = {**(bsl.get("status") or {}),
                              "phase": "Unavailable" if state == "Unavailable" else "Available",
                              "lastValidationTime": rfc3339(datetime.now(UTC))}
    status.pop("message", None)
    if state == "Unavailable":
        status["message"] = UNAVAILABLE_MESSAGE.format(name=name)
    set_status(store, VELERO_BSL, bsl, status, manager=MANAGER)


def select_items(spec: dict[str, Any], store: ControllerStore) -> list[Obj]:
    """Objects the backup includes: namespaces plus their selected contents."""
    inc = set(spec.get("includedNamespaces") or ["*"])
    exc = set(spec.get("excludedNamespaces") or [])
    sels = [spec["labelSelector"]] if spec.get("labelSelector") else list(
        spec.get("orLabelSelectors") or [])

    def wanted(obj: Obj) -> bool:
        labels = obj["metadata"].get("labels") or {}
        return not sels or any(selector_matches(s, labels) for s in sels)

    names = [n["metadata"]["name"] for n in store.items(NAMESPACES.key)]
    chosen = {n for n in names if ("*" in inc or n in inc) and n not in exc}
    found = [n for n in store.items(NAMESPACES.key) if n["metadata"]["name"] in chosen and
             wanted(n)]
    for rkey, rt in store.types.items():
        if rt.namespaced:
            found += [o for o in store.items(rkey) if o["metadata"].get("namespace") in chosen
                      and wanted(o)]
    return found


def prepared(backup: Obj) -> Obj:
    """What Velero's backup controller stamps on a new backup before it runs it
    (velero pkg/controller/backup_controller.go, prepareBackupRequest): the storage location
    label, the default location written into spec.storageLocation, and the source cluster's
    version annotations."""
    backup = copy.deepcopy(backup)
    location = (backup.get("spec") or {}).get("storageLocation") or STORAGE_LOCATION
    backup.setdefault("spec", {})["storageLocation"] = location
    meta = backup["metadata"]
    meta["labels"] = {**(meta.get("labels") or {}), "velero.io/storage-location": location}
    meta["annotations"] = {**(meta.get("annotations") or {}), **SOURCE_CLUSTER}
    return backup


def count_items(spec: dict[str, Any], store: ControllerStore) -> int:
    return len(select_items(spec, store))


class VeleroController:
    def __init__(self, store: ControllerStore, settings: VeleroSettings,
                 bucket: Bucket | None = None, objects: ObjectStore | None = None) -> None:
        self.store = store
        self.settings = settings
        self.bucket = bucket if bucket is not None else Bucket()
        self.objects = objects  # where logs, results and resource lists go; None: nowhere
        self.backups = WorkQueue(self.run_backup)
        self.schedules = WorkQueue(self.reconcile_schedule)
        # per schedule: (real time of its last run, the cron time that run stood for)
        self.schedule_clock: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        self.deletions = WorkQueue(self.process_delete_request)
        self.syncs = WorkQueue(self.sync_from_bucket)
        store.listeners.append(self.on_event)

    def start(self) -> None:
        for b in self.store.items(VELERO_BACKUPS, VELERO_NS):
            self.backups.add(("velero", b["metadata"]["name"]))
        for s in self.store.items(VELERO_SCHEDULES, VELERO_NS):
            self.schedules.add(("velero", s["metadata"]["name"]))
        if self.settings.bucket_sync > 0:
            self.syncs.add(("bucket", "sync"), self.settings.bucket_sync)

    async def stop(self) -> None:
        await self.backups.stop()
        await self.schedules.stop()
        await self.deletions.stop()
        await self.syncs.stop()

    def on_event(self, ev: Event) -> None:
        meta = ev.obj["metadata"]
        if meta.get("namespace") != VELERO_NS or ev.type == "DELETED":
            return
        key = (VELERO_NS, meta["name"])
        if ev.rkey == VELERO_BACKUPS and ev.type == "ADDED":
            self.backups.add(key, 0.05)
        elif ev.rkey == VELERO_SCHEDULES and (ev.old is None or ev.old.get("spec") != ev.obj.get(
                "spec")):
            self.schedules.add(key)
        elif ev.rkey == VELERO_DBR and ev.type == "ADDED":
            self.deletions.add(key)

    # ---- backups -----------------------------------------------------------------------
    async def run_backup(self, key: tuple[str, str]) -> float | None:
        obj = self.store.find(VELERO_BACKUPS, *key)
        if obj is None or (obj.get("status") or {}).get("phase") not in (None, "", "New"):
            # Velero marks backups it finds InProgress after a restart as Failed.
            if obj is not None and obj["status"].get("phase") in ("InProgress", "Finalizing"):
                self._finish(obj, "Failed", reason='found a backup with status "InProgress" '
                             "during the server starting, mark it as \"Failed\"")
            return None
        spec = obj.get("spec") or {}
        start = datetime.now(UTC)
        errs = validation_errors(spec, self.store)  # as typed, before the defaults below
        obj = prepared(obj)
        if self.settings.outcome == "FailedValidation":
            errs = errs or ["simulated validation failure (the simulator's outcome setting)"]
        if errs:
            set_status(self.store, VELERO_BACKUPS, obj, {
                "phase": "FailedValidation", "validationErrors": errs, "version": 1,
                "formatVersion": "1.1.0"}, manager=MANAGER)
            return None
        ttl = self._ttl(spec)
        total = max(1, count_items(spec, self.store))
        status: dict[str, Any] = {
            "phase": "InProgress", "version": 1, "formatVersion": "1.1.0",
            "startTimestamp": rfc3339(start), "expiration": rfc3339(start + ttl),
            "progress": {"totalItems": total, "itemsBackedUp": 0}}
        obj = set_status(self.store, VELERO_BACKUPS, obj, status, manager=MANAGER)
        # A forced outcome makes a test's member deterministic, its duration included.
        jitter = 1.0 if self.settings.outcome else random.uniform(0.7, 1.3)
        duration = self.settings.backup_seconds * jitter
        for step in range(1, self.settings.steps + 1):
            await asyncio.sleep(duration / (self.settings.steps + 1))
            obj = self._progress(key, total * step // self.settings.steps)
            if obj is None:
                return None
        await asyncio.sleep(duration / (self.settings.steps + 1))
        outcome = self._outcome()
        self._finish(obj, outcome)
        return None

    def _ttl(self, spec: dict[str, Any]) -> timedelta:
        try:
            seconds = parse_duration(spec.get("ttl") or "720h")
        except FieldError:
            seconds = 720 * 3600
        return timedelta(seconds=seconds or 720 * 3600)

    def _progress(self, key: tuple[str, str], done: int) -> Obj | None:
        obj = self.store.find(VELERO_BACKUPS, *key)
        if obj is None:
            return None
        status = copy.deepcopy(obj.get("status") or {})
        status.setdefault("progress", {})["itemsBackedUp"] = done
        return set_status(self.store, VELERO_BACKUPS, obj, status, manager=MANAGER)

    def _outcome(self) -> str:
        if self.settings.outcome:
            return self.settings.outcome
        if random.random() >= self.settings.failure_rate:
            return "Completed"
        return random.choice(["Failed", "PartiallyFailed"])

    def _finish(self, obj: Obj, phase: str, reason: str = "") -> None:
        status = copy.deepcopy(obj.get("status") or {})
        status["phase"] = phase
        status["completionTimestamp"] = rfc3339(datetime.now(UTC))
        if phase == "Failed":
            status["failureReason"] = reason or "rpc error: code = Unavailable desc = " \
                "connection to the object store was reset (simulated failure)"
            status["errors"] = status.get("errors", 0) + 1
        elif phase == "PartiallyFailed":
            status["errors"] = random.randint(1, 3)
            status["warnings"] = random.randint(0, 2)
        with contextlib.suppress(ApiError):  # deleted meanwhile
            ended = set_status(self.store, VELERO_BACKUPS, obj, status, manager=MANAGER)
            items = select_items(ended.get("spec") or {}, self.store)
            if phase in ("Completed", "PartiallyFailed"):  # the tarball is uploaded last
                self.bucket.put(self.store.name, ended, items)
            # Velero uploads the log and results of a run that failed too, but not of one a
            # restart failed (it never ran here).
            if self.objects is not None and not reason:
                self.objects.backup_finished(ended, items)

    # ---- the shared bucket -------------------------------------------------------------
    async def sync_from_bucket(self, key: tuple[str, str]) -> float | None:
        """Velero's backup sync (velero pkg/controller/backup_sync_controller.go): every backup
        in the bucket that this cluster lacks is created here as the origin uploaded it (labels,
        annotations, spec and status), with this cluster's storage location in
        spec.storageLocation and the velero.io/storage-location label, and without the Schedule
        owner references that name no schedule here. Completed or PartiallyFailed backups of
        this location whose data has left the bucket are deleted; the location records the
        sync time."""
        rt = self.store.types[VELERO_BACKUPS]
        for name, entry in list(self.bucket.entries.items()):
            if self.store.find(VELERO_BACKUPS, VELERO_NS, name) is not None:
                continue
            with contextlib.suppress(ApiError):
                self.store.create(rt, self._synced_copy(entry.backup), manager=MANAGER)
        self._delete_orphans()
        bsl = self.store.find(VELERO_BSL, VELERO_NS, STORAGE_LOCATION)
        if bsl is not None:
            set_status(self.store, VELERO_BSL, bsl, {
                **(bsl.get("status") or {}), "lastSyncedTime": rfc3339(datetime.now(UTC))},
                manager=MANAGER)
        return self.settings.bucket_sync

    def _synced_copy(self, uploaded: Obj) -> Obj:
        copied = copy.deepcopy(uploaded)
        meta = copied["metadata"]
        for k in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"):
            meta.pop(k, None)  # the API server assigns these on create
        meta["namespace"] = VELERO_NS
        copied.setdefault("spec", {})["storageLocation"] = STORAGE_LOCATION
        meta["labels"] = {**(meta.get("labels") or {}),
                          "velero.io/storage-location": STORAGE_LOCATION}
        refs = [r for r in meta.get("ownerReferences") or [] if r.get("kind") != "Schedule"
                or (self.store.find(VELERO_SCHEDULES, VELERO_NS, r.get("name", "")) or {})
                .get("metadata", {}).get("uid") == r.get("uid")]
        if refs:
            meta["ownerReferences"] = refs
        else:
            meta.pop("ownerReferences", None)
        return copied

    def _delete_orphans(self) -> None:
        rt = self.store.types[VELERO_BACKUPS]
        for b in list(self.store.items(VELERO_BACKUPS, VELERO_NS)):
            labels = b["metadata"].get("labels") or {}
            if labels.get("velero.io/storage-location") != STORAGE_LOCATION:
                continue
            if (b.get("status") or {}).get("phase") not in ("Completed", "PartiallyFailed"):
                continue
            if self.bucket.get(b["metadata"]["name"]) is None:
                with contextlib.suppress(ApiError):
                    self.store.delete(rt, VELERO_NS, b["metadata"]["name"])

    # ---- deletions ---------------------------------------------------------------------
    async def process_delete_request(self, key: tuple[str, str]) -> float | None:
        """Velero's backup-deletion controller: refuse running backups, else delete it all."""
        dbr = self.store.find(VELERO_DBR, *key)
        if dbr is None:
            return None
        name = str((dbr.get("spec") or {}).get("backupName") or "")
        backup = self.store.find(VELERO_BACKUPS, VELERO_NS, name)
        phase = ((backup or {}).get("status") or {}).get("phase")
        if backup is None or phase in (None, "", "New", "InProgress"):
            why = "backup not found" if backup is None else "backup is still in progress"
            set_status(self.store, VELERO_DBR, dbr, {"phase": "Processed", "errors": [why]},
                       manager=MANAGER)
            return None
        set_status(self.store, VELERO_DBR, dbr, {"phase": "InProgress"}, manager=MANAGER)
        set_status(self.store, VELERO_BACKUPS, backup, {**backup["status"], "phase": "Deleting"},
                   manager=MANAGER)
        await asyncio.sleep(self.settings.backup_seconds / 3)
        rt = self.store.types[VELERO_BACKUPS]
        with contextlib.suppress(ApiError):
            self.store.delete(rt, VELERO_NS, name)
        self.bucket.remove(name)  # a DeleteBackupRequest deletes the data too
        if self.objects is not None:
            self.objects.remove_backup(name)
        for other in list(self.store.items(VELERO_DBR, VELERO_NS)):
            if (other.get("spec") or {}).get("backupName") == name:
                with contextlib.suppress(ApiError):
                    self.store.delete(self.store.types[VELERO_DBR], VELERO_NS,
                                      other["metadata"]["name"])
        return None

    # ---- schedules ---------------------------------------------------------------------
    async def reconcile_schedule(self, key: tuple[str, str]) -> float | None:
        obj = self.store.find(VELERO_SCHEDULES, *key)
        if obj is None:
            self.schedule_clock.pop(key, None)
            return None
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        cron = str(spec.get("schedule") or "")
        base = self._base(obj)
        real, virtual = self.schedule_clock.get(key, (base, base))
        try:
            runs = next_runs(cron, 1, start=virtual)
        except FieldError as e:
            if status.get("phase") != "FailedValidation":
                set_status(self.store, VELERO_SCHEDULES, obj, {
                    "phase": "FailedValidation",
                    "validationErrors": [f"invalid schedule: {e.message}"]}, manager=MANAGER)
            return None
        if status.get("phase") != "Enabled":
            obj = set_status(self.store, VELERO_SCHEDULES, obj, {**status, "phase": "Enabled"},
                             manager=MANAGER)
        if spec.get("paused"):
            return None
        # Cron time runs `speed` times faster than real time from the last run on: a daily
        # cron at speed 8640 fires every 10 s, whatever the time of day.
        wait = max(1.0, (runs[0] - virtual).total_seconds() / self.settings.speed)
        left = wait - (datetime.now(UTC) - real).total_seconds()
        if left > 0:
            return left
        self._fire(obj)
        self.schedule_clock[key] = (datetime.now(UTC), runs[0])
        return 1.0

    def _base(self, obj: Obj) -> datetime:
        status = obj.get("status") or {}
        return (parse_time(status.get("lastBackup")) or
                parse_time(obj["metadata"].get("creationTimestamp")) or datetime.now(UTC))

    def _fire(self, schedule: Obj) -> None:
        name = schedule["metadata"]["name"]
        running = [b for b in self.store.items(VELERO_BACKUPS, VELERO_NS)
                   if (b["metadata"].get("labels") or {}).get("velero.io/schedule-name") == name
                   and (b.get("status") or {}).get("phase") in (None, "", "New", "InProgress")]
        now = datetime.now(UTC)
        if not running:
            template = copy.deepcopy((schedule.get("spec") or {}).get("template") or {})
            labels = dict((template.get("metadata") or {}).get("labels") or
                          schedule["metadata"].get("labels") or {})
            labels["velero.io/schedule-name"] = name
            labels["velero.io/storage-location"] = template.get("storageLocation") or "default"
            backup = {"apiVersion": "velero.io/v1", "kind": "Backup",
                      "metadata": {"name": f"{name}-{now.strftime('%Y%m%d%H%M%S')}",
                                   "namespace": VELERO_NS, "labels": labels},
                      "spec": template}
            try:
                self.store.create(self.store.types[VELERO_BACKUPS], backup, manager=MANAGER)
            except ApiError:
                return  # same second as the previous run: Velero would skip it too
        status = dict(schedule.get("status") or {})
        status["lastBackup"] = rfc3339(now)
        write(self.store, VELERO_SCHEDULES, {**schedule, "status": status}, manager=MANAGER)
