"""Member feeds opened for what is shown (#12 item 4): a cap on open members with the rest said,
feeds shared between owners and closed after them, and member watches scoped by label so a
shared bucket's copies of other members' scheduled runs never arrive."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleettui.kube import resources as kc
from fleettui.kube.watch import WatchSettings
from fleettui.live.member_feeds import FLEET, MAX_OPEN, STATUS, MemberFeeds
from fleettui.live.session import Session
from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim, wait_for
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
    s = session(sim3[2])
    names = [f"member-{i:02d}" for i in range(MAX_OPEN + 1)]  # no such members: never reached
    try:
        s.feeds.want("health", names, (STATUS,))
        assert MAX_OPEN == 64 and s.feeds.open_count() == 64
        assert s.feeds.limited == {names[-1]}
        assert s.feeds.limited_note == "not watched (limit 64)"
    finally:
        s.close(wait=5)


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
