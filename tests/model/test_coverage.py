"""Coverage cells: whole namespaces, label selectors with the pods they match, resource filters,
globs and exclusions, stale runs, unprotected namespaces, system namespaces hidden."""

from __future__ import annotations

from typing import Any

import pytest

from fleettui.model.coverage import (
    PARTIAL,
    PROTECTED,
    STALE,
    UNPROTECTED,
    Inventory,
    coverage,
    inventory_from_objects,
    is_system,
    scope_from_spec,
)

DAY = 86400.0
LIMIT = 26 * 3600.0
PODS = {"shop": [{"app": "web", "env": "test"}, {"app": "db"}, {}],
        "kurator-backup": [{"app": "busybox", "env": "test"}]}
INV = Inventory(("default", "kube-system", "kurator-backup", "shop", "velero"), PODS)


def cells(scopes: list[Any], inventories: dict[str, Inventory] | None = None,
          **kw: Any) -> dict[tuple[str, str], Any]:
    return coverage(inventories or {"c1": INV}, {"c1": scopes}, LIMIT, **kw).cells


def test_a_schedule_of_every_namespace_protects_each() -> None:
    found = cells([scope_from_spec("nightly", {}, age=3600)])
    assert {k: c.state for k, c in found.items()} == {
        ("default", "c1"): PROTECTED, ("kurator-backup", "c1"): PROTECTED,
        ("shop", "c1"): PROTECTED}
    assert found[("shop", "c1")].reason == "by nightly (newest good run 1h ago)"
    assert found[("shop", "c1")].schedules == ("nightly",)


def test_nothing_scheduled_is_unprotected() -> None:
    found = cells([])
    assert {c.state for c in found.values()} == {UNPROTECTED}
    assert found[("shop", "c1")].reason == "no schedule takes namespace shop on c1"


def test_included_globs_and_exclusions() -> None:
    scope = scope_from_spec("s", {"includedNamespaces": ["sh?p", "kurator-*"],
                                  "excludedNamespaces": ["kurator-backup"]}, age=60)
    found = cells([scope])
    assert found[("shop", "c1")].state == PROTECTED
    assert found[("kurator-backup", "c1")].state == UNPROTECTED  # the exclusion wins
    assert found[("default", "c1")].state == UNPROTECTED
    star = scope_from_spec("s", {"includedNamespaces": ["*"]}, age=60)
    assert cells([star])[("default", "c1")].state == PROTECTED


def test_a_label_selector_is_partial_and_counts_the_pods_it_matches() -> None:
    scope = scope_from_spec("web-only", {"labelSelector": {"matchLabels": {"app": "web"}}},
                            age=60)
    cell = cells([scope])[("shop", "c1")]
    assert cell.state == PARTIAL
    assert cell.reason == "only partly: web-only: selector app=web matches 1 of 3 pods"


def test_or_selectors_count_a_pod_once() -> None:
    scope = scope_from_spec("s", {"orLabelSelectors": [
        {"matchLabels": {"env": "test"}}, {"matchExpressions": [
            {"key": "app", "operator": "In", "values": ["web", "db"]}]}]}, age=60)
    cell = cells([scope])[("shop", "c1")]
    assert "selector env=test OR app in (db,web) matches 2 of 3 pods" in cell.reason


def test_a_resource_filter_is_partial_and_says_which() -> None:
    only = scope_from_spec("s", {"includedResources": ["deployments", "configmaps"]}, age=60)
    assert cells([only])[("shop", "c1")].reason == \
        "only partly: s: only deployments,configmaps"
    without = scope_from_spec("s", {"excludedNamespaceScopedResources": ["secrets"]}, age=60)
    assert cells([without])[("shop", "c1")].state == PARTIAL
    everything = scope_from_spec("s", {"includedResources": ["*"]}, age=60)
    assert cells([everything])[("shop", "c1")].state == PROTECTED


def test_a_whole_schedule_wins_over_a_partial_one() -> None:
    scopes = [scope_from_spec("part", {"labelSelector": {"matchLabels": {"app": "web"}}},
                              age=60), scope_from_spec("whole", {}, age=7200)]
    cell = cells(scopes)[("shop", "c1")]
    assert cell.state == PROTECTED and cell.reason.startswith("by whole")
    assert cell.schedules == ("part", "whole")


def test_covered_but_too_old_is_stale_with_the_age_and_verdict() -> None:
    cell = cells([scope_from_spec("nightly", {}, age=3 * DAY, verdict="failing")])[
        ("shop", "c1")]
    assert cell.state == STALE
    assert cell.reason == ("taken by nightly, but nightly (failing) newest good run is 3d old "
                           "(limit 1d2h)")
    never = cells([scope_from_spec("new", {}, age=None, verdict="never ran")])[("shop", "c1")]
    assert never.state == STALE and "has no good run yet" in never.reason


def test_a_fresh_partial_schedule_beats_a_stale_whole_one() -> None:
    scopes = [scope_from_spec("whole", {}, age=5 * DAY),
              scope_from_spec("part", {"labelSelector": {"matchLabels": {"app": "db"}}},
                              age=60)]
    assert cells(scopes)[("shop", "c1")].state == PARTIAL


def test_system_namespaces_are_hidden_unless_asked() -> None:
    result = coverage({"c1": INV}, {"c1": []}, LIMIT)
    assert result.namespaces == ["default", "kurator-backup", "shop"]
    assert result.hidden_system == 2
    everything = coverage({"c1": INV}, {"c1": []}, LIMIT, include_system=True)
    assert "kube-system" in everything.namespaces and everything.hidden_system == 0


@pytest.mark.parametrize(("name", "system"), [
    ("kube-system", True), ("kube-public", True), ("velero", True), ("openshift-adp", True),
    ("kurator-system", True), ("default", False), ("kurator-backup", False),
    ("kubernetes-dashboard", False)])
def test_is_system(name: str, system: bool) -> None:
    assert is_system(name) is system


def test_namespaces_a_cluster_lacks_have_no_cell_and_unreadable_clusters_are_named() -> None:
    other = Inventory(("default", "payments"), {})
    gone = Inventory(problem="connection refused")
    result = coverage({"c1": INV, "c2": other, "c3": gone},
                      {"c1": [], "c2": [scope_from_spec("s", {}, age=60)]}, LIMIT)
    assert ("payments", "c1") not in result.cells
    assert result.cells[("payments", "c2")].state == PROTECTED
    assert result.problems == {"c3": "connection refused"}
    assert result.clusters == ["c1", "c2", "c3"]
    assert not any(cluster == "c3" for _, cluster in result.cells)


def test_an_invalid_selector_matches_nothing_and_says_so() -> None:
    scope = scope_from_spec("s", {"labelSelector": {"matchExpressions": [
        {"key": "app", "operator": "Sometimes"}]}}, age=60)
    cell = cells([scope])[("shop", "c1")]
    assert cell.state == PARTIAL and "invalid selector" in cell.reason


def test_inventory_from_objects_tolerates_odd_input() -> None:
    inv = inventory_from_objects(
        [{"metadata": {"name": "b"}}, {"metadata": {"name": "a"}}, None, {"metadata": 3}],
        [{"metadata": {"namespace": "a", "labels": {"x": "1"}}}, {"metadata": {"namespace": "a"}},
         "junk"])
    assert inv.namespaces == ("a", "b")
    assert list(inv.pods["a"]) == [{"x": "1"}, {}]


def test_json_form() -> None:
    data = coverage({"c1": INV}, {"c1": []}, LIMIT).to_dict()
    assert data["hiddenSystemNamespaces"] == 2
    assert {"namespace": "shop", "cluster": "c1", "state": "unprotected",
            "reason": "no schedule takes namespace shop on c1", "schedules": []} in data["cells"]
