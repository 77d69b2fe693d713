"""Why a cluster is not Completed, in every status output of the CLI (issue #10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_helpers import cli
from tests.conftest import start_sim


def test_status_table_and_jsonl_give_each_failed_cluster_its_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim, _, kubeconfig = start_sim(tmp_path, failure_rate=1.0)  # Failed or PartiallyFailed
    try:
        kcfg = ["--kubeconfig", str(kubeconfig)]
        code, _, err = cli(capsys, *kcfg, "backup", "create", "doomed", "--fleet", "quickstart",
                           "--wait", "--timeout", "60s")
        assert code == 1, err
        code, out, _ = cli(capsys, *kcfg, "backup", "status", "doomed")
        lines = out.splitlines()
        assert code == 0
        for member in ("kurator-member1", "kurator-member2"):
            row = next(line for line in lines if line.startswith(member + " "))
            why = next(line for line in lines if line.startswith(member + ": "))
            if "✗ Failed" in row:
                assert "connection to the object store was reset" in why
            else:
                assert "PartiallyFailed" in row and "velero backup logs" in why
        assert lines[-1].startswith("overall: ")
        code, out, _ = cli(capsys, *kcfg, "backup", "status", "doomed", "-o", "jsonl")
        events = [json.loads(line) for line in out.splitlines()]
        assert len(events) == 2 and all(ev["reason"] for ev in events)
    finally:
        sim.stop()


def test_velero_wait_prints_the_validation_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim, _, kubeconfig = start_sim(tmp_path)
    try:
        code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "velero", "backup",
                             "create", "nowhere", "--context", "kurator-member1",
                             "--storage-location", "missing-bsl", "--wait", "--timeout", "60s")
        assert code == 1, err
        failed = next(line for line in out.splitlines() if "FailedValidation" in line)
        assert 'backupstoragelocations.velero.io "missing-bsl" not found' in failed
    finally:
        sim.stop()
