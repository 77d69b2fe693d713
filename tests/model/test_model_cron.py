"""cron.py: robfig/cron parsing, next runs, descriptions and advice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.cron import (
    cron_interval_seconds,
    describe,
    next_runs,
    parse_cron,
    schedule_warnings,
    validate_cron,
)
from fleettui.model.errors import FieldError

FUZZ = settings(max_examples=300, deadline=None)
START = datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize("expr", [
    "0 0 * * *", "*/5 * * * *", "0 9 * * 1-5", "0 0 1 1 *", "0 0 ? * ?", "0 0 * * MON-FRI",
    "0 12 * * sun", "0 0 1 jan,JUL *", "0-30/10 1,2,3 1-31/2 * 0", "5/15 * * * *",
    "CRON_TZ=Europe/Berlin 0 3 * * *", "TZ=UTC 0 3 * * *", " 0 0  * * * ", "+5 * * * *",
])
def test_kurator_accepts_five_fields(expr: str) -> None:
    assert validate_cron(expr, allow_descriptors=False).values is not None


@pytest.mark.parametrize("expr", [
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    "@every 1h30m", "@every 10s", "CRON_TZ=America/New_York @daily", "TZ=UTC @every 2h",
])
def test_velero_accepts_descriptors_kurator_does_not(expr: str) -> None:
    parse_cron(expr)
    with pytest.raises(FieldError) as caught:
        validate_cron(expr, allow_descriptors=False)
    assert "not accepted by Kurator" in caught.value.message


@pytest.mark.parametrize(("expr", "fragment"), [
    ("", "schedule is empty"),
    ("* * * *", 'expected exactly 5 fields "minute hour day-of-month month day-of-week", got 4'),
    ("0 * * * * *", "got 6; a seconds field is not supported"),
    ("61 * * * *", "minute 61 out of range 0-59"),
    ("0 24 * * *", "hour 24 out of range 0-23"),
    ("0 0 0 * *", "day-of-month 0 out of range 1-31"),
    ("0 0 * 13 *", "month 13 out of range 1-12"),
    ("0 0 * * 7", "day-of-week 7 out of range 0-6 (0 is Sunday)"),
    ("a * * * *", 'minute: "a" is not a number'),
    ("0 0 * foo *", "or a month name (jan-dec)"),
    ("*/0 * * * *", "must be a positive number"),
    ("*/-2 * * * *", "must be a positive number"),
    ("5-1 * * * *", "runs backwards"),
    ("1-2-3 * * * *", 'too many "-"'),
    ("1/2/3 * * * *", 'too many "/"'),
    (", * * * *", "has no values"),
    ("@foo", "unknown descriptor"),
    ("@every", "unknown descriptor"),
    ("@every 30d", "days"),
    ("@daily ", "unknown descriptor"),
    ("CRON_TZ=Mars/Olympus 0 0 * * *", "unknown time zone"),
    ("CRON_TZ=UTC", "put a space"),
])
def test_errors_say_what_is_wrong(expr: str, fragment: str) -> None:
    with pytest.raises(FieldError) as caught:
        validate_cron(expr, allow_descriptors=True)
    assert caught.value.field == "schedule"
    assert fragment in caught.value.message


def test_descriptor_suggests_five_field_form_for_kurator() -> None:
    with pytest.raises(FieldError) as caught:
        validate_cron("@daily", allow_descriptors=False, field="spec.schedule")
    assert caught.value.field == "spec.schedule"
    assert '"0 0 * * *"' in caught.value.message


@pytest.mark.parametrize(("expr", "text"), [
    ("0 0 * * *", "At 00:00"), ("*/5 * * * *", "Every 5 minutes"), ("@daily", "At 00:00"),
    ("@hourly", "Every hour"), ("@every 1h30m", "Every 1h30m"),
    ("0 9 * * 1-5", "At 09:00, Monday through Friday"),
    ("CRON_TZ=Europe/Berlin 0 3 * * *", "At 03:00 (Europe/Berlin time)"),
    ("0 0 1,,15 * *", "At 00:00, on day 1 and 15 of the month"),
])
def test_describe(expr: str, text: str) -> None:
    assert describe(expr) == text


def test_next_runs_in_utc() -> None:
    runs = next_runs("0 0 * * *", 3, start=START)
    assert runs == [datetime(2024, 1, d, tzinfo=UTC) for d in (2, 3, 4)]
    assert all(r.tzinfo is UTC for r in runs)
    assert next_runs("*/5 * * * *", 1, start=START) == [datetime(2024, 1, 1, 0, 5, tzinfo=UTC)]


def test_next_runs_is_strictly_after_start() -> None:
    exact = datetime(2024, 1, 2, tzinfo=UTC)
    assert next_runs("0 0 * * *", 1, start=exact) == [datetime(2024, 1, 3, tzinfo=UTC)]


def test_next_runs_with_zone_prefix() -> None:
    runs = next_runs("CRON_TZ=America/New_York 0 3 * * *", 1, start=START)
    assert runs == [datetime(2024, 1, 1, 8, 0, tzinfo=UTC)]


def test_every_is_base_plus_duration() -> None:
    start = datetime(2024, 1, 1, 0, 0, 30, 500, tzinfo=UTC)
    runs = next_runs("@every 1h30m", 2, start=start)
    assert runs == [datetime(2024, 1, 1, 1, 30, 30, tzinfo=UTC),
                    datetime(2024, 1, 1, 3, 0, 30, tzinfo=UTC)]
    assert next_runs("@every 500ms", 1, start=START) == [START + timedelta(seconds=1)]


def test_day_of_month_and_week_or_semantics() -> None:
    # Both restricted: robfig (and Vixie cron) fire when either matches.
    runs = next_runs("30 4 1,15 * 5", 3, start=START)
    assert [r.day for r in runs] == [1, 5, 12]


def test_never_firing_schedule_is_a_field_error() -> None:
    validate_cron("0 0 30 2 *", allow_descriptors=False)  # robfig accepts it
    with pytest.raises(FieldError) as caught:
        next_runs("0 0 30 2 *", 1, start=START)
    assert "never fires" in caught.value.message


def test_interval() -> None:
    assert cron_interval_seconds("*/5 * * * *", START) == 300
    assert cron_interval_seconds("0 9 * * 1-5", START) == 86400
    assert cron_interval_seconds("@every 2h", START) == 7200


def test_schedule_warnings() -> None:
    assert schedule_warnings("0 0 * * *", 240 * 3600, start=START) == []
    assert schedule_warnings("*/5 * * * *", 3600, start=START) == []
    often = schedule_warnings("* * * * *", 3600, start=START)
    assert [w.field for w in often] == ["schedule"]
    assert "more often than every 5 minutes" in often[0].message
    bloat = schedule_warnings("*/5 * * * *", None, start=START)
    assert [w.field for w in bloat] == ["policy.ttl"]
    assert "8640 backups" in bloat[0].message
    gaps = schedule_warnings("0 0 * * 0", 86400, start=START, ttl_field="spec.template.ttl")
    assert [w.field for w in gaps] == ["spec.template.ttl"]
    assert "expire before the next run" in gaps[0].message


_field = st.sampled_from(["*", "?", "0", "5", "59", "60", "1-5", "5-1", "*/5", "*/0", "1/2",
                          "jan", "MON", "sun-sat", "7", "1,2", ",", "-", "*-3", "31", "L", "",
                          "a", "+1", "1-2-3", "1/2/3"])


@FUZZ
@given(st.lists(_field, min_size=0, max_size=7))
def test_field_soup_only_raises_field_error(fields: list[str]) -> None:
    _check(" ".join(fields))


@FUZZ
@given(st.text())
def test_any_text_only_raises_field_error(text: str) -> None:
    _check(text)


@FUZZ
@given(st.sampled_from(["@", "@every ", "CRON_TZ=", "TZ=", "@daily", "CRON_TZ=UTC "]),
       st.text(max_size=12))
def test_prefixed_text_only_raises_field_error(prefix: str, rest: str) -> None:
    _check(prefix + rest)


def _check(expr: str) -> None:
    for allow in (False, True):
        try:
            validate_cron(expr, allow_descriptors=allow)
        except FieldError as err:
            assert err.message
    try:
        runs = next_runs(expr, 2, start=START)
        assert runs[0] > START and runs[1] > runs[0]
        assert describe(expr)
        schedule_warnings(expr, 3600, start=START)
    except FieldError as err:
        assert err.message
