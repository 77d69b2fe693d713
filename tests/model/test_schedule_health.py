"""Schedule health verdicts on a fixed clock: missed runs across gaps, late, paused, failing
streaks, stuck runs, never ran, clock skew, mixed phases, and runs that are not this cluster's."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fleettui.model.schedule_health import (
    FAILING,
    LATE,
    MAX_TICKS,
    NEVER_RAN,
    OK,
    PAUSED,
    STUCK,
    HealthLimits,
    ScheduleHealth,
    age_text,
    assess,
    runs_of,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SCHED = "kurator-member1-backup-default-nightly"
LABEL = "velero.io/schedule-name"


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule(cron: str = "0 0 * * *", created: datetime = NOW - timedelta(days=30),
             paused: bool = False, phase: str = "Enabled", **status: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"schedule": cron, "template": {}}
    if paused:
        spec["paused"] = True
    return {"kind": "Schedule", "metadata": {"name": SCHED, "namespace": "velero",
                                             "creationTimestamp": iso(created)},
            "spec": spec, "status": {"phase": phase, **status}}


def run(at: datetime, phase: str = "Completed", took: float = 60, sched: str = SCHED,
        created: datetime | None = None, **status: Any) -> dict[str, Any]:
    """A run as Velero makes it: named after its tick, started then, completed `took` later."""
    st: dict[str, Any] = {"phase": phase, **status}
    if phase not in ("", "New", "Queued", "FailedValidation"):
        st["startTimestamp"] = iso(at)
    if phase in ("Completed", "PartiallyFailed", "Failed"):
        st["completionTimestamp"] = iso(at + timedelta(seconds=took))
    return {"kind": "Backup", "metadata": {
        "name": f"{sched}-{at:%Y%m%d%H%M%S}", "namespace": "velero",
        "creationTimestamp": iso(created or at), "labels": {LABEL: sched}}, "status": st}


def day(d: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, d, hour, minute, second, tzinfo=UTC)


def check(backups: list[dict[str, Any]], sched: dict[str, Any] | None = None,
          now: datetime = NOW, limits: HealthLimits | None = None, **kw: Any) -> ScheduleHealth:
    cron = kw.pop("cron", "0 0 * * *")
    return assess("nightly", "kurator-member1", SCHED, cron,
                  schedule(cron) if sched is None else sched, backups, now, limits, **kw)


def test_daily_runs_all_completed_are_ok_with_age_and_next_run() -> None:
    h = check([run(day(d)) for d in range(24, 29)])
    assert h.verdict == OK and h.symbol == "✔"
    assert h.recovery_age == 12 * 3600 - 60  # completed a minute after midnight
    assert h.next_run == day(29)
    assert h.history == "✔✔✔✔✔" and h.missed == 0 and h.streak == 0
    assert h.last_attempt is not None and h.last_attempt.name.endswith("20261128000000")
    assert "last good run 11h59m ago" in h.reason and "2026-11-29 00:00 UTC" in h.reason


def test_missed_runs_across_a_gap_show_in_the_strip_but_a_recent_run_is_ok() -> None:
    runs = [run(day(d)) for d in (21, 22, 25, 26, 27, 28)]  # nothing on the 23rd and 24th
    h = check(runs)
    assert h.verdict == OK
    assert h.missed == 2 and h.missed_now == 0
    assert h.history == "✔✔··✔✔✔✔"


def test_runs_missed_since_the_last_run_make_it_late() -> None:
    h = check([run(day(d)) for d in (24, 25, 26)])
    assert h.verdict == LATE and h.missed_now == 2
    assert "2 runs missed" in h.reason and "2026-11-27 00:00 UTC" in h.reason
    assert h.history.endswith("✔✔✔··")
    assert h.recovery_age is not None and h.recovery_age > 2 * 86400


def test_a_due_run_is_not_missed_within_the_tolerance() -> None:
    runs = [run(day(d)) for d in (25, 26, 27)]
    assert check(runs, now=day(28, 0, 9)).verdict == OK  # 9 min after the tick: tolerance 10
    assert check(runs, now=day(28, 0, 11)).verdict == LATE
    wide = HealthLimits(late_after=3600)
    assert check(runs, now=day(28, 0, 50), limits=wide).verdict == OK


def test_a_run_made_late_by_velero_still_serves_its_tick() -> None:
    # Velero checks once a minute and may queue: a run 7 minutes after the tick is that run.
    h = check([run(day(d, 0, 7)) for d in (25, 26, 27, 28)])
    assert h.verdict == OK and h.missed == 0


def test_paused_wins_and_has_no_next_run_or_missed_runs() -> None:
    h = check([run(day(d)) for d in (10, 11)], schedule(paused=True))
    assert h.verdict == PAUSED and h.paused
    assert h.next_run is None and h.missed == 0
    assert "spec.paused" in h.reason and "last good run 17d" in h.reason


def test_a_failing_streak_counts_finished_runs_that_did_not_complete() -> None:
    runs = [run(day(23)), run(day(24)),
            run(day(25), "PartiallyFailed", errors=2),
            run(day(26), "Failed", failureReason="object store unreachable"),
            run(day(27), "FailedValidation", validationErrors=['namespace "shop" not found']),
            run(day(28), "Failed", failureReason="rpc error: connection reset")]
    h = check(runs)
    assert h.verdict == FAILING and h.streak == 4
    assert "the last 4 runs were not Completed; the newest, " in h.reason
    assert f"{SCHED}-20261128000000, ended Failed: rpc error: connection reset" in h.reason
    assert "rpc error: connection reset" in h.reason
    assert h.history == "✔✔!✗✗✗"
    assert h.last_success is not None and h.last_success.name.endswith("20261124000000")
    assert h.recovery_age == pytest.approx((NOW - day(24, 0, 1)).total_seconds())


def test_one_failed_run_names_itself_and_velero_s_reason() -> None:
    h = check([run(day(27)), run(day(28), "Failed", failureReason="bucket gone")])
    assert h.verdict == FAILING and h.streak == 1
    assert h.reason.startswith(f"the last run {SCHED}-20261128000000 ended Failed: bucket gone")


def test_partially_failed_is_failing_with_the_error_count() -> None:
    h = check([run(day(27)), run(day(28), "PartiallyFailed", errors=3)])
    assert h.verdict == FAILING and "3 errors" in h.reason


def test_a_run_in_progress_after_a_failure_keeps_the_row_failing() -> None:
    h = check([run(day(28, 10, 50), "Failed", failureReason="x"),
               run(day(28, 11, 50), "InProgress")], cron="50 * * * *")
    assert h.verdict == FAILING and h.history.endswith("✗…")


def test_stuck_in_progress_longer_than_the_limit() -> None:
    runs = [run(day(27)), run(day(28), "InProgress")]
    h = check(runs)
    assert h.verdict == STUCK and "InProgress for 12h" in h.reason and "limit 4h" in h.reason
    assert check(runs, limits=HealthLimits(stuck_after=13 * 3600)).verdict == OK


def test_waiting_for_plugin_operations_too_long_is_stuck() -> None:
    h = check([run(day(28), "WaitingForPluginOperations")], now=day(28, 5))
    assert h.verdict == STUCK and "WaitingForPluginOperations for 5h" in h.reason


def test_a_run_never_started_is_stuck() -> None:
    h = check([run(day(27)), run(day(28), "Queued")], now=day(28, 6))
    assert h.verdict == STUCK and "Queued (not started)" in h.reason


def test_an_older_run_left_in_progress_behind_a_newer_one_is_stuck() -> None:
    h = check([run(day(27), "InProgress"), run(day(28))])
    assert h.verdict == STUCK and "although a newer run exists" in h.reason


def test_a_short_run_in_progress_is_ok_and_said() -> None:
    h = check([run(day(27, 11, 30)), run(day(28, 11, 30), "InProgress")], cron="30 11 * * *")
    assert h.verdict == OK and "is InProgress" in h.reason and h.history == "✔…"


def test_never_ran_waiting_for_the_first_tick() -> None:
    h = check([], schedule(created=NOW - timedelta(hours=1)))
    assert h.verdict == NEVER_RAN and h.symbol == "∅"
    assert h.reason == "waiting for the first run at 2026-11-29 00:00 UTC"
    assert h.recovery_age is None and h.last_attempt is None


def test_never_ran_although_due_says_how_many_were_missed() -> None:
    h = check([], schedule(created=day(26, 12)))
    assert h.verdict == NEVER_RAN
    assert "first run was due at 2026-11-27 00:00 UTC" in h.reason and "2 runs missed" in h.reason


def test_the_first_run_under_way_is_not_a_failure() -> None:
    h = check([run(day(28, 11, 55), "InProgress")], cron="55 11 * * *")
    assert h.verdict == NEVER_RAN and "no run has finished yet" in h.reason


def test_no_velero_schedule_on_the_member_yet() -> None:
    h = assess("nightly", "kurator-member1", SCHED, "0 0 * * *", None, [], NOW,
               created=NOW - timedelta(minutes=5))
    assert h.verdict == NEVER_RAN and f"no Velero Schedule {SCHED}" in h.reason


def test_an_invalid_velero_schedule_is_failing() -> None:
    sched = schedule("61 * * * *", phase="FailedValidation",
                     validationErrors=["invalid schedule: bad minute"])
    h = check([], sched)
    assert h.verdict == FAILING and "invalid schedule: bad minute" in h.reason


def test_a_cron_that_never_fires_is_failing_not_a_crash() -> None:
    h = assess("x", "c", SCHED, "0 0 30 2 *", None, [], NOW, created=day(1))
    assert h.verdict == FAILING and "never fires" in h.reason


def test_member_clock_behind_ours_still_serves_the_tick() -> None:
    # The member's clock is 90 s slow: its runs are named just before our midnight.
    runs = [run(day(d) - timedelta(seconds=90)) for d in (25, 26, 27, 28)]
    h = check(runs)
    assert h.verdict == OK and h.missed == 0


def test_member_clock_ahead_never_gives_a_negative_age() -> None:
    future = NOW + timedelta(minutes=3)
    h = check([run(future - timedelta(minutes=1))], cron="* * * * *")
    assert h.recovery_age == 0 and age_text(h.recovery_age) == "0s"


def test_another_clusters_runs_in_a_shared_bucket_do_not_count() -> None:
    other = "kurator-member2-backup-default-nightly"
    synced = [run(day(d), sched=other) for d in (26, 27, 28)]  # member2's, synced here
    h = check([run(day(25)), *synced])
    assert h.verdict == LATE and h.missed_now == 3
    assert all(r.name.startswith(SCHED) for r in h.runs)


def test_plain_velero_synced_copies_with_the_same_schedule_name_do_not_count() -> None:
    mine = [run(day(25))]
    # the other context's run of "nightly", synced in 20 s after it completed
    copies = [run(day(d, 0, 0, 30), took=10, created=day(d, 0, 1)) for d in (26, 27, 28)]
    assert len(runs_of(SCHED, mine + copies)) == 4
    h = check(mine + copies, shared_names=True)
    assert [r.name for r in h.runs] == [f"{SCHED}-20261125000000"]
    assert h.verdict == LATE


def test_a_backup_named_like_a_run_without_the_label_is_not_a_run() -> None:
    manual = run(day(28))
    manual["metadata"]["labels"] = {}
    assert runs_of(SCHED, [manual]) == []


def test_odd_objects_are_ignored_not_fatal() -> None:
    junk: list[Any] = [None, 3, {"metadata": "x"}, {"metadata": {"labels": {LABEL: SCHED}}},
                       {"metadata": {"name": "n", "labels": {LABEL: SCHED}}, "status": []}]
    h = check(junk, schedule(created=day(28, 1)))
    assert h.verdict == NEVER_RAN and h.runs == []


def test_deleting_runs_are_no_recovery_point() -> None:
    gone = run(day(28))
    gone["metadata"]["deletionTimestamp"] = iso(NOW)
    h = check([run(day(27), "Failed", failureReason="x"), gone])
    assert h.last_success is None and h.history.endswith("⌫")


def test_a_long_idle_every_minute_cron_is_bounded_and_fast() -> None:
    t0 = time.monotonic()
    h = check([run(day(1))], cron="* * * * *", limits=HealthLimits(late_after=60))
    assert time.monotonic() - t0 < 2.0
    assert h.verdict == LATE and h.missed_now == MAX_TICKS
    assert len(h.history) == 10 and h.history.endswith("··········")


def test_every_descriptor_runs_from_the_last_run() -> None:
    runs = [run(NOW - timedelta(hours=h)) for h in (18, 12, 6)]
    assert check(runs, schedule("@every 6h")).verdict == OK
    assert check(runs[:2], schedule("@every 6h")).verdict == LATE


def test_json_form_is_serialisable_and_complete() -> None:
    h = check([run(day(27)), run(day(28), "Failed", failureReason="bucket gone")])
    data = json.loads(json.dumps(h.to_dict()))
    assert data["verdict"] == "failing" and data["failingStreak"] == 1
    assert data["lastSuccess"]["name"].endswith("20261127000000")
    assert data["lastAttempt"]["reason"] == "bucket gone"
    assert data["nextRun"] == "2026-11-29T00:00:00Z"
    assert data["recoveryPointAgeSeconds"] == int((NOW - day(27, 0, 1)).total_seconds())


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "-"), (-5, "0s"), (59, "59s"), (600, "10m"), (3600, "1h"), (5400, "1h30m"),
    (86400 * 3 + 3600 * 4, "3d4h"), (86400 * 2, "2d")])
def test_age_text(seconds: float | None, text: str) -> None:
    assert age_text(seconds) == text


def versioned(obj: dict[str, Any], uid: str, version: str) -> dict[str, Any]:
    obj["metadata"].update(uid=uid, resourceVersion=version)
    return obj


def test_a_new_version_of_a_run_is_read_again() -> None:
    first = versioned(run(day(28), "InProgress"), "u1", "1")
    assert check([run(day(27)), first]).last_attempt.phase == "InProgress"  # type: ignore[union-attr]
    h = check([run(day(27)), versioned(run(day(28)), "u1", "2")])
    assert h.last_attempt is not None and h.last_attempt.phase == "Completed"


def test_two_clusters_runs_of_one_name_and_version_are_not_confused() -> None:
    # Every member names its runs alike and counts resource versions on its own.
    ok = check([versioned(run(day(28)), "uid-on-member1", "7")])
    bad = check([versioned(run(day(28), "Failed", failureReason="x"), "uid-on-member2", "7")])
    assert (ok.verdict, bad.verdict) == (OK, FAILING)


def test_rows_sharing_a_cron_get_their_own_windows() -> None:
    # The first row's window starts on the 26th, the second's on the 20th: the shared ticks
    # must reach back for the second without changing what the first saw.
    recent = check([run(day(d)) for d in (26, 27, 28)])
    older = check([run(day(d)) for d in (20, 21, 24, 25, 26, 27, 28)])
    again = check([run(day(d)) for d in (26, 27, 28)])
    assert recent.missed == again.missed == 0
    assert older.missed == 2 and older.history == "✔✔··✔✔✔✔✔"
