"""Kurator Unified Restore and Migrate (backup.kurator.dev/v1alpha1): build, parse, validate, and
which Velero backup a restore will use in each cluster.

Kurator checks none of this: a Restore naming a cluster outside its Backup is retried forever, a
scheduled Backup with no Completed run stops the controller without a word, and a Migrate whose
source is not exactly one cluster panics (Kurator pkg/fleet-manager/backup/restore_controller.go and
migrate_controller.go). So the
checks are made here, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fleettui.model.errors import FieldError, FieldWarning
from fleettui.model.filters import NEW_STYLE, ResourceFilter, validate_ordered_resources
from fleettui.model.kurator import (
    API_VERSION,
    ClusterRef,
    Destination,
    KuratorBackup,
    _check_type,
    _collect,
    _extras,
    _mapping,
    _merge_missing,
    _string,
)
from fleettui.model.names import check_derived_name_length, validate_dns_label, velero_object_name

SCHEDULE_NAME_LABEL = "velero.io/schedule-name"
COMPLETED = "Completed"


@dataclass
class PreserveStatus:
    """Resources whose `.status` is restored too (Kurator's preserveStatus / migrateStatus)."""

    included_resources: list[str] = field(default_factory=list)
    excluded_resources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.included_resources:
            out["includedResources"] = list(self.included_resources)
        if self.excluded_resources:
            out["excludedResources"] = list(self.excluded_resources)
        return out

    @classmethod
    def from_dict(cls, data: object, path: str) -> PreserveStatus | None:
        if data is None:
            return None
        body = _mapping(data, path)
        return cls(_strings(body.get("includedResources"), f"{path}.includedResources"),
                   _strings(body.get("excludedResources"), f"{path}.excludedResources"))


@dataclass
class RestorePolicy:
    resource_filter: ResourceFilter | None = None
    namespace_mapping: dict[str, str] = field(default_factory=dict)
    preserve_status: PreserveStatus | None = None
    preserve_node_ports: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.resource_filter is not None and self.resource_filter.to_dict():
            out["resourceFilter"] = self.resource_filter.to_dict()
        if self.namespace_mapping:
            out["namespaceMapping"] = dict(self.namespace_mapping)
        if self.preserve_status is not None:
            out["preserveStatus"] = self.preserve_status.to_dict()
        if self.preserve_node_ports is not None:
            out["preserveNodePorts"] = self.preserve_node_ports
        return out

    @classmethod
    def from_dict(cls, data: object, path: str = "policy") -> RestorePolicy:
        body = _mapping(data, path)
        raw_filter = body.get("resourceFilter")
        return cls(
            resource_filter=None if raw_filter is None else
            ResourceFilter.from_dict(raw_filter, f"{path}.resourceFilter"),
            namespace_mapping=_string_map(body.get("namespaceMapping"),
                                          f"{path}.namespaceMapping"),
            preserve_status=PreserveStatus.from_dict(body.get("preserveStatus"),
                                                     f"{path}.preserveStatus"),
            preserve_node_ports=_bool(body.get("preserveNodePorts"),
                                      f"{path}.preserveNodePorts"))


@dataclass
class KuratorRestore:
    name: str
    backup_name: str
    namespace: str = "default"
    destination: Destination | None = None  # None: the Backup's own clusters
    policy: RestorePolicy | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MigratePolicy:
    # Always sent: Kurator dereferences it and panics when a policy has none (section 3.2).
    resource_filter: ResourceFilter = field(default_factory=ResourceFilter)
    ordered_resources: dict[str, str] = field(default_factory=dict)
    namespace_mapping: dict[str, str] = field(default_factory=dict)
    migrate_status: PreserveStatus | None = None
    preserve_node_ports: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resourceFilter": self.resource_filter.to_dict()}
        if self.ordered_resources:
            out["orderedResources"] = dict(self.ordered_resources)
        if self.namespace_mapping:
            out["namespaceMapping"] = dict(self.namespace_mapping)
        if self.migrate_status is not None:
            out["migrateStatus"] = self.migrate_status.to_dict()
        if self.preserve_node_ports is not None:
            out["preserveNodePorts"] = self.preserve_node_ports
        return out

    @classmethod
    def from_dict(cls, data: object, path: str = "policy") -> MigratePolicy:
        body = _mapping(data, path)
        return cls(
            resource_filter=ResourceFilter.from_dict(body.get("resourceFilter"),
                                                     f"{path}.resourceFilter"),
            ordered_resources=_string_map(body.get("orderedResources"),
                                          f"{path}.orderedResources"),
            namespace_mapping=_string_map(body.get("namespaceMapping"),
                                          f"{path}.namespaceMapping"),
            migrate_status=PreserveStatus.from_dict(body.get("migrateStatus"),
                                                    f"{path}.migrateStatus"),
            preserve_node_ports=_bool(body.get("preserveNodePorts"),
                                      f"{path}.preserveNodePorts"))


@dataclass
class KuratorMigrate:
    name: str
    source: Destination  # exactly one cluster
    target: Destination
    namespace: str = "default"
    policy: MigratePolicy = field(default_factory=MigratePolicy)
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Build and parse


def build_restore_manifest(r: KuratorRestore) -> dict[str, Any]:
    spec: dict[str, Any] = {"backupName": r.backup_name}
    if r.destination is not None:
        spec["destination"] = r.destination.to_dict()
    policy = r.policy.to_dict() if r.policy is not None else {}
    if policy:
        spec["policy"] = policy
    manifest = {"apiVersion": API_VERSION, "kind": "Restore",
                "metadata": {"name": r.name, "namespace": r.namespace}, "spec": spec}
    return _merge_missing(manifest, r.extra)


def build_migrate_manifest(m: KuratorMigrate) -> dict[str, Any]:
    spec = {"sourceCluster": m.source.to_dict(), "targetCluster": m.target.to_dict(),
            "policy": m.policy.to_dict()}
    manifest = {"apiVersion": API_VERSION, "kind": "Migrate",
                "metadata": {"name": m.name, "namespace": m.namespace}, "spec": spec}
    return _merge_missing(manifest, m.extra)


def parse_restore(obj: object) -> KuratorRestore:
    if not isinstance(obj, Mapping):
        raise FieldError("kind", "a Restore must be a map")
    _check_type(obj, "Restore")
    metadata, spec = _mapping(obj.get("metadata"), "metadata"), _mapping(obj.get("spec"), "spec")
    raw_destination, raw_policy = spec.get("destination"), spec.get("policy")
    return KuratorRestore(
        name=_string(metadata.get("name"), "metadata.name"),
        namespace=_string(metadata.get("namespace"), "metadata.namespace") or "default",
        backup_name=_string(spec.get("backupName"), "backupName"),
        destination=None if raw_destination is None else Destination.from_dict(raw_destination),
        policy=None if raw_policy is None else RestorePolicy.from_dict(raw_policy),
        extra=_extras(obj, ("backupName", "destination", "policy")))


def parse_migrate(obj: object) -> KuratorMigrate:
    if not isinstance(obj, Mapping):
        raise FieldError("kind", "a Migrate must be a map")
    _check_type(obj, "Migrate")
    metadata, spec = _mapping(obj.get("metadata"), "metadata"), _mapping(obj.get("spec"), "spec")
    return KuratorMigrate(
        name=_string(metadata.get("name"), "metadata.name"),
        namespace=_string(metadata.get("namespace"), "metadata.namespace") or "default",
        source=Destination.from_dict(spec.get("sourceCluster") or {}, "sourceCluster"),
        target=Destination.from_dict(spec.get("targetCluster") or {}, "targetCluster"),
        policy=MigratePolicy.from_dict(spec.get("policy") or {}),
        extra=_extras(obj, ("sourceCluster", "targetCluster", "policy")))


def _strings(value: object, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(path, "must be a list of strings")
    return list(value)


def _string_map(value: object, path: str) -> dict[str, str]:
    body = _mapping(value, path)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in body.items()):
        raise FieldError(path, "must map names to names")
    return dict(body)


def _bool(value: object, path: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise FieldError(path, "must be true or false")
    return value


def parse_namespace_mapping(text: str, field_name: str = "policy.namespaceMapping"
                            ) -> dict[str, str]:
    """`old:new,old2:new2` (the velero CLI's --namespace-mappings) → {old: new}."""
    mapping: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        old, sep, new = (s.strip() for s in part.partition(":"))
        if not sep or not old or not new:
            raise FieldError(field_name, f'"{part}": write old:new, e.g. shop:shop-restored')
        if old in mapping:
            raise FieldError(field_name, f'namespace "{old}" is mapped twice')
        mapping[old] = new
    return mapping


# ---------------------------------------------------------------------------------------------
# Validation


def namespace_mapping_errors(mapping: Mapping[str, str], path: str = "policy.namespaceMapping"
                             ) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: dict[str, str] = {}
    for old, new in mapping.items():
        _collect(errors, validate_dns_label, old, path, what="namespace")
        _collect(errors, validate_dns_label, new, path, what="namespace")
        if new in seen:
            errors.append(FieldError(path, f'"{seen[new]}" and "{old}" are both mapped to '
                                           f'"{new}": their objects would collide'))
        seen[new] = old
    return errors


def _mapping_warnings(mapping: Mapping[str, str], path: str) -> list[FieldWarning]:
    same = [old for old, new in mapping.items() if old == new]
    return [FieldWarning(path, f'"{old}" is mapped to itself: the entry does nothing')
            for old in same]


def _restore_filter_checks(rf: ResourceFilter | None, errors: list[FieldError],
                           warnings: list[FieldWarning]) -> None:
    if rf is None:
        return
    errors.extend(rf.validate("policy.resourceFilter"))
    dropped = [name for name in NEW_STYLE if rf.to_dict().get(name)]
    if dropped:
        warnings.append(FieldWarning("policy.resourceFilter", (
            f"{', '.join(dropped)}: a Velero Restore has no such field and Kurator drops it "
            "without a word; use includedResources/excludedResources")))


def backup_clusters(backup: KuratorBackup, fleet_clusters: Sequence[ClusterRef]
                    ) -> list[ClusterRef]:
    """The clusters a Backup covers: its own list, or every member of its fleet."""
    return list(backup.destination.clusters) or list(fleet_clusters)


def restore_targets(r: KuratorRestore, backup: KuratorBackup,
                    fleet_clusters: Sequence[ClusterRef]) -> list[ClusterRef]:
    if r.destination is not None and r.destination.clusters:
        return list(r.destination.clusters)
    return backup_clusters(backup, fleet_clusters)


def validate_restore(r: KuratorRestore, backup: KuratorBackup | None,
                     fleet_clusters: Sequence[ClusterRef] = (), *, backup_known: bool = True,
                     ) -> tuple[list[FieldError], list[FieldWarning]]:
    """What Kurator would retry forever or drop silently, said before anything is sent.
    ``backup`` None: no Backup of that name exists in the namespace, or, with
    ``backup_known=False``, it was not looked up (a client dry run reads nothing)."""
    errors: list[FieldError] = []
    warnings: list[FieldWarning] = []
    _collect(errors, validate_dns_label, r.name, "metadata.name")
    if not r.backup_name:
        errors.append(FieldError("backupName", "name the Kurator Backup to restore from"))
    elif backup is None and backup_known:
        errors.append(FieldError("backupName", f'no Backup "{r.backup_name}" in namespace '
                                               f"{r.namespace}"))
    if backup is not None:
        errors.extend(_destination_errors(r, backup, fleet_clusters))
        warnings.extend(check_derived_name_length(
            [c.name for c in restore_targets(r, backup, fleet_clusters)], r.namespace, r.name,
            "restore"))
    if r.policy is not None:
        _restore_filter_checks(r.policy.resource_filter, errors, warnings)
        errors.extend(namespace_mapping_errors(r.policy.namespace_mapping))
        warnings.extend(_mapping_warnings(r.policy.namespace_mapping, "policy.namespaceMapping"))
    return errors, warnings


def _destination_errors(r: KuratorRestore, backup: KuratorBackup,
                        fleet_clusters: Sequence[ClusterRef]) -> list[FieldError]:
    if r.destination is None:
        return []
    fleet = backup.destination.fleet
    if r.destination.fleet != fleet:
        return [FieldError("destination.fleet", (
            f'the backup "{backup.name}" is of fleet "{fleet}": a restore goes to that fleet '
            "(Kurator retries any other forever)"))]
    covered = {(c.kind, c.name) for c in backup_clusters(backup, fleet_clusters)}
    outside = [c for c in r.destination.clusters if (c.kind, c.name) not in covered]
    if not outside:
        return []
    names = ", ".join(c.label() for c in outside)
    return [FieldError("destination.clusters", (
        f'{names} {"is" if len(outside) == 1 else "are"} not in backup "{backup.name}" '
        "(Kurator would retry forever and restore nothing); to copy data to another cluster, "
        "use a migrate"))]


def validate_migrate(m: KuratorMigrate, fleet_clusters: Sequence[ClusterRef] = (),
                     ) -> tuple[list[FieldError], list[FieldWarning]]:
    errors: list[FieldError] = []
    warnings: list[FieldWarning] = []
    _collect(errors, validate_dns_label, m.name, "metadata.name")
    if len(m.source.clusters) != 1:
        errors.append(FieldError("sourceCluster.clusters", (
            f"name exactly one source cluster (got {len(m.source.clusters)}): Kurator picks one "
            "at random or crashes otherwise")))
    if not m.target.clusters:
        errors.append(FieldError("targetCluster.clusters", (
            "name the target clusters: with none, Kurator targets every ready cluster, the "
            "source included")))
    sources = {(c.kind, c.name) for c in m.source.clusters}
    if any((c.kind, c.name) in sources for c in m.target.clusters):
        errors.append(FieldError("targetCluster.clusters", "the source cannot be a target: a "
                                 "migrate copies from one cluster to others"))
    members = {(c.kind, c.name) for c in fleet_clusters}
    for path, dest in (("sourceCluster", m.source), ("targetCluster", m.target)):
        if not dest.fleet:
            errors.append(FieldError(f"{path}.fleet", "name the fleet"))
        for c in dest.clusters:
            if members and (c.kind, c.name) not in members:
                errors.append(FieldError(f"{path}.clusters", (
                    f'{c.label()} is not a member of fleet "{dest.fleet}"')))
    errors.extend(m.policy.resource_filter.validate("policy.resourceFilter"))
    errors.extend(validate_ordered_resources(m.policy.ordered_resources))
    errors.extend(namespace_mapping_errors(m.policy.namespace_mapping))
    warnings.extend(_mapping_warnings(m.policy.namespace_mapping, "policy.namespaceMapping"))
    warnings.extend(check_derived_name_length(
        [c.name for c in [*m.source.clusters, *m.target.clusters]], m.namespace, m.name,
        "migrate"))
    return errors, warnings


# ---------------------------------------------------------------------------------------------
# Which Velero backup a restore uses in one cluster (section 2.3)


@dataclass(frozen=True)
class BackupChoice:
    """The Velero backup Kurator will restore from in one cluster, or why there is none."""

    cluster: str
    velero_name: str  # the chosen backup; for a refusal, the backup or schedule looked for
    usable: bool
    phase: str = ""
    started: datetime | None = None
    note: str = ""  # why not usable, or a caution about a usable one


def choose_velero_backup(backup: KuratorBackup, cluster: str,
                         velero_backups: Sequence[Mapping[str, Any]]) -> BackupChoice:
    """``velero_backups``: the Velero Backups in that cluster's velero namespace (with the shared
    bucket these include other clusters' backups: names and labels tell them apart)."""
    wanted = velero_object_name(cluster, "backup", backup.namespace, backup.name)
    if backup.scheduled:
        return _newest_completed_run(cluster, wanted, velero_backups)
    return _finished_backup(cluster, wanted, velero_backups)


def choose_plain_backup(cluster: str, velero_backups: Sequence[Mapping[str, Any]], *,
                        backup_name: str = "", schedule_name: str = "") -> BackupChoice:
    """Plain Velero (`velero restore create --from-backup | --from-schedule`): the backup
    Velero will restore from in one cluster, or why there is none (Velero takes a schedule's
    newest Completed run, as Kurator does)."""
    if schedule_name:
        return _newest_completed_run(cluster, schedule_name, velero_backups,
                                     "Velero would fail the restore's validation")
    return _finished_backup(cluster, backup_name, velero_backups)


def _finished_backup(cluster: str, wanted: str,
                     velero_backups: Sequence[Mapping[str, Any]]) -> BackupChoice:
    found = next((b for b in velero_backups if _name(b) == wanted), None)
    if found is None:
        return BackupChoice(cluster, wanted, False, note=(
            f"no Velero backup {wanted} in {cluster} (not taken there, expired or deleted)"))
    phase, started = _phase(found), _started(found)
    if phase == COMPLETED:
        return BackupChoice(cluster, wanted, True, phase, started)
    if phase == "PartiallyFailed":
        return BackupChoice(cluster, wanted, True, phase, started,
                            "partially failed: the items that failed are not in it")
    return BackupChoice(cluster, wanted, False, phase, started, (
        f"{wanted} is {phase or 'new'}: Velero can restore only a finished backup"))


def _newest_completed_run(cluster: str, schedule: str,
                          velero_backups: Sequence[Mapping[str, Any]],
                          consequence: str = "Kurator would stop without restoring anything",
                          ) -> BackupChoice:
    runs = [b for b in velero_backups if _labels(b).get(SCHEDULE_NAME_LABEL) == schedule]
    # Newest first; a run without a start time sorts last (Kurator: the zero time).
    runs.sort(key=lambda b: _started(b) or datetime.min.replace(tzinfo=UTC), reverse=True)
    for run in runs:
        if _phase(run) == COMPLETED:
            return BackupChoice(cluster, _name(run), True, COMPLETED, _started(run))
    if not runs:
        why = f"schedule {schedule} has not run in {cluster} yet"
    else:
        why = (f"none of the {len(runs)} runs of {schedule} in {cluster} completed (newest: "
               f"{_phase(runs[0]) or 'New'}); {consequence}")
    return BackupChoice(cluster, schedule, False, note=why)


def _name(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("name") or "")


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    labels = _meta(obj).get("labels")
    return labels if isinstance(labels, Mapping) else {}


def _status(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    status = obj.get("status")
    return status if isinstance(status, Mapping) else {}


def _phase(obj: Mapping[str, Any]) -> str:
    return str(_status(obj).get("phase") or "")


def _started(obj: Mapping[str, Any]) -> datetime | None:
    raw = _status(obj).get("startTimestamp")
    if not isinstance(raw, str):
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
