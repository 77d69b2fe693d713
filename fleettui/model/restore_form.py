"""What the restore and migrate forms and `fleettui restore|migrate|velero restore create` share:
text fields in, a Kurator Restore / Migrate (or a plain Velero Restore) out, and every problem
keyed by the field it came from, as model.backup_form does for backups.

Lists are comma-separated; the label filter is a kubectl-style selector with ` OR ` between
alternatives; the namespace mapping is `old:new,old2:new2` as the velero CLI takes it. Clusters
are names, with their kinds taken from the fleet when it is known, else from `cluster_kinds`
(typed as KIND/NAME), else AttachedCluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fleettui.model.backup_form import SelectionText, split_list, text_filter
from fleettui.model.errors import FieldError, FieldWarning
from fleettui.model.filters import ResourceFilter
from fleettui.model.kurator import ClusterRef, Destination, KuratorBackup, _collect
from fleettui.model.names import validate_dns_label, validate_dns_subdomain
from fleettui.model.restore import (
    KuratorMigrate,
    KuratorRestore,
    MigratePolicy,
    PreserveStatus,
    RestorePolicy,
    build_migrate_manifest,
    build_restore_manifest,
    namespace_mapping_errors,
    parse_namespace_mapping,
    validate_migrate,
    validate_restore,
)
from fleettui.model.velero import NAMESPACE as VELERO_NAMESPACE

SELECTION_FIELDS = ("include_namespaces", "exclude_namespaces", "labels", "include_resources",
                    "exclude_resources")
OPTION_FIELDS = ("namespace_mapping", "preserve_node_ports", "restore_status")
# Form fields, in screen order; their names are the CLI flags' dests too.
RESTORE_FIELDS = ("name", "backup", "fleet", "clusters", *SELECTION_FIELDS, *OPTION_FIELDS)
MIGRATE_FIELDS = ("name", "fleet", "source", "targets", *SELECTION_FIELDS, "ordered_resources",
                  *OPTION_FIELDS)
VELERO_RESTORE_FIELDS = ("name", "namespace", "backup", "schedule", *SELECTION_FIELDS,
                         *OPTION_FIELDS)

_FILTER_PATHS = (  # path below the resource filter → form field
    ("includedNamespaces", "include_namespaces"), ("excludedNamespaces", "exclude_namespaces"),
    ("labelSelector", "labels"), ("orLabelSelectors", "labels"),
    ("includedResources", "include_resources"), ("excludedResources", "exclude_resources"),
    ("", "include_resources"),  # the filter itself (style mixing, new-style fields)
)
_OPTION_PATHS = (("policy.namespaceMapping", "namespace_mapping"),
                 ("policy.preserveNodePorts", "preserve_node_ports"),
                 ("policy.preserveStatus", "restore_status"),
                 ("policy.migrateStatus", "restore_status"))
_RESTORE_PATHS = (("metadata", "name"), ("backupName", "backup"), ("destination.fleet", "fleet"),
                  ("destination", "clusters"), *_OPTION_PATHS)
_MIGRATE_PATHS = (("metadata", "name"), ("sourceCluster.fleet", "fleet"),
                  ("targetCluster.fleet", "fleet"), ("sourceCluster", "source"),
                  ("targetCluster", "targets"), ("policy.orderedResources", "ordered_resources"),
                  *_OPTION_PATHS)


def _field_for(path: str, paths: tuple[tuple[str, str], ...], filter_prefix: str) -> str:
    """The form field a model or API error path belongs to (API paths start with `spec.`)."""
    if filter_prefix != "spec":
        path = path.removeprefix("spec.")
    for prefix, name in paths:
        if _under(path, prefix):
            return name
    for below, name in _FILTER_PATHS:
        if (below and _under(path, f"{filter_prefix}.{below}")) or path == filter_prefix:
            return name
    return "form"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def restore_field(path: str) -> str:
    return _field_for(path, _RESTORE_PATHS, "policy.resourceFilter")


def migrate_field(path: str) -> str:
    return _field_for(path, _MIGRATE_PATHS, "policy.resourceFilter")


@dataclass
class RestoreOptions(SelectionText):
    """What every restore form has besides its source and targets."""

    name: str = ""
    namespace: str = "default"
    namespace_mapping: str = ""  # old:new,old2:new2
    preserve_node_ports: bool | None = None  # None: not sent (Velero: false)
    restore_status: str = ""  # resources whose .status is restored too, comma-separated
    fleet: str = ""
    fleet_clusters: list[ClusterRef] = field(default_factory=list)  # none known: []
    cluster_kinds: dict[str, str] = field(default_factory=dict)  # typed as KIND/NAME


@dataclass
class RestoreForm(RestoreOptions):
    backup_name: str = ""
    clusters: list[str] | None = None  # None: the backup's own clusters (no destination)
    backup: KuratorBackup | None = None  # the Backup read from the host
    backup_known: bool = False  # whether it was looked up (then None means: no such Backup)


@dataclass
class MigrateForm(RestoreOptions):
    source: str = ""
    targets: list[str] = field(default_factory=list)
    ordered_resources: str = ""  # pods=ns1/pod1,ns1/pod2;persistentvolumes=pv4 (velero CLI)


@dataclass
class VeleroRestoreForm(SelectionText):
    name: str = ""
    namespace: str = VELERO_NAMESPACE
    backup_name: str = ""
    schedule_name: str = ""
    namespace_mapping: str = ""
    preserve_node_ports: bool | None = None
    restore_status: str = ""


@dataclass
class RestoreFormResult:
    errors: dict[str, str]  # form field → message
    warnings: dict[str, str]
    manifest: dict[str, Any]  # best effort even with errors, for a preview
    restore: KuratorRestore | None = None  # what build_restore built
    migrate: KuratorMigrate | None = None  # what build_migrate built

    @property
    def ok(self) -> bool:
        return not self.errors


def _ref(name: str, form: RestoreOptions) -> ClusterRef:
    known = {c.name: c for c in form.fleet_clusters}
    if name in form.cluster_kinds:
        return ClusterRef(name=name, kind=form.cluster_kinds[name])
    return known.get(name, ClusterRef(name=name))


def _mapping(text: str, errors: dict[str, str]) -> dict[str, str]:
    try:
        return parse_namespace_mapping(text)
    except FieldError as e:
        errors["namespace_mapping"] = e.message
        return {}


def parse_ordered_resources(text: str, errors: dict[str, str]) -> dict[str, str]:
    """`pods=ns1/pod1,ns1/pod2;persistentvolumes=pv4` (the velero CLI's --ordered-resources)
    → {resource: "ns/name,..."}; the names themselves are checked by validate_migrate."""
    ordered: dict[str, str] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        resource, sep, names = (s.strip() for s in part.partition("="))
        if not sep or not resource or not names:
            errors.setdefault("ordered_resources", f'"{part}": write resource=ns/name,..., '
                                                   "e.g. pods=shop/web,shop/db")
        elif resource in ordered:
            errors.setdefault("ordered_resources", f'"{resource}" is listed twice')
        else:
            ordered[resource] = names
    return ordered


def _preserve(text: str) -> PreserveStatus | None:
    kinds = split_list(text)
    return PreserveStatus(included_resources=kinds) if kinds else None


def _names_errors(form: RestoreOptions | VeleroRestoreForm, errors: dict[str, str],
                  **names: str) -> None:
    """Names Kurator and Velero take as they are (a backup's, resources whose status is
    restored): checked here, or the restore fails later where nobody looks."""
    for key, value in names.items():
        if value.strip():
            try:
                validate_dns_subdomain(value.strip(), key, what="name")
            except FieldError as e:
                errors.setdefault(key, e.message)
    kinds = split_list(form.restore_status)
    for problem in ResourceFilter(included_resources=kinds).validate("status"):
        errors.setdefault("restore_status", problem.message)


def _add(errors: dict[str, str], warnings: dict[str, str], found: tuple[list[FieldError],
         list[FieldWarning]], to_field: Any) -> None:
    for e in found[0]:
        errors.setdefault(to_field(e.field), e.message)
    for w in found[1]:
        warnings.setdefault(to_field(w.field), w.message)


def _restore_fleet(form: RestoreForm, errors: dict[str, str]) -> str:
    """The destination's fleet: typed, else the backup's; a client dry run of a restore to
    named clusters cannot know it."""
    fleet = form.fleet.strip()
    if not fleet and form.backup is not None:
        fleet = form.backup.destination.fleet
    if not fleet and form.clusters:
        errors["fleet"] = "name the backup's fleet: it goes into the destination with the clusters"
    elif not form.clusters and form.backup is not None and fleet != form.backup.destination.fleet:
        # With clusters, validate_restore says it about the destination.
        errors["fleet"] = (f'the backup "{form.backup.name}" is of fleet '
                           f'"{form.backup.destination.fleet}": a restore goes to that fleet')
    return fleet


def build_restore(form: RestoreForm) -> RestoreFormResult:
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    if form.clusters is not None and not form.clusters:
        errors["clusters"] = "choose at least one cluster, or leave them out for the backup's"
    rf = text_filter(form, errors)
    mapping = _mapping(form.namespace_mapping, errors)
    _names_errors(form, errors, backup=form.backup_name, fleet=form.fleet)
    preserve = _preserve(form.restore_status)
    fleet = _restore_fleet(form, errors)
    destination = None if not form.clusters else Destination(
        fleet=fleet, clusters=[_ref(n, form) for n in form.clusters])
    policy = RestorePolicy(resource_filter=rf if rf.to_dict() else None,
                           namespace_mapping=mapping, preserve_status=preserve,
                           preserve_node_ports=form.preserve_node_ports)
    restore = KuratorRestore(name=form.name.strip(), backup_name=form.backup_name.strip(),
                             namespace=form.namespace.strip(), destination=destination,
                             policy=policy if policy.to_dict() else None)
    _add(errors, warnings, validate_restore(restore, form.backup, form.fleet_clusters,
                                            backup_known=form.backup_known), restore_field)
    return RestoreFormResult(errors, warnings, build_restore_manifest(restore), restore=restore)


def build_migrate(form: MigrateForm) -> RestoreFormResult:
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    rf = text_filter(form, errors)
    mapping = _mapping(form.namespace_mapping, errors)
    _names_errors(form, errors, fleet=form.fleet)
    fleet = form.fleet.strip()
    source = [_ref(form.source.strip(), form)] if form.source.strip() else []
    policy = MigratePolicy(resource_filter=rf, namespace_mapping=mapping,
                           ordered_resources=parse_ordered_resources(form.ordered_resources,
                                                                     errors),
                           migrate_status=_preserve(form.restore_status),
                           preserve_node_ports=form.preserve_node_ports)
    migrate = KuratorMigrate(name=form.name.strip(), namespace=form.namespace.strip(),
                             source=Destination(fleet=fleet, clusters=source),
                             target=Destination(fleet=fleet, clusters=[
                                 _ref(n, form) for n in form.targets]), policy=policy)
    _add(errors, warnings, validate_migrate(migrate, form.fleet_clusters), migrate_field)
    return RestoreFormResult(errors, warnings, build_migrate_manifest(migrate), migrate=migrate)


# ---- plain Velero --------------------------------------------------------------------------
_VELERO_PATHS = (("metadata.namespace", "namespace"), ("metadata", "name"),
                 ("spec.backupName", "backup"), ("spec.scheduleName", "schedule"),
                 ("spec.namespaceMapping", "namespace_mapping"),
                 ("spec.restoreStatus", "restore_status"),
                 ("spec.preserveNodePorts", "preserve_node_ports"))


def velero_restore_field(path: str) -> str:
    """The form field of a model path (`spec.…`, `metadata.…`)."""
    return _field_for(path, _VELERO_PATHS, "spec")


def _velero_source(form: VeleroRestoreForm) -> tuple[dict[str, str], list[FieldError]]:
    backup, schedule = form.backup_name.strip(), form.schedule_name.strip()
    if bool(backup) == bool(schedule):
        return {}, [FieldError("spec.backupName", (
            "name exactly one: the backup to restore, or the schedule whose newest completed "
            "run to restore"))]
    key, value = ("backupName", backup) if backup else ("scheduleName", schedule)
    errors: list[FieldError] = []
    _collect(errors, validate_dns_subdomain, value, f"spec.{key}", what="name")
    return {key: value}, errors


def build_velero_restore(form: VeleroRestoreForm) -> RestoreFormResult:
    """A velero.io/v1 Restore with the fields the velero CLI sets; errors by form field."""
    errors: dict[str, str] = {}
    name, namespace = form.name.strip(), form.namespace.strip()
    rf = text_filter(form, errors)
    mapping = _mapping(form.namespace_mapping, errors)
    _names_errors(form, errors)
    source, found = _velero_source(form)
    _collect(found, validate_dns_subdomain, name, "metadata.name")
    _collect(found, validate_dns_label, namespace, "metadata.namespace", what="namespace")
    found.extend(rf.validate("spec", allow_globs=True))
    found.extend(namespace_mapping_errors(mapping, "spec.namespaceMapping"))
    for e in found:
        errors.setdefault(velero_restore_field(e.field), e.message)
    spec: dict[str, Any] = {**source, **rf.to_dict()}
    if mapping:
        spec["namespaceMapping"] = mapping
    preserve = _preserve(form.restore_status)
    if preserve is not None:
        spec["restoreStatus"] = preserve.to_dict()
    if form.preserve_node_ports is not None:
        spec["preserveNodePorts"] = form.preserve_node_ports
    manifest = {"apiVersion": "velero.io/v1", "kind": "Restore",
                "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    return RestoreFormResult(errors, {}, manifest)
