"""derive_velero_status: plain Velero mode's objects as one fleet backup, with the overall phase
Kurator mode would show for the same runs."""

from __future__ import annotations

from typing import Any

from fleettui.model.status import derive_backup_status, derive_velero_status

LABEL = "velero.io/schedule-name"


def schedule(name: str, cron: str = "0 0 * * *", phase: str = "Enabled") -> dict[str, Any]:
    return {"kind": "Schedule", "metadata": {"name": name, "namespace": "velero"},
            "spec": {"schedule": cron}, "status": {"phase": phase}}


def backup(name: str, phase: str, started: str = "2026-11-27T00:00:00Z",
           run_of: str | None = None, reason: str = "") -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "startTimestamp": started}
    if reason:
        status["failureReason"] = reason
    labels = {LABEL: run_of} if run_of else {}
    return {"kind": "Backup", "metadata": {"name": name, "namespace": "velero",
                                           "labels": labels}, "status": status}


def test_a_schedule_whose_latest_run_failed_is_failed_not_scheduled() -> None:
    objects = {
        "ctx-a": [schedule("nightly"),
                  backup("nightly-20261126000000", "Completed", "2026-11-26T00:00:00Z",
                         "nightly"),
                  backup("nightly-20261127000000", "Failed", "2026-11-27T00:00:00Z",
                         "nightly", reason="bucket unreachable")],
        "ctx-b": [schedule("nightly"),
                  backup("nightly-20261127000000", "Completed", run_of="nightly")],
    }
    st = derive_velero_status("nightly", objects)
    assert st.scheduled and st.overall == "Failed"
    failed = next(r for r in st.rows if r.cluster_name == "ctx-a")
    assert failed.velero_name == "nightly-20261127000000"
    assert "bucket unreachable" in failed.reason
    assert [r.velero_name for r in st.runs["ctx-a"]] == [
        "nightly-20261127000000", "nightly-20261126000000"]


def test_a_schedule_that_has_not_run_waits() -> None:
    st = derive_velero_status("nightly", {"ctx-a": [schedule("nightly")]})
    assert st.overall == "Scheduled" and st.rows[0].state == "Waiting"


def test_an_invalid_schedule_is_failed() -> None:
    st = derive_velero_status("bad", {"ctx-a": [schedule("bad", "61 * * * *",
                                                         "FailedValidation")]})
    assert st.overall == "Failed"


def test_backups_across_contexts_run_until_every_one_ended() -> None:
    objects = {"a": [backup("once", "Failed")], "b": [backup("once", "InProgress")]}
    assert derive_velero_status("once", objects).overall == "Running"
    objects["b"] = [backup("once", "Completed")]
    assert derive_velero_status("once", objects).overall == "Failed"


def test_only_labelled_runs_belong_to_a_schedule() -> None:
    objects = {"a": [schedule("db"), backup("db-manual", "Failed")]}
    st = derive_velero_status("db", objects)
    assert st.runs["a"] == [] and st.overall == "Scheduled"


def test_the_same_runs_give_the_same_overall_as_kurator_mode() -> None:
    """A Kurator scheduled backup whose member's latest run failed is Failed too."""
    run = "m1-backup-default-nightly"
    kurator = {"kind": "Backup", "metadata": {"name": "nightly", "namespace": "default"},
               "spec": {"destination": {"fleet": "f", "clusters": [{"name": "m1"}]},
                        "schedule": "0 0 * * *"}, "status": {}}
    live = {"m1": [backup(f"{run}-20261127000000", "Failed", run_of=run)]}
    velero = {"m1": [schedule("nightly"), backup("nightly-20261127000000", "Failed",
                                                 run_of="nightly")]}
    assert derive_backup_status(kurator, None, live).overall == \
        derive_velero_status("nightly", velero).overall == "Failed"
