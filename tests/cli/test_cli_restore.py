"""`fleettui restore`: objects that really come back, Kurator's examples reproduced exactly, and
everything Kurator would retry forever or stop on silently refused before it is sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleettui.sim.types import KURATOR_RESTORES, NAMESPACES, VELERO_RESTORES
from tests.cli.cli_helpers import Sim, cli
from tests.cli.restore_helpers import APP_NS, M1, M2, creates, delete_pod, find, pod
from tests.conftest import FIXTURES, start_sim, wait_for

EXAMPLES = FIXTURES / "kurator" / "examples" / "backup"
RESTORE_CRD = "kurator/crds/backup.kurator.dev_restores.yaml"
MIGRATE_CRD = "kurator/crds/backup.kurator.dev_migrates.yaml"
GOLDEN = {  # Kurator's example → the command line that writes it
    "restore-minimal.yaml": (RESTORE_CRD, ["restore", "create", "minimal", "--from-backup",
                                           "select-labels"]),
    "restore-schedule.yaml": (RESTORE_CRD, ["restore", "create", "schedule", "--from-backup",
                                            "schedule", "--fleet", "quickstart", "--cluster",
                                            "kurator-member2", "-l", "app=busybox"]),
    "migrate-select-labels.yaml": (MIGRATE_CRD, ["migrate", "create", "select-labels",
                                                 "--fleet", "quickstart", "--from-cluster",
                                                 "kurator-member1", "--to-cluster",
                                                 "AttachedCluster/kurator-member2", "--selector",
                                                 "app=busybox"]),
}


@pytest.mark.parametrize("example", sorted(GOLDEN))
def test_client_dry_run_reproduces_kurators_examples(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, example: str,
        crd_validator: Callable[[str, dict[str, Any]], None]) -> None:
    crd, argv = GOLDEN[example]
    # Nothing is contacted: the kubeconfig does not even exist.
    code, out, err = cli(capsys, "--kubeconfig", str(tmp_path / "none"), *argv,
                         "--dry-run=client", "-o", "yaml")
    assert (code, err) == (0, "")
    printed = yaml.safe_load(out)
    assert printed == yaml.safe_load((EXAMPLES / example).read_text())
    crd_validator(crd, printed)
    code, out, _ = cli(capsys, "--kubeconfig", str(tmp_path / "none"), *argv,
                       "--dry-run=client", "-o", "name")
    assert (code, out) == (0, f"{argv[0]}.backup.kurator.dev/{argv[2]}\n")


def test_every_option_lands_in_a_schema_valid_restore(
        capsys: pytest.CaptureFixture[str],
        crd_validator: Callable[[str, dict[str, Any]], None]) -> None:
    code, out, _ = cli(capsys, "restore", "create", "full", "--from-backup", "nightly",
                       "--fleet", "quickstart", "--cluster", "kurator-member1,kurator-member2",
                       "--include-namespaces", "shop,db", "--exclude-resources", "secrets",
                       "--or-selector", "app=web", "--or-selector", "tier in (db)",
                       "--namespace-mapping", "shop:shop-copy", "--namespace-mapping",
                       "db:db-copy", "--preserve-node-ports", "--restore-status",
                       "deployments", "--dry-run=client", "-o", "json")
    assert code == 0
    printed = json.loads(out)
    crd_validator(RESTORE_CRD, printed)
    assert printed["spec"]["policy"] == {
        "resourceFilter": {"includedNamespaces": ["shop", "db"],
                           "excludedResources": ["secrets"],
                           "orLabelSelectors": [{"matchLabels": {"app": "web"}},
                                                {"matchExpressions": [{"key": "tier",
                                                                       "operator": "In",
                                                                       "values": ["db"]}]}]},
        "namespaceMapping": {"shop": "shop-copy", "db": "db-copy"},
        "preserveStatus": {"includedResources": ["deployments"]},
        "preserveNodePorts": True}


def take_backup(capsys: pytest.CaptureFixture[str], kcfg: list[str], name: str,
                *extra: str) -> None:
    code, _, err = cli(capsys, *kcfg, "backup", "create", name, "--fleet", "quickstart",
                       "--include-namespaces", APP_NS, *extra, "--wait", "--timeout", "60s")
    assert code == 0, err


def test_a_deleted_pod_is_back_after_restore_create(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    take_backup(capsys, kcfg, "before")
    delete_pod(runner, fleet, M2, "busybox")

    code, out, err = cli(capsys, *kcfg, "restore", "create", "after", "--from-backup", "before",
                         "--wait", "--timeout", "60s")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "restore.backup.kurator.dev/after created"
    assert lines[-1].endswith("overall: ✓ Completed")
    assert f"# {M2}: restores from Velero backup {M2}-backup-default-before" in err.splitlines()
    back = pod(runner, fleet, M2, "busybox")
    assert back is not None
    assert back["metadata"]["labels"]["velero.io/restore-name"] == f"{M2}-restore-default-after"

    code, out, _ = cli(capsys, *kcfg, "restore", "status", "after", "-o", "jsonl")
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(e["cluster"], e["phase"], e["overall"]) for e in events] == [
        (M1, "Completed", "Completed"), (M2, "Completed", "Completed")]
    code, out, _ = cli(capsys, *kcfg, "restore", "list")
    assert code == 0 and out.splitlines()[1].split()[:4] == ["after", "before", "✓",
                                                             "Completed"]
    code, out, _ = cli(capsys, *kcfg, "restore", "get", "after", "-o", "name")
    assert (code, out) == (0, "restore.backup.kurator.dev/after\n")
    code, out, _ = cli(capsys, *kcfg, "restore", "status", "after", "-w", "--until-done")
    assert code == 0 and out.splitlines()[-1].endswith("overall: ✓ Completed")

    code, out, _ = cli(capsys, *kcfg, "restore", "delete", "after")
    assert code == 0
    assert out.splitlines()[:2] == [
        'restore.backup.kurator.dev "after" deleted',
        "Kurator then deletes, in namespace velero of each cluster, the objects labelled "
        "kurator.dev/restore-name=after:"]
    assert "NOT deleted: the restored objects" in out
    # Kurator removes its finalizer once the Velero Restores are deleted.
    wait_for(lambda: find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default",
                          "after") is None, what="the restore deleted")
    code, out, err = cli(capsys, *kcfg, "restore", "status", "after")  # kubectl: NotFound is 1
    assert (code, out) == (1, "")
    assert err == 'fleettui: kurator-host: restores.backup.kurator.dev "after" not found\n'


def test_namespace_mapping_restores_under_the_new_name(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    take_backup(capsys, kcfg, "src")
    code, _, err = cli(capsys, *kcfg, "restore", "create", "copy", "--from-backup", "src",
                       "--cluster", M2, "--namespace-mapping", f"{APP_NS}:shop-copy",
                       "-l", "app=busybox", "--wait", "--timeout", "60s")
    assert code == 0, err
    assert pod(runner, fleet, M2, "busybox", "shop-copy") is not None
    assert pod(runner, fleet, M2, "busybox-with-pv", "shop-copy") is None  # not app=busybox
    assert find(runner, fleet, M1, NAMESPACES.key, "", "shop-copy") is None  # not a target
    velero = find(runner, fleet, M2, VELERO_RESTORES, "velero", f"{M2}-restore-default-copy")
    assert velero is not None and velero["spec"]["namespaceMapping"] == {APP_NS: "shop-copy"}


def test_a_cluster_outside_the_backup_is_refused_before_submit(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    take_backup(capsys, kcfg, "only-one", "--cluster", M1)
    before = len(fleet.audit)
    for dry_run in ([], ["--dry-run=server"]):
        code, out, err = cli(capsys, *kcfg, "restore", "create", "elsewhere", "--from-backup",
                             "only-one", "--cluster", M2, *dry_run)
        assert (code, out) == (2, "")
        assert err.splitlines() == [
            f'fleettui: --cluster: AttachedCluster/{M2} is not in backup "only-one" (Kurator '
            "would retry forever and restore nothing); to copy data to another cluster, use a "
            "migrate"]
    assert creates(fleet, "restores", before) == []  # not even a dry run
    code, _, err = cli(capsys, *kcfg, "restore", "create", "here", "--from-backup", "only-one",
                       "--fleet", "other", "--dry-run=server")
    assert code == 2 and err.startswith("fleettui: --fleet: ")


def test_a_schedule_with_no_completed_run_is_refused(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, _, _ = cli(capsys, *kcfg, "backup", "create", "yearly", "--fleet", "quickstart",
                     "--schedule", "0 0 1 1 *", "--ttl", "9000h")
    assert code == 0
    before = len(fleet.audit)
    for dry_run in ([], ["--dry-run=server"]):
        code, out, err = cli(capsys, *kcfg, "restore", "create", "from-yearly", "--from-backup",
                             "yearly", *dry_run)
        assert (code, out) == (2, "")
        assert err.splitlines() == [
            f"fleettui: --from-backup: {M1}: schedule {M1}-backup-default-yearly has not run in "
            f"{M1} yet; {M2}: schedule {M2}-backup-default-yearly has not run in {M2} yet"]
    assert creates(fleet, "restores", before) == []
    # A client dry run reads nothing, so it cannot know: it prints the object.
    code, out, _ = cli(capsys, *kcfg, "restore", "create", "from-yearly", "--from-backup",
                       "yearly", "--dry-run=client", "-o", "yaml")
    assert code == 0 and yaml.safe_load(out)["spec"] == {"backupName": "yearly"}


def test_an_unfinished_backup_is_refused_naming_the_cluster(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path, member_backup_seconds={M1: 60.0})
    try:
        kcfg = ["--kubeconfig", str(kubeconfig)]
        code, _, _ = cli(capsys, *kcfg, "backup", "create", "slow", "--fleet", "quickstart")
        assert code == 0
        code, out, err = cli(capsys, *kcfg, "restore", "create", "too-early", "--from-backup",
                             "slow", "--cluster", M1)
        assert (code, out) == (2, "")
        line, = err.splitlines()
        assert line.startswith(f"fleettui: --from-backup: {M1}: ")
        assert ("Velero can restore only a finished backup" in line
                or "not taken there" in line), line
        assert find(runner, fleet, "kurator-host", KURATOR_RESTORES, "default",
                    "too-early") is None
    finally:
        runner.stop()
