"""What `fleettui velero backup|schedule create` shares with backup_form: text in, object out.

Plain Velero mode writes velero.io/v1 Backups and Schedules itself. The inputs are plain text as
typed (lists comma-separated, the label filter a kubectl-style selector with ` OR ` between
alternatives); `build` turns them into the object to send and maps every problem back to the
form field it came from, so the CLI can name the flag (and a form could show it beside its input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fleettui.model.backup_form import FilterText, text_filter
from fleettui.model.errors import FieldError
from fleettui.model.names import validate_dns_label
from fleettui.model.velero import (
    NAMESPACE,
    VeleroBackupSpec,
    build_velero_backup,
    build_velero_schedule,
    validate_velero_backup,
    validate_velero_schedule,
)

# Form fields; their names are the CLI flags' dests.
FIELDS = ("name", "namespace", "include_namespaces", "exclude_namespaces", "labels",
          "include_resources", "exclude_resources", "storage_location", "snapshot_volumes",
          "ttl", "schedule")
_PATHS = (  # model error path (without "spec." / "spec.template.") → form field
    ("metadata.name", "name"), ("metadata.namespace", "namespace"),
    ("includedNamespaces", "include_namespaces"), ("excludedNamespaces", "exclude_namespaces"),
    ("labelSelector", "labels"), ("orLabelSelectors", "labels"),
    ("includedResources", "include_resources"), ("excludedResources", "exclude_resources"),
    ("storageLocation", "storage_location"), ("snapshotVolumes", "snapshot_volumes"),
    ("defaultVolumesToFsBackup", "snapshot_volumes"), ("ttl", "ttl"), ("schedule", "schedule"),
)


@dataclass
class VeleroForm(FilterText):
    name: str = ""
    namespace: str = NAMESPACE  # Velero's install namespace
    storage_location: str = ""
    snapshot_volumes: bool | None = None  # None: Velero's default
    default_volumes_to_fs_backup: bool | None = None
    schedule: str | None = None  # None: a Backup; text (cron or @descriptor): a Schedule


@dataclass
class VeleroFormResult:
    manifest: dict[str, Any]  # best effort even with errors, for a preview
    errors: dict[str, str]  # form field → message
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def velero_form_field(path: str) -> str:
    """The form field a model or API error path belongs to."""
    if path.startswith("metadata."):
        return "namespace" if path.startswith("metadata.namespace") else "name"
    rest = path.removeprefix("spec.").removeprefix("template.")
    for prefix, name in _PATHS:
        if rest == prefix or rest.startswith((prefix + ".", prefix + "[")):
            return name
    return "include_resources" if rest in ("spec", "template", "") else "form"


def velero_spec(form: VeleroForm, errors: dict[str, str]) -> VeleroBackupSpec:
    """The Backup spec (a Schedule's template) the form describes; label errors into `errors`."""
    rf = text_filter(form, errors)
    return VeleroBackupSpec(resource_filter=rf,
                            storage_location=form.storage_location.strip() or None,
                            snapshot_volumes=form.snapshot_volumes,
                            default_volumes_to_fs_backup=form.default_volumes_to_fs_backup,
                            ttl=form.ttl.strip() or None)


def build_velero(form: VeleroForm) -> VeleroFormResult:
    """A velero.io/v1 Backup (``schedule is None``) or Schedule, with errors by form field."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    name, namespace = form.name.strip(), form.namespace.strip()
    try:
        validate_dns_label(namespace, "metadata.namespace", what="namespace")
    except FieldError as exc:
        errors["namespace"] = exc.message
    spec = velero_spec(form, errors)
    if form.schedule is None:
        manifest = build_velero_backup(name, spec, namespace)
        model_errors, model_warnings = validate_velero_backup(name, spec)
    else:
        schedule = form.schedule.strip()
        manifest = build_velero_schedule(name, schedule, spec, namespace=namespace)
        model_errors, model_warnings = validate_velero_schedule(name, schedule, spec)
    for e in model_errors:
        errors.setdefault(velero_form_field(e.field), e.message)
    for w in model_warnings:
        warnings.setdefault(velero_form_field(w.field), w.message)
    return VeleroFormResult(manifest, errors, warnings)
