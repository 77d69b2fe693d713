"""durations.py: Go time.ParseDuration / Duration.String."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.durations import (
    format_duration,
    format_duration_ns,
    humanize,
    normalize_duration,
    parse_duration,
    parse_duration_ns,
)
from fleettui.model.errors import FieldError

FUZZ = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(("text", "seconds"), [
    ("720h", 2592000.0), ("1h30m", 5400.0), ("720h0m0s", 2592000.0), ("1.5h", 5400.0),
    ("0", 0.0), ("+0", 0.0), ("-0", 0.0), ("0s", 0.0), ("90s", 90.0), ("500ms", 0.5),
    ("1us", 1e-6), ("1µs", 1e-6), ("1μs", 1e-6), ("100ns", 1e-7), (".5s", 0.5), ("1.s", 1.0),
    ("+5m", 300.0), ("1h1h", 7200.0), ("2562047h", 2562047 * 3600.0),
])
def test_parse_like_go(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "is not a duration"),
    ("h", "is not a duration"),
    (".s", "is not a duration"),
    ("1", "missing unit"),
    ("10x", 'unknown unit "x"'),
    ("30d", '"720h" for "30d"'),
    ("1d12h", '"36h"'),
    ("1h 30m", "contains spaces"),
    (" 1h", "is not a duration"),
    ("-1h", "a duration must not be negative"),
    ("9223372036854775808ns", "too large"),
    ("2562048h", "too large"),
])
def test_parse_errors(text: str, fragment: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_duration(text)
    assert caught.value.field == "policy.ttl"
    assert fragment in caught.value.message


def test_negative_allowed_on_request() -> None:
    assert parse_duration("-1h", allow_negative=True) == -3600.0
    assert parse_duration_ns("-9223372036854775808ns", allow_negative=True) == -(1 << 63)


@pytest.mark.parametrize(("seconds", "text"), [
    (2592000, "720h0m0s"), (5400, "1h30m0s"), (300, "5m0s"), (30, "30s"), (0, "0s"),
    (1.5, "1.5s"), (0.5, "500ms"), (0.0015, "1.5ms"), (2e-6, "2µs"), (1e-7, "100ns"),
    (3661.25, "1h1m1.25s"), (-90, "-1m30s"),
])
def test_format_like_go(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_normalize_is_what_metav1_duration_sends_back() -> None:
    assert normalize_duration("720h") == "720h0m0s"
    assert normalize_duration("240h") == "240h0m0s"
    assert normalize_duration("0") == "0s"
    assert normalize_duration("1.5h") == "1h30m0s"


@pytest.mark.parametrize(("seconds", "text"), [
    (2592000, "30d"), (5400, "1h30m"), (90061, "1d1h1m1s"), (0, "0s"), (0.25, "250ms"),
    (-60, "-1m"),
])
def test_humanize(seconds: float, text: str) -> None:
    assert humanize(seconds) == text


def test_non_finite_values() -> None:
    with pytest.raises(FieldError):
        format_duration(float("inf"))
    assert humanize(float("inf")) == "∞"
    assert humanize(float("nan")) == "?"


@FUZZ
@given(st.floats())
def test_format_and_humanize_any_float(seconds: float) -> None:
    try:
        assert format_duration(seconds).endswith("s")
    except FieldError as err:
        assert "not a finite Go duration" in err.message
    assert humanize(seconds)


@FUZZ
@given(st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1))
def test_format_then_parse_round_trips(nanos: int) -> None:
    assert parse_duration_ns(format_duration_ns(nanos), allow_negative=True) == nanos


@FUZZ
@given(st.from_regex(r"[+-]?([0-9]{0,4}(\.[0-9]{0,3})?(h|m|s|ms|us|ns|d|x)){1,3}",
                     fullmatch=True))
def test_duration_like_text_only_raises_field_error(text: str) -> None:
    _check(text)


@FUZZ
@given(st.text())
def test_any_text_only_raises_field_error(text: str) -> None:
    _check(text)


def _check(text: str) -> None:
    try:
        nanos = parse_duration_ns(text, allow_negative=True)
    except FieldError as err:
        assert err.field == "policy.ttl" and err.message
        return
    assert parse_duration_ns(normalize_duration(text), allow_negative=True) == nanos
