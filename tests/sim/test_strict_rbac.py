"""Users with RBAC on reads and writes, with kube-apiserver's 401/403 bodies, on every cluster."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim
from tests.sim.kubectl import kubectl, needs_kubectl
from tests.sim.test_api import KB, VB, backup, call

Sim = tuple[SimThread, SimFleet, Path]
SECRETS = "/api/v1/namespaces/kurator-system/secrets"


def test_viewer_reads_everything_but_secrets_and_writes_nothing(sim: Sim) -> None:
    _, fleet, _ = sim
    token = fleet.config.viewer_token
    for cluster in ("kurator-host", "kurator-member2"):
        assert call(fleet, "GET", "/api/v1/pods", cluster=cluster, token=token)[0] == 200
        code, body, _ = call(fleet, "GET", SECRETS, cluster=cluster, token=token)
        assert code == 403
        assert body == {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": 'secrets is forbidden: User "viewer" cannot list resource "secrets" in '
                       'API group "" in the namespace "kurator-system"',
            "reason": "Forbidden", "details": {"kind": "secrets"}, "code": 403}  # no core group
    code, body, _ = call(fleet, "GET", "/api/v1/secrets", token=token)
    assert code == 403 and body["message"].endswith(
        'cannot list resource "secrets" in API group "" at the cluster scope')
    code, body, _ = call(fleet, "GET", "/api/v1/namespaces/default/secrets/kurator-member1",
                         token=token)
    assert code == 403 and body["message"].startswith(
        'secrets "kurator-member1" is forbidden: User "viewer" cannot get resource "secrets"')
    assert body["details"] == {"kind": "secrets", "name": "kurator-member1"}
    code, body, _ = call(fleet, "POST", KB, backup("nope"), token=token)
    assert code == 403 and body["message"] == (
        'backups.backup.kurator.dev is forbidden: User "viewer" cannot create resource '
        '"backups" in API group "backup.kurator.dev" in the namespace "default"')
    assert body["details"] == {"group": "backup.kurator.dev", "kind": "backups"}


def test_status_subresource_and_item_writes_name_the_object(sim: Sim) -> None:
    _, fleet, _ = sim
    assert call(fleet, "POST", KB, backup("mine"))[0] == 201
    patch = b'{"status": {"phase": "x"}}'
    code, body, _ = call(fleet, "PATCH", KB + "/mine/status", patch,
                         ctype="application/merge-patch+json",
                         token=fleet.config.readonly_token)
    assert code == 403 and body["message"] == (
        'backups.backup.kurator.dev "mine" is forbidden: User "fleettui-readonly" cannot patch '
        'resource "backups/status" in API group "backup.kurator.dev" in the namespace "default"')
    assert body["details"]["name"] == "mine"
    code, body, _ = call(fleet, "DELETE", KB, token=fleet.config.readonly_token)
    assert code == 403 and 'cannot deletecollection resource "backups"' in body["message"]


def test_namespace_user_has_one_namespace_on_host_and_members(sim: Sim) -> None:
    _, fleet, _ = sim
    token = fleet.config.user_tokens()["ns-velero"]
    assert call(fleet, "GET", VB, cluster="kurator-member1", token=token)[0] == 200
    assert call(fleet, "GET", "/api/v1/namespaces/velero/secrets", cluster="kurator-member1",
                token=token)[0] == 200
    # Its own namespace object, not the list of namespaces (the name is the request namespace).
    assert call(fleet, "GET", "/api/v1/namespaces/velero", cluster="kurator-member1",
                token=token)[0] == 200
    code, body, _ = call(fleet, "GET", "/api/v1/namespaces", cluster="kurator-member1",
                         token=token)
    assert code == 403 and body["message"] == (
        'namespaces is forbidden: User "ns-velero" cannot list resource "namespaces" in API '
        'group "" at the cluster scope')
    code, body, _ = call(fleet, "GET", "/apis/velero.io/v1/backups", cluster="kurator-member1",
                         token=token)
    assert code == 403 and body["message"].endswith('"velero.io" at the cluster scope')
    code, body, _ = call(fleet, "GET", KB, token=token)
    assert code == 403 and body["message"].endswith('in the namespace "default"')
    default = fleet.config.user_tokens()["ns-default"]
    assert call(fleet, "POST", KB, backup("by-ns-user"), token=default)[0] == 201


def test_unknown_and_missing_tokens_get_the_real_401(sim: Sim) -> None:
    _, fleet, _ = sim
    for token in ("wrong", fleet.config.admin_token[:-1]):
        code, body, _ = call(fleet, "GET", KB, token=token, cluster="kurator-member1")
        assert code == 401
        assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": "Unauthorized",
                        "reason": "Unauthorized", "code": 401}


@needs_kubectl
def test_each_users_kubeconfig_through_kubectl(sim: Sim, tmp_path: Path) -> None:
    _, fleet, _ = sim
    written = fleet.write_kubeconfigs(tmp_path / "users")
    assert sorted(p.name for p in written) == [
        "admin.yaml", "ns-default.yaml", "ns-velero.yaml", "readonly.yaml", "viewer.yaml"]
    viewer = tmp_path / "users" / "viewer.yaml"
    got = kubectl(viewer, "get", "backups.velero.io", "-n", "velero",
                  context="kurator-member1")
    assert got.returncode == 0
    denied = kubectl(viewer, "get", "secrets", "-n", "kurator-system", check=False)
    assert denied.returncode != 0
    assert ('Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list '
            'resource "secrets" in API group "" in the namespace "kurator-system"') \
        in denied.stderr
    ns_user = tmp_path / "users" / "ns-velero.yaml"
    assert kubectl(ns_user, "get", "schedules.velero.io", "-n", "velero",
                   context="kurator-member2").returncode == 0
    denied = kubectl(ns_user, "get", "pods", "-A", check=False, context="kurator-member2")
    assert "at the cluster scope" in denied.stderr


def test_unreachable_secrets_name_an_invalid_host_and_the_context_stays(tmp_path: Path) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path, unreachable_secrets=["kurator-member2"])
    try:
        def secret_server(cluster: str) -> str:
            secret = fleet.host.store.find("/secrets", "default", cluster)
            assert secret is not None
            raw = base64.b64decode(secret["data"][f"{cluster}.config"])
            return str(yaml.safe_load(raw)["clusters"][0]["cluster"]["server"])

        assert secret_server("kurator-member1") == fleet.cluster("kurator-member1").url
        assert secret_server("kurator-member2") == \
            "https://kurator-member2.kurator-system.svc.invalid:6443"
        contexts = {c["name"]: c["context"]["cluster"]
                    for c in yaml.safe_load(kubeconfig.read_text())["contexts"]}
        servers = {c["name"]: c["cluster"]["server"]
                   for c in yaml.safe_load(kubeconfig.read_text())["clusters"]}
        assert servers[contexts["kurator-member2"]] == fleet.cluster("kurator-member2").url
        assert call(fleet, "GET", VB, cluster="kurator-member2")[0] == 200
    finally:
        runner.stop()


@pytest.mark.parametrize(("flags", "message"), [
    (["--unreachable-secret", "kurator-member9"], "--unreachable-secret: 'kurator-member9'"),
    (["--max-inflight", "-1"], "--max-inflight: must be 0"),
    (["--namespace-user", "Bad_NS"], "--namespace-user: 'Bad_NS'"),
    (["--bookmark-interval", "0"], "--bookmark-interval: must be more than 0"),
    (["--token-ttl", "-3"], "--token-ttl: '-3.0' is not a number of seconds"),
])
def test_bad_strict_flags_name_the_flag(flags: list[str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "fleettui", "sim", *flags],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and message in proc.stderr


@needs_kubectl
def test_sim_command_writes_every_users_and_the_exec_kubeconfig(tmp_path: Path) -> None:
    users, exec_kc = tmp_path / "users", tmp_path / "exec.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "fleettui", "sim", "--write-kubeconfigs",
                             str(users), "--write-exec-kubeconfig", str(exec_kc),
                             "--token-ttl", "600", "--namespace-user", "shop"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        while "running" not in (line := proc.stdout.readline()):
            assert line, "fleettui sim exited early"
        assert sorted(p.name for p in users.iterdir()) == [
            "admin.yaml", "ns-shop.yaml", "readonly.yaml", "viewer.yaml"]
        shop = kubectl(users / "ns-shop.yaml", "get", "pods", "-n", "shop", "-o", "name",
                       context="kurator-member1").stdout
        assert "pod/frontend-0" in shop.split()
        out = kubectl(exec_kc, "get", "namespaces", "-o", "name",
                      context="kurator-member2").stdout
        assert "namespace/velero" in out.split()
        proc.terminate()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
