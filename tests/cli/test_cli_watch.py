"""`backup status NAME --watch -o jsonl --until-done` keeps every phase change across a forced
410 and a simulator restart, and ends on the simulator's truth."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from fleettui.sim.fleet import SimConfig, SimThread
from tests.cli.cli_helpers import (
    Process,
    assert_monotonic,
    cli,
    phases_by_cluster,
    wait_for,
)
from tests.conftest import start_sim

MEMBERS = ("kurator-member1", "kurator-member2")


def create(capsys: pytest.CaptureFixture[str], kubeconfig: Path, name: str) -> None:
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create", name,
                       "--fleet", "quickstart", "--include-namespaces", "kurator-backup")
    assert code == 0, err


def watch(kubeconfig: Path, name: str) -> Process:
    return Process("--kubeconfig", str(kubeconfig), "backup", "status", name, "--watch",
                   "--until-done", "-o", "jsonl", "--timeout", "60s")


def truth(kubeconfig: Path, name: str) -> dict[str, str]:
    return {m: KubeClient.from_kubeconfig(str(kubeconfig), m).get(
        kc.VELERO_BACKUPS, "velero", f"{m}-backup-default-{name}")["status"]["phase"]
        for m in MEMBERS}


def check_stream(events: list[dict[str, Any]], name: str) -> dict[str, list[tuple[str, int]]]:
    assert events, "no line at all"
    assert all(ev["cluster"] in MEMBERS and ev["backup"] == name for ev in events)
    assert set(events[0]) == {"time", "backup", "cluster", "phase", "state", "items_done",
                              "items_total", "errors", "warnings", "reason", "source", "overall"}
    seq = phases_by_cluster(events)
    assert set(seq) == set(MEMBERS)  # every cluster shown, never an empty list
    assert_monotonic(seq)
    for phases in seq.values():  # a line only when something changed
        assert all(a != b for a, b in itertools.pairwise(phases)), phases
    assert events[-1]["overall"] == "Completed"
    return seq


def test_watch_keeps_every_change_across_a_forced_410(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sim, fleet, kubeconfig = start_sim(tmp_path, backup_seconds=4.0)
    proc: Process | None = None
    try:
        create(capsys, kubeconfig, "gone-410")
        proc = watch(kubeconfig, "gone-410")
        proc.wait_for(lambda p: any(ev["cluster"] == "kurator-member1" and
                                    ev["phase"] == "InProgress" for ev in p.events()),
                      what="member1 InProgress")
        for cluster in (fleet.members[0], fleet.host):
            faults = cluster.api.faults
            sim.call(lambda f=faults: f.configure({"gone": 1,  # type: ignore[misc]
                                                   "drop_watches": True}))
        wait_for(lambda: sim.call(lambda: fleet.members[0].api.faults.gone_count) == 0,
                 what="the 410 to be served")
        assert proc.finish() == 0, proc.err
        seq = check_stream(proc.events(), "gone-410")
        assert {m: phases[-1][0] for m, phases in seq.items()} == truth(kubeconfig, "gone-410")
        assert any(p == "InProgress" for p, _ in seq["kurator-member1"])
        assert "Traceback" not in "\n".join(proc.err)
    finally:
        if proc is not None:
            proc.kill()
        sim.stop()


def test_watch_keeps_every_change_across_a_simulator_restart(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sim, fleet, kubeconfig = start_sim(tmp_path, state=state, backup_seconds=1.0)
    again: SimThread | None = None
    proc: Process | None = None
    try:
        # Kurator cannot reach member2 until the restart: its backup runs only afterwards.
        sim.call(lambda: setattr(fleet.members[1], "reachable", False))
        create(capsys, kubeconfig, "restart")
        proc = watch(kubeconfig, "restart")

        def last(p: Process, cluster: str) -> str:
            phases = [ev["phase"] for ev in p.events() if ev["cluster"] == cluster]
            return phases[-1] if phases else ""

        proc.wait_for(lambda p: last(p, "kurator-member1") == "Completed"
                      and last(p, "kurator-member2") == "Pending", what="member1 done first")
        sim.stop()
        proc.wait_for(lambda p: any(line.startswith("# reconnecting: ") for line in p.err),
                      what="a reconnecting line")
        # Runs after the restart outlast the watch's reconnect backoff (capped at 3 s).
        again = SimThread(SimConfig(state=state, sync_interval=0.2, backup_seconds=5.0,
                                    bookmark_seconds=1.0))
        again.start()
        assert proc.finish() == 0, proc.err
        seq = check_stream(proc.events(), "restart")
        assert seq["kurator-member1"][-1][0] == "Completed"
        after = [p for p, _ in seq["kurator-member2"]]
        assert after[0] == "Pending" and "InProgress" in after and after[-1] == "Completed"
        assert {m: phases[-1][0] for m, phases in seq.items()} == truth(kubeconfig, "restart")
        assert any(line.startswith("# watching again: ") for line in proc.err)
        assert "Traceback" not in "\n".join(proc.err)
    finally:
        if proc is not None:
            proc.kill()
        (again or sim).stop()


@pytest.mark.parametrize("fault", [{"drop_watches": True}, {"hang_watches": True},
                                   {"error": 500, "count": 3, "drop_watches": True},
                                   {"error": 429, "count": 2, "drop_watches": True}],
                         ids=["drop", "hang", "500-burst", "429-burst"])
def test_watch_ends_on_the_truth_through_each_fault(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, fault: dict[str, Any]) -> None:
    # long enough for the watching process to start on a busy machine before the backup ends
    sim, fleet, kubeconfig = start_sim(tmp_path, backup_seconds=6.0, bookmark_seconds=0.3)
    proc: Process | None = None
    try:
        create(capsys, kubeconfig, "faulty")
        proc = Process("--kubeconfig", str(kubeconfig), "--hung-after", "1", "backup",
                       "status", "faulty", "--watch", "--until-done", "-o", "jsonl",
                       "--timeout", "60s")
        proc.wait_for(lambda p: any(ev["phase"] == "InProgress" for ev in p.events()),
                      what="a cluster InProgress")
        for cluster in (*fleet.members, fleet.host):
            faults = cluster.api.faults
            sim.call(lambda f=faults: f.configure(fault))  # type: ignore[misc]
        assert proc.finish() == 0, proc.err
        seq = check_stream(proc.events(), "faulty")
        assert {m: phases[-1][0] for m, phases in seq.items()} == truth(kubeconfig, "faulty")
        assert "Traceback" not in "\n".join(proc.err)
    finally:
        if proc is not None:
            proc.kill()
        sim.stop()
