"""Member feeds opened for what a screen or command shows, and closed after it (#12 item 4).

Owners (a screen, a CLI command) declare which members they show and what of them
(`want(owner, clusters, what)`, `release(owner)`). A member's feed is shared by every owner that
wants it. At most `cap` (MAX_OPEN) members are open at once, and their watches use at most
`connections` (MAX_CONNECTIONS less what the host and set-ups use): the most recently wanted
first; members wanted beyond either are `limited` (their rows fall back to Kurator's copied
status, marked as such). An unowned feed lingers `linger` seconds (or until its connections are
needed, least recently wanted first), so going back to a screen does not list again. A feed
opens only when the connections of the feeds being closed are free: the budget holds at every
moment, not just once scrolling settles. A closed member's client is kept (its connections
closed), so reopening it reads no secret and proves no route again. Opening (reaching the
member, its first lists) runs on at most SETUP_PARALLEL worker threads at once, which end when
there is nothing left to do; `want` and `release` never block on the network.

Each open member costs one thread and one connection per watch, label-scoped to the objects
that belong to that member, so a shared bucket's synced copies of other members' scheduled runs
never reach us: its Velero Schedules made by Kurator, the runs of that member's Kurator
schedules (`velero.io/schedule-name in (...)`, names derived as Kurator does), its one-time
Kurator backups (`kurator.dev/backup-name,!velero.io/schedule-name`: these still include other
members' synced one-time backups, which no label tells apart). Storage locations change rarely
and are listed every BSL_POLL seconds by one thread for all members, on a connection that is
closed afterwards (pooled sockets would count against the connection budget).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.store import LiveStore, obj_key
from fleettui.model.kurator import BACKUP_NAME_LABEL, MIGRATE_NAME_LABEL
from fleettui.model.names import velero_object_name
from fleettui.model.status import SCHEDULE_NAME_LABEL

if TYPE_CHECKING:  # kube.watch loads the kubernetes client: not before the first frame
    from fleettui.kube.client import KubeClient
    from fleettui.kube.watch import ListWatch, WatchSettings


class FeedSession(Protocol):
    """What the feeds need of live/session.py's Session (which owns them)."""

    store: LiveStore
    settings: WatchSettings
    member_errors: dict[str, str]
    members: dict[str, KubeClient]
    host: KubeClient | None
    mode: str
    watch_all: bool
    context: str | None
    namespace: str

    @property
    def member_velero_namespace(self) -> str: ...

    def member(self, cluster: str) -> KubeClient: ...

    def retry_later(self, cluster: str) -> None: ...

    def forget_retry(self, cluster: str) -> None: ...

Obj = dict[str, Any]
MAX_OPEN = 64  # members open at once (each: one connection per watch)
SETUP_PARALLEL = 8  # members being reached and listed at once
MAX_CONNECTIONS = 64  # the process's open sockets at most (#12 item 5)
# Sockets that are not member watches: the host's watches (fleets, attached clusters, Kurator
# backups, restores, migrates), a host connection per set-up reading a member's secret, the
# storage-location poll's, and the event loop's own socket pair.
RESERVED = 5 + SETUP_PARALLEL + 1 + 2
PARKED_MAX = 256  # closed members' clients kept for a quick reopen (no connections open)
LINGER = 30.0  # seconds an unowned feed stays open (a screen left and come back to)
LINGER_MAX = 4  # unowned feeds kept open at most (rows scrolled away): sockets stay few
BSL_POLL = 30.0  # seconds between lists of an open member's storage locations

# What an owner may want of a member (union over owners decides the watches).
FLEET = "fleet"  # the fleets screen: storage location, the member's own backups
STATUS = "status"  # a backup's status, health: its backups and Kurator's Velero Schedules
RESTORES = "restores"  # restore/migrate screens: Velero Restores, migrates' backups
PARTS = {FLEET: ("bsl", "runs", "once"), STATUS: ("runs", "once", "schedules"),
         RESTORES: ("restores", "migrates")}


@dataclass(eq=False)
class Feed:
    cluster: str
    wanted_at: float
    parts: dict[str, ListWatch] = field(default_factory=dict)
    selectors: dict[str, str | None] = field(default_factory=dict)  # part → its selector
    cost: int = 1  # connections its watches use (at most: parts whose selector is None use none)
    sinks: dict[str, PartSink] = field(default_factory=dict)
    client: KubeClient | None = None
    opening: bool = True
    closed: bool = False
    released_at: float | None = None
    polled_at: float = 0.0


class PartSink:
    """One of several watches filling the same store feed (a member's backups come from two
    label-scoped watches): its relist replaces only what it put there itself."""

    def __init__(self, store: LiveStore) -> None:
        self.store = store
        self.keys: set[tuple[str, str]] = set()

    def replace(self, cluster: str, res: kc.Resource, items: list[Obj]) -> None:
        new = {obj_key(o): o for o in items}
        gone, self.keys = self.keys - new.keys(), set(new)
        self.store.merge(cluster, res, list(new.values()), gone)

    def event(self, cluster: str, res: kc.Resource, type_: str, obj: Obj) -> None:
        if type_ == "DELETED":
            self.keys.discard(obj_key(obj))
        else:
            self.keys.add(obj_key(obj))
        self.store.event(cluster, res, type_, obj)

    def state(self, cluster: str, res: kc.Resource, state: str, message: str) -> None:
        self.store.state(cluster, res, state, message)

    def drop(self, cluster: str, res: kc.Resource) -> None:
        keys, self.keys = self.keys, set()
        self.store.merge(cluster, res, [], keys)


def schedule_names(store: LiveStore, host: str, namespace: str) -> dict[str, list[str]]:
    """Member → the Velero Schedule names of the Kurator scheduled backups aimed at it."""
    from fleettui.live.backup_status import expected_clusters

    names: dict[str, list[str]] = {}
    for backup in store.objects(host, kc.KURATOR_BACKUPS):
        if not (backup.get("spec") or {}).get("schedule"):
            continue
        name = str((backup.get("metadata") or {}).get("name") or "")
        for ref in expected_clusters(store, host, namespace, backup):
            names.setdefault(ref.name, []).append(
                velero_object_name(ref.name, "backup", namespace, name))
    return {c: sorted(set(n)) for c, n in names.items()}


def part_selector(part: str, schedules: list[str]) -> str | None:
    """The label selector of one part of a member feed; None: nothing to watch."""
    if part == "runs":
        return f"{SCHEDULE_NAME_LABEL} in ({','.join(schedules)})" if schedules else None
    return {"once": f"{BACKUP_NAME_LABEL},!{SCHEDULE_NAME_LABEL}",
            "schedules": BACKUP_NAME_LABEL, "restores": "",
            "migrates": MIGRATE_NAME_LABEL}.get(part)


PART_RESOURCES = {"runs": kc.VELERO_BACKUPS, "once": kc.VELERO_BACKUPS,
                  "migrates": kc.VELERO_BACKUPS, "schedules": kc.VELERO_SCHEDULES,
                  "restores": kc.VELERO_RESTORES}


class MemberFeeds:
    def __init__(self, session: FeedSession, cap: int | None = None, linger: float | None = None,
                 parallel: int = SETUP_PARALLEL, clock: Callable[[], float] = time.monotonic,
                 connections: int | None = None) -> None:
        self.session = session
        self.cap = MAX_OPEN if cap is None else cap
        self.connections = MAX_CONNECTIONS - RESERVED if connections is None else connections
        self._limit = f"limit {self.cap}"  # what the limited ran into
        self._parked: OrderedDict[str, KubeClient] = OrderedDict()
        self.linger = LINGER if linger is None else linger
        self.linger_max = LINGER_MAX
        self.parallel = parallel
        self.clock = clock
        self.owners: dict[str, tuple[float, list[str], frozenset[str]]] = {}
        self.feeds: dict[str, Feed] = {}
        self.limited: set[str] = set()  # wanted, but beyond the cap
        self._schedules: dict[str, list[str]] = {}
        self._lock = threading.RLock()
        self._jobs: deque[Callable[[], None]] = deque()
        self._workers: list[threading.Thread] = []
        self._poller: threading.Thread | None = None
        self._wake = threading.Event()
        self._closing: set[Feed] = set()
        self._closed = False
        self.disabled = False  # the session ended, or watches every member (watch_all)

    @property
    def active(self) -> bool:
        """Feeds are for Kurator members reached from a connected host; plain Velero mode
        watches its few contexts whole, and a session filled by hand has no host."""
        s = self.session
        return not (self.disabled or s.watch_all or s.host is None or s.mode != "kurator")

    # ---- interest (any thread; never blocks on the network) --------------------------------
    def want(self, owner: str, clusters: Iterable[str], what: Iterable[str] = (FLEET,)) -> None:
        """`owner` shows these members (most important first): replaces what it wanted."""
        if not self.active:
            return
        wanted = list(dict.fromkeys(c for c in clusters if c))
        kinds = frozenset(what)
        with self._lock:
            before = self.owners.get(owner)
            if before is not None and before[1] == wanted and before[2] == kinds:
                return
            self.owners[owner] = (self.clock(), wanted, kinds)
            self._reconcile()

    def release(self, owner: str) -> None:
        with self._lock:
            if self.owners.pop(owner, None) is not None:
                self._reconcile()

    def forget(self, cluster: str) -> None:
        """A member that left every fleet: no owner can want it any more."""
        with self._lock:
            self._parked.pop(cluster, None)
            for owner, (at, wanted, kinds) in list(self.owners.items()):
                if cluster in wanted:
                    self.owners[owner] = (at, [c for c in wanted if c != cluster], kinds)
            self._reconcile()

    def tick(self) -> None:
        """Close unowned feeds that lingered long enough (the app calls this now and then)."""
        with self._lock:
            self._reconcile()

    @property
    def limited_note(self) -> str:
        return f"not watched ({self._limit})"

    def is_open(self, cluster: str) -> bool:
        with self._lock:
            feed = self.feeds.get(cluster)
            return feed is not None and not feed.opening

    def open_count(self) -> int:
        with self._lock:
            return len(self.feeds)

    def watched(self, cluster: str) -> bool:
        with self._lock:
            return cluster in self.feeds

    def set_schedules(self, names: dict[str, list[str]]) -> None:
        """The Kurator schedules aimed at each member changed: re-scope the runs watches."""
        with self._lock:
            if names == self._schedules:
                return
            self._schedules = names
            for feed in self.feeds.values():
                if not feed.opening and feed.selectors.get("runs") != part_selector(
                        "runs", names.get(feed.cluster, [])) and "runs" in self._parts(
                        feed.cluster):
                    self._submit(partial(self._start_parts, feed))

    def refresh_schedules(self) -> None:
        s = self.session
        self.set_schedules(schedule_names(s.store, s.context or "", s.namespace))

    # ---- deciding what is open (under the lock) -------------------------------------------
    def _ranked(self) -> list[str]:
        ranked: dict[str, None] = {}
        for _, wanted, _ in sorted(self.owners.values(), key=lambda o: -o[0]):
            ranked.update(dict.fromkeys(wanted))
        return list(ranked)

    def _parts(self, cluster: str) -> set[str]:
        return {p for _, wanted, kinds in self.owners.values() if cluster in wanted
                for k in kinds for p in PARTS.get(k, ())}

    def _cost(self, cluster: str) -> int:
        """Connections the owners' wants of this member take: one per watched part."""
        return max(1, len(self._parts(cluster) - {"bsl"}))

    def _grant(self, ranked: list[str]) -> tuple[list[str], int]:
        """The members that fit (most important first), and the connections they take."""
        granted: list[str] = []
        used = 0
        for cluster in ranked:
            feed = self.feeds.get(cluster)
            cost = max(self._cost(cluster), feed.cost if feed is not None else 0)
            if len(granted) >= self.cap or used + cost > self.connections:
                self._limit = (f"limit {self.cap}" if len(granted) >= self.cap else
                               f"limit {self.connections} connections")
                break
            granted.append(cluster)
            used += cost
        return granted, used

    def _reconcile(self) -> None:
        if self._closed or self.disabled:
            return
        now = self.clock()
        ranked = self._ranked()
        granted, used = self._grant(ranked)
        self.limited = set(ranked[len(granted):])
        keep = set(granted)
        for cluster in granted:
            feed = self.feeds.get(cluster)
            if feed is not None:
                feed.wanted_at, feed.released_at = now, None
                feed.cost = max(feed.cost, self._cost(cluster))
                if not feed.opening and not self._parts(cluster) <= set(feed.selectors):
                    self._submit(partial(self._start_parts, feed))
        self._linger(now, keep, self.connections - used)
        self._open_granted(now, granted)

    def _linger(self, now: float, keep: set[str], room: int) -> None:
        """Keep the most recently wanted unowned feeds that fit in `room` connections and in
        the member cap (at most linger_max, for linger seconds); close the rest."""
        unowned = sorted((f for c, f in self.feeds.items() if c not in keep),
                         key=lambda f: -f.wanted_at)
        kept, most = 0, min(self.linger_max, self.cap - len(keep))
        for feed in unowned:
            if feed.released_at is None:
                feed.released_at = now
            expired = now - feed.released_at >= self.linger
            if expired or feed.cluster in self.limited or kept >= most or \
                    feed.cost > room:
                self._close(feed)
            else:
                kept += 1
                room -= feed.cost

    def _open_granted(self, now: float, granted: list[str]) -> None:
        """Open the granted members not open yet, as far as the connections of the feeds
        open and still closing allow; the rest open when a closing feed is shut (_shut)."""
        in_use = sum(f.cost for f in [*self.feeds.values(), *self._closing])
        for cluster in granted:
            if cluster in self.feeds:
                continue
            cost = self._cost(cluster)
            if in_use + cost > self.connections:
                continue
            in_use += cost
            self.feeds[cluster] = Feed(cluster, now, cost=cost)
            self._submit(partial(self._open, self.feeds[cluster]))

    def _close(self, feed: Feed) -> None:
        del self.feeds[feed.cluster]
        feed.closed = True
        self._closing.add(feed)  # until shut: close() must stop its watches too
        self._submit(partial(self._shut, feed), first=True)  # sockets freed before new ones

    # ---- work (setup threads) ------------------------------------------------------------
    def _submit(self, job: Callable[[], None], first: bool = False) -> None:
        if first:
            self._jobs.appendleft(job)
        else:
            self._jobs.append(job)
        self._workers = [t for t in self._workers if t.is_alive()]
        if len(self._workers) < min(self.parallel, len(self._jobs)):
            t = threading.Thread(target=self._work, name="member-feeds", daemon=True)
            self._workers.append(t)
            t.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._workers = [t for t in self._workers
                                     if t is not threading.current_thread()]
                    last = not self._workers
                    break
                job = self._jobs.popleft()
            job()
        host = self.session.host
        if last and host is not None:  # the secrets read in parallel left idle host sockets
            host.drop_idle()

    def _open(self, feed: Feed) -> None:
        s = self.session
        with self._lock:
            parked = None if feed.closed else self._parked.pop(feed.cluster, None)
        if parked is not None:  # reached before: the same route, no secret read, no probe
            s.members.setdefault(feed.cluster, parked)
        client: KubeClient | None = None
        if not feed.closed:
            try:
                client = s.member(feed.cluster)
            except KubeError as e:
                s.member_errors[feed.cluster] = e.message
                if not feed.closed:
                    s.retry_later(feed.cluster)
            else:
                s.member_errors.pop(feed.cluster, None)
        with self._lock:
            feed.client, feed.opening = client, False
            closed = feed.closed
        if closed:  # closed before or while it was being reached: its _shut waited for this
            self._shut(feed)
        elif client is not None:
            self._start_parts(feed)

    def retry(self, cluster: str) -> None:
        """MemberRetry's attempt: reach the member again if it is still wanted."""
        with self._lock:
            feed = self.feeds.get(cluster)
            if feed is None or feed.client is not None:
                return
            feed.opening = True
        self._open(feed)

    def _start_parts(self, feed: Feed) -> None:
        """Start what the owners want of this member and is not running; restart a part whose
        selector changed (a new schedule aimed at it)."""
        from fleettui.kube.watch import ListWatch  # loads the kubernetes client

        s = self.session
        with self._lock:
            if feed.closed or feed.client is None:
                return
            parts = self._parts(feed.cluster)
            schedules = self._schedules.get(feed.cluster, [])
            todo: list[tuple[str, str | None]] = []
            for part in sorted(parts):
                selector = None if part == "bsl" else part_selector(part, schedules)
                if part not in feed.selectors or feed.selectors[part] != selector:
                    todo.append((part, selector))
                    feed.selectors[part] = selector
            client = feed.client
        for part, selector in todo:
            if part == "bsl":  # first, on the probe's connection, which a watch then reuses
                self._poll(feed, client, keep_connection=True)
                self._ensure_poller()
                continue
            old = feed.parts.pop(part, None)
            if old is not None:
                old.stop()
                old.thread.join(2.0)
                feed.sinks[part].drop(feed.cluster, old.res)
            if selector is None:
                continue
            sink = feed.sinks.setdefault(part, PartSink(s.store))
            w = ListWatch(client, PART_RESOURCES[part], s.member_velero_namespace, sink,
                          s.settings, selector)
            with self._lock:
                if feed.closed:
                    return
                feed.parts[part] = w
            w.start()

    def _poll(self, feed: Feed, client: KubeClient, keep_connection: bool = False) -> None:
        s = self.session
        feed.polled_at = self.clock()
        try:
            items = client.list(kc.VELERO_BSLS, s.member_velero_namespace)["items"]
        except KubeError as e:
            from fleettui.kube.watch import describe

            s.store.state(feed.cluster, kc.VELERO_BSLS, *describe(e))
            return
        finally:
            if not keep_connection:
                client.drop_idle()
        if not feed.closed:
            s.store.replace(feed.cluster, kc.VELERO_BSLS, list(items or []))
            s.store.state(feed.cluster, kc.VELERO_BSLS, kc.SYNCED, "")

    def _ensure_poller(self) -> None:
        with self._lock:
            if self._poller is None and not self._closed:
                self._poller = threading.Thread(target=self._poll_loop, name="member-bsl-poll",
                                                daemon=True)
                self._poller.start()

    def _poll_loop(self) -> None:
        while not self._closed:
            self._wake.wait(min(BSL_POLL, max(1.0, self.linger)))
            self._wake.clear()
            if self._closed:
                return
            self.tick()
            with self._lock:
                due = [f for f in self.feeds.values() if f.client is not None and
                       "bsl" in f.selectors and self.clock() - f.polled_at >= BSL_POLL]
            for feed in due:
                if feed.client is not None and not self._closed:
                    self._poll(feed, feed.client)

    def _shut(self, feed: Feed) -> None:
        """Stop a closed feed's watches and close its client, then free its connections for
        the feeds waiting for them. While its set-up runs, that set-up's end does this (the
        connection it is making counts until then)."""
        s = self.session
        with self._lock:
            if feed.opening or feed not in self._closing:
                return
        parts = list(feed.parts.values())
        for w in parts:
            w.stop()
        for w in parts:
            w.thread.join(2.0)
        with self._lock:
            reopening = feed.cluster in self.feeds  # wanted again meanwhile: a new feed opens
            client = None if reopening else s.members.pop(feed.cluster, None)
        if client is not None:
            client.close()  # its sockets are free before the feeds waiting for them open
            self._park(feed.cluster, client)
        if not reopening:
            s.forget_retry(feed.cluster)
            s.member_errors.pop(feed.cluster, None)
            s.store.forget_cluster(feed.cluster)
        with self._lock:
            self._closing.discard(feed)
            self._reconcile()

    def _park(self, cluster: str, client: KubeClient) -> None:
        with self._lock:
            if self._closed:
                return
            self._parked[cluster] = client
            self._parked.move_to_end(cluster)
            while len(self._parked) > PARKED_MAX:
                self._parked.popitem(last=False)

    def close(self, wait: float = 0.0) -> None:
        """Stop every feed and the worker threads (the session is ending)."""
        with self._lock:  # under the lock: no part registers on a feed after this
            self._closed = True
            feeds, self.feeds = [*self.feeds.values(), *self._closing], {}
            self._closing = set()
            for f in feeds:
                f.closed = True
            watches = [w for f in feeds for w in f.parts.values()]
            self._parked.clear()  # their connections are closed already
            self._jobs.clear()
            workers = list(self._workers)
            poller = self._poller
        self._wake.set()
        for w in watches:
            w.stop()
        deadline = time.monotonic() + wait
        for t in [*(w.thread for w in watches), *workers, *([poller] if poller else [])]:
            if t is not threading.current_thread() and t.ident is not None:
                t.join(max(0.0, deadline - time.monotonic()))
