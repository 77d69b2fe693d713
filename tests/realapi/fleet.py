"""A Kurator fleet made of real API servers, set up only through their APIs: the host holds the
upstream Fleet and AttachedClusters with kubeconfig secrets for the members; each member holds
Velero's namespace and a storage location. No controller runs: tests write what Kurator and
Velero would write (Velero objects, status through the status subresource)."""

from __future__ import annotations

import json
from typing import Any

from fleettui.sim.real_fleet import member_kubeconfig
from tests.realapi.server import FIXTURES, RealServer

FLEET_COMMON = FIXTURES / "kurator" / "examples" / "fleet-common"  # fleet quickstart
MEMBERS = ("kurator-member1", "kurator-member2")  # its clusters


def apply(server: RealServer, obj: dict[str, Any]) -> None:
    server.kubectl("apply", "--server-side", "--field-manager=fleettui-tests", "-f", "-",
                   stdin=json.dumps(obj))


def set_status(server: RealServer, resource: str, name: str, status: dict[str, Any],
               namespace: str) -> None:
    """Through the status subresource where the CRD has one (Kurator's); Velero's CRDs have
    none (velero config/crd/v1/bases: `subresources: {}` or absent), so there status is
    written with the object, and /status answers 404."""
    subresource = [] if resource.endswith(".velero.io") else ["--subresource=status"]
    server.kubectl("patch", resource, name, "-n", namespace, *subresource, "--type=merge",
                   "-p", json.dumps({"status": status}))


def attach_members(host: RealServer, members: dict[str, RealServer]) -> None:
    """Fleet quickstart and its AttachedClusters on the host, each with its kubeconfig secret
    (upstream attachedcluster.yaml: secret <name>, key <name>.config), marked ready."""
    host.kubectl("apply", "--server-side", "-f", str(FLEET_COMMON / "fleet.yaml"),
                 "-f", str(FLEET_COMMON / "attachedcluster.yaml"))
    for name, member in members.items():
        apply(host, {"apiVersion": "v1", "kind": "Secret",
                     "metadata": {"name": name, "namespace": "default"},
                     "stringData": {f"{name}.config": member_kubeconfig(member, name)}})
        set_status(host, "attachedclusters.cluster.kurator.dev", name, {"ready": True},
                   "default")


def install_velero(member: RealServer, namespaces: tuple[str, ...] = ("kurator-backup",)
                   ) -> None:
    """Velero's namespace and an Available storage location `default`, plus app namespaces."""
    for ns in ("velero", *namespaces):
        apply(member, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    apply(member, {"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
                   "metadata": {"name": "default", "namespace": "velero"},
                   "spec": {"provider": "aws", "default": True,
                            "objectStorage": {"bucket": "fleet-backups"}}})
    set_status(member, "backupstoragelocations.velero.io", "default",
               {"phase": "Available"}, "velero")


def kurator_velero_backup(member: RealServer, cluster: str, backup: str, phase: str,
                          done: int, total: int = 10) -> str:
    """The Velero Backup Kurator makes for an immediate Backup in `cluster` (labels and name as
    in kurator pkg/fleet-manager/backup/testdata), with the status Velero would give it."""
    name = f"{cluster}-backup-default-{backup}"
    apply(member, {"apiVersion": "velero.io/v1", "kind": "Backup",
                   "metadata": {"name": name, "namespace": "velero", "labels": {
                       "fleet.kurator.dev/fleet-name": "quickstart",
                       "fleet.kurator.dev/plugin": "backup",
                       "kurator.dev/backup-name": backup}},
                   "spec": {"includedNamespaces": ["kurator-backup"], "ttl": "720h0m0s"}})
    set_status(member, "backups.velero.io", name, {
        "phase": phase, "startTimestamp": "2026-11-28T10:00:00Z",
        "progress": {"totalItems": total, "itemsBackedUp": done},
        **({"completionTimestamp": "2026-11-28T10:01:00Z"} if phase == "Completed" else {})},
        "velero")
    return name
