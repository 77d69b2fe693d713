"""A simulated Velero download-request controller in one member cluster.

As velero pkg/controller/download_request_controller.go does: a new DownloadRequest gets an
expiration (now + 10 min) at once; when its Backup (for a restore's files, the Restore and its
backup) exists, a presigned URL to the file in the object store and phase Processed; when it
does not, it stays New and is tried again. Any request past its expiration is deleted.

Faults, per member and settable at run time (POST /_sim/downloads on the member's port, or
`configure` from a test), make each way a download goes wrong reproducible:
* `unprocessed`: requests are never processed (a Velero that is down or cannot reach its
  storage location);
* `missing`: the URL names a file that was never uploaded (S3 answers 404);
* `expired`: the URL has expired by the time it is written (S3 answers 403);
* `failed`: phase `Failed`, which Velero's CRD does not list, as a controller from another
  Velero version or a plugin could write (the client must not wait for ever on it).
`kinds` narrows a fault to some target kinds (e.g. only BackupLog).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.controllers.base import WorkQueue, set_status
from fleettui.sim.controllers.velero import MANAGER, VELERO_NS, parse_time, rfc3339
from fleettui.sim.errors import ApiError
from fleettui.sim.object_store import RESTORE_FILES, ObjectStore, object_key
from fleettui.sim.store import Event
from fleettui.sim.types import VELERO_BACKUPS, VELERO_DOWNLOADS, VELERO_RESTORES

URL_TTL = 600.0  # velero pkg/persistence: DownloadURLTTL, 10 minutes
RETRY = 1.0  # s between tries of a request whose backup is missing
FAULTS = ("", "unprocessed", "missing", "expired", "failed")


@dataclass
class DownloadFaults:
    mode: str = ""
    kinds: set[str] = field(default_factory=set)  # empty: every kind
    url_ttl: float = URL_TTL

    def configure(self, spec: dict[str, Any]) -> dict[str, Any]:
        """{"mode": "missing", "kinds": ["BackupLog"]}; returns the settings now in force."""
        if "mode" in spec:
            mode = str(spec["mode"] or "")
            if mode not in FAULTS:
                raise ValueError(f"mode must be one of {', '.join(m for m in FAULTS if m)} "
                                 "or empty")
            self.mode = mode
        if "kinds" in spec:
            self.kinds = {str(k) for k in spec["kinds"] or []}
        if "url_ttl" in spec:
            self.url_ttl = max(0.0, float(spec["url_ttl"]))
        return {"mode": self.mode, "kinds": sorted(self.kinds), "url_ttl": self.url_ttl}

    def applies(self, kind: str) -> str:
        return self.mode if not self.kinds or kind in self.kinds else ""


class DownloadController:
    def __init__(self, store: ControllerStore, objects: ObjectStore,
                 faults: DownloadFaults | None = None) -> None:
        self.store = store
        self.objects = objects
        self.faults = faults or DownloadFaults()
        self.queue = WorkQueue(self.reconcile)
        store.listeners.append(self.on_event)

    def start(self) -> None:
        for r in self.store.items(VELERO_DOWNLOADS, VELERO_NS):
            self.queue.add((VELERO_NS, r["metadata"]["name"]))

    async def stop(self) -> None:
        await self.queue.stop()

    def on_event(self, ev: Event) -> None:
        if ev.rkey == VELERO_DOWNLOADS and ev.type == "ADDED" and \
                ev.obj["metadata"].get("namespace") == VELERO_NS:
            self.queue.add((VELERO_NS, ev.obj["metadata"]["name"]))

    async def reconcile(self, key: tuple[str, str]) -> float | None:
        obj = self.store.find(VELERO_DOWNLOADS, *key)
        if obj is None:
            return None
        now = datetime.now(UTC)
        status = dict(obj.get("status") or {})
        expires = parse_time(status.get("expiration"))
        if expires is not None and expires < now:
            with contextlib.suppress(ApiError):  # deleted meanwhile
                self.store.delete(self.store.types[VELERO_DOWNLOADS], *key)
            return None
        if status.get("phase") not in (None, "", "New"):
            return self._until(expires, now)
        target = (obj.get("spec") or {}).get("target") or {}
        kind, name = str(target.get("kind") or ""), str(target.get("name") or "")
        fault = self.faults.applies(kind)
        status["expiration"] = rfc3339(now + timedelta(seconds=URL_TTL))
        if fault == "unprocessed" or not self._target_exists(kind, name):
            if status != (obj.get("status") or {}):
                set_status(self.store, VELERO_DOWNLOADS, obj, status, manager=MANAGER)
            return RETRY
        if fault == "failed":
            status["phase"] = "Failed"
        else:
            status.update(phase="Processed", downloadURL=self._url(kind, name, fault, now))
        set_status(self.store, VELERO_DOWNLOADS, obj, status, manager=MANAGER)
        return URL_TTL

    def _url(self, kind: str, name: str, fault: str, now: datetime) -> str:
        key = object_key(kind, name)
        if fault == "missing":
            key = key.replace(f"/{name}/", f"/{name}-never-uploaded/", 1)
        if fault == "expired":  # signed long enough ago to have run out already
            return self.objects.presign(key, self.faults.url_ttl,
                                        now - timedelta(seconds=self.faults.url_ttl + 1))
        return self.objects.presign(key, self.faults.url_ttl, now)

    def _target_exists(self, kind: str, name: str) -> bool:
        """Velero needs the Backup (for a restore's files, the Restore) to find its storage
        location; without it the request stays New."""
        if kind in RESTORE_FILES:
            return self.store.find(VELERO_RESTORES, VELERO_NS, name) is not None
        return self.store.find(VELERO_BACKUPS, VELERO_NS, name) is not None

    @staticmethod
    def _until(expires: datetime | None, now: datetime) -> float | None:
        if expires is None:
            return None
        return max(0.1, (expires - now).total_seconds() + 0.1)
