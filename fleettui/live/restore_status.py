"""A Kurator Restore's or Migrate's live status over the store: which clusters it covers, which
member objects are its own (Velero Restores, and a migrate's source Velero Backup).

Shared by the CLI and the future restore screens, as backup_status is for backups; it reads
only the LiveStore (no network, no widgets).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fleettui.kube import resources as kc
from fleettui.live.backup_status import expected_clusters
from fleettui.live.store import LiveStore
from fleettui.model.kurator import MIGRATE_NAME_LABEL, RESTORE_NAME_LABEL, ClusterRef
from fleettui.model.status import FleetBackupStatus, derive_backup_status

Obj = dict[str, Any]


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _refs(dest: object) -> list[ClusterRef]:
    clusters = dest.get("clusters") if isinstance(dest, dict) else None
    return [ClusterRef(kind=str(c.get("kind") or ""), name=str(c.get("name") or ""))
            for c in clusters or [] if isinstance(c, dict) and c.get("name")]


def restore_clusters(store: LiveStore, host: str, namespace: str, restore: Obj
                     ) -> list[ClusterRef] | None:
    """The restore's destination clusters, else its Backup's (as Kurator resolves them);
    None when the Backup is not in the store."""
    spec = restore.get("spec") or {}
    named = _refs(spec.get("destination"))
    if named:
        return named
    backup = store.get(host, kc.KURATOR_BACKUPS, namespace, str(spec.get("backupName") or ""))
    return None if backup is None else expected_clusters(store, host, namespace, backup)


def migrate_clusters(migrate: Obj) -> tuple[list[ClusterRef], list[ClusterRef]]:
    spec = migrate.get("spec") or {}
    return _refs(spec.get("sourceCluster")), _refs(spec.get("targetCluster"))


def operation_clusters(store: LiveStore, host: str, namespace: str, obj: Obj
                       ) -> list[ClusterRef]:
    """Every member whose Velero objects the status of `obj` reads."""
    if obj.get("kind") == "Migrate":
        sources, targets = migrate_clusters(obj)
        return sources + targets
    return restore_clusters(store, host, namespace, obj) or []


def member_objects(store: LiveStore, host: str, namespace: str, obj: Obj
                   ) -> dict[str, list[Obj]]:
    """Each member's Velero objects that belong to `obj`: Restores labelled with its name,
    and for a migrate the source's Backup too."""
    name = _name(obj)
    if obj.get("kind") == "Migrate":
        sources, targets = migrate_clusters(obj)
        found = {c.name: _labelled(store, c.name, kc.VELERO_BACKUPS, MIGRATE_NAME_LABEL, name)
                 for c in sources}
        for c in targets:
            found[c.name] = _labelled(store, c.name, kc.VELERO_RESTORES, MIGRATE_NAME_LABEL,
                                      name)
        return found
    details = (obj.get("status") or {}).get("restoreDetails") or []
    clusters = [c.name for c in restore_clusters(store, host, namespace, obj) or []]
    clusters += [str(d.get("clusterName") or "") for d in details if isinstance(d, dict)]
    return {cluster: _labelled(store, cluster, kc.VELERO_RESTORES, RESTORE_NAME_LABEL, name)
            for cluster in dict.fromkeys(clusters) if cluster}


def _labelled(store: LiveStore, cluster: str, res: kc.Resource, label: str, value: str
              ) -> list[Obj]:
    return [o for o in store.objects(cluster, res)
            if ((o.get("metadata") or {}).get("labels") or {}).get(label) == value]


def operation_status(store: LiveStore, host: str, namespace: str, obj: Obj, kind: str,
                     now: datetime | None = None) -> FleetBackupStatus:
    """The rows and overall phase of a Restore or Migrate (``kind``: list items may lack it)."""
    obj = obj if obj.get("kind") == kind else {**obj, "kind": kind}
    expected = None if kind == "Migrate" else restore_clusters(store, host, namespace, obj)
    return derive_backup_status(obj, expected, member_objects(store, host, namespace, obj),
                                now=now)
