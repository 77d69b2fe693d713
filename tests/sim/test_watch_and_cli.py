"""Watch semantics over raw HTTP, the failure-rate knob, and the `fleettui sim` command."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim
from tests.sim.kubectl import kubectl, needs_kubectl

Sim = tuple[SimThread, SimFleet, Path]
VB = "/apis/velero.io/v1/namespaces/velero/backups"


def watch_events(fleet: SimFleet, cluster: str, query: str, until: int,
                 timeout: float = 10) -> list[dict[str, Any]]:
    """Read watch events until `until` have arrived or the server ends the stream."""
    c = fleet.cluster(cluster)
    conn = http.client.HTTPSConnection("127.0.0.1", c.port, timeout=timeout,
                                       context=fleet.tls.client_context())
    conn.request("GET", f"{VB}?watch=1&{query}",
                 headers={"Authorization": f"Bearer {fleet.config.admin_token}"})
    resp = conn.getresponse()
    events: list[dict[str, Any]] = []
    try:
        while len(events) < until:
            line = resp.readline()
            if not line:
                break
            events.append(json.loads(line))
    finally:
        conn.close()
    return events


def backup(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "velero", "labels": labels or {}},
            "spec": {"includedNamespaces": ["shop"]}}


def test_bookmarks_and_410_error_event(sim: Sim) -> None:
    runner, fleet, _ = sim
    rv = str(fleet.members[0].store.rv)
    events = watch_events(fleet, "kurator-member1",
                          f"resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=3", 1)
    assert events[0]["type"] == "BOOKMARK"
    assert int(events[0]["object"]["metadata"]["resourceVersion"]) >= int(rv)
    runner.call(lambda: fleet.members[0].api.faults.configure({"gone": 1}))
    events = watch_events(fleet, "kurator-member1", f"resourceVersion={rv}", 1)
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"


def test_selector_watch_sees_objects_enter_and_leave(sim: Sim) -> None:
    runner, fleet, _ = sim
    store = fleet.members[0].store
    rt = store.types["velero.io/backups"]
    rv = str(store.rv)

    def change() -> None:
        store.create(rt, backup("x", {"tier": "gold"}))
        obj = store.find("velero.io/backups", "velero", "x")
        assert obj is not None
        store.replace(rt, {**obj, "metadata": {**obj["metadata"], "labels": {}}})

    runner.run(fleet.veleros[0].stop())  # keep the simulated Velero from touching x
    runner.call(change)
    events = watch_events(fleet, "kurator-member1",
                          f"resourceVersion={rv}&labelSelector=tier%3Dgold&timeoutSeconds=2", 2)
    assert [e["type"] for e in events] == ["ADDED", "DELETED"]


def test_failure_rate_produces_failed_runs(tmp_path: Path) -> None:
    sim, fleet, _ = start_sim(tmp_path, failure_rate=1.0)
    try:
        store = fleet.members[0].store
        sim.call(lambda: store.create(store.types["velero.io/backups"], backup("doomed")))
        deadline = time.monotonic() + 10
        phase = ""
        while phase not in ("Failed", "PartiallyFailed"):
            assert time.monotonic() < deadline, phase
            obj = sim.call(lambda: store.find("velero.io/backups", "velero", "doomed"))
            phase = ((obj or {}).get("status") or {}).get("phase", "")
            time.sleep(0.05)
        status = obj["status"]  # type: ignore[index]
        assert status.get("failureReason") or status.get("errors")
    finally:
        sim.stop()


@needs_kubectl
def test_sim_command_serves_kubectl_and_saves_state_on_sigterm(tmp_path: Path) -> None:
    kc, state = tmp_path / "kc", tmp_path / "state.json"
    proc = subprocess.Popen([sys.executable, "-m", "fleettui", "sim", "--clusters", "3",
                             "--write-kubeconfig", str(kc), "--state", str(state)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        while "running" not in (line := proc.stdout.readline()):
            assert line, "fleettui sim exited early"
            lines.append(line)
        assert sum(1 for x in lines if x.startswith("kurator-member")) == 3
        assert "kubectl --kubeconfig" in "".join(lines)
        contexts = [c["name"] for c in yaml.safe_load(kc.read_text())["contexts"]]
        assert contexts == ["kurator-host", "kurator-member1", "kurator-member2",
                            "kurator-member3"]
        out = kubectl(kc, "get", "attachedclusters.cluster.kurator.dev", "-o", "name").stdout
        assert out.split() == [f"attachedcluster.cluster.kurator.dev/kurator-member{i}"
                               for i in (1, 2, 3)]
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "kurator-member3" in json.loads(state.read_text())["clusters"]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_hundred_member_fleet_backs_up_everywhere(tmp_path: Path) -> None:
    sim, fleet, _ = start_sim(tmp_path, clusters=100, backup_seconds=0.3, sync_interval=0.5)
    try:
        host = fleet.host.store
        rt = host.types["backup.kurator.dev/backups"]
        sim.call(lambda: host.create(rt, {
            "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": "all", "namespace": "default"},
            "spec": {"destination": {"fleet": "quickstart"}}}))

        def completed() -> int:
            obj = sim.call(lambda: host.find("backup.kurator.dev/backups", "default", "all"))
            details = ((obj or {}).get("status") or {}).get("backupDetails") or []
            return sum(1 for d in details
                       if d["backupStatusInCluster"].get("phase") == "Completed")

        deadline = time.monotonic() + 60
        while completed() < 100:
            assert time.monotonic() < deadline, f"{completed()}/100 completed"
            time.sleep(0.1)
        assert len({c.port for c in fleet.clusters}) == 101
    finally:
        sim.stop()
