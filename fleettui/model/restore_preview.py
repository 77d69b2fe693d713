"""What a restore would bring back: a backup's resource list (Velero's BackupResourceList,
`{"apps/v1/Deployment": ["ns/name", ...], "v1/Namespace": ["name"]}`) narrowed by the
restore's filters, counted per namespace and kind.

Narrowed as Velero's restore does (velero pkg/restore/restore.go): included/excluded namespaces
(with v1.18's globs), included/excluded resources (matched by plural name, with or without the
group, or by kind), namespace mapping applied to the namespace shown, and the kinds Velero never
restores left out (velero pkg/cmd/server/server.go, nonRestorableResources). A label selector
cannot be applied: the list has names, not labels; the preview says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

CLUSTER = "(cluster)"
NON_RESTORABLE = {"nodes", "events", "events.events.k8s.io", "backups.velero.io",
                  "restores.velero.io", "resticrepositories.velero.io",
                  "csinodes.storage.k8s.io", "volumeattachments.storage.k8s.io",
                  "backuprepositories.velero.io"}


@dataclass
class Preview:
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (namespace, kind) → n
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[str, str, int]]:
        return [(ns, kind, n) for (ns, kind), n in sorted(self.counts.items())]

    def by_namespace(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for (ns, _), n in self.counts.items():
            found[ns] = found.get(ns, 0) + n
        return found


def plural(kind: str) -> str:
    """Kubernetes' default plural of a kind (apimachinery meta.UnsafeGuessKindToResource)."""
    low = kind.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return low + "es"
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


def _split(gvk: str) -> tuple[str, str]:
    """'apps/v1/Deployment' → ('apps', 'Deployment'); 'v1/Pod' → ('', 'Pod')."""
    parts = gvk.split("/")
    return (parts[0] if len(parts) == 3 else ""), parts[-1]


def _resource_names(gvk: str) -> set[str]:
    group, kind = _split(gvk)
    names = {plural(kind), kind.lower()}
    return names | {f"{n}.{group}" for n in names} if group else names


def _matches(names: set[str], patterns: list[str]) -> bool:
    return any(p == "*" or p.lower() in names for p in patterns)


def _ns_in(ns: str, included: list[str], excluded: list[str]) -> bool:
    if any(fnmatchcase(ns, p) for p in excluded):
        return False
    return not included or any(fnmatchcase(ns, p) for p in included)


def preview(resource_list: Any, spec: dict[str, Any]) -> Preview:
    """`spec` is a Velero Restore spec (or Kurator's restore policy's resourceFilter merged
    with its namespaceMapping, as the form builds it)."""
    out = Preview()
    if not isinstance(resource_list, dict):
        out.notes.append("the backup's resource list is empty or unreadable")
        return out
    inc_ns = [str(n) for n in spec.get("includedNamespaces") or [] if n != "*"]
    exc_ns = [str(n) for n in spec.get("excludedNamespaces") or []]
    inc_res = [str(r) for r in spec.get("includedResources") or ["*"]]
    exc_res = [str(r) for r in spec.get("excludedResources") or []]
    mapping = {str(k): str(v) for k, v in (spec.get("namespaceMapping") or {}).items()}
    for gvk, items in resource_list.items():
        names = _resource_names(str(gvk))
        if names & NON_RESTORABLE or not _matches(names, inc_res) or _matches(names, exc_res):
            continue
        _, kind = _split(str(gvk))
        for item in items if isinstance(items, list) else []:
            ns = _namespace_of(kind, str(item))
            if ns == CLUSTER and inc_ns:
                continue  # Velero's auto mode: cluster-scoped items only for all namespaces
            if ns != CLUSTER and not _ns_in(ns, inc_ns, exc_ns):
                continue
            shown = ns if ns == CLUSTER else _mapped(ns, mapping)
            out.counts[(shown, kind)] = out.counts.get((shown, kind), 0) + 1
    if spec.get("labelSelector") or spec.get("orLabelSelectors"):
        out.notes.append("the label selector is not applied: the resource list names items, "
                         "it has no labels, so fewer may come back")
    return out


def _namespace_of(kind: str, item: str) -> str:
    if kind == "Namespace":
        return item
    ns, sep, _ = item.partition("/")
    return ns if sep else CLUSTER


def _mapped(ns: str, mapping: dict[str, str]) -> str:
    return f"{ns} → {mapping[ns]}" if ns in mapping else ns


def preview_lines(p: Preview) -> list[str]:
    """One line per namespace with its kinds and counts, then the notes."""
    by_ns: dict[str, list[str]] = {}
    for ns, kind, n in p.rows():
        by_ns.setdefault(ns, []).append(f"{n} {kind}")
    lines = [f"{ns}: " + ", ".join(kinds) for ns, kinds in by_ns.items()]
    if not lines:
        lines = ["nothing: no item of the backup passes the restore's filters"]
    return [*lines,
            f"total: {p.total} items", *(f"note: {n}" for n in p.notes)]


def restore_filter(manifest: dict[str, Any]) -> dict[str, Any]:
    """The filter a Kurator Restore (spec.policy.resourceFilter, .namespaceMapping) or a
    Velero Restore (its spec) puts on what comes back, as `preview` reads it."""
    spec = manifest.get("spec") or {}
    policy = spec.get("policy")
    if not isinstance(policy, dict):
        return dict(spec)
    return {**(policy.get("resourceFilter") or {}),
            "namespaceMapping": policy.get("namespaceMapping") or {}}
