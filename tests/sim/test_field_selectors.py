"""field_selectors.py: the API server's field selectors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError
from fleettui.sim.field_selectors import field_selector_matches, parse_field_selector

FUZZ = settings(max_examples=300, deadline=None)


def test_field_selectors() -> None:
    parsed = parse_field_selector("metadata.name=x,metadata.namespace!=kube-system,"
                                  "metadata.name==a\\,b")
    assert parsed == [("metadata.name", "=", "x"), ("metadata.namespace", "!=", "kube-system"),
                      ("metadata.name", "=", "a,b")]
    obj = {"metadata": {"name": "x", "namespace": "default"}}
    assert field_selector_matches(parse_field_selector("metadata.name=x"), obj)
    assert not field_selector_matches(parse_field_selector("metadata.name!=x"), obj)
    assert field_selector_matches(parse_field_selector("metadata.namespace!=velero"), obj)
    assert field_selector_matches(parse_field_selector(""), obj)
    assert field_selector_matches(parse_field_selector("metadata.namespace="), {"metadata": {}})


@pytest.mark.parametrize(("text", "fragment"), [
    ("spec.foo=x", "field label not supported"),
    ("metadata.name", "cannot understand"),
    ("metadata.name=a=b", "unescaped '='"),
    ("metadata.name=a\\q", "invalid escape"),
    ("metadata.name=a\\", "lone backslash"),
])
def test_field_selector_errors(text: str, fragment: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_field_selector(text)
    assert fragment in caught.value.message


@FUZZ
@given(st.text(), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))
def test_field_selector_only_raises_field_error(text: str, labels: dict[str, str]) -> None:
    try:
        parsed = parse_field_selector(text)
    except FieldError as err:
        assert err.message
        return
    field_selector_matches(parsed, {"metadata": {"name": text, "labels": labels}})
