"""The resource types each emulated cluster serves: a few built-ins plus the CRDs."""

from __future__ import annotations

from fleettui.sim.crd_loader import CrdInfo, load_builtin_crds
from fleettui.sim.resource_type import ResourceType

HOST_GROUPS = ("backup.kurator.dev", "fleet.kurator.dev", "cluster.kurator.dev")
MEMBER_GROUPS = ("velero.io",)

NAMESPACES = ResourceType("", "v1", "Namespace", "namespaces", "namespace", False,
                          "NamespaceList", ("ns",))
PODS = ResourceType("", "v1", "Pod", "pods", "pod", True, "PodList", ("po",), ("all",))
SECRETS = ResourceType("", "v1", "Secret", "secrets", "secret", True, "SecretList")
CRDS = ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                    "customresourcedefinitions", "customresourcedefinition", False,
                    "CustomResourceDefinitionList", ("crd", "crds"), read_only=True)


def from_crd(info: CrdInfo) -> ResourceType:
    return ResourceType(
        group=info.group, version=info.version, kind=info.kind, plural=info.plural,
        singular=info.singular, namespaced=info.namespaced, list_kind=info.list_kind,
        short_names=info.short_names, categories=info.categories,
        status_subresource=info.status_subresource, printer_columns=info.printer_columns,
        schema=info.schema, crd=info.crd,
    )


def cluster_types(groups: tuple[str, ...]) -> tuple[list[ResourceType], list[CrdInfo]]:
    """Built-in types plus the CRDs of `groups`; also returns the CRDs to serve as objects."""
    crds = [c for c in load_builtin_crds() if c.group in groups]
    return [NAMESPACES, PODS, SECRETS, CRDS, *(from_crd(c) for c in crds)], crds


def rkey(group: str, plural: str) -> str:
    return f"{group}/{plural}"


KURATOR_BACKUPS = rkey("backup.kurator.dev", "backups")
KURATOR_RESTORES = rkey("backup.kurator.dev", "restores")
KURATOR_MIGRATES = rkey("backup.kurator.dev", "migrates")
FLEETS = rkey("fleet.kurator.dev", "fleets")
ATTACHED = rkey("cluster.kurator.dev", "attachedclusters")
VELERO_BACKUPS = rkey("velero.io", "backups")
VELERO_SCHEDULES = rkey("velero.io", "schedules")
VELERO_RESTORES = rkey("velero.io", "restores")
VELERO_BSL = rkey("velero.io", "backupstoragelocations")
VELERO_DBR = rkey("velero.io", "deletebackuprequests")
VELERO_DOWNLOADS = rkey("velero.io", "downloadrequests")
