"""selectors.py: kubectl label selectors and field selectors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError
from fleettui.model.selectors import (
    parse_selector,
    render_selector,
    selector_matches,
    validate_label_key,
    validate_label_value,
    validate_labels,
    validate_selector,
)

FUZZ = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(("text", "expected"), [
    ("", {}),
    ("a=b", {"matchLabels": {"a": "b"}}),
    ("a==b", {"matchLabels": {"a": "b"}}),
    ("a!=b", {"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["b"]}]}),
    ("env in (prod, dev)",
     {"matchExpressions": [{"key": "env", "operator": "In", "values": ["dev", "prod"]}]}),
    ("tier notin (x)", {"matchExpressions": [{"key": "tier", "operator": "NotIn",
                                              "values": ["x"]}]}),
    ("a", {"matchExpressions": [{"key": "a", "operator": "Exists"}]}),
    ("!a", {"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}),
    ("  app = web ,  !legacy  ", {"matchLabels": {"app": "web"},
                                   "matchExpressions": [{"key": "legacy",
                                                         "operator": "DoesNotExist"}]}),
    ("example.com/Name_1=v.2", {"matchLabels": {"example.com/Name_1": "v.2"}}),
    ("a=", {"matchLabels": {"a": ""}}),
    ("a in (,b)", {"matchExpressions": [{"key": "a", "operator": "In", "values": ["", "b"]}]}),
    ("in=notin", {"matchLabels": {"in": "notin"}}),
    ("a=b,a=c", {"matchLabels": {"a": "b"},
                 "matchExpressions": [{"key": "a", "operator": "In", "values": ["c"]}]}),
])
def test_parse(text: str, expected: dict[str, Any]) -> None:
    assert parse_selector(text) == expected


@pytest.mark.parametrize(("text", "fragment"), [
    ("a=b=c", "found '=' at position 3"),
    ("a b", "found 'b' at position 2, expected an operator"),
    ("a,", "after ','"),
    (",a", "found ',' at position 0"),
    ("a in x", "'(' to start the value list"),
    ("a in (x y)", "found 'y'"),
    ("a in (,,)", "found ')'"),
    ("a>1", "'>' at position 1 is not supported"),
    ("!a=b", "found '='"),
    ("/a=b", "empty prefix"),
    ("a/b/c=d", "more than one"),
    ("Example.com/a=b", "lowercase DNS subdomain"),
    ("a=-b", 'label value "-b"'),
    ("k" * 64, "64 characters"),
    ("a=\x00", "NUL"),
    ("tier in ()", "tier in (): the value list is empty"),
    ("tier notin ()", "tier notin (): the value list is empty"),
    ("env=prod,tier notin ( )", "tier notin (): the value list is empty"),
])
def test_parse_errors_point_at_the_token(text: str, fragment: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_selector(text, field="policy.resourceFilter.labelSelector")
    assert caught.value.field == "policy.resourceFilter.labelSelector"
    assert fragment in caught.value.message


def test_render_canonical_form() -> None:
    selector = {"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "env", "operator": "In", "values": ["prod", "dev"]},
        {"key": "tier", "operator": "NotIn", "values": ["x"]},
        {"key": "zone", "operator": "NotIn", "values": ["b", "a"]},
        {"key": "gpu", "operator": "Exists"},
        {"key": "legacy", "operator": "DoesNotExist", "values": []},
    ]}
    text = render_selector(selector)
    assert text == "app=web,env in (dev,prod),tier!=x,zone notin (a,b),gpu,!legacy"
    assert render_selector(parse_selector(text)) == text


def test_not_equals_and_notin_single_value_are_the_same() -> None:
    assert parse_selector("a!=b") == parse_selector("a notin (b)")
    assert render_selector(parse_selector("a notin (b)")) == "a!=b"


def test_render_rejects_invalid_selectors() -> None:
    with pytest.raises(FieldError):
        render_selector({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})
    with pytest.raises(FieldError):
        render_selector({"matchExpressions": [{"key": "a", "operator": "In"}]})


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ({}, {}, True),
    ({"matchLabels": {"a": "b"}}, {"a": "b", "c": "d"}, True),
    ({"matchLabels": {"a": "b"}}, {"a": "c"}, False),
    ({"matchLabels": {"a": "b"}}, {}, False),
    ("a!=b", {}, True),
    ("a!=b", {"a": "b"}, False),
    ("a!=b", {"a": "c"}, True),
    ("a notin (x,y)", {}, True),
    ("a in (x,y)", {}, False),
    ("a in (x,y)", {"a": "y"}, True),
    ("a", {"a": ""}, True),
    ("!a", {"a": ""}, False),
    ("!a", {}, True),
    ("a=", {"a": ""}, True),
    ("a=", {}, False),
])
def test_matches_kubernetes_semantics(selector: Any, labels: dict[str, str],
                                      expected: bool) -> None:
    if isinstance(selector, str):
        selector = parse_selector(selector)
    assert selector_matches(selector, labels) is expected


def test_validate_selector_reports_paths() -> None:
    errors = validate_selector({"matchLabels": {"bad key!": "v"}, "matchExpressions": [
        {"key": "a", "operator": "Exists", "values": ["x"]}, {"operator": "In"}], "foo": 1},
        "policy.resourceFilter.labelSelector")
    fields = {e.field for e in errors}
    assert "policy.resourceFilter.labelSelector" in fields
    assert "policy.resourceFilter.labelSelector.matchLabels[bad key!]" in fields
    assert "policy.resourceFilter.labelSelector.matchExpressions[0].values" in fields
    assert "policy.resourceFilter.labelSelector.matchExpressions[1].key" in fields


def test_label_key_value_and_map_validators() -> None:
    assert validate_label_key("kurator.dev/backup-name") == "kurator.dev/backup-name"
    assert validate_label_value("") == ""
    with pytest.raises(FieldError):
        validate_label_key("a/")
    with pytest.raises(FieldError):
        validate_label_value("v" * 64)
    assert validate_labels({"app": "web"}) == []
    assert [e.field for e in validate_labels({"app": "-x"})] == ["metadata.labels[app]"]
    assert validate_labels("nope")[0].field == "metadata.labels"


# --- properties -------------------------------------------------------------------------------

_name = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?", fullmatch=True)
_prefix = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,5}[a-z0-9])?(\.[a-z0-9]{1,4}){0,2}", fullmatch=True)
_key = st.one_of(_name, st.builds(lambda p, n: f"{p}/{n}", _prefix, _name))
_value = st.one_of(st.just(""), _name)
_values = st.lists(_value, min_size=1, max_size=4).map(lambda v: sorted(set(v)))


def _expression(key: str, operator: str, values: list[str]) -> dict[str, Any]:
    if operator in ("Exists", "DoesNotExist"):
        return {"key": key, "operator": operator}
    return {"key": key, "operator": operator, "values": values}


# `k in ()` is refused on purpose, so In with the empty value alone has no text form.
_expressions = st.lists(st.builds(_expression, _key, st.sampled_from(
    ["In", "NotIn", "Exists", "DoesNotExist"]), _values).filter(
        lambda e: e.get("values") != [""] or e["operator"] != "In"), max_size=4)
_selectors = st.builds(
    lambda labels, exprs: {k: v for k, v in (("matchLabels", labels),
                                             ("matchExpressions", exprs)) if v},
    st.dictionaries(_key, _value, max_size=4), _expressions)


@FUZZ
@given(_selectors)
def test_render_then_parse_round_trips(selector: dict[str, Any]) -> None:
    assert validate_selector(selector) == []
    assert parse_selector(render_selector(selector)) == selector


def _check_parse(text: str) -> None:
    try:
        parsed = parse_selector(text)
    except FieldError as err:
        assert err.field == "selector" and err.message
        return
    assert validate_selector(parsed) == []
    assert parse_selector(render_selector(parsed)) == parsed


@FUZZ
@given(st.text())
def test_parse_selector_only_raises_field_error(text: str) -> None:
    _check_parse(text)


@FUZZ
@given(st.lists(st.sampled_from(["a", "b.io/c", "=", "==", "!=", "!", "in", "notin", "(", ")",
                                 ",", " ", "x", "", ">", "-"]), max_size=12))
def test_parse_selector_token_soup(tokens: list[str]) -> None:
    _check_parse("".join(tokens))


@FUZZ
@given(st.text())
def test_key_and_value_validators_only_raise_field_error(text: str) -> None:
    for check in (validate_label_key, validate_label_value):
        try:
            check(text)
        except FieldError as err:
            assert err.message
