"""The Kubernetes layer against the simulator: errors, resilient list+watch, sessions."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient, list_contexts
from fleettui.kube.errors import KubeError
from fleettui.kube.fleets import label_suggestions, member_client, namespaces
from fleettui.kube.resources import RECONNECTING, SYNCED
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.session import KURATOR, VELERO, Session
from fleettui.live.store import LiveStore
from fleettui.sim.fleet import SimConfig, SimFleet, SimThread
from tests.conftest import start_sim, wait_for

Sim = tuple[SimThread, SimFleet, Path]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = WatchSettings(timeout=30, read_timeout=2.0, backoff_min=0.05, backoff_max=0.5)




def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return data


def velero_backup(name: str) -> dict[str, Any]:
    return {"apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "velero"},
            "spec": {"includedNamespaces": ["kurator-backup"]}}


def test_contexts_and_member_clients(sim: Sim) -> None:
    _, _fleet, kubeconfig = sim
    names, current = list_contexts(str(kubeconfig))
    assert current == "kurator-host"
    assert names == ["kurator-host", "kurator-member1", "kurator-member2"]
    host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    member = member_client(host, "default", "kurator-member2")  # via the AttachedCluster secret
    assert "kurator-backup" in namespaces(member)
    labels = label_suggestions(member, ["kurator-backup"])
    assert labels["env"] == {"test"} and "busybox" in labels["app"]


def test_api_errors_are_explained(sim: Sim, tmp_path: Path) -> None:
    _, fleet, kubeconfig = sim
    host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    host.create(kc.KURATOR_BACKUPS, example("specific-ns"))
    with pytest.raises(KubeError) as dup:
        host.create(kc.KURATOR_BACKUPS, example("specific-ns"))
    assert dup.value.code == 409 and "already exists" in dup.value.message
    bad = example("specific-ns")
    bad["metadata"]["name"] = "other"
    del bad["spec"]["destination"]["fleet"]
    with pytest.raises(KubeError) as invalid:
        host.create(kc.KURATOR_BACKUPS, bad)
    assert invalid.value.code == 422
    assert invalid.value.field_errors() == {"spec.destination.fleet": "Required value"}
    ro_path = tmp_path / "ro"
    fleet.write_kubeconfig(ro_path, readonly=True)
    ro = KubeClient.from_kubeconfig(str(ro_path), "kurator-host")
    with pytest.raises(KubeError) as denied:
        ro.create(kc.KURATOR_BACKUPS, example("schedule-matchlabels"))
    assert denied.value.code == 403 and "RBAC" in denied.value.message


def test_unreachable_server_fails_fast_with_code_0(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    path = tmp_path / "kc"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}]}))
    client = KubeClient.from_kubeconfig(str(path), "gone")
    started = time.monotonic()
    with pytest.raises(KubeError) as err:
        client.list(kc.NAMESPACES)
    assert err.value.unreachable and "connection refused" in err.value.message
    assert time.monotonic() - started < 5


def test_missing_kubeconfig_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KubeError) as err:
        KubeClient.from_kubeconfig(str(tmp_path / "nope"), "x")
    assert "kubeconfig" in err.value.message


class Recorder(LiveStore):
    def __init__(self) -> None:
        super().__init__()
        self.state_log: list[str] = []

    def state(self, cluster: str, res: kc.Resource, state: str, message: str) -> None:
        self.state_log.append(state)
        super().state(cluster, res, state, message)


def phases(store: LiveStore) -> dict[str, str]:
    return {o["metadata"]["name"]: (o.get("status") or {}).get("phase", "")
            for o in store.objects("kurator-member1", kc.VELERO_BACKUPS)}


def test_watch_survives_drop_hang_gone_and_errors(sim: Sim) -> None:
    runner, fleet, kubeconfig = sim
    member = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-member1")
    store = Recorder()
    watch = ListWatch(member, kc.VELERO_BACKUPS, "velero", store, FAST).start()
    faults = fleet.members[0].api.faults
    mstore = fleet.members[0].store
    try:
        wait_for(lambda: store.state_of("kurator-member1", kc.VELERO_BACKUPS)[0] == SYNCED)
        for i, fault in enumerate([{"drop_watches": True}, {"hang_watches": True},
                                   {"gone": 1, "drop_watches": True},
                                   {"error": 500, "count": 3, "drop_watches": True}]):
            runner.call(lambda f=fault: faults.configure(f))  # type: ignore[misc]
            # Created behind the faulty HTTP front, so only the watch sees the fault.
            runner.call(lambda i=i: mstore.create(  # type: ignore[misc]
                mstore.types["velero.io/backups"], velero_backup(f"b{i}")))
            wait_for(lambda i=i: phases(store).get(f"b{i}") == "Completed",  # type: ignore[misc]
                     what=f"b{i} Completed after {fault}")
        assert watch.relists == 2  # only the 410 forced a relist
        assert RECONNECTING in store.state_log
        truth = {o["metadata"]["name"]: o["status"]["phase"]
                 for o in member.list(kc.VELERO_BACKUPS, "velero")["items"]}
        assert phases(store) == truth
    finally:
        watch.stop()


def test_watch_converges_after_server_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sim, _fleet, kubeconfig = start_sim(tmp_path, state=state)
    member = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-member1")
    store = Recorder()
    watch = ListWatch(member, kc.VELERO_BACKUPS, "velero", store, FAST).start()
    again: SimThread | None = None
    try:
        member.create(kc.VELERO_BACKUPS, velero_backup("before"))
        wait_for(lambda: phases(store).get("before") == "Completed")
        sim.stop()
        wait_for(lambda: store.state_of("kurator-member1", kc.VELERO_BACKUPS)[0] == RECONNECTING)
        assert phases(store)["before"] == "Completed"  # last known state is kept meanwhile
        again = SimThread(SimConfig(state=state, sync_interval=0.2, backup_seconds=0.3))
        again.start()
        member.create(kc.VELERO_BACKUPS, velero_backup("after"))
        wait_for(lambda: phases(store).get("after") == "Completed", what="after restart")
        truth = {o["metadata"]["name"]: o["status"]["phase"]
                 for o in member.list(kc.VELERO_BACKUPS, "velero")["items"]}
        assert phases(store) == truth
    finally:
        watch.stop()
        (again or sim).stop()


def test_session_modes(sim: Sim) -> None:
    _, _, kubeconfig = sim
    host = Session(str(kubeconfig), "kurator-host", settings=FAST)
    member = Session(str(kubeconfig), "kurator-member1", settings=FAST)
    try:
        assert host.connect() == KURATOR
        wait_for(lambda: host.store.objects("kurator-host", kc.FLEETS), what="fleets")
        host.watch_member("kurator-member2")
        wait_for(lambda: host.store.objects("kurator-member2", kc.VELERO_BSLS), what="bsl")
        assert member.connect() == VELERO
    finally:
        host.close()
        member.close()


def test_client_drops_managed_fields_from_everything_it_reads(sim: Sim) -> None:
    _, fleet, kubeconfig = sim
    backups = kc.KURATOR_BACKUPS
    host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    try:
        created = host.create(backups, example("specific-ns"))
        assert "managedFields" not in created["metadata"]
        assert "managedFields" not in host.get(backups, "default", "specific-ns")["metadata"]
        listed = host.list(backups, "default")
        assert listed["items"] and all("managedFields" not in o["metadata"]
                                       for o in listed["items"])
        rv = listed["metadata"]["resourceVersion"]
        host.merge_patch(backups, "default", "specific-ns",
                         {"metadata": {"labels": {"team": "ops"}}})
        event = next(e for e in host.watch_lines(backups, "default", rv, 5, 5)
                     if e["object"]["metadata"].get("labels", {}).get("team") == "ops")
        assert "managedFields" not in event["object"]["metadata"]
        # ...while the server keeps them, as a real one does
        stored = fleet.host.store.find("backup.kurator.dev/backups", "default", "specific-ns")
        assert stored is not None and stored["metadata"]["managedFields"]
    finally:
        host.close()
