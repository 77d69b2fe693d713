"""`fleettui backup create`: the exact upstream objects, one clear line per bad flag, and a real
create that is followed to Completed on every member."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from tests.cli.cli_helpers import Sim, cli
from tests.conftest import FIXTURES

UPSTREAM = FIXTURES / "docs" / "kurator-unified-backup-upstream.md"
SPECIFIC_NS = ["backup", "create", "specific-ns", "--fleet", "quickstart",
               "--include-namespaces", "kurator-backup", "--ttl", "720h"]
SCHEDULE_MATCHLABELS = ["backup", "create", "schedule-matchlabels", "--fleet", "quickstart",
                        "--cluster", "AttachedCluster/kurator-member2", "--selector", "env=test",
                        "--ttl", "240h", "--schedule", "0 0 * * *"]


def upstream_objects() -> dict[str, dict[str, Any]]:
    """The objects the walkthrough applied, from their last-applied-configuration annotations."""
    found = {}
    for line in UPSTREAM.read_text(encoding="utf-8").splitlines():
        if re.match(r'\s+\{"apiVersion":"backup\.kurator\.dev/', line):
            obj = json.loads(line)
            obj["metadata"].pop("annotations", None)  # kubectl's own, always {} here
            found[obj["metadata"]["name"]] = obj
    assert set(found) == {"specific-ns", "schedule-matchlabels"}
    return found


@pytest.mark.parametrize("argv", [SPECIFIC_NS, SCHEDULE_MATCHLABELS],
                         ids=["specific-ns", "schedule-matchlabels"])
def test_dry_run_client_prints_exactly_the_upstream_object(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    # No cluster is contacted: the kubeconfig does not even exist.
    code, out, _ = cli(capsys, "--kubeconfig", str(tmp_path / "none"), *argv,
                       "--dry-run=client", "-o", "yaml")
    assert code == 0
    printed = yaml.safe_load(out)
    assert printed == upstream_objects()[argv[2]]
    assert list(printed) == ["apiVersion", "kind", "metadata", "spec"]
    assert printed == yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" /
                                      f"{argv[2]}.yaml").read_text())
    code, out, _ = cli(capsys, "--kubeconfig", str(tmp_path / "none"), *argv,
                       "--dry-run=client", "-o", "json")
    assert code == 0 and json.loads(out) == upstream_objects()[argv[2]]


def test_bare_cluster_name_means_attached_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a if a != "AttachedCluster/kurator-member2" else "kurator-member2"
            for a in SCHEDULE_MATCHLABELS]
    code, out, _ = cli(capsys, *argv, "--dry-run=client", "-o", "yaml")
    assert code == 0 and yaml.safe_load(out) == upstream_objects()["schedule-matchlabels"]


def test_or_selectors_and_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "backup", "create", "b", "--fleet", "quickstart",
                       "--or-selector", "env=test", "--or-selector", "tier in (web,db)",
                       "--include-namespaces", "a,b", "--include-namespaces", "c",
                       "--exclude-resources", "secrets", "--dry-run", "-o", "json")
    assert code == 0
    rf = json.loads(out)["spec"]["policy"]["resourceFilter"]
    assert rf == {"includedNamespaces": ["a", "b", "c"], "excludedResources": ["secrets"],
                  "orLabelSelectors": [
                      {"matchLabels": {"env": "test"}},
                      {"matchExpressions": [{"key": "tier", "operator": "In",
                                             "values": ["db", "web"]}]}]}


BAD = [
    (["Bad_Name", "--fleet", "q"], "NAME"),
    (["x"], "--fleet"),
    (["x", "--fleet", "Bad_Fleet"], "--fleet"),
    (["x", "--fleet", "q", "--cluster", "a/b/c"], "--cluster"),
    (["x", "--fleet", "q", "--cluster", "a", "--cluster", "a"], "--cluster"),
    (["x", "--fleet", "q", "--include-namespaces", "A_b"], "--include-namespaces"),
    (["x", "--fleet", "q", "--exclude-namespaces", "*"], "--exclude-namespaces"),
    (["x", "--fleet", "q", "--selector", "a in"], "--selector"),
    (["x", "--fleet", "q", "--or-selector", "a=b", "--or-selector", "=x"], "--or-selector"),
    (["x", "--fleet", "q", "--selector", "a=b", "--or-selector", "c=d"],
     "--selector, --or-selector"),
    (["x", "--fleet", "q", "--include-resources", "Deploy!"], "--include-resources"),
    (["x", "--fleet", "q", "--exclude-resources", "a b"], "--exclude-resources"),
    (["x", "--fleet", "q", "--ttl", "3d"], "--ttl"),
    (["x", "--fleet", "q", "--schedule", "0 0 * *"], "--schedule"),
    (["x", "--fleet", "q", "--schedule", "@daily"], "--schedule"),
    (["x", "--fleet", "q", "--schedule", " "], "--schedule"),
    (["x", "--fleet", "q", "-n", "Bad"], "--namespace"),
    (["x", "--fleet", "q", "--timeout", "5x"], "--timeout"),
    (["x", "--fleet", "q", "-o", "xml"], "--output"),
    (["x", "--fleet", "q", "--dry-run=maybe"], "--dry-run"),
    (["x", "--fleet", "q", "--bogus"], "--bogus"),
]


@pytest.mark.parametrize(("args", "flag"), BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD)])
def test_bad_input_is_one_line_naming_the_flag(capsys: pytest.CaptureFixture[str],
                                               args: list[str], flag: str) -> None:
    code, out, err = cli(capsys, "backup", "create", *args, "--dry-run=client")
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fleettui: ") and flag in lines[0]


def test_create_wait_reaches_completed_on_both_members(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), *SPECIFIC_NS, "--wait",
                         "--timeout", "60s")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "backup.backup.kurator.dev/specific-ns created"
    done = [line for line in lines if "✓ Completed" in line]
    assert any("kurator-member1" in line for line in done)
    assert any("kurator-member2" in line for line in done)
    assert lines[-1].endswith("overall: ✓ Completed")
    host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    for member in ("kurator-member1", "kurator-member2"):
        velero = KubeClient.from_kubeconfig(str(kubeconfig), member).get(
            kc.VELERO_BACKUPS, "velero", f"{member}-backup-default-specific-ns")
        assert velero["status"]["phase"] == "Completed"
    assert host.get(kc.KURATOR_BACKUPS, "default", "specific-ns")["spec"]["policy"]["ttl"] \
        == "720h"


def test_server_dry_run_and_output_of_a_real_create(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, out, _ = cli(capsys, *kcfg, *SCHEDULE_MATCHLABELS, "--dry-run=server", "-o", "json")
    assert code == 0 and json.loads(out)["metadata"]["name"] == "schedule-matchlabels"
    assert not [a for a in fleet.audit if a["verb"] == "create" and not a["dryRun"]]
    code, out, _ = cli(capsys, *kcfg, *SCHEDULE_MATCHLABELS, "-o", "yaml")
    created = yaml.safe_load(out)
    assert code == 0 and created["metadata"]["uid"]  # the server's answer, not the request
    code, _, err = cli(capsys, *kcfg, "backup", "create", "y", "--fleet", "nope")
    assert code == 2 and err.strip() == ("fleettui: --fleet: fleet nope not found in "
                                         "namespace default")
    code, _, err = cli(capsys, *kcfg, "backup", "create", "y", "--fleet", "quickstart",
                       "--cluster", "kurator-member9")
    assert code == 2 and err.startswith("fleettui: --cluster: ") and "member9" in err
    code, _, err = cli(capsys, *kcfg, "backup", "create", "y", "--fleet", "quickstart",
                       "--cluster", "Cluster/kurator-member1")
    assert code == 2 and 'use kind "AttachedCluster"' in err
