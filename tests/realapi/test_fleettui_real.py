"""fleettui's CLI (Kurator mode) against a real kube-apiserver with the Kurator and Velero CRDs
and no controllers: server-side dry run, create, list/get/status of Backups whose status is
empty, read-only use proven by the real audit log, and the real RBAC refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.cli_helpers import Process, cli
from tests.e2e.terminal import Terminal
from tests.realapi.build import REPO
from tests.realapi.server import USER_NAMESPACE, RealServer

# One server for the module, on one xdist worker (xdist_group); nothing here is timed.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realapi-fleettui"),
              pytest.mark.timeout(120, func_only=True)]
FLEET_COMMON = REPO / "tests" / "fixtures" / "kurator" / "examples" / "fleet-common"
SPECIFIC_NS = ["backup", "create", "specific-ns", "--fleet", "quickstart",
               "--include-namespaces", "kurator-backup", "--ttl", "720h"]
WRITES = {"create", "update", "patch", "delete", "deletecollection"}


@pytest.fixture(scope="module")
def fleet(real_server: RealServer) -> Iterator[RealServer]:
    """The upstream fleet `quickstart` and its AttachedClusters (whose kubeconfig secrets do
    not exist: no member is reachable), created with kubectl."""
    real_server.kubectl("apply", "--server-side", "-f", str(FLEET_COMMON / "fleet.yaml"),
                        "-f", str(FLEET_COMMON / "attachedcluster.yaml"))
    yield real_server


def as_user(server: RealServer, user: str = "admin") -> list[str]:
    return ["--kubeconfig", str(server.kubeconfig(user))]


def create_for(server: RealServer, capsys: pytest.CaptureFixture[str], name: str,
               cluster: str) -> None:
    """As admin, a backup of fleet quickstart's `cluster`."""
    code, _, err = cli(capsys, *as_user(server), "backup", "create", name, "--fleet",
                       "quickstart", "--cluster", cluster)
    assert code == 0, err


def writes_by(server: RealServer, user: str) -> list[dict[str, Any]]:
    return [e for e in server.audit_events()
            if e["user"]["username"] == user and e["verb"] in WRITES]


def test_server_dry_run_creates_nothing(fleet: RealServer,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    args = [*as_user(fleet), *SPECIFIC_NS[:2], "dry-only", *SPECIFIC_NS[3:]]
    code, out, err = cli(capsys, *args, "--dry-run=server", "-o", "yaml")
    assert code == 0, err
    sent = yaml.safe_load(out)
    assert sent["metadata"]["uid"]  # the server's answer, not the object as built locally
    assert sent["spec"]["policy"]["resourceFilter"]["includedNamespaces"] == ["kurator-backup"]
    missing = fleet.kubectl("get", "backups.backup.kurator.dev", "dry-only", check=False)
    assert "NotFound" in missing.stderr
    [event] = [e for e in writes_by(fleet, "admin")
               if e["objectRef"].get("name") == "dry-only"
               or e["requestURI"].endswith("/backups?dryRun=All")]
    assert "dryRun=All" in event["requestURI"] and event["responseStatus"]["code"] == 201


def test_create_list_get_status_without_controllers(fleet: RealServer,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    kcfg = as_user(fleet)
    code, out, err = cli(capsys, *kcfg, *SPECIFIC_NS)
    assert code == 0, err
    stored = fleet.get_json("backups.backup.kurator.dev", "specific-ns")
    _, local, _ = cli(capsys, *kcfg, *SPECIFIC_NS, "--dry-run=client", "-o", "json")
    assert stored["spec"] == json.loads(local)["spec"]  # what fleettui builds is kept as is

    code, out, err = cli(capsys, *kcfg, "backup", "list")
    assert code == 0, err
    [row] = [line for line in out.splitlines() if line.startswith("specific-ns ")]
    assert row.split()[1:6] == ["once", "quickstart", "·", "Pending", "0/0"]

    code, out, err = cli(capsys, *kcfg, "backup", "get", "specific-ns", "-o", "yaml")
    assert code == 0, err
    got = yaml.safe_load(out)
    assert got["metadata"]["uid"] == stored["metadata"]["uid"] and "status" not in got

    # No Kurator controller: an empty status is said as such, with what to check.
    code, out, err = cli(capsys, *kcfg, "backup", "status", "specific-ns")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("overall: · Pending — no status yet: Kurator has "
                                           "not created any Velero object")

    code, out, err = cli(capsys, *kcfg, "backup", "delete", "specific-ns")
    assert code == 0, err
    assert out.splitlines()[0] == 'backup.backup.kurator.dev "specific-ns" deleted'
    gone = fleet.kubectl("get", "backups.backup.kurator.dev", "specific-ns", check=False)
    assert "NotFound" in gone.stderr  # no finalizer: no controller put one there


def test_restore_to_no_ready_cluster_is_refused(fleet: RealServer,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """No controller makes the AttachedClusters ready here; Kurator restores only to ready
    clusters, so such a Restore would do nothing, with no status to say so."""
    kcfg = as_user(fleet)
    assert cli(capsys, *kcfg, *SPECIFIC_NS[:2], "to-restore", *SPECIFIC_NS[3:])[0] == 0
    code, _, err = cli(capsys, *kcfg, "restore", "create", "r-nowhere", "--from-backup",
                       "to-restore", "--dry-run=server")
    assert code == 2
    assert err.strip() == ("fleettui: --from-backup: no target cluster is ready "
                           "(kurator-member1, kurator-member2 are not ready): Kurator would "
                           "restore nothing and say nothing")
    assert not any(e["objectRef"].get("resource") == "restores"
                   for e in writes_by(fleet, "admin"))


def test_migrate_from_a_cluster_not_ready_is_flagged(fleet: RealServer,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, *as_user(fleet), "migrate", "create", "m-unready",
                         "--from-cluster", "kurator-member1", "--to-cluster", "kurator-member2",
                         "--dry-run=server")
    assert code == 0 and out.strip() == ("migrate.backup.kurator.dev/m-unready created "
                                         "(server dry run)")
    assert err.splitlines() == [
        "fleettui: warning: --from-cluster: kurator-member1 is not ready: Kurator backs "
        "nothing up for this migrate until it is (it retries without a word in the status)"]


def set_kurator_status(server: RealServer, backup: str, cluster: str, phase: str,
                       done: int, total: int = 10) -> None:
    """What Kurator's controller copies into a Backup's status, written as it writes it:
    through the status subresource."""
    detail = {"clusterName": cluster, "clusterKind": "AttachedCluster",
              "backupNameInCluster": f"{cluster}-backup-default-{backup}",
              "backupStatusInCluster": {"phase": phase, "progress": {
                  "totalItems": total, "itemsBackedUp": done}}}
    server.kubectl("patch", "backups.backup.kurator.dev", backup, "--subresource=status",
                   "--type=merge", "-p", json.dumps({"status": {"backupDetails": [detail]}}))


def last_phase_is(phase: str, proc: Process) -> bool:
    return proc.events()[-1]["phase"] == phase


def test_status_watch_follows_the_real_watch_to_completed(
        fleet: RealServer, capsys: pytest.CaptureFixture[str]) -> None:
    create_for(fleet, capsys, "watched", "kurator-member2")
    proc = Process(*as_user(fleet), "backup", "status", "watched", "--watch", "--until-done",
                   "--timeout", "60s", "-o", "jsonl")
    try:
        proc.wait_for(lambda p: p.events(), what="the first line")
        for phase, done in (("InProgress", 3), ("Completed", 10)):
            set_kurator_status(fleet, "watched", "kurator-member2", phase, done)
            proc.wait_for(partial(last_phase_is, phase), what=phase)
        code = proc.finish()
    finally:
        proc.kill()
    events = proc.events()
    assert code == 0, proc.err
    assert [(e["phase"], e["items_done"], e["overall"]) for e in events] == [
        ("Pending", None, "Pending"), ("InProgress", 3, "Running"),
        ("Completed", 10, "Completed")]
    assert events[-1]["source"] == "kurator"  # the member is unreachable: Kurator's copy
    access = [line for line in proc.err if "kurator-member2" in line]
    assert access and all('secrets "kurator-member2" not found' in line for line in access)


def test_readonly_sends_no_write(fleet: RealServer, capsys: pytest.CaptureFixture[str]) -> None:
    kcfg = as_user(fleet)
    assert cli(capsys, *kcfg, *SPECIFIC_NS[:2], "ro-target", *SPECIFIC_NS[3:])[0] == 0
    before = writes_by(fleet, "admin")
    assert any(e["objectRef"].get("name") == "ro-target" for e in before)  # the log sees us
    for argv in (["backup", "list"], ["backup", "list", "-o", "wide"],
                 ["backup", "get", "ro-target", "-o", "yaml"],
                 ["backup", "status", "ro-target"]):
        code, _, err = cli(capsys, *kcfg, "--readonly", *argv)
        assert code == 0, (argv, err)
    assert writes_by(fleet, "admin") == before


def test_readonly_tui_through_fleets_backups_and_status_sends_no_write(
        fleet: RealServer, capsys: pytest.CaptureFixture[str]) -> None:
    create_for(fleet, capsys, "tui-target", "kurator-member1")
    before = writes_by(fleet, "admin")
    term = Terminal(["--readonly", *as_user(fleet)])
    try:
        term.wait_for("read-only", timeout=30)
        term.wait_for("kurator-member1")
        term.send("b")
        term.wait_for("tui-target")
        term.send("/tui-target")
        term.send("\r")
        term.send("\r")
        term.wait_for("Backup tui-target")
        term.wait_for("has no status yet")
        term.send("q")
        term.drain()
    finally:
        code = term.close()
    assert code == 0
    assert writes_by(fleet, "admin") == before


def test_viewer_sees_backups_and_gets_the_real_403s(
        fleet: RealServer, capsys: pytest.CaptureFixture[str]) -> None:
    create_for(fleet, capsys, "seen-by-viewer", "kurator-member2")
    kcfg = as_user(fleet, "viewer")
    code, out, err = cli(capsys, *kcfg, "backup", "list")
    assert code == 0, err
    assert any(line.startswith("seen-by-viewer ") for line in out.splitlines())
    # Reading the member's kubeconfig secret is refused: said, and Kurator's copy shown.
    code, out, err = cli(capsys, *kcfg, "backup", "status", "seen-by-viewer")
    assert code == 0, err
    assert ('secrets "kurator-member2" is forbidden: User "viewer" cannot get resource '
            '"secrets" in API group "" in the namespace "default"') in err
    assert out.splitlines()[1].split()[:3] == ["kurator-member2", "·", "Pending"]
    code, _, err = cli(capsys, *kcfg, *SPECIFIC_NS[:2], "by-viewer", *SPECIFIC_NS[3:])
    assert code == 3
    assert ('User "viewer" cannot create resource "backups" in API group "backup.kurator.dev" '
            'in the namespace "default"') in err


def test_namespace_user_outside_its_namespace(fleet: RealServer,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    kcfg = as_user(fleet, "namespace-user")
    code, _, err = cli(capsys, *kcfg, "-n", USER_NAMESPACE, "backup", "list")
    assert code == 0, err
    assert f"No fleet backups in namespace {USER_NAMESPACE}" in err
    code, _, err = cli(capsys, *kcfg, "backup", "list")
    assert code == 3
    assert ('User "namespace-user" cannot list resource "backups" in API group '
            '"backup.kurator.dev" in the namespace "default"') in err


def test_launcher_files_are_loopback_only(fleet: RealServer) -> None:
    for user in ("admin", "readonly", "viewer", "namespace-user"):
        config = json.loads(Path(fleet.kubeconfig(user)).read_text())
        assert config["clusters"][0]["cluster"]["server"].startswith("https://127.0.0.1:")
    # --endpoint-reconciler-type=none: the dummy advertise address is published nowhere.
    status, _ = fleet.request("GET", "/api/v1/namespaces/default/endpoints/kubernetes")
    assert status == 404
    status, slices = fleet.request("GET", "/apis/discovery.k8s.io/v1/endpointslices")
    assert status == 200 and "10.10.10.10" not in json.dumps(slices)
