"""Kurator Unified Backup (backup.kurator.dev/v1alpha1): build, parse, validate, and the Velero
objects Kurator's controller derives from a Backup (Kurator pkg/apis/backups/v1alpha1 and
pkg/fleet-manager/backup)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fleettui.model.cron import schedule_warnings, validate_cron
from fleettui.model.durations import parse_duration_ns
from fleettui.model.errors import FieldError, FieldWarning
from fleettui.model.filters import ResourceFilter, validate_ordered_resources
from fleettui.model.names import (
    check_derived_name_length,
    validate_dns_label,
    validate_dns_subdomain,
)

API_VERSION = "backup.kurator.dev/v1alpha1"
VELERO_API_VERSION = "velero.io/v1"
VELERO_NAMESPACE = "velero"
BACKUP_NAME_LABEL = "kurator.dev/backup-name"
RESTORE_NAME_LABEL = "kurator.dev/restore-name"
MIGRATE_NAME_LABEL = "kurator.dev/migrate-name"
FLEET_LABEL = "fleet.kurator.dev/fleet-name"
PLUGIN_LABEL = "fleet.kurator.dev/plugin"
PLUGIN_VALUE = "backup"

# Server-managed metadata that must not be sent when cloning an object.
_SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "finalizers",
                    "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
                    "selfLink", "ownerReferences")
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


@dataclass(frozen=True)
class ClusterRef:
    """A Fleet member as Destination names it. ``kind=""`` means no kind (Kurator: Cluster)."""

    name: str
    kind: str = "AttachedCluster"
    # apiVersion, namespace, uid... are accepted by the schema but ignored by Kurator.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.kind:
            out["kind"] = self.kind
        out["name"] = self.name
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, data: object, path: str) -> ClusterRef:
        if not isinstance(data, Mapping):
            raise FieldError(path, "cluster entry must be a map with kind and name")
        name, kind = data.get("name", ""), data.get("kind", "")
        if not isinstance(name, str) or not isinstance(kind, str):
            raise FieldError(path, "kind and name must be strings")
        extra = {k: v for k, v in data.items() if k not in ("name", "kind")}
        return cls(name=name, kind=kind, extra=extra)

    def label(self) -> str:
        return f"{self.kind}/{self.name}" if self.kind else self.name


@dataclass
class Destination:
    fleet: str
    clusters: list[ClusterRef] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fleet": self.fleet}
        if self.clusters:
            out["clusters"] = [c.to_dict() for c in self.clusters]
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, data: object, path: str = "destination") -> Destination:
        if not isinstance(data, Mapping):
            raise FieldError(path, "destination must be a map with fleet and optional clusters")
        fleet = data.get("fleet", "")
        if not isinstance(fleet, str):
            raise FieldError(f"{path}.fleet", "fleet must be a name")
        raw_clusters = data.get("clusters") or []
        if not isinstance(raw_clusters, list):
            raise FieldError(f"{path}.clusters", "clusters must be a list")
        clusters = [ClusterRef.from_dict(c, f"{path}.clusters[{i}]")
                    for i, c in enumerate(raw_clusters)]
        extra = {k: v for k, v in data.items() if k not in ("fleet", "clusters")}
        return cls(fleet=fleet, clusters=clusters, extra=extra)


@dataclass
class BackupPolicy:
    resource_filter: ResourceFilter = field(default_factory=ResourceFilter)
    ttl: str | None = None  # kept exactly as typed ("720h"), never normalised
    ordered_resources: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # resourceFilter is always emitted: Kurator dereferences it unconditionally (gotcha 2).
        out: dict[str, Any] = {"resourceFilter": self.resource_filter.to_dict()}
        if self.ttl is not None:
            out["ttl"] = self.ttl
        if self.ordered_resources:
            out["orderedResources"] = dict(self.ordered_resources)
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, data: object, path: str = "policy") -> BackupPolicy:
        if not isinstance(data, Mapping):
            raise FieldError(path, "policy must be a map")
        ttl = data.get("ttl")
        if ttl is not None and not isinstance(ttl, str):
            raise FieldError(f"{path}.ttl", 'ttl must be a duration string such as "720h"')
        ordered = data.get("orderedResources") or {}
        if not isinstance(ordered, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in ordered.items()):
            raise FieldError(f"{path}.orderedResources", "must map resource names to strings")
        known = ("resourceFilter", "ttl", "orderedResources")
        return cls(
            resource_filter=ResourceFilter.from_dict(data.get("resourceFilter"),
                                                     f"{path}.resourceFilter"),
            ttl=ttl,
            ordered_resources=dict(ordered),
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass
class KuratorBackup:
    name: str
    destination: Destination
    namespace: str = "default"
    policy: BackupPolicy | None = None
    schedule: str | None = None  # None or "" is an immediate, one-time backup
    # Everything else in the object (labels, annotations, status, unknown spec keys), nested as
    # in the object, so that build_backup_manifest(parse_backup(obj)) keeps it.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scheduled(self) -> bool:
        return bool(self.schedule)


# ---------------------------------------------------------------------------------------------
# Build and parse


def _merge_missing(target: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Add ``extra`` keys that ``target`` lacks, recursing into maps; modelled values win."""
    for key, value in extra.items():
        if key not in target:
            target[key] = copy.deepcopy(value)
        elif isinstance(target[key], dict) and isinstance(value, Mapping):
            _merge_missing(target[key], value)
    return target


def build_backup_manifest(b: KuratorBackup) -> dict[str, Any]:
    """The object kubectl would send (apiVersion, kind, metadata, spec), plus kept extras."""
    spec: dict[str, Any] = {"destination": b.destination.to_dict()}
    if b.policy is not None:
        spec["policy"] = b.policy.to_dict()
    if b.schedule:
        spec["schedule"] = b.schedule
    manifest: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "Backup",
        "metadata": {"name": b.name, "namespace": b.namespace},
        "spec": spec,
    }
    return _merge_missing(manifest, b.extra)


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise FieldError(path, "must be a map")
    return value


def _string(value: object, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(path, "must be a string")
    return value


def _check_type(obj: Mapping[str, Any], kind: str) -> None:
    api_version, obj_kind = obj.get("apiVersion"), obj.get("kind")
    if api_version not in (None, API_VERSION) or obj_kind not in (None, kind):
        raise FieldError("kind", f"expected {kind} in {API_VERSION}, got {obj_kind} in "
                                 f"{api_version}")


def _extras(obj: Mapping[str, Any], spec_keys: tuple[str, ...]) -> dict[str, Any]:
    extra = {k: copy.deepcopy(v) for k, v in obj.items()
             if k not in ("apiVersion", "kind", "metadata", "spec")}
    meta = {k: copy.deepcopy(v) for k, v in _mapping(obj.get("metadata"), "metadata").items()
            if k not in ("name", "namespace")}
    spec = {k: copy.deepcopy(v) for k, v in _mapping(obj.get("spec"), "spec").items()
            if k not in spec_keys}
    if meta:
        extra["metadata"] = meta
    if spec:
        extra["spec"] = spec
    return extra


def parse_backup(obj: object) -> KuratorBackup:
    """Read a Backup object (as returned by the API server or loaded from YAML)."""
    if not isinstance(obj, Mapping):
        raise FieldError("kind", "a Backup must be a map")
    _check_type(obj, "Backup")
    metadata = _mapping(obj.get("metadata"), "metadata")
    spec = _mapping(obj.get("spec"), "spec")
    raw_policy = spec.get("policy")
    schedule = spec.get("schedule")
    if schedule is not None and not isinstance(schedule, str):
        raise FieldError("schedule", 'schedule must be a cron string such as "0 0 * * *"')
    return KuratorBackup(
        name=_string(metadata.get("name"), "metadata.name"),
        namespace=_string(metadata.get("namespace"), "metadata.namespace") or "default",
        destination=Destination.from_dict(spec.get("destination") or {}),
        policy=None if raw_policy is None else BackupPolicy.from_dict(raw_policy),
        schedule=schedule,
        extra=_extras(obj, ("destination", "policy", "schedule")),
    )


def clone_backup(b: KuratorBackup, name: str) -> KuratorBackup:
    """A copy under a new name without server-managed fields or status (objects are create-only,
    so "editing" means cloning)."""
    extra = copy.deepcopy(b.extra)
    extra.pop("status", None)
    metadata = extra.get("metadata")
    if isinstance(metadata, dict):
        for key in _SERVER_METADATA:
            metadata.pop(key, None)
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(_LAST_APPLIED, None)
            if not annotations:
                metadata.pop("annotations")
        if not metadata:
            extra.pop("metadata")
    return replace(b, name=name, extra=extra)


# ---------------------------------------------------------------------------------------------
# Validation


def _collect(errors: list[FieldError], check: Any, *args: Any, **kwargs: Any) -> None:
    try:
        check(*args, **kwargs)
    except FieldError as exc:
        errors.append(exc)


def _fleet_cluster_errors(clusters: list[ClusterRef], fleet: str,
                          fleet_clusters: list[ClusterRef] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    members = {(c.kind, c.name) for c in fleet_clusters or []}
    for i, cluster in enumerate(clusters):
        path = f"destination.clusters[{i}]"
        if not cluster.name:
            errors.append(FieldError(f"{path}.name", "cluster name is required"))
            continue
        if (cluster.kind, cluster.name) in seen:
            errors.append(FieldError(path, f"{cluster.label()} is listed twice; remove the "
                                           "duplicate"))
            continue
        seen.add((cluster.kind, cluster.name))
        if fleet_clusters is None or (cluster.kind, cluster.name) in members:
            continue
        errors.append(_not_in_fleet(cluster, path, fleet, fleet_clusters))
    return errors


def _not_in_fleet(cluster: ClusterRef, path: str, fleet: str,
                  fleet_clusters: list[ClusterRef]) -> FieldError:
    same_name = [c for c in fleet_clusters if c.name == cluster.name]
    if same_name:
        wanted = same_name[0].kind
        fix = f'use kind "{wanted}"' if wanted else "remove the kind (the fleet entry has none)"
        return FieldError(f"{path}.kind", (
            f'kind "{cluster.kind}" does not match the fleet entry for {cluster.name} '
            f'(kind "{wanted}"); Kurator compares kind and name exactly, {fix}'))
    names = ", ".join(c.label() for c in fleet_clusters) or "none"
    return FieldError(f"{path}.name", (
        f'cluster "{cluster.name}" is not in fleet "{fleet}" (members: {names}); pick one of '
        "the members"))


def _ttl_checks(ttl: str | None, errors: list[FieldError],
                warnings: list[FieldWarning], path: str = "policy.ttl") -> float | None:
    if ttl is None:
        return None
    try:
        nanos = parse_duration_ns(ttl, path)
    except FieldError as exc:
        errors.append(exc)
        return None
    if nanos == 0:
        warnings.append(FieldWarning(path, "ttl 0 means Velero's default retention (720h, "
                                           "30 days)"))
    return nanos / 1e9


def _schedule_checks(b: KuratorBackup, ttl_seconds: float | None, errors: list[FieldError],
                     warnings: list[FieldWarning]) -> None:
    if not b.schedule:
        return
    try:
        validate_cron(b.schedule, allow_descriptors=False, field="schedule")
        warnings.extend(schedule_warnings(b.schedule, ttl_seconds))
    except FieldError as exc:
        errors.append(exc)


def _target_names(b: KuratorBackup, fleet_clusters: list[ClusterRef] | None) -> list[str]:
    if b.destination.clusters:
        return [c.name for c in b.destination.clusters if c.name]
    return [c.name for c in fleet_clusters or []]


def _listed_not_ready(b: KuratorBackup, not_ready: list[str]) -> list[FieldWarning]:
    """A listed cluster that is not ready is left out of Kurator's fleet map, so the whole
    backup fails with "not recorded in the fleet", retried with no status, until it is ready
    (kurator pkg/fleet-manager/fleet_cluster.go BuildFleetClusters)."""
    listed = [c.name for c in b.destination.clusters if c.name in not_ready]
    if not listed:
        return []
    names = ", ".join(listed)
    verb, pronoun = ("is", "it is") if len(listed) == 1 else ("are", "they are")
    return [FieldWarning("destination.clusters", (
        f"{names} {verb} not ready: Kurator backs up none of the listed clusters until "
        f"{pronoun} (it retries without a word in the status)"))]


def validate_backup(b: KuratorBackup, fleet_clusters: list[ClusterRef] | None = None,
                    not_ready: list[str] | None = None,
                    ) -> tuple[list[FieldError], list[FieldWarning]]:
    """Client-side checks Kurator never makes (no webhook exists). ``fleet_clusters`` are the
    Fleet's ``spec.clusters``; None skips the membership checks. ``not_ready``: fleet members
    known not to be ready, which a backup of "every cluster" skips without notice."""
    errors: list[FieldError] = []
    warnings: list[FieldWarning] = []
    _collect(errors, validate_dns_label, b.name, "metadata.name")
    _collect(errors, validate_dns_label, b.namespace, "metadata.namespace", what="namespace")
    if not b.destination.fleet:
        errors.append(FieldError("destination.fleet", "fleet is required; name the Fleet in "
                                                      f"namespace {b.namespace}"))
    else:
        _collect(errors, validate_dns_subdomain, b.destination.fleet, "destination.fleet",
                 what="fleet name")
    errors.extend(_fleet_cluster_errors(b.destination.clusters, b.destination.fleet,
                                        fleet_clusters))
    if not b.destination.clusters and not_ready:
        # Only then is it news: with every member ready, "all clusters" means all of them.
        names = ", ".join(not_ready)
        verb = "is" if len(not_ready) == 1 else "are"
        warnings.append(FieldWarning("destination.clusters", (
            f"no clusters listed: Kurator backs up only the ready clusters of the fleet; "
            f"{names} {verb} not ready and will be skipped without notice")))
    warnings.extend(_listed_not_ready(b, not_ready or []))
    ttl_seconds = None
    if b.policy is not None:
        ttl_seconds = _ttl_checks(b.policy.ttl, errors, warnings)
        errors.extend(b.policy.resource_filter.validate("policy.resourceFilter"))
        errors.extend(validate_ordered_resources(b.policy.ordered_resources))
    _schedule_checks(b, ttl_seconds, errors, warnings)
    warnings.extend(check_derived_name_length(_target_names(b, fleet_clusters), b.namespace,
                                              b.name, scheduled=b.scheduled))
    return errors, warnings
