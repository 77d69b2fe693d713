"""End to end over both API servers: the emulator, and real kube-apiservers (a host and two
members from the realapi launcher) with the simulator's Kurator and Velero controllers running
as API clients of them (`fleettui sim --api real`). The same fleettui commands, TUI and watch
must reach the same results on both.

One fleet per server kind for the whole module (the real one starts in about 15 s and holds
three servers); the real cases run on one xdist worker. Backups run for BACKUP_SECONDS, so a
watch sees them move; history is compacted every COMPACT_SECONDS on both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fleettui.kube.client import KubeClient
from fleettui.kube.resources import KURATOR_BACKUPS, NAMESPACES, PODS, VELERO_BACKUPS
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.store import LiveStore
from fleettui.sim.fleet import SimConfig, SimFleet, SimThread
from fleettui.sim.real_fleet import RealFleetThread
from fleettui.sim.realapi_server import stop_servers
from fleettui.sim.world import FLEET, FLEET_NS
from tests.cli.cli_helpers import Process, assert_monotonic, cli, phases_by_cluster
from tests.conftest import wait_for
from tests.e2e.terminal import Terminal
from tests.realapi.build import Binaries
from tests.ui.test_app import make_app, open_form, static_text, table_text, type_into, until

MEMBERS = ("kurator-member1", "kurator-member2")
BACKUP_SECONDS = 1.5
COMPACT_SECONDS = 3.0
# The real cases share one fleet of three servers (about 1.1 GiB): on one xdist worker, so that it
# starts once; they assert no timings, so they run in the parallel phase.
REAL = pytest.param("real", marks=[pytest.mark.slow, pytest.mark.xdist_group("realapi-bed")])
pytestmark = [pytest.mark.timeout(120, func_only=True)]


@dataclass
class Bed:
    """One running fleet and what the tests do to it besides using fleettui."""

    api: str
    kubeconfig: Path
    restart: Callable[[str], None]  # a member's server, its data kept
    stop_member: Callable[[str], None]  # what a test restarted, it stops (the leak check)
    compacted: Callable[[], bool]  # history was compacted at least once

    def args(self) -> list[str]:
        return ["--kubeconfig", str(self.kubeconfig)]

    def client(self, context: str) -> KubeClient:
        return KubeClient.from_kubeconfig(str(self.kubeconfig), context)

    def velero_backups(self, member: str, backup: str) -> list[dict[str, Any]]:
        """The member's Velero Backups Kurator made for `backup`, read through the API."""
        client = self.client(member)
        try:
            listed = client.list(VELERO_BACKUPS, "velero", f"kurator.dev/backup-name={backup}")
        finally:
            client.close()
        return list(listed.get("items") or [])


def config() -> SimConfig:
    return SimConfig(clusters=len(MEMBERS), sync_interval=0.5, backup_seconds=BACKUP_SECONDS,
                     bookmark_seconds=1.0, compact_interval=COMPACT_SECONDS)


def emulator_bed(directory: Path) -> Iterator[Bed]:
    sim = SimThread(config())
    fleet = sim.start()
    try:
        kubeconfig = directory / "kubeconfig"
        fleet.write_kubeconfig(kubeconfig)
        yield Bed("emulator", kubeconfig, lambda name: restart_emulated(sim, fleet, name),
                  lambda name: None, lambda: fleet.host.store.compacted_rv > 1)
    finally:
        sim.stop()


def restart_emulated(sim: SimThread, fleet: SimFleet, name: str) -> None:
    """The member's emulated server goes down and comes back on its port; its store (the
    etcd of the emulator) is kept."""
    cluster = fleet.cluster(name)

    async def restart() -> None:
        cluster.api.faults.drop_watches()
        assert cluster.runner is not None
        await cluster.runner.cleanup()
        await fleet._serve(cluster, cluster.port)

    sim.run(restart())


def real_bed(binaries: Binaries, directory: Path) -> Iterator[Bed]:
    thread = RealFleetThread(config(), binaries, directory)
    real = thread.start_real()
    try:
        kubeconfig = directory / "kubeconfig"
        real.write_kubeconfig(kubeconfig)
        # RV 1 predates the Kurator Backups' watch cache (started when the CRD was applied):
        # kube-apiserver answers 410 from the cache, whatever etcd's compaction did.
        yield Bed("real", kubeconfig, lambda name: thread.run(real.restart(name), 180.0),
                  lambda name: stop_servers([real.cluster(name).server]), lambda: True)
    finally:
        thread.stop()


@pytest.fixture(scope="module", params=["emulator", REAL])
def bed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Bed]:
    directory = tmp_path_factory.mktemp(f"bed-{request.param}")
    if request.param == "emulator":
        yield from emulator_bed(directory)
    else:
        yield from real_bed(request.getfixturevalue("realapi_binaries"), directory)


def create(bed: Bed, capsys: pytest.CaptureFixture[str], name: str, *more: str) -> str:
    code, out, err = cli(capsys, *bed.args(), "backup", "create", name, "--fleet", FLEET,
                         "--include-namespaces", "kurator-backup", *more)
    assert code == 0, err
    return out


def phases(bed: Bed, backup: str) -> dict[str, list[str]]:
    return {m: [str((b.get("status") or {}).get("phase"))
                for b in bed.velero_backups(m, backup)] for m in MEMBERS}


def test_create_wait_ends_completed_on_every_member(bed: Bed,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = create(bed, capsys, "wait-all", "--wait")
    assert out.splitlines()[0] == "backup.backup.kurator.dev/wait-all created"
    assert "overall: ✓ Completed" in out
    assert phases(bed, "wait-all") == {m: ["Completed"] for m in MEMBERS}
    # Velero's work, through the API: progress counted, the location label stamped.
    [velero] = bed.velero_backups(MEMBERS[0], "wait-all")
    status = velero["status"]
    assert status["progress"]["itemsBackedUp"] == status["progress"]["totalItems"] > 0
    assert velero["metadata"]["labels"]["velero.io/storage-location"] == "default"


def test_status_watch_until_done_follows_each_member(bed: Bed,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    create(bed, capsys, "watched")
    proc = Process(*bed.args(), "backup", "status", "watched", "--watch", "--until-done",
                   "-o", "jsonl")
    try:
        assert proc.finish(60) == 0, proc.err
    finally:
        proc.kill()
    events = proc.events()
    seq = phases_by_cluster(events)
    assert sorted(seq) == list(MEMBERS)
    assert_monotonic(seq)
    assert events[-1]["overall"] == "Completed"


def test_delete_goes_through_kurators_finalizer(bed: Bed,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    create(bed, capsys, "to-delete", "--wait")
    assert all(phases(bed, "to-delete")[m] == ["Completed"] for m in MEMBERS)
    host = bed.client("kurator-host")
    try:
        kept = host.get(KURATOR_BACKUPS, FLEET_NS, "to-delete")
        assert "backup.kurator.dev" in kept["metadata"]["finalizers"]
        code, _, err = cli(capsys, *bed.args(), "backup", "delete", "to-delete")
        assert code == 0, err

        def gone() -> bool:
            names = [b["metadata"]["name"] for b in host.list(KURATOR_BACKUPS, FLEET_NS)["items"]]
            return "to-delete" not in names
        wait_for(gone, 30, "the Kurator Backup gone once its finalizer is")
    finally:
        host.close()
    # The controller deleted the members' Velero Backups before it let the object go.
    assert phases(bed, "to-delete") == {m: [] for m in MEMBERS}


async def test_tui_form_to_completed(bed: Bed) -> None:
    app = make_app(bed.kubeconfig)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, app)
        await type_into(pilot, "name", "from-tui")
        await type_into(pilot, "include_namespaces", "kurator-backup")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Backup from-tui" in static_text(app, "#title"),
                    timeout=30, what="status screen")
        await until(pilot, lambda: table_text(app, "#clusters").count("Completed") == 2,
                    timeout=60, what="both clusters Completed")
        assert "Completed" in static_text(app, "#overall")
    assert await asyncio.to_thread(phases, bed, "from-tui") == {
        m: ["Completed"] for m in MEMBERS}


@pytest.mark.slow  # not serial: it retypes until shown and measures no time
def test_tui_in_a_terminal_form_to_completed(bed: Bed) -> None:
    """The real app in a pseudo-terminal, as tests/e2e/test_demo_terminal.py drives the demo."""
    term = Terminal(["--kubeconfig", str(bed.kubeconfig)])
    try:
        term.wait_for("Available", timeout=30)
        term.send("n")
        term.wait_for("New fleet backup")

        def typed() -> bool:  # keys sent before the form has focus are lost: retype until shown
            term.send("\x15" + "in-a-pty")
            term.pump(0.2)
            return any(line.split() == ["Name", "in-a-pty"] for line in term.screen.display)

        term.until(typed, what="the name typed into its field")
        term.send("\t" * 3 + "kurator-backup")
        term.wait_for("kurator-backup")
        term.send("\x13")  # ctrl+s
        term.wait_for("Backup in-a-pty")
        screen = term.wait_for("2/2 clusters completed", timeout=60)
        assert screen.count("✓ Completed") >= 2
    finally:
        term.close()
    assert phases(bed, "in-a-pty") == {m: ["Completed"] for m in MEMBERS}


def test_plain_velero_create_wait(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, *bed.args(), "velero", "backup", "create", "plain",
                         "--context", ",".join(MEMBERS), "--include-namespaces",
                         "kurator-backup", "--wait")
    assert code == 0, err
    for member in MEMBERS:
        client = bed.client(member)
        try:
            backup = client.get(VELERO_BACKUPS, "velero", "plain")
        finally:
            client.close()
        assert backup["status"]["phase"] == "Completed"
        assert backup["spec"]["includedNamespaces"] == ["kurator-backup"]


def test_a_watch_from_a_compacted_version_relists_and_goes_on(
        bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    wait_for(bed.compacted, COMPACT_SECONDS * 3, "a compaction")
    client = bed.client("kurator-host")
    sink = LiveStore()
    watch = ListWatch(client, KURATOR_BACKUPS, FLEET_NS, sink, WatchSettings(timeout=30))
    watch.rv = "1"  # as a client that was away while the history went
    watch.start()
    try:
        wait_for(lambda: watch.relists == 1 and sink.has_feed("kurator-host", KURATOR_BACKUPS),
                 30, "the 410 answered by a relist")
        create(bed, capsys, "after-410")
        wait_for(lambda: sink.get("kurator-host", KURATOR_BACKUPS, FLEET_NS, "after-410"),
                 30, "the watch going on after the relist")
        assert watch.relists == 1
    finally:
        watch.stop()
        watch.thread.join(10)
        client.close()


def test_restore_with_a_namespace_mapping_recreates_the_pods(
        bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    """Kurator's Restore controller and each member's Velero restore, over the API: the
    backed-up pods come back in the mapped namespace."""
    create(bed, capsys, "to-restore", "--wait")
    code, out, err = cli(capsys, *bed.args(), "restore", "create", "mapped", "--from-backup",
                         "to-restore", "--namespace-mapping", "kurator-backup:restored",
                         "--wait", "--timeout", "60s")
    assert code == 0, err
    assert out.splitlines()[0] == "restore.backup.kurator.dev/mapped created"
    for member in MEMBERS:
        client = bed.client(member)
        try:
            pods = client.list(PODS, "restored")["items"]
        finally:
            client.close()
        assert sorted(p["metadata"]["name"] for p in pods) == ["busybox", "busybox-with-pv"]
        assert {p["metadata"]["labels"]["velero.io/backup-name"] for p in pods} == {
            f"{member}-backup-default-to-restore"}


def test_a_new_namespace_gets_what_kube_apiserver_sets(bed: Bed) -> None:
    """A divergence fixed in the emulator (tests/realapi/README.md): the name label, the
    kubernetes finalizer and phase Active on every new Namespace, whatever was sent."""
    client = bed.client(MEMBERS[0])
    try:
        made = client.create(NAMESPACES, {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "fresh", "labels": {"kubernetes.io/metadata.name": "other"}},
            "spec": {"finalizers": ["example.com/keep"]}, "status": {"phase": "Terminating"}})
    finally:
        client.close()
    assert made["metadata"]["labels"] == {"kubernetes.io/metadata.name": "fresh"}
    assert made["spec"] == {"finalizers": ["example.com/keep", "kubernetes"]}
    assert made["status"] == {"phase": "Active"}


def test_a_member_restarted_with_its_data(bed: Bed,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Last in the module: the restarted server is this test's to stop."""
    create(bed, capsys, "before-restart", "--wait")
    bed.restart(MEMBERS[1])
    try:
        restarted_member_works(bed, capsys)
    finally:
        bed.stop_member(MEMBERS[1])


def restarted_member_works(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    # Its data is there, read by fleettui through the host's secret for it.
    code, out, err = cli(capsys, *bed.args(), "backup", "status", "before-restart")
    assert code == 0, err
    assert out.count("Completed") >= 2
    # And the controllers and fleettui work with it again.
    create(bed, capsys, "after-restart", "--wait")
    assert phases(bed, "after-restart") == {m: ["Completed"] for m in MEMBERS}
    assert phases(bed, "before-restart") == {m: ["Completed"] for m in MEMBERS}
