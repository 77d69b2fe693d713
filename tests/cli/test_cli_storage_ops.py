"""`fleettui storage` and `fleettui schedule pause|resume|run-now` against the simulator: a
member's location made Unavailable or ReadOnly (--member-storage) is reported with Velero's
words and fails its backups as Velero does; pausing a member's Schedule stops its runs while
the others go on, resuming starts them again, run-now makes a labelled run from the template;
--dry-run=server changes nothing, --readonly refuses, bad names say so; both modes."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fleettui.cli.output import CliError
from fleettui.cli.sim_options import sim_config
from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.sim.types import VELERO_BACKUPS, VELERO_SCHEDULES
from tests.cli.cli_helpers import cli
from tests.conftest import start_sim, wait_for

M1, M2, M3 = "kurator-member1", "kurator-member2", "kurator-member3"
V1 = f"{M1}-backup-default-nightly"
SCHEDULE_LABEL = "velero.io/schedule-name"


@contextmanager
def fleet_of(tmp_path: Path, **overrides: object) -> Iterator[tuple[SimThread, SimFleet,
                                                                     list[str]]]:
    runner, fleet, kubeconfig = start_sim(tmp_path, **overrides)
    try:
        yield runner, fleet, ["--kubeconfig", str(kubeconfig)]
    finally:
        runner.stop()


def objects(runner: SimThread, fleet: SimFleet, cluster: str, rkey: str) -> list[dict[str, Any]]:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: copy.deepcopy(list(store.items(rkey, "velero"))))


def runs(runner: SimThread, fleet: SimFleet, cluster: str, schedule: str) -> list[str]:
    return sorted(b["metadata"]["name"] for b in objects(runner, fleet, cluster, VELERO_BACKUPS)
                  if (b["metadata"].get("labels") or {}).get(SCHEDULE_LABEL) == schedule)


def schedule_spec(runner: SimThread, fleet: SimFleet, cluster: str, name: str
                  ) -> dict[str, Any]:
    found = [s for s in objects(runner, fleet, cluster, VELERO_SCHEDULES)
             if s["metadata"]["name"] == name]
    assert found, f"no schedule {name} in {cluster}"
    return dict(found[0]["spec"])


def phase_of(runner: SimThread, fleet: SimFleet, cluster: str, name: str) -> dict[str, Any]:
    found = [b for b in objects(runner, fleet, cluster, VELERO_BACKUPS)
             if b["metadata"]["name"] == name]
    return dict(found[0].get("status") or {}) if found else {}


def test_storage_names_unfit_locations_and_backups_there_fail_as_velero_says(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage = {M1: "ReadOnly", M2: "Unavailable"}
    with fleet_of(tmp_path, clusters=3, member_storage=storage) as (runner, fleet, kcfg):
        code, out, err = cli(capsys, *kcfg, "storage", "-o", "json")
        assert code == 1, err
        found = json.loads(out)
        by = {i["cluster"]: i for i in found["items"]}
        assert (by[M1]["phase"], by[M1]["accessMode"]) == ("Available", "ReadOnly")
        assert (by[M2]["phase"], by[M2]["accessMode"]) == ("Unavailable", "ReadWrite")
        assert "AccessDenied" in by[M2]["message"] and by[M2]["lastValidationTime"]
        assert (by[M3]["phase"], by[M3]["accessMode"]) == ("Available", "ReadWrite")
        assert [p.split(":")[0] for p in found["problems"]] == [M1, M2]

        code, out, err = cli(capsys, *kcfg, "storage")
        assert code == 1
        header, *lines = out.splitlines()
        assert header.split()[:5] == ["CLUSTER", "LOCATION", "DEFAULT", "PHASE", "ACCESS"]
        assert [line.split()[:5] for line in lines] == [
            [M1, "default", "yes", "Available", "ReadOnly"],
            [M2, "default", "yes", "Unavailable", "ReadWrite"],
            [M3, "default", "yes", "Available", "ReadWrite"]]
        assert err.splitlines()[0].startswith(f"{M1}: location default is Available ReadOnly")
        assert err.splitlines()[1].startswith(f"{M2}: location default is Unavailable; "
                                              "validated ")

        assert cli(capsys, *kcfg, "backup", "create", "once", "--fleet", "quickstart")[0] == 0
        name = "{}-backup-default-once"
        ended = wait_for(lambda: (seen := {c: phase_of(runner, fleet, c, name.format(c))
                                           for c in (M1, M2, M3)})
                         and all(s.get("phase") in ("Completed", "FailedValidation")
                                 for s in seen.values()) and seen,
                         timeout=30, what="every member's backup to end")
        assert ended[M3]["phase"] == "Completed"
        assert ended[M1]["phase"] == ended[M2]["phase"] == "FailedValidation"
        assert ended[M1]["validationErrors"] == [
            "backup can't be created because backup storage location default is currently "
            "in read-only mode"]
        assert ended[M2]["validationErrors"] == [
            "backup can't be created because BackupStorageLocation default is in Unavailable "
            "status."]


def test_storage_exits_0_when_every_location_takes_backups(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fleet_of(tmp_path) as (_, _, kcfg):
        code, out, err = cli(capsys, *kcfg, "storage")
        assert (code, err) == (0, "")
        assert [line.split()[:4] for line in out.splitlines()[1:]] == [
            [M1, "default", "yes", "Available"], [M2, "default", "yes", "Available"]]


def test_member_storage_flag_is_checked() -> None:
    from fleettui.cli.main import build_parser

    parser = build_parser()
    args = parser.parse_args(["sim", "--member-storage", f"{M2}=ReadOnly"])
    assert sim_config(args).member_storage == {M2: "ReadOnly"}
    for bad, said in ((f"{M2}=Broken", "'Broken' is not one of"),
                      ("kurator-member9=ReadOnly", "'kurator-member9' is not a member"),
                      ("ReadOnly", "expected CLUSTER=VALUE")):
        with pytest.raises(CliError) as e:
            sim_config(parser.parse_args(["sim", "--member-storage", bad]))
        assert e.value.message.startswith("--member-storage: ") and said in e.value.message


def test_pause_one_member_stops_its_runs_while_the_other_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fleet_of(tmp_path, speed=86400.0) as (runner, fleet, kcfg):
        assert cli(capsys, *kcfg, "backup", "create", "nightly", "--fleet", "quickstart",
                   "--schedule", "0 0 * * *")[0] == 0
        v2 = f"{M2}-backup-default-nightly"
        wait_for(lambda: runs(runner, fleet, M1, V1) and runs(runner, fleet, M2, v2),
                 timeout=30, what="a run on both members")

        code, out, err = cli(capsys, *kcfg, "schedule", "pause", "nightly", "--cluster", M1,
                             "--dry-run=server")
        assert code == 0, err
        assert out.splitlines()[0] == f"{M1}: ✓ {V1} paused (server dry run)"
        assert not schedule_spec(runner, fleet, M1, V1).get("paused")

        code, out, err = cli(capsys, *kcfg, "schedule", "pause", "nightly", "--cluster", M1)
        assert code == 0, err
        assert out.splitlines()[0] == f"{M1}: ✓ {V1} paused"
        assert "Kurator never updates a member's Schedule" in out
        assert schedule_spec(runner, fleet, M1, V1)["paused"] is True
        # A run the controller had already started may still appear: count from here.
        paused_runs = runs(runner, fleet, M1, V1)
        others = runs(runner, fleet, M2, v2)
        wait_for(lambda: len(runs(runner, fleet, M2, v2)) >= len(others) + 3, timeout=30,
                 what="three more runs on the member still running")
        assert len(runs(runner, fleet, M1, V1)) <= len(paused_runs) + 1  # at most one in flight
        settled = runs(runner, fleet, M1, V1)
        wait_for(lambda: len(runs(runner, fleet, M2, v2)) >= len(others) + 5, timeout=30,
                 what="two runs more on the member still running")
        assert runs(runner, fleet, M1, V1) == settled  # none while paused

        code, out, _ = cli(capsys, *kcfg, "schedule", "pause", "nightly")  # fleet-wide
        assert code == 0
        assert f"{M1}: already paused: nothing is sent" in out.splitlines()
        assert f"{M2}: ✓ {v2} paused" in out.splitlines()

        code, out, err = cli(capsys, *kcfg, "schedule", "resume", "nightly", "--cluster", M1)
        assert code == 0, err
        assert out.splitlines()[0] == f"{M1}: ✓ {V1} resumed"
        assert schedule_spec(runner, fleet, M1, V1)["paused"] is False
        wait_for(lambda: len(runs(runner, fleet, M1, V1)) > len(settled), timeout=30,
                 what="a run after resuming")


def test_run_now_makes_a_labelled_run_from_the_template(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fleet_of(tmp_path) as (runner, fleet, kcfg):  # a daily cron: no run of its own
        assert cli(capsys, *kcfg, "backup", "create", "nightly", "--fleet", "quickstart",
                   "--include-namespaces", "shop", "--schedule", "0 0 * * *")[0] == 0
        wait_for(lambda: any(s["metadata"]["name"] == V1 for s in
                             objects(runner, fleet, M1, VELERO_SCHEDULES)), timeout=30,
                 what="Kurator's Velero Schedule")
        code, out, err = cli(capsys, *kcfg, "schedule", "run-now", "nightly", "--cluster", M1,
                             "--dry-run=server")
        assert code == 0, err
        assert out.startswith(f"{M1}: ✓ backup {V1}-") and "(server dry run)" in out
        assert runs(runner, fleet, M1, V1) == []

        code, out, err = cli(capsys, *kcfg, "schedule", "run-now", "nightly", "--cluster", M1)
        assert code == 0, err
        made = runs(runner, fleet, M1, V1)
        assert len(made) == 1 and out.splitlines()[0] == f"{M1}: ✓ backup {made[0]} created"
        stamp = made[0].removeprefix(f"{V1}-")
        assert len(stamp) == 14 and stamp.isdigit()  # <schedule>-YYYYMMDDhhmmss, as Velero
        backup = next(b for b in objects(runner, fleet, M1, VELERO_BACKUPS)
                      if b["metadata"]["name"] == made[0])
        template = schedule_spec(runner, fleet, M1, V1)["template"]
        assert backup["spec"]["includedNamespaces"] == template["includedNamespaces"] == ["shop"]
        assert backup["metadata"]["labels"]["kurator.dev/backup-name"] == "nightly"
        assert runs(runner, fleet, M2, f"{M2}-backup-default-nightly") == []  # only M1
        wait_for(lambda: phase_of(runner, fleet, M1, made[0]).get("phase") == "Completed",
                 timeout=30, what="the run to complete")
        code, out, _ = cli(capsys, *kcfg, "schedules", "-o", "json")
        row = next(i for i in json.loads(out)["items"] if i["cluster"] == M1)
        assert row["lastSuccess"]["name"] == made[0]  # health counts it as the schedule's run


def test_refusals_and_unknown_names(tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with fleet_of(tmp_path) as (_, fleet, kcfg):
        assert cli(capsys, *kcfg, "backup", "create", "once", "--fleet", "quickstart")[0] == 0
        assert cli(capsys, *kcfg, "backup", "create", "nightly", "--fleet", "quickstart",
                   "--schedule", "0 0 * * *")[0] == 0
        before = len(fleet.audit)
        code, _, err = cli(capsys, *kcfg, "--readonly", "schedule", "pause", "nightly")
        assert code == 2 and "--readonly: refusing to pause schedule nightly" in err
        code, out, err = cli(capsys, *kcfg, "--readonly", "schedule", "pause", "nightly",
                             "--dry-run=server")  # only checking is allowed
        assert (code, err) == (0, "") and f"{M1}: ✓ {V1} paused (server dry run)" in out
        assert {a["dryRun"] for a in fleet.audit[before:]} == {True}
        before = len(fleet.audit)
        code, _, err = cli(capsys, *kcfg, "schedule", "pause", "nope")
        assert code == 1 and 'backup "nope" not found in namespace default' in err
        code, _, err = cli(capsys, *kcfg, "schedule", "run-now", "once")
        assert code == 2 and "once is a one-time backup, not a schedule" in err
        code, _, err = cli(capsys, *kcfg, "schedule", "resume", "nightly", "--cluster", "nope")
        assert code == 2 and err.strip().endswith(
            f"--cluster: nope: not a cluster of nightly (its clusters: {M1}, {M2})")
        assert len(fleet.audit) == before  # nothing was written anywhere


def test_plain_velero_mode_pauses_the_schedule_of_that_name_in_each_context(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fleet_of(tmp_path) as (runner, fleet, kcfg):
        assert cli(capsys, *kcfg, "velero", "schedule", "create", "daily", "--schedule",
                   "@daily", "--context", f"{M1},{M2}")[0] == 0
        ctx = [*kcfg, "--context", M1]  # not a Kurator host: plain Velero mode
        code, out, err = cli(capsys, *ctx, "schedule", "pause", "daily")
        assert code == 0, err
        assert out.splitlines() == [f"{M1}: ✓ daily paused", f"{M2}: ✓ daily paused"]
        assert all(schedule_spec(runner, fleet, c, "daily")["paused"] for c in (M1, M2))
        code, out, err = cli(capsys, *ctx, "schedule", "run-now", "daily", "--cluster", M2)
        assert code == 0, err
        assert [r.rsplit("-", 1)[0] for r in runs(runner, fleet, M2, "daily")] == ["daily"]
        code, _, err = cli(capsys, *ctx, "schedule", "resume", "weekly")
        assert code == 1 and 'schedule "weekly" not found in namespace velero' in err
