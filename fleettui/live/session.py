"""A session on one kubeconfig: the host and member clients and the watches feeding the store.

Kurator mode: the context is a Kurator host; fleets, AttachedClusters and Kurator Backups are
watched there, and each member's Velero objects are watched through the member's kubeconfig
secret (when readable), which is more live than Kurator's 30 s status copy.
Velero mode (no Kurator CRDs): every kubeconfig context is a member of one implicit fleet.
All methods block; callers run them in worker threads.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient, Resource, list_contexts
from fleettui.kube.errors import KubeError
from fleettui.kube.fleets import has_group, member_client
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.backends import Backend, backend_for
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
    watches: list[ListWatch] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    _backend: Backend | None = None

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
            client = member_client(self.host, self.namespace, cluster)
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
            self.member_errors[cluster] = str(e)
            return
        for res in MEMBER_FEEDS:
            self._watch(client, res, self.member_velero_namespace)

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
        for w in watches:
            w.stop()
        deadline = time.monotonic() + wait
        for w in watches:
            w.thread.join(max(0.0, deadline - time.monotonic()))

