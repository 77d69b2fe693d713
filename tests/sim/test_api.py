"""API-server semantics of the simulator, checked over raw HTTP."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimConfig, SimFleet, SimThread
from tests.conftest import start_sim

Sim = tuple[SimThread, SimFleet, Path]
KB = "/apis/backup.kurator.dev/v1alpha1/namespaces/default/backups"
VB = "/apis/velero.io/v1/namespaces/velero/backups"


def call(fleet: SimFleet, method: str, path: str, body: Any = None, cluster: str = "kurator-host",
         ctype: str = "application/json", token: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    url = fleet.cluster(cluster).url + path
    data = body if isinstance(body, bytes) else (json.dumps(body).encode()
                                                 if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token or fleet.config.admin_token}")
    if data is not None:
        req.add_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        ctx = fleet.tls.client_context()
        with urllib.request.urlopen(req, timeout=10, context=ctx) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None, dict(resp.headers)
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None, dict(e.headers)


def backup(name: str, fleet_name: str = "quickstart", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"destination": {"fleet": fleet_name}, **spec}}


def test_errors_are_real_status_objects(sim: Sim) -> None:
    _, fleet, _ = sim
    code, body, _ = call(fleet, "POST", KB, b"{not json")
    assert code == 400 and body["kind"] == "Status" and body["reason"] == "BadRequest"
    code, body, _ = call(fleet, "GET", "/apis/backup.kurator.dev/v1alpha1/namespaces/default/nope")
    assert code == 404 and body["reason"] == "NotFound"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}
    code, body, _ = call(fleet, "POST", KB, pod)
    assert code == 400 and "does not match" in body["message"]
    code, body, _ = call(fleet, "GET", KB + "/missing")
    assert code == 404 and body["message"] == 'backups.backup.kurator.dev "missing" not found'
    code, body, _ = call(fleet, "POST", KB, backup("x"), token="wrong")
    assert code == 401


def test_create_conflict_validation_and_generation(sim: Sim) -> None:
    _, fleet, _ = sim
    code, created, _ = call(fleet, "POST", KB, backup("a", schedule="0 0 * * *"))
    assert code == 201
    meta = created["metadata"]
    assert meta["generation"] == 1 and meta["uid"] and meta["creationTimestamp"]
    code, body, _ = call(fleet, "POST", KB, backup("a"))
    assert code == 409 and body["reason"] == "AlreadyExists"
    stale = dict(created, spec={**created["spec"], "schedule": "5 0 * * *"})
    stale["metadata"] = {**meta, "resourceVersion": "1"}
    code, body, _ = call(fleet, "PUT", KB + "/a", stale)
    assert code == 409 and body["reason"] == "Conflict"
    code, body, _ = call(fleet, "POST", KB, {**backup("b"), "spec": {"destination": {}}})
    assert code == 422 and body["reason"] == "Invalid"
    assert body["details"]["causes"][0]["field"] == "spec.destination.fleet"
    code, body, _ = call(fleet, "POST", KB, backup("Bad_Name"))
    assert code == 422 and body["details"]["causes"][0]["field"] == "metadata.name"
    code, body, _ = call(fleet, "POST", KB + "?fieldValidation=Strict",
                         {**backup("c"), "spec": {"destination": {"fleet": "q"}, "bogus": 1}})
    assert code == 400 and 'unknown field "spec.bogus"' in body["message"]
    code, cur, _ = call(fleet, "GET", KB + "/a")
    code, patched, _ = call(fleet, "PATCH", KB + "/a", {"spec": {"schedule": "1 1 * * *"}},
                            ctype="application/merge-patch+json")
    assert code == 200 and patched["metadata"]["generation"] == cur["metadata"]["generation"] + 1
    assert int(patched["metadata"]["resourceVersion"]) > int(cur["metadata"]["resourceVersion"])


def test_status_subresource_only_where_the_crd_has_it(sim: Sim) -> None:
    runner, fleet, _ = sim
    runner.run(fleet.kurator.stop())  # keep the controller out of it
    call(fleet, "POST", KB, backup("s"))
    code, obj, _ = call(fleet, "PATCH", KB + "/s", {"status": {"phase": "Hacked"}},
                        ctype="application/merge-patch+json")
    assert code == 200 and "phase" not in obj.get("status", {})  # main resource ignores status
    code, obj, _ = call(fleet, "PATCH", KB + "/s/status", {"status": {"phase": "Set"}},
                        ctype="application/merge-patch+json")
    assert code == 200 and obj["status"]["phase"] == "Set"
    assert obj["metadata"]["generation"] == 1
    code, _, _ = call(fleet, "GET", VB + "/x/status", cluster="kurator-member1")
    assert code == 404


def test_dry_run_persists_nothing(sim: Sim) -> None:
    _, fleet, _ = sim
    code, obj, _ = call(fleet, "POST", KB + "?dryRun=All", backup("dry"))
    assert code == 201 and obj["metadata"]["name"] == "dry"
    assert call(fleet, "GET", KB + "/dry")[0] == 404
    assert fleet.audit[-1]["dryRun"] is True


def test_finalizer_delete_flow_and_member_cleanup(sim: Sim) -> None:
    _, fleet, _ = sim
    import time

    call(fleet, "POST", KB, backup("f", policy={"resourceFilter": {}}))
    deadline = time.monotonic() + 10
    while call(fleet, "GET", VB + "/kurator-member1-backup-default-f",
               cluster="kurator-member1")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    code, _obj, _ = call(fleet, "DELETE", KB + "/f")
    assert code == 200
    while call(fleet, "GET", KB + "/f")[0] != 404:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert call(fleet, "GET", VB + "/kurator-member1-backup-default-f",
                cluster="kurator-member1")[0] == 404


def test_readonly_token_gets_403_and_audit_records_writes(sim: Sim) -> None:
    _, fleet, _ = sim
    code, body, _ = call(fleet, "POST", KB, backup("ro"), token=fleet.config.readonly_token)
    assert code == 403 and body["reason"] == "Forbidden"
    assert 'User "fleettui-readonly" cannot create resource "backups"' in body["message"]
    assert call(fleet, "GET", KB, token=fleet.config.readonly_token)[0] == 200
    writes = [a for a in fleet.audit if a["user"] == "fleettui-readonly"]
    assert [(w["verb"], w["code"]) for w in writes] == [("create", 403)]


def test_injected_errors_then_recovery(sim: Sim) -> None:
    runner, fleet, _ = sim
    runner.call(lambda: fleet.host.api.faults.configure({"error": 500, "count": 2}))
    assert call(fleet, "GET", KB)[0] == 500
    assert call(fleet, "GET", KB)[0] == 500
    assert call(fleet, "GET", KB)[0] == 200
    runner.call(lambda: fleet.host.api.faults.configure({"error": 429, "count": 1}))
    code, _, headers = call(fleet, "GET", KB)
    assert code == 429 and headers.get("Retry-After") == "1"


def test_table_output_uses_printer_columns(sim: Sim) -> None:
    _, fleet, _ = sim
    call(fleet, "POST", KB, backup("t", schedule="0 0 * * *"))
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    _code, table, _ = call(fleet, "GET", KB, headers={"Accept": accept})
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Schedule", "Phase"]
    assert table["rows"][0]["cells"][:2] == ["t", "0 0 * * *"]


def test_restart_with_state_keeps_objects_and_ports(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sim, fleet, _ = start_sim(tmp_path, state=state)
    call(fleet, "POST", KB, backup("kept"))
    port = fleet.host.port
    sim.stop()
    assert state.exists()
    again = SimThread(SimConfig(state=state, sync_interval=0.2, backup_seconds=0.2))
    fleet2 = again.start()
    try:
        assert fleet2.host.port == port
        code, obj, _ = call(fleet2, "GET", KB + "/kept")
        assert code == 200 and obj["metadata"]["name"] == "kept"
    finally:
        again.stop()


def test_a_restart_waits_for_its_port_held_a_moment_by_another_socket(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sim, fleet, _ = start_sim(tmp_path, state=state)
    port = fleet.members[0].port
    sim.stop()
    holder = socket.socket()  # as a client's outgoing connection can take a freed port
    holder.bind(("127.0.0.1", port))
    threading.Timer(0.3, holder.close).start()
    again = SimThread(SimConfig(state=state, sync_interval=0.2, backup_seconds=0.2))
    fleet2 = again.start()
    try:
        assert fleet2.members[0].port == port
        assert call(fleet2, "GET", KB)[0] == 200
    finally:
        again.stop()


@pytest.mark.parametrize("clusters", [1, 5])
def test_cluster_count_is_configurable(tmp_path: Path, clusters: int) -> None:
    sim, fleet, _ = start_sim(tmp_path, clusters=clusters)
    try:
        _code, obj, _ = call(fleet, "GET",
                            "/apis/fleet.kurator.dev/v1alpha1/namespaces/default/fleets/quickstart")
        assert [c["name"] for c in obj["spec"]["clusters"]] == [
            f"kurator-member{i}" for i in range(1, clusters + 1)]
        assert len({c.port for c in fleet.clusters}) == clusters + 1
    finally:
        sim.stop()
