"""What the backup form and `fleettui backup create` share: text fields in, a Backup out.

Every input is plain text as typed (lists comma-separated; the label filter is a kubectl-style
selector, with ` OR ` between alternatives). `build` turns them into a KuratorBackup and maps
every problem back to the field it came from, so the TUI can show it beside that input and the
CLI can name the flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fleettui.model.cron import validate_cron
from fleettui.model.errors import FieldError
from fleettui.model.filters import ResourceFilter
from fleettui.model.kurator import (
    BackupPolicy,
    ClusterRef,
    Destination,
    KuratorBackup,
    build_backup_manifest,
    validate_backup,
)
from fleettui.model.selectors import parse_selector

OR = re.compile(r"\s+(?:OR|or|\|\|)\s+")
# Form fields, in screen order; their names are the widget ids and the CLI flags' dests.
FIELDS = ("name", "fleet", "clusters", "include_namespaces", "exclude_namespaces", "labels",
          "include_resources", "exclude_resources", "ttl", "schedule")
_PATHS = (  # model error path prefix → form field; first match wins
    ("metadata.name", "name"), ("metadata.namespace", "name"),
    ("destination.fleet", "fleet"), ("destination.clusters", "clusters"),
    ("policy.resourceFilter.includedNamespaces", "include_namespaces"),
    ("policy.resourceFilter.excludedNamespaces", "exclude_namespaces"),
    ("policy.resourceFilter.labelSelector", "labels"),
    ("policy.resourceFilter.orLabelSelectors", "labels"),
    ("policy.resourceFilter.includedResources", "include_resources"),
    ("policy.resourceFilter.excludedResources", "exclude_resources"),
    ("policy.resourceFilter", "include_resources"),
    ("policy.ttl", "ttl"), ("policy", "ttl"), ("schedule", "schedule"),
)


@dataclass
class SelectionText:
    """The namespace, resource and label filters every form shares (backups take them,
    restores put them back), as typed."""

    include_namespaces: str = ""
    exclude_namespaces: str = ""
    labels: str = ""
    or_groups: bool = False  # one group still goes to orLabelSelectors (CLI --or-selector)
    include_resources: str = ""
    exclude_resources: str = ""


@dataclass
class FilterText(SelectionText):
    """The filter fields both backup forms share, as typed."""

    ttl: str = ""


@dataclass
class BackupForm(FilterText):
    name: str = ""
    namespace: str = "default"
    fleet: str = ""
    fleet_clusters: list[ClusterRef] = field(default_factory=list)  # None known: []
    not_ready: list[str] = field(default_factory=list)  # fleet members known not to be ready
    clusters: list[str] | None = None  # chosen names; None = all (destination.clusters unset)
    schedule: str | None = None  # None: back up once, now; text: the cron asked for


@dataclass
class FormResult:
    backup: KuratorBackup  # best effort even with errors, for the preview
    errors: dict[str, str]  # form field → message
    warnings: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def manifest(self) -> dict[str, Any]:
        return build_backup_manifest(self.backup)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def form_field(path: str) -> str:
    """The form field a model or API error path belongs to (API paths start with `spec.`)."""
    path = path.removeprefix("spec.")
    for prefix, name in _PATHS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return name
    return "name" if path.startswith("metadata") else "form"


def parse_labels(text: str, or_groups: bool = False) -> tuple[dict[str, Any] | None,
                                                               list[dict[str, Any]]]:
    """`a=b,c in (d) OR e=f` → (labelSelector, orLabelSelectors); never both."""
    groups = [g for g in OR.split(text.strip()) if g.strip()] if text.strip() else []
    selectors = [parse_selector(g, field="labels") for g in groups]
    if len(selectors) == 1 and not or_groups:
        return selectors[0], []
    return None, selectors


def _destination(form: BackupForm) -> Destination:
    known = {c.name: c for c in form.fleet_clusters}
    if form.clusters is None:
        return Destination(fleet=form.fleet.strip())
    refs = [known.get(n, ClusterRef(name=n)) for n in form.clusters]
    return Destination(fleet=form.fleet.strip(), clusters=refs)


def text_filter(form: SelectionText, errors: dict[str, str]) -> ResourceFilter:
    """The resource filter typed into a form (any of them); label errors go to
    `errors["labels"]`, the rest is checked by the model's validators."""
    rf = ResourceFilter(included_namespaces=split_list(form.include_namespaces),
                        excluded_namespaces=split_list(form.exclude_namespaces),
                        included_resources=split_list(form.include_resources),
                        excluded_resources=split_list(form.exclude_resources))
    try:
        rf.label_selector, rf.or_label_selectors = parse_labels(form.labels, form.or_groups)
    except FieldError as e:
        errors["labels"] = e.message
    return rf


def build(form: BackupForm) -> FormResult:
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    if form.clusters is not None and not form.clusters:
        errors["clusters"] = "choose at least one cluster, or all of them"
    rf = text_filter(form, errors)
    schedule = _schedule(form, errors)
    ttl = form.ttl.strip() or None
    policy = BackupPolicy(resource_filter=rf, ttl=ttl) if (ttl or rf.to_dict()) else None
    backup = KuratorBackup(name=form.name.strip(), namespace=form.namespace.strip(),
                           destination=_destination(form), policy=policy,
                           schedule=schedule or None)
    model_errors, model_warnings = validate_backup(backup, form.fleet_clusters or None,
                                                   form.not_ready)
    for e in model_errors:
        errors.setdefault(form_field(e.field), e.message)
    for w in model_warnings:
        warnings.setdefault(form_field(w.field), w.message)
    return FormResult(backup, errors, warnings)


def _schedule(form: BackupForm, errors: dict[str, str]) -> str:
    """The cron asked for, "" for once; a schedule asked for with no cron is an error (Kurator
    would take the empty schedule for "once, now")."""
    schedule = (form.schedule or "").strip()
    if form.schedule is not None and not schedule:
        try:
            validate_cron(schedule, allow_descriptors=False)
        except FieldError as exc:
            errors["schedule"] = exc.message
    return schedule


def label_requirement(key: str, operator: str, values: str) -> str:
    """One requirement in selector syntax from the builder's key / operator / values."""
    vals = split_list(values)
    if operator in ("exists", "!exists"):
        text = key if operator == "exists" else f"!{key}"
    elif operator in ("=", "!="):
        if len(vals) != 1:
            raise FieldError("labels", f"{operator} takes exactly one value; use in/notin for "
                                       "several")
        text = f"{key}{operator}{vals[0]}"
    else:
        if not vals:
            raise FieldError("labels", f"{key} {operator} (): the value list is empty; name at "
                                       "least one value")
        text = f"{key} {operator} ({','.join(vals)})"
    parse_selector(text, field="labels")  # the same checks as typed text
    return text


def add_to_selector(current: str, requirement: str, new_group: bool) -> str:
    """Append a requirement to the filter text: AND within the last group, or a new OR group."""
    current = current.strip()
    if not current:
        return requirement
    return f"{current} OR {requirement}" if new_group else f"{current},{requirement}"
