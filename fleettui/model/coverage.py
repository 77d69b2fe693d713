"""Coverage: namespaces x clusters, each cell protected, partial, stale or unprotected.

A schedule covers a namespace on a cluster when its template's namespace filter takes it
(empty or ``*`` = all; globs as Velero 1.18 matches them; an exclusion wins). Then:

===========  ================================================================================
protected    a schedule takes the whole namespace and its newest good run is within the limit
partial      only through a label selector (how many of the namespace's pods it matches is
             said) or a resource filter, with a good run within the limit
stale        covered, but no covering schedule has a good run within the limit
unprotected  no schedule takes the namespace on that cluster
===========  ================================================================================

System namespaces (kube-*, openshift*, the Velero and Kurator namespaces) are left out unless
asked for: backing them up is rarely what a namespace view is about (Tanzu Mission Control leaves
kube-system and velero out the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from fleettui.model.errors import FieldError
from fleettui.model.schedule_health import age_text
from fleettui.model.selectors import render_selector, selector_matches

PROTECTED, PARTIAL, STALE, UNPROTECTED = "protected", "partial", "stale", "unprotected"
STATES = (PROTECTED, PARTIAL, STALE, UNPROTECTED)
STATE_SYMBOLS = {PROTECTED: "✔", PARTIAL: "◐", STALE: "◷", UNPROTECTED: "✗"}
SYSTEM_PATTERNS = ("kube-*", "openshift", "openshift-*", "velero", "kurator-system",
                   "kurator-*-system")
RESOURCE_FIELDS = (("includedResources", "only"), ("includedNamespaceScopedResources", "only"),
                   ("excludedResources", "without"),
                   ("excludedNamespaceScopedResources", "without"))


def is_system(namespace: str) -> bool:
    return any(fnmatchcase(namespace, p) for p in SYSTEM_PATTERNS)


@dataclass(frozen=True)
class Scope:
    """What one schedule takes from one cluster, and whether its newest good run is recent."""

    schedule: str
    included: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    selectors: tuple[Mapping[str, Any], ...] = ()  # labelSelector or orLabelSelectors
    resources: str = ""  # "" = every resource, else e.g. "only deployments,configmaps"
    age: float | None = None  # s since its newest good run (None: no good run)
    verdict: str = ""

    def takes(self, namespace: str) -> bool:
        if any(fnmatchcase(namespace, p) for p in self.excluded):
            return False
        return not self.included or any(p == "*" or fnmatchcase(namespace, p)
                                        for p in self.included)

    def fresh(self, max_age: float) -> bool:
        return self.age is not None and self.age <= max_age


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str) and v) if isinstance(value, list) else ()


def scope_from_spec(schedule: str, spec: object, age: float | None = None,
                    verdict: str = "") -> Scope:
    """From a Velero BackupSpec (a Schedule's template) or a Kurator resourceFilter: the two
    use the same field names."""
    data = spec if isinstance(spec, Mapping) else {}
    selectors: tuple[Mapping[str, Any], ...] = ()
    if isinstance(data.get("labelSelector"), Mapping) and data["labelSelector"]:
        selectors = (data["labelSelector"],)
    elif isinstance(data.get("orLabelSelectors"), list):
        selectors = tuple(s for s in data["orLabelSelectors"] if isinstance(s, Mapping))
    limits = []
    for key, word in RESOURCE_FIELDS:
        names = [n for n in _strings(data.get(key)) if n != "*"]
        if names:
            limits.append(f"{word} {','.join(names)}")
    return Scope(schedule, _strings(data.get("includedNamespaces")),
                 _strings(data.get("excludedNamespaces")), selectors, "; ".join(limits), age,
                 verdict)


@dataclass(frozen=True)
class Inventory:
    """One cluster's namespaces and the labels of the pods in each."""

    namespaces: tuple[str, ...] = ()
    pods: Mapping[str, Sequence[Mapping[str, str]]] = field(default_factory=dict)
    problem: str = ""  # why it could not be read ("" when it was)


def inventory_from_objects(namespaces: Iterable[object], pods: Iterable[object]) -> Inventory:
    def meta(obj: object) -> Mapping[str, Any]:
        m = obj.get("metadata") if isinstance(obj, Mapping) else None
        return m if isinstance(m, Mapping) else {}

    names = sorted({str(meta(n).get("name")) for n in namespaces if meta(n).get("name")})
    by_ns: dict[str, list[Mapping[str, str]]] = {}
    for p in pods:
        m = meta(p)
        labels = m.get("labels")
        by_ns.setdefault(str(m.get("namespace") or ""), []).append(
            labels if isinstance(labels, Mapping) else {})
    return Inventory(tuple(names), by_ns)


@dataclass(frozen=True)
class Cell:
    namespace: str
    cluster: str
    state: str
    reason: str
    schedules: tuple[str, ...] = ()  # the schedules that take the namespace there

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    def to_dict(self) -> dict[str, Any]:
        return {"namespace": self.namespace, "cluster": self.cluster, "state": self.state,
                "reason": self.reason, "schedules": list(self.schedules)}


@dataclass
class Coverage:
    clusters: list[str]
    namespaces: list[str]
    cells: dict[tuple[str, str], Cell]  # (namespace, cluster); absent where it does not exist
    hidden_system: int = 0  # system namespaces left out
    problems: dict[str, str] = field(default_factory=dict)  # cluster -> why not read

    def to_dict(self) -> dict[str, Any]:
        return {"clusters": self.clusters, "namespaces": self.namespaces,
                "cells": [c.to_dict() for c in self.cells.values()],
                "hiddenSystemNamespaces": self.hidden_system,
                "unreadable": dict(self.problems)}


def _matched(scope: Scope, pods: Sequence[Mapping[str, str]]) -> str:
    """What a partial scope takes of the namespace, in words."""
    parts = []
    if scope.selectors:
        try:
            shown = " OR ".join(render_selector(s) for s in scope.selectors)
            hits = sum(1 for labels in pods
                       if any(selector_matches(s, labels) for s in scope.selectors))
            parts.append(f"selector {shown} matches {hits} of {len(pods)} "
                         f"pod{'' if len(pods) == 1 else 's'}")
        except FieldError as e:
            parts.append(f"an invalid selector ({e.message}) that matches nothing")
    if scope.resources:
        parts.append(scope.resources)
    return ", ".join(parts)


def _cell(namespace: str, cluster: str, scopes: Sequence[Scope],
          pods: Sequence[Mapping[str, str]], max_age: float) -> Cell:
    taking = [s for s in scopes if s.takes(namespace)]
    names = tuple(s.schedule for s in taking)
    if not taking:
        return Cell(namespace, cluster, UNPROTECTED,
                    f"no schedule takes namespace {namespace} on {cluster}")
    fresh = [s for s in taking if s.fresh(max_age)]
    whole = [s for s in fresh if not s.selectors and not s.resources]
    if whole:
        best = min(whole, key=lambda s: s.age or 0.0)
        return Cell(namespace, cluster, PROTECTED,
                    f"by {best.schedule} (newest good run {age_text(best.age)} ago)", names)
    if fresh:
        reasons = "; ".join(f"{s.schedule}: {_matched(s, pods)}" for s in fresh)
        return Cell(namespace, cluster, PARTIAL, f"only partly: {reasons}", names)
    newest = min(taking, key=lambda s: float("inf") if s.age is None else s.age)
    what = "has no good run yet" if newest.age is None else \
        f"newest good run is {age_text(newest.age)} old"
    verdict = f" ({newest.verdict})" if newest.verdict and newest.verdict != "ok" else ""
    return Cell(namespace, cluster, STALE,
                f"taken by {', '.join(names)}, but {newest.schedule}{verdict} {what} "
                f"(limit {age_text(max_age)})", names)


def coverage(inventories: Mapping[str, Inventory], scopes: Mapping[str, Sequence[Scope]],
             max_age: float, include_system: bool = False) -> Coverage:
    """Cells for every namespace of every readable cluster (a namespace a cluster lacks has no
    cell there)."""
    readable = {c: inv for c, inv in inventories.items() if not inv.problem}
    every = sorted({ns for inv in readable.values() for ns in inv.namespaces})
    shown = every if include_system else [ns for ns in every if not is_system(ns)]
    cells: dict[tuple[str, str], Cell] = {}
    for ns in shown:
        for cluster, inv in readable.items():
            if ns in inv.namespaces:
                cells[(ns, cluster)] = _cell(ns, cluster, scopes.get(cluster, ()),
                                             inv.pods.get(ns, ()), max_age)
    return Coverage(list(inventories), shown, cells, len(every) - len(shown),
                    {c: inv.problem for c, inv in inventories.items() if inv.problem})
