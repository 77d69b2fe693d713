"""The TUI and the CLI print the same overall phase for the same objects, in both modes."""

from __future__ import annotations

from typing import Any

import pytest

from fleettui.cli.follow import velero_overall, velero_row
from fleettui.kube import resources as kc
from fleettui.live.backends import KuratorBackend, VeleroBackend
from fleettui.live.backup_status import fleet_status
from fleettui.live.session import Session
from tests.helpers.sessions import kurator_session

CONTEXTS = ["ctx-a", "ctx-b"]
LABEL = "velero.io/schedule-name"


def run(name: str, phase: str, day: int, schedule: str) -> dict[str, Any]:
    return {"kind": "Backup", "metadata": {"name": name, "namespace": "velero",
                                           "labels": {LABEL: schedule}},
            "status": {"phase": phase, "startTimestamp": f"2026-11-{day:02d}T00:00:00Z"}}


def velero_fleet(runs: dict[str, list[dict[str, Any]]], schedule: str | None) -> Session:
    s = Session(None, CONTEXTS[0], "default", mode="velero", contexts=CONTEXTS)
    for ctx in CONTEXTS:
        scheds = [{"kind": "Schedule", "metadata": {"name": schedule, "namespace": "velero"},
                   "spec": {"schedule": "0 0 * * *"}, "status": {"phase": "Enabled"}}
                  ] if schedule else []
        s.store.replace(ctx, kc.VELERO_SCHEDULES, scheds)
        s.store.replace(ctx, kc.VELERO_BACKUPS, runs.get(ctx, []))
    return s


@pytest.mark.parametrize(("phases", "expected"), [
    ({"ctx-a": "Failed", "ctx-b": "Completed"}, "Failed"),
    ({"ctx-a": "Completed", "ctx-b": "Completed"}, "Scheduled"),
    ({"ctx-a": "InProgress", "ctx-b": "Completed"}, "Running"),
    ({"ctx-a": "PartiallyFailed", "ctx-b": "Completed"}, "PartiallyFailed"),
])
def test_a_schedules_latest_runs_same_overall_in_tui_and_cli(phases: dict[str, str],
                                                            expected: str) -> None:
    runs = {ctx: [run("nightly-20261126000000", "Completed", 26, "nightly"),
                  run("nightly-20261127000000", phase, 27, "nightly")]
            for ctx, phase in phases.items()}
    session = velero_fleet(runs, "nightly")
    tui = VeleroBackend(session).backup("nightly")
    cli = velero_overall([velero_row(session.store, ctx, "nightly", "schedule").state
                          for ctx in CONTEXTS], "schedule")
    assert tui is not None and tui.status.overall == cli == expected


@pytest.mark.parametrize(("phases", "expected"), [
    ({"ctx-a": "Failed", "ctx-b": "InProgress"}, "Running"),
    ({"ctx-a": "Failed", "ctx-b": "Completed"}, "Failed"),
    ({"ctx-a": "Completed", "ctx-b": "Completed"}, "Completed"),
])
def test_a_backup_in_several_contexts_same_overall_in_tui_and_cli(phases: dict[str, str],
                                                                 expected: str) -> None:
    objs = {ctx: [{"kind": "Backup", "metadata": {"name": "once", "namespace": "velero"},
                   "status": {"phase": phase}}] for ctx, phase in phases.items()}
    session = velero_fleet(objs, None)
    tui = VeleroBackend(session).backup("once")
    cli = velero_overall([velero_row(session.store, ctx, "once", "backup").state
                          for ctx in CONTEXTS], "backup")
    assert tui is not None and tui.status.overall == cli == expected


def test_kurator_mode_tui_and_cli_status_agree() -> None:
    session = kurator_session()
    for summary in KuratorBackend(session).backups():
        obj = session.store.get(session.context or "", kc.KURATOR_BACKUPS, "default",
                                summary.name)
        assert obj is not None
        cli = fleet_status(session.store, session.context or "", "default", obj)
        assert summary.status.overall == cli.overall
