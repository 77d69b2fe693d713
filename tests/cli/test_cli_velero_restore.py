"""`fleettui velero restore create --context c1,c2`: a plain Velero Restore in each context,
checked in every context (the backup is there and finished) before it is created in any."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleettui.sim.types import VELERO_RESTORES
from tests.cli.cli_helpers import Sim, cli
from tests.cli.restore_helpers import APP_NS, M1, M2, MEMBERS, creates, delete_pod, find, pod


def test_restore_in_two_contexts_brings_pods_back(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, _, err = cli(capsys, *kcfg, "velero", "backup", "create", "nightly", "--context",
                       MEMBERS, "--include-namespaces", APP_NS, "--wait", "--timeout", "60s")
    assert code == 0, err
    for member in (M1, M2):
        delete_pod(runner, fleet, member, "busybox")

    code, out, err = cli(capsys, *kcfg, "velero", "restore", "create", "back", "--from-backup",
                         "nightly", "--context", MEMBERS, "--wait", "--timeout", "60s")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:2] == [f"{M1}: restore.velero.io/back created",
                         f"{M2}: restore.velero.io/back created"]
    assert lines[-1].endswith("overall: ✓ Completed")
    for member in (M1, M2):
        assert pod(runner, fleet, member, "busybox") is not None, member
        restore = find(runner, fleet, member, VELERO_RESTORES, "velero", "back")
        assert restore is not None and restore["spec"] == {"backupName": "nightly"}


def test_a_context_without_the_backup_creates_nothing_anywhere(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, _, _ = cli(capsys, *kcfg, "velero", "backup", "create", "only-one", "--context", M1,
                     "--wait", "--timeout", "60s")
    assert code == 0
    before = len(fleet.audit)
    code, out, err = cli(capsys, *kcfg, "velero", "restore", "create", "back", "--from-backup",
                         "only-one", "--context", MEMBERS)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"fleettui: --from-backup: {M2}: no Velero backup only-one in {M2} (not taken there, "
        "expired or deleted); nothing was created"]
    code, out, err = cli(capsys, *kcfg, "velero", "restore", "create", "back",
                         "--from-schedule", "daily", "--context", MEMBERS)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"fleettui: --from-schedule: {M1}: schedule daily has not run in {M1} yet; {M2}: "
        f"schedule daily has not run in {M2} yet; nothing was created"]
    assert creates(fleet, "restores", before) == []  # not even a dry run


def test_client_dry_run_is_a_schema_valid_velero_restore(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        crd_validator: Callable[[str, dict[str, Any]], None]) -> None:
    code, out, _ = cli(capsys, "--kubeconfig", str(tmp_path / "none"), "velero", "restore",
                       "create", "back", "--from-schedule", "daily", "--include-namespaces",
                       "shop", "--namespace-mapping", "shop:shop-copy", "--restore-status",
                       "deployments", "--preserve-node-ports", "-l", "app=web",
                       "--dry-run=client", "-o", "yaml")
    assert code == 0
    printed = yaml.safe_load(out)
    crd_validator("velero/velero.io_restores.yaml", printed)
    assert printed == {
        "apiVersion": "velero.io/v1", "kind": "Restore",
        "metadata": {"name": "back", "namespace": "velero"},
        "spec": {"scheduleName": "daily", "includedNamespaces": ["shop"],
                 "labelSelector": {"matchLabels": {"app": "web"}},
                 "namespaceMapping": {"shop": "shop-copy"},
                 "restoreStatus": {"includedResources": ["deployments"]},
                 "preserveNodePorts": True}}
