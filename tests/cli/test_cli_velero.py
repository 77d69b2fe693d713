"""`fleettui velero backup|schedule create --context c1,c2`: plain Velero on several contexts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from tests.cli.cli_helpers import Sim, cli
from tests.conftest import start_sim

MEMBERS = "kurator-member1,kurator-member2"


def member(kubeconfig: Path, name: str) -> KubeClient:
    return KubeClient.from_kubeconfig(str(kubeconfig), name)


def test_backup_on_two_contexts_waits_for_completed(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "velero", "backup", "create",
                         "nightly-1", "--context", MEMBERS, "--include-namespaces",
                         "kurator-backup", "--ttl", "72h", "--no-snapshot-volumes", "--wait",
                         "--timeout", "60s")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:2] == ["kurator-member1: backup.velero.io/nightly-1 created",
                         "kurator-member2: backup.velero.io/nightly-1 created"]
    assert lines[-1].endswith("overall: ✓ Completed")
    for name in MEMBERS.split(","):
        obj = member(kubeconfig, name).get(kc.VELERO_BACKUPS, "velero", "nightly-1")
        assert obj["spec"] == {"includedNamespaces": ["kurator-backup"], "ttl": "72h",
                               "snapshotVolumes": False}
        assert obj["status"]["phase"] == "Completed"


def test_daily_schedule_and_a_failing_context(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, out, _ = cli(capsys, *kcfg, "velero", "schedule", "create", "daily", "--schedule",
                       "@daily", "--context", MEMBERS, "--selector", "env=test")
    assert code == 0
    assert out.splitlines() == ["kurator-member1: schedule.velero.io/daily created",
                                "kurator-member2: schedule.velero.io/daily created"]
    for name in MEMBERS.split(","):
        spec = member(kubeconfig, name).get(kc.VELERO_SCHEDULES, "velero", "daily")["spec"]
        assert spec == {"schedule": "@daily",
                        "template": {"labelSelector": {"matchLabels": {"env": "test"}}}}

    # One context refuses (injected 422), the other still gets its object: exit 3.
    faults = fleet.members[1].api.faults
    runner.call(lambda: faults.configure({"error": 422, "count": 1}))
    code, out, err = cli(capsys, *kcfg, "velero", "schedule", "create", "hourly", "--schedule",
                         "0 * * * *", "--context", MEMBERS, "-o", "json")
    assert code == 3
    assert json.loads(out)["metadata"]["name"] == "hourly"  # the one that was created
    assert [line for line in err.splitlines() if "warning" not in line] == [
        "fleettui: kurator-member2: injected error 422"]
    assert "warning: --ttl: keeps about 720 backups per cluster" in err  # hourly, 30 days
    member(kubeconfig, "kurator-member1").get(kc.VELERO_SCHEDULES, "velero", "hourly")

    code, _, err = cli(capsys, *kcfg, "velero", "backup", "create", "b", "--context",
                       "kurator-member1,nope")
    assert code == 3 and err.startswith("fleettui: nope: --context: no context 'nope'")


def test_velero_dry_run_client_and_bad_flags(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    kcfg = ["--kubeconfig", str(tmp_path / "none")]  # never read
    code, out, _ = cli(capsys, *kcfg, "velero", "schedule", "create", "s", "--schedule",
                       "@every 6h", "--storage-location", "primary",
                       "--default-volumes-to-fs-backup", "--dry-run=client", "-o", "yaml")
    assert code == 0
    assert yaml.safe_load(out) == {
        "apiVersion": "velero.io/v1", "kind": "Schedule",
        "metadata": {"name": "s", "namespace": "velero"},
        "spec": {"schedule": "@every 6h", "template": {"storageLocation": "primary",
                                                       "defaultVolumesToFsBackup": True}}}
    for args, flag in [
            (["backup", "create", "Bad_Name"], "NAME"),
            (["backup", "create", "b", "--storage-location", "Bad Name"], "--storage-location"),
            (["backup", "create", "b", "--velero-namespace", "Bad"], "--velero-namespace"),
            (["backup", "create", "b", "--ttl", "1 day"], "--ttl"),
            (["backup", "create", "b", "--selector", "a=b", "--or-selector", "c"],
             "--selector, --or-selector"),
            (["schedule", "create", "s", "--schedule", "@fortnightly"], "--schedule"),
            (["schedule", "create", "s"], "--schedule"),
            (["backup", "create", "b", "-n", "velero"], "-n")]:
        code, out, err = cli(capsys, *kcfg, "velero", *args, "--dry-run=client")
        assert code == 2 and out == "", args
        assert len(err.splitlines()) == 1 and flag in err, err


def test_wait_for_the_first_run_of_schedules(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    sim, _, kubeconfig = start_sim(tmp_path, speed=86400 / 2)  # a daily cron fires every ~2 s
    kcfg = ["--kubeconfig", str(kubeconfig)]
    try:
        code, out, err = cli(capsys, *kcfg, "backup", "create", "nightly", "--fleet",
                             "quickstart", "--selector", "env=test", "--schedule", "0 0 * * *",
                             "--wait", "--timeout", "30s")
        assert code == 0, err
        lines = out.splitlines()
        assert lines[-1].endswith("overall: ⟳ Scheduled")  # every cluster's first run ended
        for name in MEMBERS.split(","):
            assert any(name in line and "✓ Completed" in line for line in lines)
        code, out, err = cli(capsys, *kcfg, "velero", "schedule", "create", "d", "--schedule",
                             "@daily", "--context", MEMBERS, "--wait", "--timeout", "30s")
        assert code == 0, err
        lines = out.splitlines()
        assert lines[-1].endswith("overall: ⟳ Scheduled")  # first run ended in every context
        runs = member(kubeconfig, "kurator-member2").list(
            kc.VELERO_BACKUPS, "velero", "velero.io/schedule-name=d")["items"]
        assert runs and runs[0]["status"]["phase"] == "Completed"
    finally:
        sim.stop()
