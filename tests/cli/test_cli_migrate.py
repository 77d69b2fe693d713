"""`fleettui migrate`: one member's workloads copied to another, followed to the end, and a
failed source backup said as Failed where Kurator itself stays at BackupInProgress."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleettui.sim.types import KURATOR_MIGRATES, NAMESPACES
from tests.cli.cli_helpers import Sim, cli
from tests.cli.restore_helpers import APP_NS, M1, M2, find, pod
from tests.conftest import start_sim, wait_for

MIGRATE = ["migrate", "create", "move", "--from-cluster", M1, "--to-cluster", M2,
           "--include-namespaces", APP_NS, "--namespace-mapping", f"{APP_NS}:moved"]


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[Sim]:
    """Members that sync the shared bucket: how a migrate's backup reaches its targets."""
    running = start_sim(tmp_path, bucket_sync=0.2)
    try:
        yield running
    finally:
        running[0].stop()


def test_migrate_member1_to_member2(synced: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = synced
    kcfg = ["--kubeconfig", str(kubeconfig)]
    # No --fleet: the one fleet of the namespace that has the source.
    code, out, err = cli(capsys, *kcfg, *MIGRATE, "--wait", "--timeout", "60s")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "migrate.backup.kurator.dev/move created"
    assert lines[-1].endswith("overall: ✓ Completed")
    assert pod(runner, fleet, M2, "busybox", "moved") is not None
    assert find(runner, fleet, M1, NAMESPACES.key, "", "moved") is None  # copied, not moved
    assert pod(runner, fleet, M1, "busybox") is not None  # the original stays

    code, out, _ = cli(capsys, *kcfg, "migrate", "status", "move", "-o", "jsonl")
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(e["cluster"], e["phase"], e["overall"]) for e in events] == [
        (M1, "Completed", "Completed"), (M2, "Completed", "Completed")]  # source first
    code, out, _ = cli(capsys, *kcfg, "migrate", "status", "move")
    assert out.splitlines()[1].split()[-1] == f"{M1}-migrate-default-move"  # the backup
    assert out.splitlines()[2].split()[-1] == f"{M2}-migrate-default-move"  # the restore
    code, out, _ = cli(capsys, *kcfg, "migrate", "list")
    assert code == 0 and out.splitlines()[1].split()[:5] == ["move", M1, M2, "✓", "Completed"]


def test_a_failed_source_backup_is_failed_overall(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path, bucket_sync=0.2,
                                          member_outcome={M1: "Failed"})
    try:
        code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), *MIGRATE, "--wait",
                             "--timeout", "60s")
        assert code == 1, err
        assert out.splitlines()[-1].endswith("overall: ✗ Failed")
        obj = find(runner, fleet, "kurator-host", KURATOR_MIGRATES, "default", "move")
        assert obj is not None and obj["status"]["phase"] == "BackupInProgress"  # Kurator's
        code, out, _ = cli(capsys, "--kubeconfig", str(kubeconfig), "migrate", "status",
                           "move")
        assert f"{M2}: nothing to restore: the source backup on {M1} failed" in out
        assert out.splitlines()[-1].startswith("overall: ✗ Failed")
    finally:
        runner.stop()


def test_a_backup_that_never_reaches_the_target_says_so(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim  # no bucket sync: the source backup never reaches member2
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, _, err = cli(capsys, *kcfg, *MIGRATE)
    assert code == 0, err

    def status() -> str:
        return cli(capsys, *kcfg, "migrate", "status", "move")[1]

    text = wait_for(lambda: "waiting for the backup to sync to the targets" in status()
                    and status(), timeout=30, what="the sync wait said")
    assert f"{M2}: waiting for the backup to sync to the targets (the source backup " \
           "completed at " in text
    assert text.splitlines()[-1].startswith("overall: ▶ Running")
