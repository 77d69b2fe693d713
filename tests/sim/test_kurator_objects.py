"""The Velero Restores the simulated Kurator creates equal its controller tests' golden files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from fleettui.sim.kurator_objects import velero_restore_for

GOLDEN = "kurator/controller-testdata/velero-objects/restore"


def golden(shared_dir: Path, name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((shared_dir / GOLDEN / f"{name}.yaml").read_text()))


def test_minimal_restore_golden(shared_dir: Path) -> None:
    velero = velero_restore_for("minimal", "kurator-member1", "default", "quickstart",
                                "kurator-member1-backup-include-ns")
    assert velero == golden(shared_dir, "minimal")


def test_custom_policy_golden(shared_dir: Path) -> None:
    policy = {"resourceFilter": {"labelSelector": {"matchLabels": {"env": "test"}}}}
    velero = velero_restore_for("custom-policy", "kurator-member1", "default", "quickstart",
                                "kurator-member1-migrate-include-ns", policy, migrate=True)
    assert velero == golden(shared_dir, "custom-policy")


def test_every_restore_policy_field_lands_and_fits_the_velero_crd(
        shared_dir: Path, crd_validator: Callable[[str, dict[str, Any]], None]) -> None:
    policy = {"resourceFilter": {"includedNamespaces": ["shop"],
                                 "includedNamespaceScopedResources": ["pods"]},
              "namespaceMapping": {"shop": "shop-2"}, "preserveNodePorts": True,
              "preserveStatus": {"includedResources": ["pods"]}}
    velero = velero_restore_for("r", "m1", "default", "q", "b", policy)
    spec = velero["spec"]
    assert spec["includedNamespaces"] == ["shop"]
    assert "includedNamespaceScopedResources" not in spec  # Kurator drops it
    assert spec["namespaceMapping"] == {"shop": "shop-2"} and spec["preserveNodePorts"] is True
    assert spec["restoreStatus"] == {"includedResources": ["pods"]}
    crd_validator("velero/velero.io_restores.yaml", velero)
