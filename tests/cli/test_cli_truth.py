"""One member fails fast while another is still running: `--wait`, `--until-done` and jsonl end
only when every member has a final phase, and say the overall phase `status` says afterwards."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from fleettui.sim.fleet import SimFleet
from tests.cli.cli_helpers import Process, Sim, cli, mixed_fleet

MEMBERS = ("kurator-member1", "kurator-member2")
FINAL = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")


@pytest.fixture
def mixed(tmp_path: Path) -> Iterator[Sim]:
    """member1 ends PartiallyFailed at once, member2 runs for seconds and then Failed."""
    running = mixed_fleet(tmp_path)
    try:
        yield running
    finally:
        running[0].stop()


def velero_phase(kubeconfig: Path, context: str, name: str) -> str:
    client = KubeClient.from_kubeconfig(str(kubeconfig), context)
    try:
        return str(client.get(kc.VELERO_BACKUPS, "velero", name)["status"]["phase"])
    finally:
        client.close()


def overall_lines(out: str) -> list[str]:
    return [line.split("overall: ", 1)[1] for line in out.splitlines() if "overall: " in line]


def status_overall(capsys: pytest.CaptureFixture[str], kubeconfig: Path, name: str) -> str:
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "status", name)
    assert code == 0, err
    return overall_lines(out)[-1].split(" — ")[0]


def test_create_wait_ends_when_every_member_ended(
        mixed: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = mixed
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create", "mix",
                         "--fleet", "quickstart", "--include-namespaces", "kurator-backup",
                         "--wait", "--timeout", "60s")
    assert code == 1, err
    # When --wait returns, the slow member has ended too (the truth, read from the member).
    assert {m: velero_phase(kubeconfig, m, f"{m}-backup-default-mix") for m in MEMBERS} == {
        "kurator-member1": "PartiallyFailed", "kurator-member2": "Failed"}
    overall = overall_lines(out)
    assert overall[-1] == "✗ Failed" == status_overall(capsys, kubeconfig, "mix")
    # No final overall before the end: a PartiallyFailed shown early would be contradicted.
    assert all(o.split()[-1] not in FINAL for o in overall[:-1]), overall


def test_until_done_jsonl_ends_when_every_member_ended(
        mixed: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = mixed
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create", "mix2",
                       "--fleet", "quickstart")
    assert code == 0, err
    proc = Process("--kubeconfig", str(kubeconfig), "backup", "status", "mix2", "--watch",
                   "--until-done", "-o", "jsonl", "--timeout", "60s")
    try:
        assert proc.finish() == 1, proc.err
    finally:
        proc.kill()
    events = proc.events()
    last = {ev["cluster"]: ev["phase"] for ev in events}
    assert last == {"kurator-member1": "PartiallyFailed", "kurator-member2": "Failed"}
    assert events[-1]["overall"] == "Failed"
    assert all(ev["overall"] not in FINAL for ev in events[:-1]), events
    assert status_overall(capsys, kubeconfig, "mix2") == "✗ Failed"
    code, out, _ = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "status", "mix2",
                       "-o", "jsonl")
    assert {json.loads(line)["overall"] for line in out.splitlines()} == {"Failed"}


def test_velero_wait_ends_when_every_context_ended(
        mixed: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = mixed
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "velero", "backup", "create",
                         "vmix", "--context", ",".join(MEMBERS), "--wait", "--timeout", "60s")
    assert code == 1, err
    assert {m: velero_phase(kubeconfig, m, "vmix") for m in MEMBERS} == {
        "kurator-member1": "PartiallyFailed", "kurator-member2": "Failed"}
    overall = overall_lines(out)
    assert overall[-1] == "✗ Failed"
    assert all(o.split()[-1] not in FINAL for o in overall[:-1]), overall


def post_sim(fleet: SimFleet, port: int, path: str, body: dict[str, object]) -> tuple[int, Any]:
    request = urllib.request.Request(f"https://127.0.0.1:{port}/_sim/{path}", method="POST",
                                     data=json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, context=fleet.tls.client_context()) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_member_outcome_over_http(sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kubeconfig = sim
    port = fleet.members[1].port
    code, body = post_sim(fleet, port, "velero", {"outcome": "FailedValidation"})
    assert code == 200 and body["velero"]["outcome"] == "FailedValidation"
    assert post_sim(fleet, port, "velero", {"outcome": "Maybe"})[0] == 400
    code, out, _ = cli(capsys, "--kubeconfig", str(kubeconfig), "velero", "backup", "create",
                       "v", "--context", ",".join(MEMBERS), "--wait", "--timeout", "60s")
    assert code == 1
    assert {m: velero_phase(kubeconfig, m, "v") for m in MEMBERS} == {
        "kurator-member1": "Completed", "kurator-member2": "FailedValidation"}
    assert overall_lines(out)[-1] == "✗ Failed"
