"""The real kubectl against the simulator: the upstream walkthrough, end to end."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import wait_for
from tests.sim.kubectl import KUBECTL, kubectl, needs_kubectl

pytestmark = [needs_kubectl, pytest.mark.kubectl]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Sim = tuple[SimThread, SimFleet, Path]




def get_json(kc: Path, *args: str, context: str = "kurator-host") -> Any:
    return json.loads(kubectl(kc, "get", *args, "-o", "json", context=context).stdout)


def test_api_resources_lists_kurator_and_velero_kinds(sim: Sim) -> None:
    _, _, kc = sim
    host = kubectl(kc, "api-resources").stdout
    assert "backups" in host and "backup.kurator.dev/v1alpha1" in host
    assert "attachedclusters" in host and "fleets" in host
    member = kubectl(kc, "api-resources", "--api-group=velero.io",
                     context="kurator-member1").stdout
    for plural in ("backups", "schedules", "restores", "backupstoragelocations"):
        assert plural in member
    assert "bsl" not in host


def test_seeded_world_matches_the_walkthrough(sim: Sim) -> None:
    _, _, kc = sim
    fleet = get_json(kc, "fleets.fleet.kurator.dev", "quickstart", "-n", "default")
    assert [c["name"] for c in fleet["spec"]["clusters"]] == ["kurator-member1",
                                                              "kurator-member2"]
    acs = get_json(kc, "attachedclusters.cluster.kurator.dev", "-n", "default")
    assert all(a["status"]["ready"] for a in acs["items"])
    pod = get_json(kc, "pods", "busybox", "-n", "kurator-backup", context="kurator-member2")
    assert pod["metadata"]["labels"]["env"] == "test"
    bsl = get_json(kc, "bsl", "default", "-n", "velero", context="kurator-member1")
    assert bsl["status"]["phase"] == "Available"
    table = kubectl(kc, "get", "pods", "-n", "kurator-backup", "-l", "app=busybox",
                    context="kurator-member1").stdout
    assert "busybox" in table and "busybox-with-pv" not in table


def test_immediate_backup_reaches_completed_on_every_member(sim: Sim) -> None:
    _, _, kc = sim
    out = kubectl(kc, "apply", "-f", str(EXAMPLES / "specific-ns.yaml")).stdout
    assert "backup.backup.kurator.dev/specific-ns created" in out

    def completed() -> Any:
        obj = get_json(kc, "backups.backup.kurator.dev", "specific-ns")
        details = obj.get("status", {}).get("backupDetails", [])
        phases = {d["clusterName"]: d["backupStatusInCluster"].get("phase") for d in details}
        return obj if phases == {"kurator-member1": "Completed",
                                 "kurator-member2": "Completed"} else None

    obj = wait_for(completed, what="both members Completed")
    assert obj["metadata"]["finalizers"] == ["backup.kurator.dev"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]
    names = {d["backupNameInCluster"] for d in obj["status"]["backupDetails"]}
    assert names == {"kurator-member1-backup-default-specific-ns",
                     "kurator-member2-backup-default-specific-ns"}
    as_yaml = kubectl(kc, "get", "backups.backup.kurator.dev", "specific-ns", "-o", "yaml").stdout
    assert "backupNameInCluster: kurator-member1-backup-default-specific-ns" in as_yaml
    velero = get_json(kc, "backups.velero.io", "kurator-member1-backup-default-specific-ns",
                      "-n", "velero", context="kurator-member1")
    # Kurator's three labels, and the one Velero's backup controller adds.
    assert velero["metadata"]["labels"] == {"kurator.dev/backup-name": "specific-ns",
                                            "fleet.kurator.dev/fleet-name": "quickstart",
                                            "fleet.kurator.dev/plugin": "backup",
                                            "velero.io/storage-location": "default"}
    assert velero["spec"]["includedNamespaces"] == ["kurator-backup"]
    progress = velero["status"]["progress"]
    assert progress["itemsBackedUp"] == progress["totalItems"] > 0


def test_delete_removes_member_velero_objects(sim: Sim) -> None:
    _, _, kc = sim
    kubectl(kc, "apply", "-f", str(EXAMPLES / "specific-ns.yaml"))
    name = "kurator-member2-backup-default-specific-ns"
    wait_for(lambda: kubectl(kc, "get", "backups.velero.io", name, "-n", "velero",
                             context="kurator-member2", check=False).returncode == 0,
             what="member Velero backup")
    out = kubectl(kc, "delete", "backups.backup.kurator.dev", "specific-ns").stdout
    assert 'backup.backup.kurator.dev "specific-ns" deleted' in out
    gone = kubectl(kc, "get", "backups.velero.io", name, "-n", "velero",
                   context="kurator-member2", check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
    left = kubectl(kc, "get", "backups.backup.kurator.dev", "specific-ns", check=False)
    assert "NotFound" in left.stderr


def test_scheduled_backup_placeholder_then_runs(tmp_path: Path) -> None:
    from tests.conftest import start_sim

    sim, _, kc = start_sim(tmp_path, speed=86400 / 2)  # a daily cron fires every ~2 s
    try:
        kubectl(kc, "apply", "-f", str(EXAMPLES / "schedule-matchlabels.yaml"))

        def details() -> list[dict[str, Any]]:
            obj = get_json(kc, "backups.backup.kurator.dev", "schedule-matchlabels")
            return list(obj.get("status", {}).get("backupDetails", []))

        first = wait_for(details, what="placeholder")
        assert first == [{"backupStatusInCluster": {}, "clusterKind": "AttachedCluster",
                          "clusterName": "kurator-member2"}]
        runs = wait_for(lambda: [d for d in details() if d.get("backupNameInCluster")],
                        timeout=30, what="a completed scheduled run")
        assert runs[0]["backupNameInCluster"].startswith(
            "kurator-member2-backup-default-schedule-matchlabels-")
        assert runs[0]["backupStatusInCluster"]["phase"] == "Completed"
        sched = get_json(kc, "schedules.velero.io", "-n", "velero", context="kurator-member2")
        assert [s["status"]["phase"] for s in sched["items"]] == ["Enabled"]
        none_on_1 = get_json(kc, "schedules.velero.io", "-n", "velero",
                             context="kurator-member1")
        assert none_on_1["items"] == []
    finally:
        sim.stop()


def test_get_watch_streams_phase_changes(sim: Sim) -> None:
    _, _, kc = sim
    assert KUBECTL is not None
    cmd = [KUBECTL, "--kubeconfig", str(kc), "--context", "kurator-member1", "--cache-dir",
           str(kc.parent / "kube-cache"), "get", "backups.velero.io", "-n", "velero", "-w",
           "-o", "custom-columns=NAME:.metadata.name,PHASE:.status.phase"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or ()],
                     daemon=True).start()
    try:
        kubectl(kc, "apply", "-f", str(EXAMPLES / "specific-ns.yaml"))
        seen: list[str] = []
        deadline = time.monotonic() + 20
        while "Completed" not in seen and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic())).split()
            except queue.Empty:
                break
            if line and line[0] == "kurator-member1-backup-default-specific-ns":
                seen.append(line[1])
        assert "InProgress" in seen and seen[-1] == "Completed", seen
    finally:
        proc.kill()
        proc.wait()


def test_label_dry_run_conflict_and_invalid(sim: Sim, tmp_path: Path) -> None:
    _, fleet, kc = sim
    kubectl(kc, "label", "pod", "busybox", "tier=gold", "-n", "kurator-backup",
            context="kurator-member1")
    pod = get_json(kc, "pod", "busybox", "-n", "kurator-backup", context="kurator-member1")
    assert pod["metadata"]["labels"]["tier"] == "gold"

    dry = kubectl(kc, "apply", "--dry-run=server", "-f", str(EXAMPLES / "specific-ns.yaml"))
    assert "(server dry run)" in dry.stdout
    assert kubectl(kc, "get", "backups.backup.kurator.dev", "specific-ns",
                   check=False).returncode != 0
    assert not [a for a in fleet.audit if a["verb"] == "create" and not a["dryRun"]
                and "backups" in a["path"]]

    kubectl(kc, "create", "-f", str(EXAMPLES / "specific-ns.yaml"))
    again = kubectl(kc, "create", "-f", str(EXAMPLES / "specific-ns.yaml"), check=False)
    assert again.returncode != 0 and "AlreadyExists" in again.stderr

    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: backup.kurator.dev/v1alpha1\nkind: Backup\n"
                   "metadata: {name: bad, namespace: default}\nspec: {destination: {}}\n")
    invalid = kubectl(kc, "apply", "-f", str(bad), check=False)
    assert invalid.returncode != 0
    assert "spec.destination.fleet: Required value" in invalid.stderr


def test_readonly_token_is_forbidden_to_write(sim: Sim, tmp_path: Path) -> None:
    _, fleet, _ = sim
    ro = tmp_path / "readonly"
    fleet.write_kubeconfig(ro, readonly=True)
    assert "quickstart" in kubectl(ro, "get", "fleets.fleet.kurator.dev").stdout
    denied = kubectl(ro, "apply", "-f", str(EXAMPLES / "specific-ns.yaml"), check=False)
    assert denied.returncode != 0 and "forbidden" in denied.stderr.lower()


def test_objects_carry_managed_fields_like_a_real_server(sim: Sim) -> None:
    _, _, kc = sim
    kubectl(kc, "apply", "-f", str(EXAMPLES / "specific-ns.yaml"))
    velero = "kurator-member1-backup-default-specific-ns"

    def managers(*args: str, context: str = "kurator-host") -> set[tuple[str, str]]:
        obj = json.loads(kubectl(kc, "get", *args, "-o", "json", "--show-managed-fields",
                                 context=context).stdout)
        return {(e["manager"], e.get("subresource", "")) for e in
                obj["metadata"]["managedFields"]}

    wait_for(lambda: ("fleet-manager", "status") in managers(
        "backups.backup.kurator.dev", "specific-ns"), 20, "Kurator's status write")
    assert ("kubectl-client-side-apply", "") in managers("backups.backup.kurator.dev",
                                                         "specific-ns")
    wait_for(lambda: kubectl(kc, "get", "backups.velero.io", velero, "-n", "velero",
                             context="kurator-member1", check=False).returncode == 0,
             20, "the member's Velero Backup")
    assert {("fleet-manager", ""), ("velero-server", "")} <= managers(
        "backups.velero.io", velero, "-n", "velero", context="kurator-member1")
    # kubectl hides them by default; a label written by kubectl adds its own entry
    plain = kubectl(kc, "get", "backups.backup.kurator.dev", "specific-ns", "-o", "yaml").stdout
    assert "managedFields" not in plain
    kubectl(kc, "label", "backups.backup.kurator.dev", "specific-ns", "team=ops")
    assert ("kubectl-label", "") in managers("backups.backup.kurator.dev", "specific-ns")


def test_compressed_schedules_keep_their_cron_period(tmp_path: Path) -> None:
    """A yearly cron at speed (a year / 2 s) fires every ~2 s, not at the (much shorter) time
    to the next 1 January divided by the speed."""
    from tests.conftest import start_sim

    year = 365 * 86400
    sim, _, kc = start_sim(tmp_path, speed=year / 2)
    try:
        kubectl(kc, "create", "-f", "-", context="kurator-member1", stdin=json.dumps({
            "apiVersion": "velero.io/v1", "kind": "Schedule",
            "metadata": {"name": "yearly", "namespace": "velero"},
            "spec": {"schedule": "0 0 1 1 *", "template": {"ttl": "720h0m0s"}}}))

        def run_times() -> list[float]:
            items = get_json(kc, "backups.velero.io", "-n", "velero",
                             context="kurator-member1")["items"]
            return sorted(time.mktime(time.strptime(b["metadata"]["creationTimestamp"],
                                                    "%Y-%m-%dT%H:%M:%SZ")) for b in items)

        runs = wait_for(lambda: (r := run_times())[4:] and r, timeout=30, what="five runs")
        mean_gap = (runs[4] - runs[1]) / 3  # timestamps are whole seconds: average them
        assert 1.5 <= mean_gap <= 3, runs
    finally:
        sim.stop()
