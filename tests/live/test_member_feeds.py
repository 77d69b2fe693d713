"""Member feeds opened for what is shown (#12 item 4): a cap on open members with the rest said,
feeds shared between owners and closed after them, and member watches scoped by label so a
shared bucket's copies of other members' scheduled runs never arrive."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.watch import WatchSettings
from fleettui.live.member_feeds import (
    FLEET,
    MAX_CONNECTIONS,
    MAX_OPEN,
    RESERVED,
    STATUS,
    MemberFeeds,
    schedule_names,
)
from fleettui.live.session import Session
from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim, wait_for
from tests.kube.test_connection_pools import connections_to
from tests.sim.test_shared_bucket import kurator_backup

FAST = WatchSettings(read_timeout=5.0)
M1, M2, M3, HOST = "kurator-member1", "kurator-member2", "kurator-member3", "kurator-host"
Sim = tuple[SimThread, SimFleet, Path]


@pytest.fixture
def sim3(tmp_path: Path) -> Iterator[Sim]:
    running = start_sim(tmp_path, clusters=3)
    try:
        yield running
    finally:
        running[0].stop()


def session(kubeconfig: Path, **feeds: float) -> Session:
    s = Session(str(kubeconfig), HOST, "default", settings=FAST)
    assert s.connect() == "kurator"
    s._feeds = MemberFeeds(s, **feeds)  # type: ignore[arg-type]
    return s


def watch_threads(cluster: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(f"watch-{cluster}-")
            and t.is_alive()]


def watched(s: Session, cluster: str) -> bool:
    return s.store.has_feed(cluster, kc.VELERO_BACKUPS)


def test_no_more_than_the_cap_is_open_and_the_rest_is_marked(sim3: Sim) -> None:
    s = session(sim3[2], cap=2)
    try:
        s.feeds.want("fleets", [M1, M2, M3], (FLEET,))
        assert s.feeds.open_count() == 2 and s.feeds.limited == {M3}
        wait_for(lambda: watched(s, M1) and watched(s, M2), what="two members watched")
        assert not watch_threads(M3) and not watched(s, M3)
        assert "not watched (limit 2)" in s.feeds.limited_note
        # the most recent interest comes first: M3 now, M2 the one left out
        s.feeds.want("status", [M3], (STATUS,))
        assert s.feeds.limited == {M2}
        wait_for(lambda: watched(s, M3) and not watched(s, M2), what="M3 in, M2 out")
    finally:
        s.close(wait=5)


def test_65_members_wanted_at_the_default_cap_open_64(sim3: Sim) -> None:
    s = session(sim3[2], connections=10_000)  # the member cap alone
    names = [f"member-{i:02d}" for i in range(MAX_OPEN + 1)]  # no such members: never reached
    try:
        s.feeds.want("health", names, (STATUS,))
        assert MAX_OPEN == 64 and s.feeds.open_count() == 64
        assert s.feeds.limited == {names[-1]}
        assert s.feeds.limited_note == "not watched (limit 64)"
    finally:
        s.close(wait=5)


def test_the_default_connection_budget_limits_members_by_their_watches(sim3: Sim) -> None:
    s = session(sim3[2])
    names = [f"member-{i:02d}" for i in range(MAX_OPEN + 1)]
    budget = MAX_CONNECTIONS - RESERVED
    try:
        s.feeds.want("health", names, (FLEET,))  # two watches each (the storage poll: none)
        assert s.feeds.open_count() == budget // 2
        assert s.feeds.limited_note == f"not watched (limit {budget} connections)"
        s.feeds.want("health", names, (STATUS,))  # three each
        assert s.feeds.open_count() == budget // 3
        assert s.feeds.limited == set(names[budget // 3:])
    finally:
        s.close(wait=5)


def all_watched(s: Session, rows: list[str]) -> bool:
    return all(watched(s, c) and len(watch_threads(c)) == 2 for c in rows)


def member_ports(kubeconfig: Path) -> list[int]:
    config = yaml.safe_load(kubeconfig.read_text())
    return [int(urlsplit(c["cluster"]["server"]).port or 443) for c in config["clusters"]
            if c["name"] != HOST]


def test_scrolling_never_opens_more_member_connections_than_the_budget(tmp_path: Path
                                                                       ) -> None:
    """Rows scrolled away free their sockets before the rows scrolled to open theirs: the
    budget holds at every moment, counted as sockets of this process, not as feeds."""
    runner, fleet, kubeconfig = start_sim(tmp_path, clusters=8)
    s = session(kubeconfig, connections=6, linger=3600)  # 3 fleet rows (2 watches each)
    schedule_nightly(runner, fleet, s)
    ports, members = member_ports(kubeconfig), [f"kurator-member{i}" for i in range(1, 9)]
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(connections_to(p) for p in ports))
            done.wait(0.002)

    sampler = threading.Thread(target=sample, name="socket-sampler")
    sampler.start()
    try:
        for top in range(6):  # a held key: rows go by before they are open
            s.feeds.want("fleets", members[top:top + 3], (FLEET,))
        for top in range(5, -1, -1):  # back up, a row at a time
            rows = members[top:top + 3]
            s.feeds.want("fleets", rows, (FLEET,))
            wait_for(partial(all_watched, s, rows), what=f"{rows} watched")
        assert s.feeds.is_open(M1) and not s.feeds.limited
        wait_for(lambda: sum(connections_to(p) for p in ports) == 6, timeout=5,
                 what="three members' two watches each, nothing else")
    finally:
        done.set()
        sampler.join()
        s.close(wait=5)
        runner.stop()
    assert peak[0] <= 6, f"{peak[0]} member connections at the peak"


def test_a_row_scrolled_to_opens_only_once_the_row_scrolled_away_is_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path, clusters=4)
    s = session(kubeconfig, connections=6, linger=0)
    ports = dict(zip([M1, M2, M3, "kurator-member4"], member_ports(kubeconfig), strict=True))
    go_on = threading.Event()
    try:
        schedule_nightly(runner, fleet, s)
        s.feeds.want("fleets", [M1, M2, M3], (FLEET,))
        wait_for(lambda: all(len(watch_threads(c)) == 2 for c in (M1, M2, M3)),
                 what="three rows watched")
        closing = threading.Event()
        close = KubeClient.close

        def held_close(client: KubeClient) -> None:
            if client.name == M1:
                closing.set()
                go_on.wait(20)
            close(client)

        monkeypatch.setattr(KubeClient, "close", held_close)
        s.feeds.want("fleets", [M2, M3, "kurator-member4"], (FLEET,))
        wait_for(closing.is_set, what="M1's client being closed")
        assert connections_to(ports["kurator-member4"]) == 0
        assert not s.feeds.watched("kurator-member4") and not s.feeds.limited
        go_on.set()
        wait_for(lambda: len(watch_threads("kurator-member4")) == 2, what="member4 watched")
        assert connections_to(ports[M1]) == 0
        assert sum(connections_to(p) for p in ports.values()) <= 6
    finally:
        go_on.set()
        s.close(wait=5)
        runner.stop()


def schedule_nightly(runner: SimThread, fleet: SimFleet, s: Session) -> None:
    """A Kurator scheduled backup on the host: each member's runs are a second watch."""
    host = fleet.cluster(HOST).store
    runner.call(lambda: host.create(host.types["backup.kurator.dev/backups"], kurator_backup(
        "nightly", schedule="0 2 * * *")))
    members = len(fleet.clusters) - 1
    wait_for(lambda: len(schedule_names(s.store, HOST, "default")) == members,
             what="the schedule aimed at every member (host backups and fleets listed)")
    s.feeds.refresh_schedules()


def test_owners_share_one_feed_and_the_last_release_closes_it(sim3: Sim) -> None:
    s = session(sim3[2], linger=0)
    try:
        s.feeds.want("fleets", [M1], (FLEET,))
        s.feeds.want("status", [M1], (STATUS,))
        wait_for(lambda: watched(s, M1) and s.store.has_feed(M1, kc.VELERO_SCHEDULES),
                 what="M1's backups and schedules watched")
        # one feed: its backups watched once per label scope, whoever asked
        names = sorted(t.name for t in watch_threads(M1))
        assert names == [f"watch-{M1}-backups", f"watch-{M1}-backups",
                         f"watch-{M1}-schedules"] or names == [
            f"watch-{M1}-backups", f"watch-{M1}-schedules"], names
        assert s.feeds.open_count() == 1
        s.feeds.release("fleets")
        assert s.feeds.is_open(M1)
        s.feeds.release("status")
        wait_for(lambda: not watch_threads(M1) and not watched(s, M1)
                 and M1 not in s.members, what="M1's feed closed")
        assert s.feeds.open_count() == 0
    finally:
        s.close(wait=5)


def test_an_unowned_feed_lingers_until_its_slot_is_wanted(sim3: Sim) -> None:
    s = session(sim3[2], cap=2, linger=3600)
    try:
        s.feeds.want("a", [M1, M2])
        wait_for(lambda: watched(s, M1) and watched(s, M2), what="both watched")
        s.feeds.release("a")
        assert s.feeds.is_open(M1) and s.feeds.is_open(M2)  # lingering: back soon is free
        s.feeds.want("b", [M3])  # the least recently wanted lingering feed makes room
        assert s.feeds.open_count() == 2 and not s.feeds.limited
        wait_for(lambda: watched(s, M3), what="M3 watched")
    finally:
        s.close(wait=5)


def member_backups(runner: SimThread, fleet: SimFleet, cluster: str) -> list[str]:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: [b["metadata"]["name"] for b in copy.deepcopy(
        list(store.items("velero.io/backups", "velero")))])


def test_scoped_watches_get_no_copies_of_other_members_scheduled_runs(tmp_path: Path) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path, clusters=2, bucket_sync=0.2,
                                          backup_seconds=0.2, speed=86400 / 2)
    s = session(kubeconfig)
    try:
        host = fleet.cluster(HOST).store
        for obj in (kurator_backup("nightly", schedule="0 2 * * *"), kurator_backup("once")):
            runner.call(lambda o=obj: host.create(host.types["backup.kurator.dev/backups"],
                                                  o))  # type: ignore[misc]
        run_copy = f"{M1}-backup-default-nightly-"
        wait_for(lambda: any(n.startswith(run_copy) for n in member_backups(runner, fleet, M2))
                 and f"{M1}-backup-default-once" in member_backups(runner, fleet, M2),
                 timeout=30, what="M2's Velero synced M1's run and one-time backup")
        wait_for(lambda: s.store.has_feed(HOST, kc.KURATOR_BACKUPS) and len(
            s.store.objects(HOST, kc.KURATOR_BACKUPS)) == 2, what="host backups listed")
        s.feeds.refresh_schedules()
        s.feeds.want("status", [M2], (STATUS,))

        def names() -> list[str]:
            return [str(b["metadata"]["name"]) for b in s.store.objects(M2, kc.VELERO_BACKUPS)]

        wait_for(lambda: any(n.startswith(f"{M2}-backup-default-nightly-") for n in names()),
                 what="M2's own runs watched")
        synced_runs = [n for n in member_backups(runner, fleet, M2) if n.startswith(run_copy)]
        assert synced_runs and not any(n.startswith(run_copy) for n in names())
        # what labels cannot cut: other members' one-time backups look like ours
        wait_for(lambda: f"{M1}-backup-default-once" in names(),
                 what="M1's one-time copy (no label tells it apart)")
    finally:
        s.close(wait=5)
        runner.stop()
