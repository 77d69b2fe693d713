"""`fleettui coverage` against the simulator's seeded namespaces and pods: a label selector is
partial with the pods it matches on each member, a whole namespace is protected where its
schedule ran, unprotected elsewhere; system namespaces only when asked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.cli_helpers import cli
from tests.cli.test_cli_health import fast_fleet
from tests.conftest import wait_for


def cover(capsys: pytest.CaptureFixture[str], kcfg: list[str], *opts: str) -> dict[str, Any]:
    code, out, err = cli(capsys, *kcfg, "coverage", "-o", "json", *opts)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def states(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(c["namespace"], c["cluster"]): c["state"] for c in data["cells"]}


def reasons(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(c["namespace"], c["cluster"]): c["reason"] for c in data["cells"]}


def test_coverage_with_a_label_selector_and_a_whole_namespace(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fast_fleet(tmp_path) as kcfg:
        before = states(cover(capsys, kcfg))
        assert set(before.values()) == {"unprotected"}
        assert ("kurator-backup", "kurator-member2") in before
        assert not any(ns in ("kube-system", "velero") for ns, _ in before)
        assert cli(capsys, *kcfg, "backup", "create", "select-labels", "--fleet", "quickstart",
                   "--include-namespaces", "kurator-backup", "-l", "env=test",
                   "--schedule", "0 0 * * *")[0] == 0
        assert cli(capsys, *kcfg, "backup", "create", "shop", "--fleet", "quickstart",
                   "--cluster", "kurator-member1", "--include-namespaces", "shop",
                   "--schedule", "0 0 * * *")[0] == 0

        def settled() -> dict[str, Any] | None:
            data = cover(capsys, kcfg)
            found = states(data)
            wanted = [("kurator-backup", "kurator-member1"),
                      ("kurator-backup", "kurator-member2"), ("shop", "kurator-member1")]
            return data if all(found[k] != "stale" and found[k] != "unprotected"
                               for k in wanted) else None

        data = wait_for(settled, timeout=30, what="good runs on both members")
        found, why = states(data), reasons(data)
        assert found[("kurator-backup", "kurator-member1")] == "partial"
        assert "selector env=test matches 0 of 2 pods" in \
            why[("kurator-backup", "kurator-member1")]
        assert "selector env=test matches 1 of 2 pods" in \
            why[("kurator-backup", "kurator-member2")]
        assert found[("shop", "kurator-member1")] == "protected"
        assert found[("shop", "kurator-member2")] == "unprotected"
        assert found[("monitoring", "kurator-member1")] == "unprotected"
        assert data["hiddenSystemNamespaces"] >= 3

        code, out, err = cli(capsys, *kcfg, "coverage")
        assert code == 0
        header, *lines = out.splitlines()
        assert header.split() == ["NAMESPACE", "kurator-member1", "kurator-member2"]
        assert any(line.split() == ["shop", "✔", "protected", "✗", "unprotected"]
                   for line in lines)
        assert any(line.startswith("kurator-backup on kurator-member2: only partly: "
                                   "select-labels: selector env=test matches 1 of 2 pods")
                   for line in lines)
        assert "system namespace(s) not shown" in err
        # What "protected" means is said beside the table, as on the screen's title.
        assert "one-time backups do not count" in err and "within 1d2h" in err

        everything = states(cover(capsys, kcfg, "--include-system-namespaces"))
        assert everything[("kube-system", "kurator-member1")] == "unprotected"

