"""Velero's logs and results through DownloadRequests, end to end on the simulator (issue #15
item 3): the log and per-item results printed, and each way a download fails said plainly
within the limit, never a hang."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleettui.sim.fleet import SimFleet, SimThread
from tests.cli.cli_helpers import cli
from tests.conftest import start_sim, wait_for

Finished = tuple[SimThread, SimFleet, list[str]]


def failed_fleet(tmp_path: Path) -> tuple[SimThread, SimFleet, Path]:
    """member1's backups end PartiallyFailed, member2's Failed, both at once."""
    return start_sim(tmp_path, member_backup_seconds={"kurator-member1": 0.2,
                                                      "kurator-member2": 0.2},
                     member_outcome={"kurator-member1": "PartiallyFailed",
                                     "kurator-member2": "Failed"})


def _member(fleet: SimFleet, name: str) -> int:
    return [m.name for m in fleet.members].index(name)


FINAL = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")


def run_backup(capsys: pytest.CaptureFixture[str], kcfg: list[str], sim: SimThread,
               fleet: SimFleet, name: str, *extra: str) -> None:
    """`backup create NAME` on every member, then wait (on the simulator's own objects, not
    through the CLI's follow) until each member's run has ended."""
    code, _, err = cli(capsys, *kcfg, "backup", "create", name, "--fleet", "quickstart", *extra)
    assert code == 0, err

    def ended() -> bool:
        def phases() -> list[str]:
            return [((m.store.find("velero.io/backups", "velero",
                                   f"{m.name}-backup-default-{name}") or {})
                     .get("status") or {}).get("phase", "") for m in fleet.members]
        return all(p in FINAL for p in sim.call(phases))
    wait_for(ended, 60, f"backup {name} ended on every member")


@pytest.fixture
def finished(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Finished]:
    """member1's run of `shop` PartiallyFailed, member2's Failed."""
    sim, fleet, kubeconfig = failed_fleet(tmp_path)
    try:
        kcfg = ["--kubeconfig", str(kubeconfig)]
        run_backup(capsys, kcfg, sim, fleet, "shop", "--include-namespaces", "kurator-backup")
        yield sim, fleet, kcfg
    finally:
        sim.stop()


def test_logs_print_the_clusters_velero_log(
        finished: Finished, capsys: pytest.CaptureFixture[str]
        ) -> None:
    _, fleet, kcfg = finished
    code, out, err = cli(capsys, *kcfg, "backup", "logs", "shop", "--cluster", "kurator-member1")
    assert code == 0, err
    lines = out.splitlines()
    velero_name = "kurator-member1-backup-default-shop"
    assert all(f"backup=velero/{velero_name}" in line for line in lines)
    assert lines[0].startswith('time="') and 'msg="Setting up backup temp file"' in lines[0]
    errors = [line for line in lines if "level=error" in line]
    assert errors and "name=busybox" in errors[0]
    # the request was asked for, answered and deleted again
    assert fleet.objects.gets[-1] == (f"backups/{velero_name}/{velero_name}-logs.gz", 200)


def test_logs_need_a_cluster_when_there_are_several(
        finished: Finished, capsys: pytest.CaptureFixture[str]
        ) -> None:
    _, _, kcfg = finished
    code, _, err = cli(capsys, *kcfg, "backup", "logs", "shop")
    assert code == 2 and "--cluster" in err and "kurator-member1, kurator-member2" in err
    code, _, err = cli(capsys, *kcfg, "backup", "logs", "shop", "--cluster", "nosuch")
    assert code == 2 and "nosuch is not a cluster of backup shop" in err


def test_results_list_the_per_item_errors(
        finished: Finished, capsys: pytest.CaptureFixture[str]
        ) -> None:
    _, fleet, kcfg = finished
    code, out, err = cli(capsys, *kcfg, "backup", "results", "shop")
    assert code == 0, err
    status = fleet.members[0].store.find("velero.io/backups", "velero",
                                         "kurator-member1-backup-default-shop")
    assert status is not None
    errors, warnings = status["status"]["errors"], status["status"].get("warnings", 0)
    block = out.split("kurator-member2 (")[0]
    assert f"PartiallyFailed, {errors} error" in block
    assert block.count("  error    namespace kurator-backup: ") == errors
    assert block.count("  warning  namespace kurator-backup: ") == warnings
    failed = out.split("kurator-member2 (")[1]
    assert "Failed" in failed and "connection to the object store was reset" in failed


@pytest.mark.parametrize(("mode", "code", "words"), [
    ("unprocessed", 3, "did not process the DownloadRequest"),
    ("missing", 1, "nothing was uploaded"),
    ("expired", 3, "had expired"),
    ("failed", 3, "to phase Failed"),
])
def test_each_download_failure_is_said_within_the_limit(
        finished: Finished, capsys: pytest.CaptureFixture[str], mode: str, code: int,
        words: str) -> None:
    sim, fleet, kcfg = finished
    member = fleet.members[_member(fleet, "kurator-member1")]
    sim.call(lambda: member.api.controls["downloads"]({"mode": mode}))
    began = time.monotonic()
    got, out, err = cli(capsys, *kcfg, "backup", "logs", "shop", "--cluster", "kurator-member1",
                        "--timeout", "2s")
    took = time.monotonic() - began
    assert got == code, err
    assert out == "" and err.startswith("fleettui: kurator-member1: ") and words in err
    assert len(err.strip().splitlines()) == 1
    assert took < 20  # the 2 s limit plus connecting, on a loaded machine


def test_logs_of_a_running_backup_are_refused_as_velero_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim, _, kubeconfig = start_sim(tmp_path, backup_seconds=60.0)
    try:
        kcfg = ["--kubeconfig", str(kubeconfig)]
        code, _, err = cli(capsys, *kcfg, "backup", "create", "slow", "--fleet", "quickstart",
                           "--cluster", "kurator-member1")
        assert code == 0, err
        code, _, err = cli(capsys, *kcfg, "backup", "logs", "slow")
        assert code == 1 and "is uploaded when it ends" in err, err
    finally:
        sim.stop()


def test_results_json_shape_is_velero_s(finished: Finished) -> None:
    _, fleet, _ = finished
    name = "kurator-member1-backup-default-shop"
    data = json.loads(gzip.decompress(fleet.objects.objects[f"backups/{name}/{name}-results.gz"]))
    assert set(data) == {"errors", "warnings"}
    assert set(data["errors"]) <= {"velero", "cluster", "namespaces"}


def test_status_lists_the_per_item_errors_under_the_reasons(
        finished: Finished, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kcfg = finished
    code, out, err = cli(capsys, *kcfg, "backup", "status", "shop")
    assert code == 0, err
    lines = out.splitlines()
    head = lines.index("kurator-member1: Velero's results of "
                       "kurator-member1-backup-default-shop:")
    assert lines[head + 1].startswith("  error    namespace kurator-backup: error executing")
    assert any("kurator-member2: Velero's results of" in line for line in lines)
    assert lines[-1].startswith("overall: ")


def test_readonly_creates_no_download_request(finished: Finished,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kcfg = finished
    before = [a for a in fleet.audit if "downloadrequests" in a.get("path", "")]
    code, _, err = cli(capsys, *kcfg, "--readonly", "backup", "logs", "shop",
                       "--cluster", "kurator-member1")
    assert code == 2 and "--readonly" in err and "DownloadRequest" in err
    code, out, _ = cli(capsys, *kcfg, "--readonly", "backup", "status", "shop")
    assert code == 0 and "per-item results not read" in out
    code, _, err = cli(capsys, *kcfg, "--readonly", "restore", "create", "r", "--from-backup",
                       "shop", "--dry-run=client", "--preview")
    assert code == 2 and err.startswith("fleettui: --preview: ")
    assert [a for a in fleet.audit if "downloadrequests" in a.get("path", "")] == before


def test_an_object_store_out_of_reach_is_said_with_the_fix(
        finished: Finished, capsys: pytest.CaptureFixture[str]) -> None:
    sim, fleet, kcfg = finished
    sim.run(fleet.objects.stop())  # the URL Velero signs now points nowhere (in-cluster MinIO)
    code, out, err = cli(capsys, *kcfg, "backup", "logs", "shop", "--cluster", "kurator-member1")
    assert code == 3 and out == ""
    assert "cannot fetch the log of backup kurator-member1-backup-default-shop from the " \
           "object store at 127.0.0.1:" in err and "publicUrl" in err
