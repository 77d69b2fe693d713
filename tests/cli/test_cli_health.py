"""`fleettui schedules` and `fleettui check` against the simulator, in both modes: a member
forced to fail shows `failing` with Velero's reason, and `check` exits 1 naming it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cli.cli_helpers import cli
from tests.conftest import start_sim, wait_for

FAIL_MEMBER2 = {"kurator-member2": "Failed"}
SIM_REASON = "connection to the object store was reset"


@contextmanager
def fast_fleet(tmp_path: Path, **overrides: object) -> Iterator[list[str]]:
    """A simulator whose schedules fire every second; yields the --kubeconfig flag."""
    runner, _fleet, kubeconfig = start_sim(tmp_path, speed=86400.0, **overrides)
    try:
        yield ["--kubeconfig", str(kubeconfig)]
    finally:
        runner.stop()


def rows(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    code, out, err = cli(capsys, *argv, "schedules", "-o", "json")
    assert code == 0, err
    return list(json.loads(out)["items"])


def by_cluster(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["cluster"]: i for i in items}


def both_ran(items: list[dict[str, Any]]) -> bool:
    seen = by_cluster(items)
    return len(seen) == 2 and all(i["lastAttempt"] and i["lastAttempt"]["completed"]
                                  for i in seen.values())


def test_kurator_schedule_failing_on_one_member(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with fast_fleet(tmp_path, member_outcome=FAIL_MEMBER2) as kcfg:
        code, _, err = cli(capsys, *kcfg, "schedules")
        assert code == 0 and "No schedules in fleets in namespace default" in err
        assert cli(capsys, *kcfg, "backup", "create", "nightly", "--fleet", "quickstart",
                   "--schedule", "0 0 * * *")[0] == 0
        items = wait_for(lambda: (found := rows(capsys, *kcfg)) and both_ran(found) and found,
                         timeout=30, what="a finished run on both members")
        seen = by_cluster(items)
        good, bad = seen["kurator-member1"], seen["kurator-member2"]
        assert good["verdict"] == "ok" and good["recoveryPointAgeSeconds"] is not None
        assert good["veleroSchedule"] == "kurator-member1-backup-default-nightly"
        assert bad["verdict"] == "failing" and SIM_REASON in bad["reason"]
        assert bad["lastSuccess"] is None and bad["failingStreak"] >= 1
        assert set(bad["history"]) == {"✗"}

        code, out, _ = cli(capsys, *kcfg, "schedules")
        header, *lines = out.splitlines()
        assert header.split()[:3] == ["SCHEDULE", "CLUSTER", "VERDICT"]
        assert any(line.split()[:4] == ["nightly", "kurator-member2", "✗", "failing"]
                   for line in lines)

        code, out, err = cli(capsys, *kcfg, "check", "--max-age", "26h")
        assert code == 1, err
        lines = out.splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            "kurator-member2: schedule nightly: has no good recovery point (limit 1d2h)")
        assert SIM_REASON in lines[0]


def test_check_passes_with_a_summary_when_every_member_has_a_fresh_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fast_fleet(tmp_path) as kcfg:
        code, out, _ = cli(capsys, *kcfg, "check")
        assert code == 1 and out.startswith("no schedules in fleets in namespace default")
        assert cli(capsys, *kcfg, "backup", "create", "nightly", "--fleet", "quickstart",
                   "--schedule", "0 0 * * *")[0] == 0
        wait_for(lambda: all(i["verdict"] == "ok" for i in rows(capsys, *kcfg))
                 and len(rows(capsys, *kcfg)) == 2, timeout=30, what="both members ok")
        code, out, _ = cli(capsys, *kcfg, "check", "--max-age", "1h")
        assert code == 0 and len(out.splitlines()) == 1
        assert out.startswith("ok: 2 schedule(s) on 2 cluster(s), every newest good recovery "
                              "point within 1h")


def test_plain_velero_schedules_across_contexts(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with fast_fleet(tmp_path, member_outcome=FAIL_MEMBER2) as kcfg:
        assert cli(capsys, *kcfg, "velero", "schedule", "create", "daily", "--context",
                   "kurator-member1,kurator-member2", "--schedule", "@daily")[0] == 0
        plain = [*kcfg, "--context", "kurator-member1"]  # no Kurator API there
        items = wait_for(lambda: (found := rows(capsys, *plain)) and both_ran(found) and found,
                         timeout=30, what="a finished run in both contexts")
        seen = by_cluster(items)
        assert seen["kurator-member1"]["verdict"] == "ok"
        assert seen["kurator-member2"]["verdict"] == "failing", seen["kurator-member2"]
        assert {i["schedule"] for i in items} == {"daily"}
        code, _, err = cli(capsys, *plain, "schedules")
        assert "# kurator-host: no Velero API here; left out" in err
        code, out, _ = cli(capsys, *plain, "check")
        assert code == 1 and [line.split(":")[0] for line in out.splitlines()] == [
            "kurator-member2"]


@pytest.mark.parametrize(("argv", "flag"), [
    (["check", "--max-age", "soon"], "--max-age"),
    (["check", "--max-age", "0s"], "--max-age"),
    (["schedules", "--late-after", "x"], "--late-after"),
    (["schedules", "--stuck-after", "-3h"], "--stuck-after"),
    (["schedules", "-o", "wide"], "-o"),
    (["schedules", "--velero-namespace", "Not_A_Namespace"], "--velero-namespace"),
])
def test_bad_flags_are_one_line_naming_the_flag(argv: list[str], flag: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncontexts: [{name: a, context: "
                          "{cluster: a, user: a}}]\nclusters: [{name: a, cluster: {server: "
                          "'https://127.0.0.1:1'}}]\nusers: [{name: a, user: {token: t}}]\n"
                          "current-context: a\n")
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and flag in err
