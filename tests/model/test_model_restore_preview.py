"""The restore preview's narrowing (model/restore_preview.py) and the results lines
(model/velero_results.py), on Velero's file shapes."""

from __future__ import annotations

from fleettui.model.restore_preview import plural, preview, preview_lines, restore_filter
from fleettui.model.velero_results import ERROR, WARNING, counts, result_lines

LISTED = {"v1/Namespace": ["shop", "shop-canary", "monitoring"],
          "v1/Pod": ["shop/db-0", "shop/frontend-0", "shop-canary/frontend-1",
                     "monitoring/prometheus-0"],
          "apps/v1/Deployment": ["shop/frontend"],
          "v1/PersistentVolume": ["pv-1"],
          "velero.io/v1/Backup": ["velero/nightly"],
          "v1/Event": ["shop/frontend.1"]}


def test_everything_restorable_is_counted_per_namespace_and_kind() -> None:
    p = preview(LISTED, {})
    assert p.rows() == [("(cluster)", "PersistentVolume", 1), ("monitoring", "Namespace", 1),
                        ("monitoring", "Pod", 1), ("shop", "Deployment", 1),
                        ("shop", "Namespace", 1), ("shop", "Pod", 2),
                        ("shop-canary", "Namespace", 1), ("shop-canary", "Pod", 1)]
    assert p.total == 9  # Velero never restores backups or events
    assert p.notes == []


def test_namespace_globs_excludes_and_mapping() -> None:
    p = preview(LISTED, {"includedNamespaces": ["shop*"], "excludedNamespaces": ["shop-canary"],
                         "namespaceMapping": {"shop": "shop-copy"}})
    assert p.by_namespace() == {"shop → shop-copy": 4}  # cluster-scoped only for all namespaces


def test_resources_by_plural_group_or_kind() -> None:
    assert preview(LISTED, {"includedResources": ["deployments.apps"]}).total == 1
    assert preview(LISTED, {"includedResources": ["pods"]}).total == 4
    assert preview(LISTED, {"excludedResources": ["pods", "namespaces"]}).total == 2
    assert plural("Ingress") == "ingresses" and plural("NetworkPolicy") == "networkpolicies"


def test_a_selector_is_said_not_applied_and_nothing_left_is_said() -> None:
    p = preview(LISTED, {"labelSelector": {"matchLabels": {"app": "x"}},
                         "includedNamespaces": ["nosuch"]})
    lines = preview_lines(p)
    assert lines[0].startswith("nothing: ") and lines[1] == "total: 0 items"
    assert lines[2].startswith("note: the label selector is not applied")
    assert preview("not a list", {}).notes  # an unreadable list says so


def test_restore_filter_reads_kurator_and_velero_restores() -> None:
    kurator = {"spec": {"policy": {"resourceFilter": {"includedNamespaces": ["a"]},
                                   "namespaceMapping": {"a": "b"}}}}
    assert restore_filter(kurator) == {"includedNamespaces": ["a"], "namespaceMapping": {"a": "b"}}
    velero = {"spec": {"backupName": "x", "includedNamespaces": ["a"]}}
    assert restore_filter(velero)["includedNamespaces"] == ["a"]


def test_results_lines_in_describe_order() -> None:
    data = {"errors": {"velero": ["fatal"], "namespaces": {"b": ["e-b"], "a": ["e-a"]}},
            "warnings": {"cluster": ["w-c"], "namespaces": {"a": ["w-a"]}}}
    lines = result_lines(data)
    assert [(r.level, r.scope, r.message) for r in lines] == [
        (ERROR, "velero", "fatal"), (ERROR, "namespace a", "e-a"), (ERROR, "namespace b", "e-b"),
        (WARNING, "cluster", "w-c"), (WARNING, "namespace a", "w-a")]
    assert counts(lines) == (3, 2)
    assert lines[1].text() == "error    namespace a: e-a"
    assert result_lines(["odd"]) == [] and result_lines({"errors": {"velero": "x"}}) == []
