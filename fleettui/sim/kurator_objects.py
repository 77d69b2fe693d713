"""The Velero objects Kurator's fleet-manager creates in each member for a Backup, Restore or
Migrate (Kurator pkg/fleet-manager/backup/shared.go and its controller tests' testdata),
field for field as its Go code serialises them (the golden files of its controller tests)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fleettui.model.durations import format_duration_ns, parse_duration_ns
from fleettui.model.errors import FieldError
from fleettui.model.filters import ResourceFilter
from fleettui.model.kurator import (
    BACKUP_NAME_LABEL,
    FLEET_LABEL,
    MIGRATE_NAME_LABEL,
    PLUGIN_LABEL,
    PLUGIN_VALUE,
    RESTORE_NAME_LABEL,
    VELERO_API_VERSION,
    VELERO_NAMESPACE,
    BackupPolicy,
    ClusterRef,
    Destination,
    _check_type,
    _mapping,
    _string,
    parse_backup,
)
from fleettui.model.names import velero_object_name


def _go_zero_backup_spec() -> dict[str, Any]:
    # Go's encoding of the zero fields of velero.io/v1 BackupSpec (struct fields are never
    # omitted, see the golden files in controller-testdata/velero-objects).
    return {"csiSnapshotTimeout": "0s", "hooks": {}, "itemOperationTimeout": "0s",
            "metadata": {}, "ttl": "0s"}


def _velero_backup_spec(resource_filter: ResourceFilter | None, ordered: Mapping[str, str],
                        ttl: str | None, go_zero_values: bool, ttl_path: str) -> dict[str, Any]:
    spec = _go_zero_backup_spec() if go_zero_values else {}
    if ttl is not None:
        normalized = format_duration_ns(parse_duration_ns(ttl, ttl_path, allow_negative=True))
        if normalized != "0s" or go_zero_values:
            spec["ttl"] = normalized
    if ordered:
        spec["orderedResources"] = dict(ordered)
    if resource_filter is not None:
        spec.update(copy.deepcopy(resource_filter.to_dict(with_extra=False)))
    return spec


def _require_resource_filter(obj: Mapping[str, Any]) -> None:
    spec = _mapping(obj.get("spec"), "spec")
    policy = spec.get("policy")
    if policy is not None and _mapping(policy, "policy").get("resourceFilter") is None:
        raise FieldError("policy.resourceFilter", (
            "policy without resourceFilter makes Kurator's controller dereference a nil pointer; "
            "it never creates Velero objects. Add resourceFilter: {}"))


def _velero_object(kind: str, name: str, labels: dict[str, str], spec: dict[str, Any],
                   go_zero_values: bool) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": VELERO_NAMESPACE, "labels": labels}
    if go_zero_values:
        metadata["creationTimestamp"] = None
    obj: dict[str, Any] = {"apiVersion": VELERO_API_VERSION, "kind": kind,
                           "metadata": metadata, "spec": spec}
    if go_zero_values:
        obj["status"] = {}
    return obj


def velero_objects_for(backup_obj: Mapping[str, Any], cluster_name: str, *,
                       go_zero_values: bool = True) -> dict[str, Any]:
    """The velero.io/v1 Backup (immediate) or Schedule (scheduled) Kurator creates in
    ``cluster_name``'s ``velero`` namespace for this Kurator Backup object.

    With ``go_zero_values`` the result matches Kurator's Go serialisation field for field
    (``creationTimestamp: null``, ``status: {}``, zero durations); without it only set fields.
    """
    _require_resource_filter(backup_obj)
    b = parse_backup(backup_obj)
    policy = b.policy
    spec = _velero_backup_spec(
        policy.resource_filter if policy else None,
        policy.ordered_resources if policy else {},
        policy.ttl if policy else None, go_zero_values, "policy.ttl")
    labels = {BACKUP_NAME_LABEL: b.name, FLEET_LABEL: b.destination.fleet,
              PLUGIN_LABEL: PLUGIN_VALUE}
    name = velero_object_name(cluster_name, "backup", b.namespace, b.name)
    if b.scheduled:
        schedule_spec = {"schedule": b.schedule, "template": spec}
        return _velero_object("Schedule", name, labels, schedule_spec, go_zero_values)
    return _velero_object("Backup", name, labels, spec, go_zero_values)


def _migrate_source(spec: Mapping[str, Any]) -> tuple[str, list[ClusterRef]]:
    source = Destination.from_dict(spec.get("sourceCluster") or {}, "sourceCluster")
    return source.fleet, source.clusters


def velero_migrate_backup_for(migrate_obj: Mapping[str, Any], source_cluster: str | None = None,
                              *, ttl: str | None = None,
                              go_zero_values: bool = True) -> dict[str, Any]:
    """The source-side Velero Backup Kurator creates for a Migrate.

    Kurator's Migrate has no ttl (Velero's default applies); ``ttl`` exists because Kurator's
    own golden file (label-selector.yaml) was produced from a test input carrying one.
    """
    if not isinstance(migrate_obj, Mapping):
        raise FieldError("kind", "a Migrate must be a map")
    _check_type(migrate_obj, "Migrate")
    _require_resource_filter(migrate_obj)
    metadata = _mapping(migrate_obj.get("metadata"), "metadata")
    spec = _mapping(migrate_obj.get("spec"), "spec")
    fleet, clusters = _migrate_source(spec)
    if source_cluster is None:
        if len(clusters) != 1:
            raise FieldError("sourceCluster.clusters", "list exactly one source cluster "
                                                       f"(found {len(clusters)})")
        source_cluster = clusters[0].name
    raw_policy = spec.get("policy")
    policy = None if raw_policy is None else BackupPolicy.from_dict(raw_policy)
    body = _velero_backup_spec(
        policy.resource_filter if policy else None,
        policy.ordered_resources if policy else {}, ttl, go_zero_values, "ttl")
    name = _string(metadata.get("name"), "metadata.name")
    namespace = _string(metadata.get("namespace"), "metadata.namespace") or "default"
    labels = {MIGRATE_NAME_LABEL: name, FLEET_LABEL: fleet, PLUGIN_LABEL: PLUGIN_VALUE}
    return _velero_object("Backup", velero_object_name(source_cluster, "migrate", namespace,
                                                       name), labels, body, go_zero_values)


# Kurator's Restore policy → Velero Restore spec: these filter fields only (a Velero Restore
# has no scoped resource lists, so Kurator drops them).
_RESTORE_FILTER_KEYS = ("includedNamespaces", "excludedNamespaces", "includedResources",
                        "excludedResources", "includeClusterResources", "labelSelector",
                        "orLabelSelectors")


def velero_restore_spec(policy: object, backup_name: str, status_key: str = "preserveStatus",
                        *, go_zero_values: bool = True) -> dict[str, Any]:
    """buildVeleroRestoreInstance's spec: the backup, plus what the policy sets."""
    spec: dict[str, Any] = {"backupName": backup_name}
    if go_zero_values:
        spec.update(hooks={}, itemOperationTimeout="0s")
    if not isinstance(policy, Mapping):
        return spec
    resource_filter = policy.get("resourceFilter")
    for key in _RESTORE_FILTER_KEYS:
        value = resource_filter.get(key) if isinstance(resource_filter, Mapping) else None
        if value is not None:
            spec[key] = copy.deepcopy(value)
    if policy.get("namespaceMapping"):
        spec["namespaceMapping"] = dict(policy["namespaceMapping"])
    if policy.get("preserveNodePorts") is not None:
        spec["preserveNodePorts"] = policy["preserveNodePorts"]
    if policy.get(status_key) is not None:
        spec["restoreStatus"] = copy.deepcopy(policy[status_key])
    return spec


def velero_restore_for(name: str, cluster: str, namespace: str, fleet: str, backup_name: str,
                       policy: object = None, *, migrate: bool = False,
                       go_zero_values: bool = True) -> dict[str, Any]:
    """The velero.io/v1 Restore Kurator creates in ``cluster`` for Restore (or Migrate)
    ``namespace/name``, restoring ``backup_name``."""
    kind, label = ("migrate", MIGRATE_NAME_LABEL) if migrate else ("restore", RESTORE_NAME_LABEL)
    labels = {label: name, FLEET_LABEL: fleet, PLUGIN_LABEL: PLUGIN_VALUE}
    spec = velero_restore_spec(policy, backup_name,
                               "migrateStatus" if migrate else "preserveStatus",
                               go_zero_values=go_zero_values)
    return _velero_object("Restore", velero_object_name(cluster, kind, namespace, name), labels,
                          spec, go_zero_values)
