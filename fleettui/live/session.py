"""A session on one kubeconfig: the host and member clients and the watches feeding the store.

Kurator mode: the context is a Kurator host; fleets, AttachedClusters and Kurator Backups are
watched there, and each member's Velero objects are watched through the member's kubeconfig
secret (when readable), which is more live than Kurator's 30 s status copy.
Velero mode (no Kurator CRDs): every kubeconfig context is a member of one implicit fleet.
All methods block; callers run them in worker threads.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient, Resource, list_contexts
from fleettui.kube.errors import KubeError
from fleettui.kube.fleets import has_group
from fleettui.kube.member_access import MemberAccess, reach_member
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.backends import Backend, backend_for
from fleettui.live.member_feeds import MemberFeeds
from fleettui.live.store import LiveStore

HOST_FEEDS = (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS)
MEMBER_FEEDS = (kc.VELERO_BACKUPS, kc.VELERO_SCHEDULES, kc.VELERO_BSLS)
KURATOR = "kurator"
VELERO = "velero"


@dataclass
class Session:
    kubeconfig: str | None
    context: str | None
    namespace: str = "default"
    # Where Velero runs in plain Velero mode (OADP: openshift-adp); Kurator always uses velero.
    velero_namespace: str = "velero"
    settings: WatchSettings = field(default_factory=WatchSettings)
    store: LiveStore = field(default_factory=LiveStore)
    mode: str = ""
    host: KubeClient | None = None
    members: dict[str, KubeClient] = field(default_factory=dict)
    member_errors: dict[str, str] = field(default_factory=dict)
    contexts: list[str] = field(default_factory=list)  # Velero mode: the fleet
    member_contexts: dict[str, str] = field(default_factory=dict)  # --member-context
    access: dict[str, MemberAccess] = field(default_factory=dict)  # how each member is reached
    watches: list[ListWatch] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    _backend: Backend | None = None
    _retry: MemberRetry | None = None
    _feeds: MemberFeeds | None = None
    # Today's design before #12 item 4, for the scale benchmarks to compare: every member of
    # every fleet watched whole (3 watches each) as soon as it is known.
    watch_all: bool = field(default_factory=lambda: os.environ.get("FLEETTUI_WATCH_ALL") == "1")

    def connect(self) -> str:
        """Decide the mode and start the host watches; returns the mode."""
        host = KubeClient.from_kubeconfig(self.kubeconfig, self.context)
        self.host = host
        if has_group(host, "backup.kurator.dev"):
            self.mode = KURATOR
            for res in HOST_FEEDS:
                self._watch(host, res, self.namespace)
        else:
            self.mode = VELERO
            self.contexts, _ = list_contexts(self.kubeconfig)
            for name in self.contexts:
                self.watch_member(name)
        return self.mode

    def _watch(self, client: KubeClient, res: Resource, namespace: str | None) -> None:
        w = ListWatch(client, res, namespace, self.store, self.settings)
        with self._lock:
            if self._closed:  # a worker asked for a member's watches while the app was ending
                return
            self.watches.append(w)
        w.start()

    @property
    def feeds(self) -> MemberFeeds:
        """Member feeds opened for what screens and commands show (live/member_feeds.py)."""
        with self._lock:
            if self._feeds is None:
                self._feeds = MemberFeeds(self)
                self._feeds.disabled = self._closed
            return self._feeds

    def watch_extra(self, cluster: str, res: Resource, namespace: str | None) -> None:
        """Watch one more resource of a cluster (once; stopped at close): the host's Kurator
        Restores and Migrates, say."""
        with self._lock:
            if any(w.client.name == cluster and w.res == res for w in self.watches):
                return
        client = self.host if self.host is not None and cluster == self.host.name else \
            self.member(cluster)
        self._watch(client, res, namespace)

    def member(self, cluster: str) -> KubeClient:
        """The member's client (through its AttachedCluster secret), built once."""
        with self._lock:
            if cluster in self.members:
                return self.members[cluster]
        if self.host is None:
            raise KubeError(0, "NotConnected", "not connected")
        if self.mode == VELERO:
            client = KubeClient.from_kubeconfig(self.kubeconfig, cluster)
        else:
            access = reach_member(self.host, self.namespace, cluster, self.kubeconfig,
                                  self.member_contexts, self.member_velero_namespace)
            self.access[cluster] = access
            if access.client is None:
                raise KubeError(0, "NoAccess", access.said(), [], cluster)
            client = access.client
        with self._lock:
            self.members.setdefault(cluster, client)
            return self.members[cluster]

    def watch_member(self, cluster: str) -> None:
        """Start watching a member's Velero objects; records why when it can't."""
        with self._lock:
            if any(w.client.name == cluster for w in self.watches):
                return
        try:
            client = self.member(cluster)
        except KubeError as e:
            self.member_errors[cluster] = e.message
            self._retry_later(cluster)
            return
        self.member_errors.pop(cluster, None)
        for res in MEMBER_FEEDS:
            self._watch(client, res, self.member_velero_namespace)

    def unwatch_member(self, cluster: str) -> None:
        """A member that left every fleet: its watches end, its client closes, its objects
        leave the store (nothing of it stays on screen or on the network)."""
        with self._lock:
            mine = [w for w in self.watches if w.client.name == cluster]
            self.watches = [w for w in self.watches if w.client.name != cluster]
            client = self.members.pop(cluster, None)
            retry = self._retry
        for w in mine:
            w.stop()
        if retry is not None:
            retry.forget(cluster)
        for w in mine:
            w.thread.join(2.0)
        if client is not None:
            client.close()
        self.member_errors.pop(cluster, None)
        self.access.pop(cluster, None)
        self.store.forget_cluster(cluster)

    def _retry_later(self, cluster: str) -> None:
        with self._lock:
            if self._closed:
                return
            if self._retry is None:
                self._retry = MemberRetry(self._attempt)
            retry = self._retry
        retry.add(cluster)

    def retry_later(self, cluster: str) -> None:
        """Try to reach the member again later, on its capped backoff (MemberRetry)."""
        self._retry_later(cluster)

    def forget_retry(self, cluster: str) -> None:
        with self._lock:
            retry = self._retry
        if retry is not None:
            retry.forget(cluster)

    def _attempt(self, cluster: str) -> None:
        feeds = self._feeds
        if feeds is not None and feeds.watched(cluster):
            feeds.retry(cluster)
        else:
            self.watch_member(cluster)

    @property
    def member_velero_namespace(self) -> str:
        """Kurator installs Velero in `velero` on every member (its VeleroNamespace constant)."""
        return "velero" if self.mode == KURATOR else self.velero_namespace

    @property
    def backend(self) -> Backend:
        """What the views ask about backups, per mode (set once connected)."""
        if self._backend is None or self._backend.mode != self.mode:
            self._backend = backend_for(self)
        return self._backend

    def close(self, wait: float = 0.0) -> None:
        """Stop every watch, and any a late watch_member would start: none outlives the app.
        `wait`: seconds, in all, to let the threads end (a stopped read ends at once, a request
        in flight when its answer comes)."""
        with self._lock:
            self._closed = True
            watches, self.watches = self.watches, []
            retry = self._retry
            feeds = self._feeds
        for w in watches:
            w.stop()
        if retry is not None:
            retry.stop()
        deadline = time.monotonic() + wait
        if feeds is not None:
            feeds.close(wait)
        for w in watches:
            w.thread.join(max(0.0, deadline - time.monotonic()))
        if retry is not None:
            retry.thread.join(max(0.0, deadline - time.monotonic()))



class MemberRetry:
    """Members that could not be reached are tried again, each on its own capped backoff
    (RETRY_MIN doubling to RETRY_MAX), by one thread for all of them."""

    RETRY_MIN = 5.0
    RETRY_MAX = 120.0

    def __init__(self, attempt: Callable[[str], None]) -> None:
        self.attempt = attempt
        self.due: dict[str, float] = {}
        self.tries: dict[str, int] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopped = False
        self.thread = threading.Thread(target=self.run, name="member-retry", daemon=True)
        self.thread.start()

    def add(self, cluster: str) -> None:
        with self.lock:
            tries = self.tries[cluster] = self.tries.get(cluster, 0) + 1
            delay = min(self.RETRY_MAX, self.RETRY_MIN * 2 ** (tries - 1))
            self.due[cluster] = time.monotonic() + delay * random.uniform(0.8, 1.2)
        self.wake.set()

    def forget(self, cluster: str) -> None:
        with self.lock:
            self.due.pop(cluster, None)
            self.tries.pop(cluster, None)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()

    def run(self) -> None:
        while not self.stopped:
            now = time.monotonic()
            with self.lock:
                ready = [c for c, t in self.due.items() if t <= now]
                for cluster in ready:
                    del self.due[cluster]
                nxt = min(self.due.values(), default=None)
            for cluster in ready:
                if self.stopped:
                    return
                with self.lock:
                    wanted = cluster in self.tries  # not forgotten meanwhile
                if wanted:
                    self.attempt(cluster)  # fails: adds the member back, later
            self.wake.wait(None if nxt is None else max(0.0, nxt - time.monotonic()))
            self.wake.clear()
