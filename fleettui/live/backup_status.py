"""A Kurator backup's live status over the store: which clusters, which member objects.

Shared by the TUI and the CLI; it reads only the LiveStore (no network, no widgets).
"""

from __future__ import annotations

from typing import Any

from fleettui.kube import resources as kc
from fleettui.live.store import LiveStore
from fleettui.model.kurator import BACKUP_NAME_LABEL, ClusterRef
from fleettui.model.status import FleetBackupStatus, derive_backup_status

Obj = dict[str, Any]


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def expected_clusters(store: LiveStore, host: str, namespace: str,
                      backup: Obj) -> list[ClusterRef]:
    """The destination's clusters, or the fleet's ready ones (as Kurator chooses them)."""
    dest = (backup.get("spec") or {}).get("destination") or {}
    if dest.get("clusters"):
        return [ClusterRef(kind=str(c.get("kind") or ""), name=str(c.get("name") or ""))
                for c in dest["clusters"] if isinstance(c, dict)]
    fleet = store.get(host, kc.FLEETS, namespace, str(dest.get("fleet", "")))
    if fleet is None:
        return []
    ready = {_name(a) for a in store.objects(host, kc.ATTACHED_CLUSTERS)
             if (a.get("status") or {}).get("ready")}
    return [ClusterRef(kind=str(c.get("kind") or ""), name=str(c.get("name") or ""))
            for c in (fleet.get("spec") or {}).get("clusters") or []
            if isinstance(c, dict) and c.get("name") in ready]


def member_objects(store: LiveStore, backup: Obj, clusters: list[ClusterRef]
                   ) -> dict[str, list[Obj]]:
    """Each member's Velero Backups (and Schedules) that belong to this Kurator backup."""
    name = _name(backup)
    found: dict[str, list[Obj]] = {}
    for ref in clusters:
        objs: list[Obj] = []
        for res, kind in ((kc.VELERO_BACKUPS, "Backup"), (kc.VELERO_SCHEDULES, "Schedule")):
            for v in store.objects(ref.name, res):
                labels = (v.get("metadata") or {}).get("labels") or {}
                if labels.get(BACKUP_NAME_LABEL) == name:
                    objs.append(v if v.get("kind") == kind else {**v, "kind": kind})
        found[ref.name] = objs
    return found


def fleet_status(store: LiveStore, host: str, namespace: str, backup: Obj) -> FleetBackupStatus:
    clusters = expected_clusters(store, host, namespace, backup)
    return derive_backup_status(backup, clusters, member_objects(store, backup, clusters))
