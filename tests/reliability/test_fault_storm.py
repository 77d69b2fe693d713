"""100 injected faults against live watches: the store the screen draws from ends equal to the
simulator's truth after every one (0 lost), recovers within 5 s, and says "reconnecting" while
a server is really down. Prints its figures."""

from __future__ import annotations

import random
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.store import LiveStore
from fleettui.sim.fleet import SimConfig, SimThread
from tests.conftest import start_sim

FAULTS = [{"drop_watches": True}, {"hang_watches": True}, {"gone": 1, "drop_watches": True},
          {"error": 500, "count": 3, "drop_watches": True},
          {"error": 429, "count": 2, "drop_watches": True}, "restart"]
SETTINGS = WatchSettings(timeout=30, read_timeout=1.0, backoff_min=0.05, backoff_max=0.4)
RECOVERY_LIMIT = 5.0

# serial: recovery times are measured, so no other test may compete for the CPU meanwhile, except
# the other storm and one serial test at a time (the serial phase's groups); this storm itself
# uses about 9% of a core: it waits for the watches to recover.
pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.xdist_group("storm-watches")]


class Recorder(LiveStore):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, str]] = []

    def state(self, cluster: str, res: kc.Resource, state: str, message: str) -> None:
        self.log.append((cluster, state))
        super().state(cluster, res, state, message)


def backup(name: str) -> dict[str, Any]:
    return {"apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "velero"},
            "spec": {"includedNamespaces": ["shop"]}}


def phases(store: LiveStore, cluster: str) -> dict[str, str]:
    return {o["metadata"]["name"]: (o.get("status") or {}).get("phase", "")
            for o in store.objects(cluster, kc.VELERO_BACKUPS)}


def reconnecting_since(store: Recorder, start: int) -> set[str]:
    """The clusters whose watch has said "reconnecting" since log entry `start`."""
    return {cluster for cluster, state in store.log[start:] if state == "reconnecting"}


def stuck_report(store: Recorder, watches: list[ListWatch], cluster: str, fault: int) -> str:
    """What a watch that never said "reconnecting" last said, and where its thread is now."""
    said = [state for c, state in store.log if c == cluster][-5:]
    thread = next(w.thread for w in watches if w.client.name == cluster)
    frame = sys._current_frames().get(thread.ident or 0)
    where = "".join(traceback.format_stack(frame)[-6:]) if frame else "(no thread)"
    return f"fault {fault}: {cluster} last said {said}; its watch is at:\n{where}"


def test_hundred_faults_zero_lost(tmp_path: Path) -> None:
    rng = random.Random(7)
    state = tmp_path / "state.json"
    sim, fleet, kubeconfig = start_sim(tmp_path, state=state, backup_seconds=0.2,
                                       bookmark_seconds=0.3)
    clusters = [m.name for m in fleet.members]
    store = Recorder()
    watches = [ListWatch(KubeClient.from_kubeconfig(str(kubeconfig), c), kc.VELERO_BACKUPS,
                         "velero", store, SETTINGS).start() for c in clusters]
    recoveries: list[float] = []
    startups: list[float] = []
    lost = 0
    down_unseen = 0
    reports: list[str] = []
    try:
        for i in range(100):
            cluster = rng.choice(clusters)
            index = clusters.index(cluster)
            fault = FAULTS[i % len(FAULTS)] if i % 10 else "restart"
            before = len(store.log)
            if fault == "restart":
                sim.stop()
                # The fleet stays down until every watch has said so (or RECOVERY_LIMIT passed):
                # a watch that never noticed its server was gone is counted below.
                down = time.monotonic()
                while reconnecting_since(store, before) != set(clusters) \
                        and time.monotonic() - down < RECOVERY_LIMIT:
                    time.sleep(0.02)
                unseen = set(clusters) - reconnecting_since(store, before)
                down_unseen += bool(unseen)
                reports += [stuck_report(store, watches, c, i) for c in sorted(unseen)]
                up = time.monotonic()
                sim = SimThread(SimConfig(state=state, sync_interval=0.2, backup_seconds=0.2,
                                          bookmark_seconds=0.3))
                fleet = sim.start()
                startups.append(time.monotonic() - up)
            # Recovery is the watches' work once the servers answer again: the time a restarted
            # simulator takes to come back (long on a busy machine) is not theirs to recover.
            started = time.monotonic()
            if fault != "restart":
                sim.call(lambda f=fault, api=fleet.members[index].api: api.faults.configure(f))  # type: ignore[misc]
            member = fleet.members[index].store
            sim.call(lambda m=member, n=f"run-{i}": m.create(  # type: ignore[misc]
                m.types["velero.io/backups"], backup(n)))
            truth: dict[str, str] = {}
            while time.monotonic() - started < RECOVERY_LIMIT * 2:
                truth = sim.call(lambda m=member: {  # type: ignore[misc]
                    o["metadata"]["name"]: (o.get("status") or {}).get("phase", "")
                    for o in m.items("velero.io/backups", "velero")})
                if truth.get(f"run-{i}") == "Completed" and phases(store, cluster) == truth:
                    break
                time.sleep(0.02)
            recoveries.append(time.monotonic() - started)
            lost += sum(1 for k, v in truth.items() if phases(store, cluster).get(k) != v)
    finally:
        for w in watches:
            w.stop()
        sim.stop()
    p50, worst = statistics.median(recoveries), max(recoveries)
    print(f"\nfault storm: 100 faults, lost={lost}, recovery p50={p50:.2f}s max={worst:.2f}s, "
          f"restarts without 'reconnecting'={down_unseen}, "
          f"simulator restart max={max(startups):.2f}s")
    assert lost == 0
    assert worst <= RECOVERY_LIMIT
    assert down_unseen == 0, "\n".join(reports)
