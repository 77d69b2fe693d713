"""filters.py: Kurator's ResourceFilter."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError
from fleettui.model.filters import (
    ResourceFilter,
    namespaces_not_found,
    validate_ordered_resources,
)

FUZZ = settings(max_examples=300, deadline=None)
P = "policy.resourceFilter"


def _errors(data: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    return {e.field: e.message for e in ResourceFilter.from_dict(data).validate(**kwargs)}


def test_to_dict_emits_only_set_fields_with_json_names() -> None:
    assert ResourceFilter().to_dict() == {}
    rf = ResourceFilter(included_namespaces=["a"], include_cluster_resources=False,
                        label_selector={}, excluded_namespace_scoped_resources=["secrets"])
    assert rf.to_dict() == {"includedNamespaces": ["a"], "includeClusterResources": False,
                            "labelSelector": {},
                            "excludedNamespaceScopedResources": ["secrets"]}


def test_from_dict_round_trips_every_field() -> None:
    data = {
        "includedNamespaces": ["a"], "excludedNamespaces": ["b"],
        "includedResources": ["pods"], "excludedResources": ["secrets"],
        "includeClusterResources": True,
        "includedClusterScopedResources": ["*"], "excludedClusterScopedResources": ["nodes"],
        "includedNamespaceScopedResources": ["deployments.apps"],
        "excludedNamespaceScopedResources": ["events"],
        "labelSelector": {"matchLabels": {"app": "x"}},
        "orLabelSelectors": [{"matchLabels": {"a": "b"}}],
        "futureField": {"kept": True},
    }
    rf = ResourceFilter.from_dict(data)
    assert rf.to_dict() == data
    assert "futureField" not in rf.to_dict(with_extra=False)


@pytest.mark.parametrize("data", [
    {"includedNamespaces": "kurator-backup"}, {"includeClusterResources": "yes"},
    {"labelSelector": "app=x"}, {"orLabelSelectors": ["app=x"]}, [],
])
def test_from_dict_rejects_wrong_types(data: Any) -> None:
    with pytest.raises(FieldError):
        ResourceFilter.from_dict(data)


def test_valid_filters() -> None:
    assert _errors({}) == {}
    assert _errors({"includedNamespaces": ["kurator-backup", "default"],
                    "excludedResources": ["secrets"], "includeClusterResources": False,
                    "labelSelector": {"matchLabels": {"env": "test"}}}) == {}
    assert _errors({"includedNamespaces": ["*"], "excludedNamespaces": ["kube-system"],
                    "includedClusterScopedResources": ["*"],
                    "excludedNamespaceScopedResources": ["events", "events.events.k8s.io"]}) == {}


def test_old_and_new_style_cannot_mix() -> None:
    errors = _errors({"includedResources": ["pods"],
                      "includedNamespaceScopedResources": ["deployments"]})
    assert "cannot be combined" in errors[P]
    assert "cannot be combined" in _errors({"includeClusterResources": False,
                                            "excludedClusterScopedResources": ["nodes"]})[P]


def test_label_selector_and_or_selectors_are_exclusive() -> None:
    errors = _errors({"labelSelector": {}, "orLabelSelectors": [{"matchLabels": {"a": "b"}}]})
    assert "cannot both be set" in errors[f"{P}.orLabelSelectors"]


def test_namespace_rules() -> None:
    errors = _errors({"includedNamespaces": ["a", "Prod", ""], "excludedNamespaces": ["a", "*"]})
    assert "both included and excluded" in errors[f"{P}.excludedNamespaces[0]"]
    assert 'try "prod"' in errors[f"{P}.includedNamespaces[1]"]
    assert "empty namespace" in errors[f"{P}.includedNamespaces[2]"]
    assert "cannot be excluded" in errors[f"{P}.excludedNamespaces"]
    assert "already means all" in _errors({"includedNamespaces": ["*", "a"]})[
        f"{P}.includedNamespaces"]


def test_globs_need_velero_118() -> None:
    data = {"includedNamespaces": ["app-*", "team-?", "[ab]-x"]}
    errors = _errors(data)
    assert "Velero 1.18" in errors[f"{P}.includedNamespaces[0]"]
    assert _errors(data, allow_globs=True) == {}
    assert "unbalanced" in _errors({"includedNamespaces": ["a[b"]}, allow_globs=True)[
        f"{P}.includedNamespaces[0]"]


def test_resource_names() -> None:
    errors = _errors({"includedResources": ["Deployment", "pods", "storageclasses.storage.k8s.io",
                                            "bad name"]})
    assert '"deployments"' in errors[f"{P}.includedResources[0]"]
    assert f"{P}.includedResources[1]" not in errors
    assert f"{P}.includedResources[2]" not in errors
    assert "not a resource name" in errors[f"{P}.includedResources[3]"]
    assert "cannot be excluded" in _errors({"excludedResources": ["*"]})[f"{P}.excludedResources"]
    scoped = _errors({"includedClusterScopedResources": ["*"],
                      "excludedClusterScopedResources": ["*"]})
    assert "both included and excluded" in scoped[f"{P}.excludedClusterScopedResources[0]"]


def test_selectors_are_validated() -> None:
    errors = _errors({"orLabelSelectors": [{"matchExpressions": [{"key": "a",
                                                                 "operator": "Near"}]}]})
    assert f"{P}.orLabelSelectors[0].matchExpressions[0].operator" in errors


def test_unknown_keys_get_a_suggestion() -> None:
    errors = _errors({"includeNamespaces": ["a"]})
    assert 'did you mean "includedNamespaces"' in errors[f"{P}.includeNamespaces"]


def test_custom_prefix() -> None:
    errors = ResourceFilter(included_namespaces=["A"]).validate("spec")
    assert [e.field for e in errors] == ["spec.includedNamespaces[0]"]


def test_ordered_resources() -> None:
    assert validate_ordered_resources({"pods": "ns1/pod1, ns1/pod2",
                                       "persistentvolumes": "pv4, pv8"}) == []
    errors = validate_ordered_resources({"Pods": "a/b/c"})
    assert {e.field for e in errors} == {"policy.orderedResources[Pods]"}
    assert len(errors) == 2


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) |
                     st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
_filter_key = st.sampled_from(["includedNamespaces", "excludedNamespaces", "includedResources",
                               "includeClusterResources", "labelSelector", "orLabelSelectors",
                               "excludedClusterScopedResources", "other"])


@FUZZ
@given(st.dictionaries(_filter_key, _json | st.lists(st.text(max_size=8), max_size=3),
                       max_size=5))
def test_from_dict_and_validate_only_raise_field_error(data: dict[str, Any]) -> None:
    try:
        rf = ResourceFilter.from_dict(data)
    except FieldError as err:
        assert err.message
        return
    for error in rf.validate() + rf.validate(allow_globs=True):
        assert isinstance(error, FieldError)


@FUZZ
@given(st.lists(st.text(), max_size=3), st.lists(st.text(), max_size=3))
def test_namespace_and_resource_text_only_yield_field_errors(names: list[str],
                                                             resources: list[str]) -> None:
    rf = ResourceFilter(included_namespaces=names, excluded_namespaces=names[:1],
                        included_resources=resources)
    assert all(isinstance(e, FieldError) for e in rf.validate(allow_globs=True))
    assert all(isinstance(e, FieldError) for e in rf.validate())


KNOWN = {"kurator-member1": {"default", "kube-system", "kurator-backup"},
         "kurator-member2": {"default", "shop"}}


@pytest.mark.parametrize(("typed", "known", "expected"), [
    (["kurator-backup", "shop"], KNOWN, ""),  # each exists on one member: enough
    (["*", "kube-*", "sh?p"], KNOWN, ""),  # wildcards that match something
    (["shop"], {}, ""),  # no member could be read: nothing to say
    (["shpo"], KNOWN, 'namespace "shpo" exists on none of the 2 member clusters; the backup '
                      "will not contain it (a typo?)"),
    (["shpo", "shop", "cart", "cart", "web-*"], KNOWN,
     'namespaces "shpo", "cart", "web-*" exist on none of the 2 member clusters; the backup '
     "will not contain them (a typo?)"),
    (["shop"], {"kurator-member1": {"default"}},
     'namespace "shop" is not on member cluster kurator-member1; the backup will not contain '
     "it (a typo?)"),
])
def test_namespaces_not_found(typed: list[str], known: dict[str, set[str]],
                              expected: str) -> None:
    assert namespaces_not_found(typed, known) == expected
