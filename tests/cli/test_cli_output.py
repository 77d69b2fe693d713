"""`-o wide|name|jsonpath=...` as kubectl has them, and warnings only where they tell something:
none for the README's walkthrough, one for a member that is not ready or a namespace that
exists nowhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fleettui.cli.jsonpath import TemplateError, parse_template, render
from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from tests.cli.cli_helpers import Sim, cli

SPECIFIC_NS = ["backup", "create", "specific-ns", "--fleet", "quickstart",
               "--include-namespaces", "kurator-backup", "--ttl", "720h"]
SCHEDULE_MATCHLABELS = ["backup", "create", "schedule-matchlabels", "--fleet", "quickstart",
                        "--cluster", "AttachedCluster/kurator-member2", "--selector", "env=test",
                        "--ttl", "240h", "--schedule", "0 0 * * *"]
LIST: dict[str, Any] = {"kind": "List", "items": [
    {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x"}},
     "spec": {"ttl": "1h", "n": 3, "on": True}},
    {"metadata": {"name": "b"}, "spec": {"ttl": "2h"}}]}


@pytest.mark.parametrize(("template", "expected"), [
    ("{.items[*].metadata.name}", "a b"),
    ('{range .items[*]}{.metadata.name}{"\\n"}{end}', "a\nb\n"),
    ("{range .items[*]}{.metadata.name}={.spec.ttl};{end}", "a=1h;b=2h;"),
    ("{.items[0].metadata.name}", "a"),
    ("{.items[-1].metadata.name}", "b"),
    ("{.items[0:1].metadata.name}", "a"),
    ("{.items[5].metadata.name}", ""),  # missing: nothing, as kubectl by default
    ("{.items[0].spec.nosuch}", ""),
    ("{.items[0].spec.n} {.items[0].spec.on}", "3 true"),
    ("{.items[0].metadata.labels}", '{"app.kubernetes.io/name":"x"}'),
    ("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", "x"),
    ("{.items[0].metadata.labels['app.kubernetes.io/name']}", "x"),
    ("{.items[0].spec.*}", "3 true 1h"),
    ("{range .items[*]}{$.kind}:{@.metadata.name} {end}", "List:a List:b "),
    ("names: {.items[*].metadata.name}", "names: a b"),
])
def test_jsonpath_subset(template: str, expected: str) -> None:
    assert render(parse_template(template), LIST) == expected


@pytest.mark.parametrize(("template", "why"), [
    ("{.metadata.name", "unclosed"), ("{range .items[*]}{.x}", "without its {end}"),
    ("{.x}{end}", "{end} without"), ("{}", "empty expression"), ("{metadata}", "starts with"),
    ("{..name}", "recursive descent"), ('{.items[?(@.x=="y")]}', "filters"),
    ("{.items[x]}", "expected *"), ('{"\\q"}', "unknown escape"), ("{.items[0}", "unclosed '['"),
])
def test_bad_templates_say_why(template: str, why: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_template(template)
    assert why in str(caught.value)


@pytest.mark.parametrize("output", ["jsonpath={.metadata.name", "jsonpath", "xml", "wide"])
def test_bad_output_is_one_line_naming_o_before_any_request(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, output: str) -> None:
    kcfg = ["--kubeconfig", str(tmp_path / "never-read")]
    for argv in (["backup", "list"], ["backup", "get", "x"],
                 ["backup", "create", "x", "--fleet", "quickstart", "--dry-run=client"]):
        if output == "wide" and argv[1] != "create":
            continue  # wide is a table format: create has no table
        code, out, err = cli(capsys, *kcfg, *argv, "-o", output)
        assert (code, out) == (2, ""), (argv, output, err)
        [line] = err.splitlines()
        assert line.startswith("fleettui: backup ") and "-o/--output" in line, line


def test_walkthrough_commands_print_no_warning(sim: Sim,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    for argv in (SPECIFIC_NS, SCHEDULE_MATCHLABELS):
        code, _, err = cli(capsys, *argv, "--dry-run=client", "-o", "yaml")
        assert (code, err) == (0, ""), argv
        code, out, err = cli(capsys, *kcfg, *argv)
        assert (code, err) == (0, ""), argv
        assert out == f"backup.backup.kurator.dev/{argv[2]} created\n"


def test_name_wide_and_jsonpath(sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, out, _ = cli(capsys, *kcfg, *SPECIFIC_NS, "-o", "name")
    assert (code, out) == (0, "backup.backup.kurator.dev/specific-ns\n")
    code, out, _ = cli(capsys, *kcfg, *SCHEDULE_MATCHLABELS, "--dry-run=server",
                       "-o", "jsonpath={.spec.schedule}")
    assert (code, out) == (0, "0 0 * * *")
    code, out, _ = cli(capsys, *kcfg, "backup", "list", "-o", "name")
    assert (code, out) == (0, "backup.backup.kurator.dev/specific-ns\n")
    code, out, _ = cli(capsys, *kcfg, "backup", "get", "specific-ns", "-o", "name")
    assert (code, out) == (0, "backup.backup.kurator.dev/specific-ns\n")
    assert cli(capsys, *kcfg, *SCHEDULE_MATCHLABELS)[0] == 0
    code, out, _ = cli(capsys, *kcfg, "backup", "list", "-o",
                       "jsonpath={.items[*].metadata.name}")
    assert (code, out) == (0, "schedule-matchlabels specific-ns")
    code, out, _ = cli(capsys, *kcfg, "backup", "list", "-o",
                       'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.policy.ttl}'
                       '{"\\n"}{end}')
    assert out == "schedule-matchlabels\t240h\nspecific-ns\t720h\n"
    code, out, _ = cli(capsys, *kcfg, "backup", "get", "specific-ns", "-o",
                       "jsonpath={.metadata.name}")
    assert (code, out) == (0, "specific-ns")
    code, out, _ = cli(capsys, *kcfg, "backup", "list", "-o", "wide")
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "TYPE", "FLEET", "OVERALL", "DONE", "AGE", "CLUSTERS",
                              "NAMESPACES", "TTL"]
    assert rows[0].split()[-3:] == ["kurator-member2", "*", "240h"]
    assert rows[1].split()[-3:] == ["kurator-member1,kurator-member2", "kurator-backup", "720h"]
    code, out, _ = cli(capsys, *kcfg, "backup", "get", "specific-ns", "-o", "wide")
    got = out.splitlines()[1].split()
    assert got[0] == "specific-ns" and got[-3:] == rows[1].split()[-3:]  # AGE may tick
    code, out, _ = cli(capsys, *kcfg, "velero", "backup", "create", "v", "--context",
                       "kurator-member1,kurator-member2", "-o", "name")
    assert (code, out) == (0, "backup.velero.io/v\nbackup.velero.io/v\n")


def test_all_clusters_warns_when_a_member_is_not_ready(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    host.request("PATCH", kc.ATTACHED_CLUSTERS.path("default", "kurator-member2") + "/status",
                 [], {"status": {"ready": False}}, "application/merge-patch+json")
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), *SPECIFIC_NS)
    assert code == 0 and out == "backup.backup.kurator.dev/specific-ns created\n"
    assert err.splitlines() == [
        "fleettui: warning: --cluster: no clusters listed: Kurator backs up only the ready "
        "clusters of the fleet; kurator-member2 is not ready and will be skipped without "
        "notice"]
    # A listed cluster that is not ready is not skipped: Kurator fails the whole backup.
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), *SCHEDULE_MATCHLABELS)
    assert code == 0 and err.splitlines() == [
        "fleettui: warning: --cluster: kurator-member2 is not ready: Kurator backs up none of "
        "the listed clusters until it is (it retries without a word in the status)"]


def test_namespace_on_no_member_is_a_warning_not_a_failure(
        sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, out, err = cli(capsys, *kcfg, "backup", "create", "typo", "--fleet", "quickstart",
                         "--include-namespaces", "kurator-backup,kurator-bakcup", "-o", "json")
    assert code == 0 and json.loads(out)["metadata"]["name"] == "typo"
    assert err.splitlines() == [
        'fleettui: warning: --include-namespaces: namespace "kurator-bakcup" exists on none '
        "of the 2 member clusters; the backup will not contain it (a typo?)"]
    # A member that cannot answer is left out, and the create still succeeds.
    faults = fleet.members[1].api.faults
    runner.call(lambda: faults.configure({"error": 503, "count": 5}))
    code, out, err = cli(capsys, *kcfg, "velero", "backup", "create", "vtypo", "--context",
                         "kurator-member1", "--include-namespaces", "nope")
    assert code == 0 and out == "kurator-member1: backup.velero.io/vtypo created\n"
    assert err.splitlines() == [
        'fleettui: warning: --include-namespaces: namespace "nope" is not on member cluster '
        "kurator-member1; the backup will not contain it (a typo?)"]
    code, out, err = cli(capsys, *kcfg, "backup", "create", "half-known", "--fleet",
                         "quickstart", "--include-namespaces", "nope")
    assert code == 0 and "is not on member cluster kurator-member1" in err
    runner.call(lambda: faults.configure({"clear": True}))
    code, _, err = cli(capsys, *kcfg, "velero", "schedule", "create", "s", "--schedule",
                       "@daily", "--context", "kurator-member1,kurator-member2",
                       "--include-namespaces", "kurator-backup")
    assert (code, err) == (0, "")
