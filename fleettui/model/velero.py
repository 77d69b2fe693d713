"""Plain Velero mode: fleettui writes velero.io/v1 Backups and Schedules itself, one kube context
at a time. Specs are minimal: no status block and no server-defaulted fields, so the server's
own defaults (BSL, ttl 720h, timeouts) apply (Velero pkg/apis/velero/v1,
pkg/cmd/server/server.go)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fleettui.model.cron import schedule_warnings, validate_cron
from fleettui.model.durations import parse_duration_ns
from fleettui.model.errors import FieldError, FieldWarning
from fleettui.model.filters import JSON_FIELDS, ResourceFilter, validate_ordered_resources
from fleettui.model.names import LABEL_MAX, validate_dns_subdomain
from fleettui.model.selectors import validate_labels
from fleettui.model.stamps import parse_stamp

API_VERSION = "velero.io/v1"
NAMESPACE = "velero"
_SPEC_FIELDS = {
    "storageLocation": "storage_location",
    "snapshotVolumes": "snapshot_volumes",
    "defaultVolumesToFsBackup": "default_volumes_to_fs_backup",
    "ttl": "ttl",
}


@dataclass
class VeleroBackupSpec:
    """A Backup spec (also a Schedule's template) plus the labels of the object."""

    resource_filter: ResourceFilter = field(default_factory=ResourceFilter)
    storage_location: str | None = None
    snapshot_volumes: bool | None = None
    default_volumes_to_fs_backup: bool | None = None
    ttl: str | None = None
    ordered_resources: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # metadata.labels
    extra: dict[str, Any] = field(default_factory=dict)  # spec keys not modelled (hooks, ...)

    def to_dict(self) -> dict[str, Any]:
        """The spec body with only set fields."""
        spec = self.resource_filter.to_dict()
        for json_name, attr in _SPEC_FIELDS.items():
            value = getattr(self, attr)
            if value is not None:
                spec[json_name] = value
        if self.ordered_resources:
            spec["orderedResources"] = dict(self.ordered_resources)
        for key, value in self.extra.items():
            spec.setdefault(key, copy.deepcopy(value))
        return spec

    @classmethod
    def from_dict(cls, spec: object, labels: object = None,
                  path: str = "spec") -> VeleroBackupSpec:
        if spec is None:
            spec = {}
        if not isinstance(spec, Mapping):
            raise FieldError(path, "spec must be a map")
        rf = ResourceFilter.from_dict({k: v for k, v in spec.items() if k in JSON_FIELDS}, path)
        result = cls(resource_filter=rf)
        for json_name, attr in _SPEC_FIELDS.items():
            setattr(result, attr, _typed(spec.get(json_name), attr, f"{path}.{json_name}"))
        ordered = spec.get("orderedResources") or {}
        if not isinstance(ordered, Mapping):
            raise FieldError(f"{path}.orderedResources", "must be a map")
        result.ordered_resources = dict(ordered)
        if labels is not None and not isinstance(labels, Mapping):
            raise FieldError("metadata.labels", "labels must be a map")
        result.labels = dict(labels or {})
        known = {*JSON_FIELDS, *_SPEC_FIELDS, "orderedResources"}
        result.extra = {k: copy.deepcopy(v) for k, v in spec.items() if k not in known}
        return result


def _typed(value: object, attr: str, path: str) -> Any:
    if value is None:
        return None
    wanted: type = str if attr in ("storage_location", "ttl") else bool
    if not isinstance(value, wanted):
        raise FieldError(path, f"must be a {'string' if wanted is str else 'boolean'}")
    return value


@dataclass
class VeleroBackup:
    name: str
    spec: VeleroBackupSpec
    namespace: str = NAMESPACE
    extra: dict[str, Any] = field(default_factory=dict)  # status, other metadata


@dataclass
class VeleroSchedule:
    name: str
    schedule: str
    spec: VeleroBackupSpec
    namespace: str = NAMESPACE
    paused: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # status, other metadata/spec keys


# ---------------------------------------------------------------------------------------------
# Build


def _metadata(name: str, namespace: str, labels: Mapping[str, str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = dict(labels)
    return metadata


def build_velero_backup(name: str, spec: VeleroBackupSpec,
                        namespace: str = NAMESPACE) -> dict[str, Any]:
    """A velero.io/v1 Backup ready to create (never a status block)."""
    return {"apiVersion": API_VERSION, "kind": "Backup",
            "metadata": _metadata(name, namespace, spec.labels), "spec": spec.to_dict()}


def build_velero_schedule(name: str, schedule: str, spec: VeleroBackupSpec, paused: bool = False,
                          namespace: str = NAMESPACE) -> dict[str, Any]:
    """A velero.io/v1 Schedule; its backups inherit the Schedule's labels."""
    body: dict[str, Any] = {"schedule": schedule, "template": spec.to_dict()}
    if paused:
        body["paused"] = True
    return {"apiVersion": API_VERSION, "kind": "Schedule",
            "metadata": _metadata(name, namespace, spec.labels), "spec": body}


# ---------------------------------------------------------------------------------------------
# Parse


def _object_parts(obj: object, kind: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(obj, Mapping):
        raise FieldError("kind", f"a {kind} must be a map")
    if obj.get("apiVersion") not in (None, API_VERSION) or obj.get("kind") not in (None, kind):
        raise FieldError("kind", f"expected {kind} in {API_VERSION}, got {obj.get('kind')} in "
                                 f"{obj.get('apiVersion')}")
    metadata, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    if not isinstance(metadata, Mapping) or not isinstance(spec, Mapping):
        raise FieldError("spec", "metadata and spec must be maps")
    return metadata, spec


def _name_and_namespace(metadata: Mapping[str, Any]) -> tuple[str, str]:
    name, namespace = metadata.get("name") or "", metadata.get("namespace") or NAMESPACE
    if not isinstance(name, str) or not isinstance(namespace, str):
        raise FieldError("metadata.name", "name and namespace must be strings")
    return name, namespace


def _object_extra(obj: Mapping[str, Any], metadata: Mapping[str, Any],
                  spec_extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    extra = {k: copy.deepcopy(v) for k, v in obj.items()
             if k not in ("apiVersion", "kind", "metadata", "spec")}
    meta = {k: copy.deepcopy(v) for k, v in metadata.items()
            if k not in ("name", "namespace", "labels")}
    if meta:
        extra["metadata"] = meta
    if spec_extra:
        extra["spec"] = dict(spec_extra)
    return extra


def parse_velero_backup(obj: object) -> VeleroBackup:
    metadata, spec = _object_parts(obj, "Backup")
    assert isinstance(obj, Mapping)
    name, namespace = _name_and_namespace(metadata)
    body = VeleroBackupSpec.from_dict(spec, metadata.get("labels"))
    return VeleroBackup(name, body, namespace, _object_extra(obj, metadata))


def parse_velero_schedule(obj: object) -> VeleroSchedule:
    metadata, spec = _object_parts(obj, "Schedule")
    assert isinstance(obj, Mapping)
    name, namespace = _name_and_namespace(metadata)
    schedule, paused = spec.get("schedule") or "", spec.get("paused") or False
    if not isinstance(schedule, str) or not isinstance(paused, bool):
        raise FieldError("spec.schedule", "schedule must be a string and paused a boolean")
    body = VeleroBackupSpec.from_dict(spec.get("template"), metadata.get("labels"),
                                      "spec.template")
    spec_extra = {k: v for k, v in spec.items() if k not in ("schedule", "paused", "template")}
    return VeleroSchedule(name, schedule, body, namespace, paused,
                          _object_extra(obj, metadata, spec_extra))


# ---------------------------------------------------------------------------------------------
# Validate


def _collect(errors: list[FieldError], check: Any, *args: Any, **kwargs: Any) -> None:
    try:
        check(*args, **kwargs)
    except FieldError as exc:
        errors.append(exc)


def _spec_checks(spec: VeleroBackupSpec, path: str, errors: list[FieldError],
                 warnings: list[FieldWarning]) -> float | None:
    ttl_seconds = None
    if spec.ttl is not None:
        try:
            ttl_seconds = parse_duration_ns(spec.ttl, f"{path}.ttl") / 1e9
        except FieldError as exc:
            errors.append(exc)
    if spec.storage_location:
        _collect(errors, validate_dns_subdomain, spec.storage_location,
                 f"{path}.storageLocation", what="storage location")
    errors.extend(spec.resource_filter.validate(path, allow_globs=True))
    errors.extend(validate_ordered_resources(spec.ordered_resources, f"{path}.orderedResources"))
    errors.extend(validate_labels(spec.labels))
    if spec.snapshot_volumes and spec.default_volumes_to_fs_backup:
        warnings.append(FieldWarning(f"{path}.snapshotVolumes", (
            "snapshots and file-system backup are both on; pod volumes use file-system backup, "
            "so snapshots only cover volumes not mounted by pods")))
    return ttl_seconds


def validate_velero_backup(name: str, spec: VeleroBackupSpec,
                           ) -> tuple[list[FieldError], list[FieldWarning]]:
    errors: list[FieldError] = []
    warnings: list[FieldWarning] = []
    _collect(errors, validate_dns_subdomain, name, "metadata.name")
    if len(name) > LABEL_MAX and not errors:
        warnings.append(FieldWarning("metadata.name", (
            f"name is {len(name)} characters; Velero hashes names over 63 in the "
            "velero.io/backup-name labels of related objects, keep it at 63 or less")))
    _spec_checks(spec, "spec", errors, warnings)
    return errors, warnings


def validate_velero_schedule(name: str, schedule: str, spec: VeleroBackupSpec,
                             ) -> tuple[list[FieldError], list[FieldWarning]]:
    """Velero's parser accepts descriptors (@daily, @every 1h) and CRON_TZ=, so they pass."""
    errors: list[FieldError] = []
    warnings: list[FieldWarning] = []
    _collect(errors, validate_dns_subdomain, name, "metadata.name", what="schedule name")
    if len(name) > LABEL_MAX and not errors:
        # The raw schedule name becomes the label velero.io/schedule-name on every backup.
        errors.append(FieldError("metadata.name", (
            f"schedule name is {len(name)} characters; it becomes the label value "
            f"velero.io/schedule-name, limited to 63, so shorten it by {len(name) - LABEL_MAX}")))
    ttl_seconds = _spec_checks(spec, "spec.template", errors, warnings)
    try:
        validate_cron(schedule, allow_descriptors=True, field="spec.schedule")
        warnings.extend(schedule_warnings(schedule, ttl_seconds, field="spec.schedule",
                                          ttl_field="spec.template.ttl"))
    except FieldError as exc:
        errors.append(exc)
    return errors, warnings


SYNC_SLACK = 5.0  # s: a cluster creates its backup before starting it, on its own clock


def synced_from_bucket(obj: Mapping[str, Any], cluster: str = "") -> bool:
    """Another cluster's backup that Velero's sync copied in from a shared bucket (velero
    pkg/controller/backup_sync_controller.go): Kurator's objects carry their cluster's name
    first (`<cluster>-backup-...`); any copy was created after it had started, since only
    finished backups reach the bucket."""
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    assert isinstance(metadata, Mapping)
    labels = metadata.get("labels") if isinstance(metadata.get("labels"), Mapping) else {}
    assert isinstance(labels, Mapping)
    name = str(metadata.get("name") or "")
    if cluster and any(k.startswith("kurator.dev/") for k in labels) and \
            not name.startswith(f"{cluster}-"):
        return True
    status = obj.get("status") if isinstance(obj.get("status"), Mapping) else {}
    assert isinstance(status, Mapping)
    created = parse_stamp(metadata.get("creationTimestamp"))
    started = parse_stamp(status.get("startTimestamp"))
    return created is not None and started is not None and \
        (created - started).total_seconds() > SYNC_SLACK
