"""Expiring bearer tokens and the exec-plugin kubeconfig, through the real kubectl."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim, wait_for
from tests.sim.kubectl import kubectl, needs_kubectl
from tests.sim.test_api import KB, VB, call

Sim = tuple[SimThread, SimFleet, Path]
TTL = 4.0


@pytest.fixture
def expiring(tmp_path: Path) -> Iterator[Sim]:
    running = start_sim(tmp_path, token_ttl=TTL)
    try:
        yield running
    finally:
        running[0].stop()


def run_plugin(plugin: Path, config: Path) -> dict[str, object]:
    exec_spec = yaml.safe_load(config.read_text())["users"][0]["user"]["exec"]
    proc = subprocess.run([exec_spec["command"], *exec_spec["args"]], capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    credential: dict[str, object] = json.loads(proc.stdout)
    return credential


def test_plugin_prints_a_v1_exec_credential_that_expires(expiring: Sim,
                                                         tmp_path: Path) -> None:
    _, fleet, _ = expiring
    config = tmp_path / "exec.yaml"
    plugin = fleet.write_exec_kubeconfig(config)
    user = yaml.safe_load(config.read_text())["users"][0]["user"]["exec"]
    assert user["apiVersion"] == "client.authentication.k8s.io/v1"
    assert user["interactiveMode"] == "Never"
    credential = run_plugin(plugin, config)
    assert credential["apiVersion"] == "client.authentication.k8s.io/v1"
    assert credential["kind"] == "ExecCredential"
    status = credential["status"]
    assert isinstance(status, dict)
    expires = datetime.strptime(str(status["expirationTimestamp"]), "%Y-%m-%dT%H:%M:%SZ")
    left = expires.replace(tzinfo=UTC).timestamp() - time.time()
    assert TTL - 2 <= left <= TTL
    token = str(status["token"])
    assert call(fleet, "GET", VB, token=token, cluster="kurator-member1")[0] == 200
    wait_for(lambda: call(fleet, "GET", KB, token=token)[0] == 401, timeout=TTL + 10,
             what="the minted token to expire")
    assert call(fleet, "GET", KB, token=str(run_plugin(plugin, config)["status"]
                                            ["token"]))[0] == 200  # type: ignore[index]


def test_member_secret_token_never_expires(expiring: Sim) -> None:
    _, fleet, _ = expiring
    wait_for(lambda: call(fleet, "GET", KB)[0] == 401, timeout=TTL + 10,
             what="the kubeconfig's admin token to expire")
    assert call(fleet, "GET", VB, token=fleet.config.member_token,
                cluster="kurator-member2")[0] == 200


@needs_kubectl
def test_kubectl_keeps_working_across_an_expiry_only_with_the_plugin(expiring: Sim,
                                                                       tmp_path: Path) -> None:
    _, fleet, static = expiring
    exec_config = tmp_path / "exec.yaml"
    fleet.write_exec_kubeconfig(exec_config)
    assert "kurator-backup" in kubectl(static, "get", "namespaces",
                                       context="kurator-member1").stdout
    assert "kurator-backup" in kubectl(exec_config, "get", "namespaces",
                                       context="kurator-member1").stdout
    wait_for(lambda: call(fleet, "GET", "/api/v1/namespaces")[0] == 401, timeout=TTL + 10,
             what="the static token to expire")
    refused = kubectl(static, "get", "namespaces", check=False)
    assert refused.returncode != 0
    assert "You must be logged in to the server" in refused.stderr
    assert "kurator-backup" in kubectl(exec_config, "get", "namespaces",
                                       context="kurator-member2").stdout


def test_restart_keeps_every_users_token(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = start_sim(tmp_path, state=state)
    tokens = first[1].config.user_tokens()
    member = first[1].config.member_token
    first[0].stop()
    again = start_sim(tmp_path / "again", state=state)
    try:
        fleet = again[1]
        for user, token in tokens.items():
            code = call(fleet, "GET", "/api/v1/namespaces/default/pods", token=token)[0]
            assert code in (200, 403), user  # authenticated; ns-velero may not read default
        assert call(fleet, "GET", "/api/v1/namespaces/default/pods", token="stale")[0] == 401
        assert fleet.config.member_token == member
    finally:
        again[0].stop()
