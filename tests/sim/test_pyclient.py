# mypy: disable-error-code="union-attr,index,misc"
# (the official client declares every model field Optional and returns custom objects as
# `object`: what these tests check is the wire, not those types)
"""The official kubernetes Python client against the simulator: list, watch, 410 and relist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config, watch

from fleettui.sim.fleet import SimFleet, SimThread

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Sim = tuple[SimThread, SimFleet, Path]
G, V = "backup.kurator.dev", "v1alpha1"


def api(kubeconfig: Path, context: str = "kurator-host") -> client.ApiClient:
    return config.new_client_from_config(config_file=str(kubeconfig), context=context)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return data


def test_list_and_watch_kurator_backups(sim: Sim) -> None:
    _, _, kc = sim
    custom = client.CustomObjectsApi(api(kc))
    listed = custom.list_namespaced_custom_object(G, V, "default", "backups")
    assert listed["items"] == []
    rv = listed["metadata"]["resourceVersion"]
    custom.create_namespaced_custom_object(G, V, "default", "backups", example("specific-ns"))
    seen: list[tuple[str, list[str]]] = []
    w = watch.Watch()
    for ev in w.stream(custom.list_namespaced_custom_object, G, V, "default", "backups",
                       resource_version=rv, timeout_seconds=20):
        details = ev["object"].get("status", {}).get("backupDetails", [])
        phases = sorted(d["backupStatusInCluster"].get("phase", "") for d in details)
        seen.append((ev["type"], phases))
        if phases == ["Completed", "Completed"]:
            w.stop()
    assert seen[0][0] == "ADDED"
    assert seen[-1] == ("MODIFIED", ["Completed", "Completed"])


def test_core_api_namespaces_pods_with_selectors(sim: Sim) -> None:
    _, _, kc = sim
    core = client.CoreV1Api(api(kc, "kurator-member2"))
    names = [n.metadata.name for n in core.list_namespace().items]
    assert {"kurator-backup", "velero", "default"} <= set(names)
    pods = core.list_namespaced_pod("kurator-backup", label_selector="env=test")
    assert [p.metadata.name for p in pods.items] == ["busybox"]
    pods = core.list_pod_for_all_namespaces(label_selector="app in (busybox,postgres),!tier")
    assert [p.metadata.name for p in pods.items] == ["busybox"]
    pods = core.list_pod_for_all_namespaces(field_selector="metadata.name=db-0")
    assert [p.metadata.namespace for p in pods.items] == ["shop"]


def test_paging_with_limit_and_continue(sim: Sim) -> None:
    _, _, kc = sim
    core = client.CoreV1Api(api(kc, "kurator-member1"))
    every = [p.metadata.name for p in core.list_pod_for_all_namespaces().items]
    got: list[str] = []
    token = None
    while True:
        page = core.list_pod_for_all_namespaces(limit=2, _continue=token)
        got += [p.metadata.name for p in page.items]
        token = page.metadata._continue
        if not token:
            break
    assert got == every and len(every) > 2


def test_watch_from_compacted_rv_gets_410_then_relists(sim: Sim) -> None:
    runner, fleet, kc = sim
    custom = client.CustomObjectsApi(api(kc, "kurator-member1"))
    listed = custom.list_namespaced_custom_object("velero.io", "v1", "velero", "backups")
    old_rv = listed["metadata"]["resourceVersion"]
    runner.call(lambda: fleet.members[0].api.faults.configure({"gone": 1}))
    with pytest.raises(client.ApiException) as err:
        for _ in watch.Watch().stream(custom.list_namespaced_custom_object, "velero.io", "v1",
                                      "velero", "backups", resource_version=old_rv,
                                      timeout_seconds=5):
            pass
    assert err.value.status == 410
    # The informer's answer to 410: list again and watch from the new resourceVersion.
    relisted = custom.list_namespaced_custom_object("velero.io", "v1", "velero", "backups")
    assert int(relisted["metadata"]["resourceVersion"]) >= int(old_rv)
