"""Kurator's ResourceFilter (a subset of Velero's BackupSpec filters) and its rules.

Namespace entries: a DNS-1123 label, or ``*`` alone (all namespaces). Kurator installs Velero
1.11, which knows no other wildcards; ``allow_globs=True`` (plain Velero >= 1.18) also accepts
the glob characters ``*``, ``?`` and ``[...]`` inside a name, checked by replacing them with a
letter and validating the result as a label. Resource entries: ``*`` or a lowercase plural
resource name with an optional group (``deployments``, ``storageclasses.storage.k8s.io``).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fleettui.model.errors import FieldError
from fleettui.model.names import validate_dns_label
from fleettui.model.selectors import validate_selector

# JSON name -> attribute name, in Kurator's order.
LIST_FIELDS = {
    "includedNamespaces": "included_namespaces",
    "excludedNamespaces": "excluded_namespaces",
    "includedResources": "included_resources",
    "excludedResources": "excluded_resources",
    "includedClusterScopedResources": "included_cluster_scoped_resources",
    "excludedClusterScopedResources": "excluded_cluster_scoped_resources",
    "includedNamespaceScopedResources": "included_namespace_scoped_resources",
    "excludedNamespaceScopedResources": "excluded_namespace_scoped_resources",
}
OLD_STYLE = ("includedResources", "excludedResources", "includeClusterResources")
NEW_STYLE = ("includedClusterScopedResources", "excludedClusterScopedResources",
             "includedNamespaceScopedResources", "excludedNamespaceScopedResources")
JSON_FIELDS = (*LIST_FIELDS, "includeClusterResources", "labelSelector", "orLabelSelectors")

_RESOURCE_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_GLOB_RE = re.compile(r"\[[^\]]*\]|[*?]")


@dataclass
class ResourceFilter:
    """Which resources a backup covers. Empty lists and None mean "not set"."""

    included_namespaces: list[str] = field(default_factory=list)
    excluded_namespaces: list[str] = field(default_factory=list)
    included_resources: list[str] = field(default_factory=list)
    excluded_resources: list[str] = field(default_factory=list)
    include_cluster_resources: bool | None = None
    included_cluster_scoped_resources: list[str] = field(default_factory=list)
    excluded_cluster_scoped_resources: list[str] = field(default_factory=list)
    included_namespace_scoped_resources: list[str] = field(default_factory=list)
    excluded_namespace_scoped_resources: list[str] = field(default_factory=list)
    label_selector: dict[str, Any] | None = None
    or_label_selectors: list[dict[str, Any]] = field(default_factory=list)
    # Keys this model does not know, kept so that parse -> build loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, *, with_extra: bool = True) -> dict[str, Any]:
        """JSON form with only the fields that are set (Go omitempty).

        ``with_extra=False`` leaves out unknown keys, as Go's typed copy into Velero does.
        """
        out: dict[str, Any] = {}
        for json_name, attr in LIST_FIELDS.items():
            values = getattr(self, attr)
            if values:
                out[json_name] = list(values)
        if self.include_cluster_resources is not None:
            out["includeClusterResources"] = self.include_cluster_resources
        if self.label_selector is not None:
            out["labelSelector"] = self.label_selector
        if self.or_label_selectors:
            out["orLabelSelectors"] = list(self.or_label_selectors)
        if with_extra:
            for key, value in self.extra.items():
                out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, data: object, prefix: str = "policy.resourceFilter") -> ResourceFilter:
        """Read the JSON form; wrong types raise FieldError (Go would refuse to decode them)."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise FieldError(prefix, "resourceFilter must be a map")
        result = cls(extra={k: v for k, v in data.items() if k not in JSON_FIELDS})
        for json_name, attr in LIST_FIELDS.items():
            setattr(result, attr, _string_list(data.get(json_name), f"{prefix}.{json_name}"))
        include = data.get("includeClusterResources")
        if include is not None and not isinstance(include, bool):
            raise FieldError(f"{prefix}.includeClusterResources", "must be true or false")
        result.include_cluster_resources = include
        selector = data.get("labelSelector")
        if selector is not None and not isinstance(selector, dict):
            raise FieldError(f"{prefix}.labelSelector", "must be a label selector map")
        result.label_selector = selector
        result.or_label_selectors = _selector_list(data.get("orLabelSelectors"),
                                                   f"{prefix}.orLabelSelectors")
        return result

    def validate(self, prefix: str = "policy.resourceFilter", *,
                 allow_globs: bool = False) -> list[FieldError]:
        """Every rule Velero enforces (FailedValidation) plus name checks; [] when valid."""
        errors = _style_errors(self, prefix)
        errors.extend(_unknown_field_errors(self.extra, prefix))
        errors.extend(_namespace_errors(self, prefix, allow_globs))
        errors.extend(_resource_list_errors(self, prefix))
        errors.extend(_selector_errors(self, prefix))
        return errors


def _string_list(value: object, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(path, "must be a list of strings")
    return list(value)


def _selector_list(value: object, path: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise FieldError(path, "must be a list of label selector maps")
    return list(value)


def _style_errors(rf: ResourceFilter, prefix: str) -> list[FieldError]:
    data = rf.to_dict()
    errors: list[FieldError] = []
    old = [name for name in OLD_STYLE if name in data]
    new = [name for name in NEW_STYLE if name in data]
    if old and new:
        errors.append(FieldError(prefix, (
            f"{', '.join(old)} (old-style filters) cannot be combined with {', '.join(new)} "
            "(new-style filters); Velero fails the backup validation. Use only one style")))
    if rf.label_selector is not None and rf.or_label_selectors:
        errors.append(FieldError(f"{prefix}.orLabelSelectors", (
            "labelSelector and orLabelSelectors cannot both be set; move the labelSelector "
            "into orLabelSelectors or remove one of them")))
    return errors


def _unknown_field_errors(extra: Mapping[str, Any], prefix: str) -> list[FieldError]:
    errors = []
    for key in extra:
        close = difflib.get_close_matches(str(key), JSON_FIELDS, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        errors.append(FieldError(f"{prefix}.{key}", "unknown field, the API server would drop "
                                                    f"it silently{hint}"))
    return errors


def _namespace_problem(name: str, path: str, allow_globs: bool) -> FieldError | None:
    if name == "*":
        return None
    if name == "":
        return FieldError(path, "empty namespace; remove the entry")
    globbed = _GLOB_RE.search(name) is not None or "[" in name or "]" in name
    if globbed and not allow_globs:
        return FieldError(path, (
            f'namespace pattern "{name}" needs Velero 1.18 globs, Kurator installs Velero 1.11; '
            'list the namespaces one by one or use "*" alone for all'))
    candidate = _GLOB_RE.sub("x", name) if globbed else name
    if "[" in candidate or "]" in candidate:
        return FieldError(path, f'namespace pattern "{name}" has an unbalanced "[" or "]"')
    try:
        validate_dns_label(candidate, path, what="namespace")
    except FieldError as exc:
        return exc if not globbed else FieldError(path, f'namespace pattern "{name}": '
                                                        f"{exc.message}")
    return None


def _namespace_errors(rf: ResourceFilter, prefix: str, allow_globs: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for json_name in ("includedNamespaces", "excludedNamespaces"):
        for i, name in enumerate(getattr(rf, LIST_FIELDS[json_name])):
            problem = _namespace_problem(name, f"{prefix}.{json_name}[{i}]", allow_globs)
            if problem is not None:
                errors.append(problem)
    errors.extend(_include_exclude_errors(rf.included_namespaces, rf.excluded_namespaces,
                                          prefix, "Namespaces", "namespace", scoped=False))
    return errors


def _include_exclude_errors(included: list[str], excluded: list[str], prefix: str,
                            suffix: str, what: str, *, scoped: bool) -> list[FieldError]:
    """Velero's ValidateIncludesExcludes / ValidateScopedIncludesExcludes."""
    inc_path, exc_path = f"{prefix}.included{suffix}", f"{prefix}.excluded{suffix}"
    errors: list[FieldError] = []
    if "*" in included and len(set(included)) > 1:
        errors.append(FieldError(inc_path, '"*" already means all; remove the other entries or '
                                           'the "*"'))
    if "*" in excluded and not scoped:
        errors.append(FieldError(exc_path, '"*" cannot be excluded; leave the exclusion list '
                                           "empty or name what to skip"))
    if "*" in excluded and scoped and len(set(excluded)) > 1:
        errors.append(FieldError(exc_path, '"*" already means all; remove the other entries or '
                                           'the "*"'))
    for i, name in enumerate(excluded):
        if name in included:
            errors.append(FieldError(f"{exc_path}[{i}]", (
                f'{what} "{name}" is both included and excluded; remove it from one list')))
    return errors


def _resource_problem(name: str, path: str) -> FieldError | None:
    if name == "*" or _RESOURCE_RE.fullmatch(name):
        return None
    if name == "":
        return FieldError(path, "empty resource name; remove the entry")
    lowered = name.lower()
    if _RESOURCE_RE.fullmatch(lowered):
        plural = lowered if "." in lowered or lowered.endswith("s") else lowered + "s"
        return FieldError(path, f'use the lowercase plural resource name, e.g. "{plural}" '
                                f'(got "{name}")')
    return FieldError(path, f'"{name}" is not a resource name; use the lowercase plural with an '
                            'optional group, e.g. "deployments" or "storageclasses.storage.k8s.io"')


def _resource_list_errors(rf: ResourceFilter, prefix: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for json_name, attr in LIST_FIELDS.items():
        if json_name.endswith("Namespaces"):
            continue
        for i, name in enumerate(getattr(rf, attr)):
            problem = _resource_problem(name, f"{prefix}.{json_name}[{i}]")
            if problem is not None:
                errors.append(problem)
    errors.extend(_include_exclude_errors(rf.included_resources, rf.excluded_resources, prefix,
                                          "Resources", "resource", scoped=False))
    for scope in ("ClusterScopedResources", "NamespaceScopedResources"):
        included = getattr(rf, LIST_FIELDS[f"included{scope}"])
        excluded = getattr(rf, LIST_FIELDS[f"excluded{scope}"])
        errors.extend(_include_exclude_errors(included, excluded, prefix, scope, "resource",
                                              scoped=True))
    return errors


def _selector_errors(rf: ResourceFilter, prefix: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if rf.label_selector is not None:
        errors.extend(validate_selector(rf.label_selector, f"{prefix}.labelSelector"))
    for i, selector in enumerate(rf.or_label_selectors):
        errors.extend(validate_selector(selector, f"{prefix}.orLabelSelectors[{i}]"))
    return errors


def validate_ordered_resources(ordered: object, path: str = "policy.orderedResources",
                               ) -> list[FieldError]:
    """``{"pods": "ns1/pod1, ns1/pod2", "persistentvolumes": "pv4, pv8"}``."""
    if not isinstance(ordered, Mapping):
        return [FieldError(path, "must be a map of resource name to a comma-separated list")]
    errors: list[FieldError] = []
    for resource, names in ordered.items():
        item_path = f"{path}[{resource}]"
        if not isinstance(resource, str) or not isinstance(names, str):
            errors.append(FieldError(item_path, "keys and values must be strings"))
            continue
        problem = _resource_problem(resource, item_path)
        if problem is not None:
            errors.append(problem)
        items = [n.strip() for n in names.split(",")]
        if any(not n or n.count("/") > 1 for n in items):
            errors.append(FieldError(item_path, (
                'list objects as "namespace/name" (or "name" for cluster-scoped kinds), '
                'separated by commas, e.g. "ns1/pod1,ns1/pod2"')))
    return errors


def namespaces_not_found(typed: list[str], known: dict[str, set[str]]) -> str:
    """A warning when typed namespaces exist on none of the clusters, or "".

    ``known`` maps each cluster that could be read to its namespaces (unreadable clusters are
    left out: nothing is said about them). ``*`` and glob patterns count as found when they
    match a namespace somewhere; a backup of a namespace that exists nowhere is not an error
    to Velero (it backs up nothing), which is why this is only a warning.
    """
    if not known:
        return ""
    everywhere = set().union(*known.values())
    missing = [name for name in dict.fromkeys(n.strip() for n in typed if n.strip())
               if name != "*" and not _found(name, everywhere)]
    if not missing:
        return ""
    listed = ", ".join(f'"{name}"' for name in missing)
    noun = "namespace" if len(missing) == 1 else "namespaces"
    if len(known) == 1:
        where = f"is not on member cluster {next(iter(known))}" if len(missing) == 1 else \
            f"are not on member cluster {next(iter(known))}"
    else:
        verb = "exists" if len(missing) == 1 else "exist"
        where = f"{verb} on none of the {len(known)} member clusters"
    them = "it" if len(missing) == 1 else "them"
    return f"{noun} {listed} {where}; the backup will not contain {them} (a typo?)"


def _found(name: str, namespaces: set[str]) -> bool:
    if _GLOB_RE.search(name) is None:
        return name in namespaces
    return any(fnmatch.fnmatchcase(ns, name) for ns in namespaces)
