"""errors.py and names.py."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError, FieldWarning
from fleettui.model.names import (
    check_derived_name_length,
    is_dns_label,
    is_dns_subdomain,
    suggest_name,
    unique_name,
    validate_dns_label,
    validate_dns_subdomain,
    velero_label_value,
    velero_object_name,
)

FUZZ = settings(max_examples=300, deadline=None)


def test_field_error_is_a_frozen_exception_that_prints_its_field() -> None:
    err = FieldError("policy.ttl", "bad")
    assert str(err) == "policy.ttl: bad"
    with pytest.raises(FieldError) as caught:
        raise err
    assert caught.value.field == "policy.ttl"
    with pytest.raises(AttributeError):
        err.field = "x"  # type: ignore[misc]


def test_field_error_supports_notes_copy_and_pickle() -> None:
    err = FieldError("a", "b")
    err.add_note("context")
    assert copy.deepcopy(err) == err
    assert pickle.loads(pickle.dumps(err)) == err
    try:
        try:
            raise ValueError("inner")
        except ValueError as inner:
            raise FieldError("x", "y") from inner
    except FieldError as outer:
        assert isinstance(outer.__cause__, ValueError)


def test_field_warning_prints_like_an_error() -> None:
    assert str(FieldWarning("schedule", "often")) == "schedule: often"


@pytest.mark.parametrize("name", ["a", "abc", "a-b", "0", "kurator-member1", "x" * 63])
def test_valid_labels(name: str) -> None:
    assert validate_dns_label(name) == name
    assert is_dns_label(name)


@pytest.mark.parametrize(("name", "fragment"), [
    ("", "must not be empty"),
    ("Backup", 'lowercase; try "backup"'),
    ("my_app", 'try "my-app"'),
    ("-abc", "start and end"),
    ("abc-", "start and end"),
    ("a.b", "must not contain '.'"),
    ("x" * 64, "64 characters, the limit is 63"),
])
def test_invalid_labels_explain_the_fix(name: str, fragment: str) -> None:
    with pytest.raises(FieldError) as caught:
        validate_dns_label(name, "metadata.name")
    assert caught.value.field == "metadata.name"
    assert fragment in caught.value.message


def test_subdomains_allow_dots_up_to_253() -> None:
    assert validate_dns_subdomain("a.b-c.d") == "a.b-c.d"
    assert is_dns_subdomain("a" * 63 + "." + "b" * 63)
    for bad in ("a..b", ".a", "A.b", "a" * 254):
        with pytest.raises(FieldError):
            validate_dns_subdomain(bad, "destination.fleet", what="fleet name")


def test_velero_object_name_follows_kurator() -> None:
    assert velero_object_name("kurator-member1", "backup", "default", "select-labels") == \
        "kurator-member1-backup-default-select-labels"
    assert velero_object_name("m2", "restore", "ns", "r") == "m2-restore-ns-r"


def test_derived_name_length_warns_per_cluster_with_length() -> None:
    name = "n" * 40
    warnings = check_derived_name_length(["kurator-member1", "m2"], "default", name,
                                         scheduled=True)
    assert len(warnings) == 1
    assert "kurator-member1" in warnings[0].message
    assert "71 characters" in warnings[0].message
    assert "velero.io/schedule-name" in warnings[0].message
    assert check_derived_name_length(["m2"], "default", "short") == []


def test_velero_label_value_matches_get_valid_name() -> None:
    assert velero_label_value("short") == "short"
    assert velero_label_value("x" * 63) == "x" * 63
    long = "kurator-member1-backup-default-" + "y" * 40
    # Expected value computed with Go's algorithm: 57 chars + first 6 hex of sha256.
    import hashlib
    expected = long[:57] + hashlib.sha256(long.encode()).hexdigest()[:6]
    assert velero_label_value(long) == expected
    assert len(velero_label_value(long)) == 63


def test_unique_name_appends_utc_timestamp() -> None:
    assert unique_name("nightly", datetime(2024, 1, 2, 3, 4, 5)) == "nightly-20240102030405"
    plus2 = timezone(timedelta(hours=2))
    assert unique_name("nightly", datetime(2024, 1, 2, 5, 4, 5, tzinfo=plus2)) == \
        "nightly-20240102030405"
    long = unique_name("A" * 80, datetime(2024, 1, 2, tzinfo=UTC))
    assert is_dns_label(long) and long.endswith("-20240102000000")


@FUZZ
@given(st.text())
def test_label_validators_only_raise_field_error(text: str) -> None:
    for check in (validate_dns_label, validate_dns_subdomain):
        try:
            assert check(text) == text
        except FieldError as err:
            assert err.message
    assert suggest_name(text) == "" or is_dns_label(suggest_name(text))
    assert len(velero_label_value(text).encode("utf-8", "surrogatepass")) <= 63 or \
        len(text.encode("utf-8", "surrogatepass")) <= 63


@FUZZ
@given(st.text(), st.datetimes())
def test_unique_name_is_always_a_label(base: str, now: datetime) -> None:
    assert is_dns_label(unique_name(base, now))
