"""`fleettui velero backup|schedule create --context c1,c2`: plain Velero on several contexts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.errors import KubeError
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
                               "snapshotVolumes": False,
                               "storageLocation": "default"}  # Velero writes its default
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

    # One context refuses (injected 422): the server dry-run in every context comes first,
    # so nothing is created anywhere (exit 3).
    faults = fleet.members[1].api.faults
    runner.call(lambda: faults.configure({"error": 422, "count": 1}))
    before = len(fleet.audit)
    code, out, err = cli(capsys, *kcfg, "velero", "schedule", "create", "hourly", "--schedule",
                         "0 * * * *", "--context", MEMBERS, "-o", "json")
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        "fleettui: kurator-member2: injected error 422",
        "fleettui: schedule.velero.io/hourly: the server dry run failed in kurator-member2; "
        "nothing was created in any context"]
    assert {(a["cluster"], a["dryRun"]) for a in fleet.audit[before:]} == {
        ("kurator-member1", True), ("kurator-member2", True)}  # dry runs only

    # An unknown context is bad input: exit 2 naming --context and the name, nothing created.
    for kind in (["backup", "create", "b"], ["schedule", "create", "b", "--schedule", "@daily"]):
        before = len(fleet.audit)
        code, out, err = cli(capsys, *kcfg, "velero", *kind, "--context",
                             "kurator-member1,kurator-member9")
        assert (code, out) == (2, "")
        assert err.splitlines() == ["fleettui: --context: no context 'kurator-member9' in the "
                                    "kubeconfig; nothing was created (contexts: kurator-host, "
                                    "kurator-member1, kurator-member2)"]
        assert fleet.audit[before:] == []  # not even a dry run


def test_a_create_that_fails_after_the_dry_runs_says_where_it_was_created(
        sim: Sim, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, kubeconfig = sim
    real_create = KubeClient.create

    def create(self: KubeClient, res: kc.Resource, obj: dict[str, Any],
               dry_run: bool = False) -> dict[str, Any]:
        if self.name == "kurator-member2" and not dry_run:  # after its dry run passed
            raise KubeError(500, "InternalError", "etcd timed out", [], self.name)
        return real_create(self, res, obj, dry_run)

    monkeypatch.setattr(KubeClient, "create", create)
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "velero", "backup", "create",
                         "half", "--context", MEMBERS)
    assert code == 3
    assert out.splitlines() == ["kurator-member1: backup.velero.io/half created"]
    assert err.splitlines() == [
        "fleettui: kurator-member2: etcd timed out",
        "fleettui: backup.velero.io/half: created in kurator-member1; NOT created in "
        "kurator-member2 (create it there again, or delete it where it was created)"]
    member(kubeconfig, "kurator-member1").get(kc.VELERO_BACKUPS, "velero", "half")


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


def test_delete_in_each_context_that_has_it(sim: Sim, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    _, _, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    assert cli(capsys, *kcfg, "velero", "schedule", "create", "hourly", "--schedule",
               "@hourly", "--context", MEMBERS)[0] == 0
    assert cli(capsys, *kcfg, "velero", "backup", "create", "once", "--context",
               "kurator-member2")[0] == 0
    both = ["--context", MEMBERS]

    code, _, err = cli(capsys, *kcfg, "--readonly", "velero", "backup", "delete", "once", *both)
    assert code == 2 and "--readonly" in err
    code, _, err = cli(capsys, *kcfg, "velero", "backup", "delete", "nope", *both)
    assert code == 1 and 'backup.velero.io "nope" not found in namespace velero' in err

    # A server dry run sends the requests with dryRun: nothing is asked of Velero
    code, out, _ = cli(capsys, *kcfg, "velero", "backup", "delete", "once", *both,
                       "--dry-run=server")
    assert code == 0
    m2 = member(kubeconfig, "kurator-member2")
    assert m2.list(kc.VELERO_DELETE_REQUESTS, "velero")["items"] == []

    # Only the context that holds the backup gets a DeleteBackupRequest, as the dialog says
    code, out, _ = cli(capsys, *kcfg, "velero", "backup", "delete", "once", *both)
    assert code == 0
    assert out.splitlines()[0] == ("kurator-member2: create a DeleteBackupRequest for "
                                   "backups.velero.io/once")
    assert out.splitlines()[-1] == "NOT deleted: anything restored from these backups"
    (request,) = m2.list(kc.VELERO_DELETE_REQUESTS, "velero")["items"]
    assert request["spec"] == {"backupName": "once"}

    code, out, _ = cli(capsys, *kcfg, "velero", "schedule", "delete", "hourly", *both)
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == MEMBERS.split(",")
    for name in MEMBERS.split(","):
        with pytest.raises(KubeError) as gone:
            member(kubeconfig, name).get(kc.VELERO_SCHEDULES, "velero", "hourly")
        assert gone.value.code == 404


def test_one_velero_namespace_flag_before_or_after_the_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--velero-namespace", "openshift-adp", "velero", "backup", "create", "b"],
                 ["velero", "backup", "create", "b", "--velero-namespace", "openshift-adp"]):
        code, out, _ = cli(capsys, *argv, "--dry-run=client", "-o", "yaml")
        assert code == 0 and yaml.safe_load(out)["metadata"]["namespace"] == "openshift-adp"
    code, _, err = cli(capsys, "--velero-namespace", "Bad_NS", "velero", "backup", "create",
                       "b", "--dry-run=client")
    assert code == 2 and "--velero-namespace" in err
