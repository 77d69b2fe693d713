"""`fleettui sim --api contexts`: the simulated controllers on contexts the user already has.

Two real kube-apiservers started bare (no CRDs: the command applies them) stand for a user's
test clusters, reached through a kubeconfig naming them `test-host` and `test-m1`. Refusals
(an unreachable context, one whose user may not write) are one line and a non-zero exit.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fleettui.cli.output import EXIT_API
from fleettui.sim.context_fleet import member_kubeconfig
from fleettui.sim.real_fleet import kubeconfig
from fleettui.sim.realapi_server import CRD_FILES, RBAC
from tests.cli.cli_helpers import Process, cli
from tests.realapi.build import Binaries
from tests.realapi.server import RealServer, launch, stop_servers, wait_ready

VELERO_OF_BY_CLI = "kurator-member1-backup-default-by-cli"


@pytest.fixture(scope="module")
def bare_servers(realapi_binaries: Binaries, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[dict[str, RealServer]]:
    """A host and a member with RBAC for the test users but none of the CRDs."""
    parent = tmp_path_factory.mktemp("contexts")
    servers = [launch(realapi_binaries, parent / name) for name in ("host", "m1")]
    try:
        for server in servers:
            wait_ready(server).kubectl("apply", "--server-side", "-f", str(RBAC))
        yield {"test-host": servers[0], "test-m1": servers[1]}
    finally:
        stop_servers(servers)


def write_kubeconfig(path: Path, servers: dict[str, RealServer], user: str = "admin") -> Path:
    path.write_text(yaml.safe_dump(kubeconfig(servers, next(iter(servers)), user)))
    return path


def crd_names(server: RealServer) -> set[str]:
    out = server.kubectl("get", "crd", "-o", "name").stdout.split()
    return {line.removeprefix("customresourcedefinition.apiextensions.k8s.io/") for line in out}


@pytest.mark.serial
@pytest.mark.slow
@pytest.mark.timeout(300, func_only=True)
def test_controllers_on_existing_contexts_complete_a_backup_and_delete_only_their_own(
        bare_servers: dict[str, RealServer], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    host, member = bare_servers["test-host"], bare_servers["test-m1"]
    config = write_kubeconfig(tmp_path / "kubeconfig", bare_servers)
    proc = Process("--kubeconfig", str(config), "sim", "--api", "contexts",
                   "--host-context", "test-host", "--member-context", "kurator-member1=test-m1",
                   "--seed", "--sync-interval", "0.5", "--backup-seconds", "0.5")
    try:
        proc.wait_for(lambda p: "simulator running; Ctrl+C to stop" in p.out, 120,
                      "the controllers up")
        assert "applied CRD backups.backup.kurator.dev to context test-host (left there at " \
               "exit)" in proc.out
        assert "applied CRD backups.velero.io to context test-m1 (left there at exit)" \
            in proc.out
        assert [line.split()[0] for line in proc.out if "(context " in line] == \
            ["test-host", "kurator-member1"]
        # The user's own Velero Backup, carrying the label Kurator deletes by.
        member.kubectl("create", "-f", "-", stdin=yaml.safe_dump({
            "apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": "users-own", "namespace": "velero",
                         "labels": {"kurator.dev/backup-name": "by-cli"}},
            "spec": {"includedNamespaces": ["shop"]}}))
        code, out, err = cli(capsys, "--kubeconfig", str(config), "--context", "test-host",
                             "backup", "create", "by-cli", "--fleet", "quickstart",
                             "--include-namespaces", "kurator-backup", "--wait")
        assert code == 0, err
        assert "overall: ✓ Completed" in out
        velero = member.get_json("backups.velero.io", "-n", "velero", VELERO_OF_BY_CLI)
        assert velero["status"]["phase"] == "Completed"
        assert velero["metadata"]["annotations"]["fleettui.dev/created-by"] == "fleettui-sim"
        # Kurator's finalizer deletes the member objects it made, and leaves the user's.
        host.kubectl("delete", "backups.backup.kurator.dev", "by-cli", "--timeout=60s")
        left = member.kubectl("get", "backups.velero.io", "-n", "velero", "-o", "name").stdout
        assert left.split() == ["backup.velero.io/users-own"]
        proc.wait_for(lambda p: "kurator-member1: left backups velero/users-own: not created "
                      "by the simulator" in p.out, 10, "the note on the backup left")
        proc.proc.send_signal(signal.SIGINT)
        assert proc.finish(90) == 0, proc.err
    finally:
        proc.kill()
    # The CRDs it applied stay; so does the seeded world.
    assert {"backups.velero.io", "deletebackuprequests.velero.io"} <= crd_names(member)
    assert "fleets.fleet.kurator.dev" in crd_names(host)
    assert member.get_json("namespace", "kurator-backup")["metadata"]["name"] == "kurator-backup"


@pytest.mark.serial
@pytest.mark.slow
@pytest.mark.timeout(120, func_only=True)
def test_a_context_whose_user_may_not_write_is_refused(
        bare_servers: dict[str, RealServer], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    member = bare_servers["test-m1"]
    member.kubectl("apply", "--server-side", "--field-manager=fleettui-tests",
                   *(arg for crd in CRD_FILES if "velero.io" in crd.name
                     for arg in ("-f", str(crd))))
    admin = kubeconfig({"test-host": bare_servers["test-host"]}, "test-host")
    readonly = kubeconfig({"test-m1": member}, "test-m1", "readonly")
    for key in ("clusters", "users", "contexts"):
        admin[key] += readonly[key]
    config = tmp_path / "kubeconfig"
    config.write_text(yaml.safe_dump(admin))
    code, out, err = cli(capsys, "--kubeconfig", str(config), "sim", "--api", "contexts",
                         "--member-context", "kurator-member1=test-m1")
    assert (code, out) == (EXIT_API, "")
    assert err.startswith("fleettui: --api contexts: context test-m1 (member kurator-member1): "
                          "forbidden: may not create namespaces, update namespaces, ")
    assert "create backups, update backups" in err
    assert "list backups" not in err  # readonly reads everything


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when we return: nothing listens


def test_an_unreachable_context_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = f"https://127.0.0.1:{closed_port()}"
    config = tmp_path / "kubeconfig"
    config.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "lab",
        "clusters": [{"name": "lab", "cluster": {"server": url}}],
        "users": [{"name": "lab", "user": {"token": "t"}}],
        "contexts": [{"name": n, "context": {"cluster": "lab", "user": "lab"}}
                     for n in ("lab", "lab-m1")]}))
    code, out, err = cli(capsys, "--kubeconfig", str(config), "sim", "--api", "contexts",
                         "--member-context", "kurator-member1=lab-m1")
    assert (code, out) == (EXIT_API, "")
    assert err.startswith("fleettui: --api contexts: context lab (host): cannot reach the API "
                          "server: ")
    assert err.rstrip().endswith(f"({url})")


@pytest.mark.parametrize(("argv", "message"), [
    ([], "--member-context: --api contexts needs at least one CLUSTER=CONTEXT (a member "
         "cluster of the fleet and its context)"),
    (["--member-context", "kurator-member1=nowhere"],
     "--member-context: no context 'nowhere' in the kubeconfig; contexts: lab"),
    (["--member-context", "kurator-member1=lab", "--write-kubeconfig", "k"],
     "--api contexts: --write-kubeconfig (the contexts are yours already) does not apply to "
     "existing contexts"),
    (["--member-context", "kurator-member1=lab", "--token-ttl", "5"],
     "--api contexts: --token-ttl does not apply to existing contexts"),
])
def test_what_does_not_fit_existing_contexts_is_refused(
        argv: list[str], message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "lab",
        "clusters": [{"name": "lab", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "lab", "user": {"token": "t"}}],
        "contexts": [{"name": "lab", "context": {"cluster": "lab", "user": "lab"}}]}))
    code, out, err = cli(capsys, "--kubeconfig", str(config), "sim", "--api", "contexts", *argv)
    assert (code, out) == (2, "")
    assert err.strip() == f"fleettui: {message}"


def test_seed_is_for_existing_contexts_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "sim", "--seed")
    assert code == 2
    assert err.strip() == ("fleettui: --seed: applies to --api contexts (the other fleets are "
                           "always seeded)")


@pytest.mark.serial
@pytest.mark.slow
@pytest.mark.timeout(120, func_only=True)
def test_a_member_with_a_velero_server_is_refused(
        bare_servers: dict[str, RealServer], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    member = bare_servers["test-m1"]
    member.kubectl("create", "namespace", "velero", check=False)  # the first test may have
    member.kubectl("create", "deployment", "velero", "-n", "velero", "--image=velero/velero")
    try:
        config = write_kubeconfig(tmp_path / "kubeconfig", bare_servers)
        code, out, err = cli(capsys, "--kubeconfig", str(config), "sim", "--api", "contexts",
                             "--member-context", "kurator-member1=test-m1")
    finally:
        member.kubectl("delete", "deployment", "velero", "-n", "velero")
    assert (code, out) == (EXIT_API, "")
    assert err.strip() == ("fleettui: --api contexts: context test-m1 (member kurator-member1): "
                           "a Velero server runs there (deployment velero/velero): the "
                           "simulated one would race it for the same Backups; use a cluster "
                           "without Velero")


def test_member_contexts_are_for_existing_contexts_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "sim", "--member-context", "kurator-member1=lab")
    assert code == 2
    assert err.strip() == ("fleettui: --member-context: applies to --api contexts (the "
                           "simulator makes its own members)")


def test_a_members_secret_carries_its_context_with_the_files_inlined(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_bytes(b"CA PEM")
    (tmp_path / "token").write_text("s3cret\n")
    config = tmp_path / "kubeconfig"
    config.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "kind-a", "cluster": {"server": "https://127.0.0.1:6443",
                                                    "certificate-authority": "ca.crt"}}],
        "users": [{"name": "kind-a", "user": {"tokenFile": "token"}}],
        "contexts": [{"name": "kind-a", "context": {"cluster": "kind-a", "user": "kind-a"}}]}))
    secret = yaml.safe_load(member_kubeconfig(str(config), "kind-a", "kurator-member1"))
    assert secret["current-context"] == "kurator-member1"
    assert secret["clusters"] == [{"name": "kurator-member1", "cluster": {
        "server": "https://127.0.0.1:6443", "certificate-authority-data": "Q0EgUEVN"}}]
    assert secret["users"] == [{"name": "kurator-member1", "user": {"token": "s3cret"}}]
