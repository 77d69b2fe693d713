"""The fleet simulator on real kube-apiservers: `fleettui sim --api real`.

A host and N members, each its own kube-apiserver with embedded etcd (the realapi/ launcher,
built once into the cache by sim/realapi_build.py), prepared with the Kurator and Velero CRDs
and the test users' RBAC; the seeded world (fleet, AttachedClusters with their kubeconfig
secrets, namespaces, pods, Velero's storage location) is created through the API, and the
simulator's Kurator and Velero controllers run as API clients of those servers (sim/api_store.py)
with their own field managers, the admin token being the only identity the launcher offers
a controller.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fleettui.kube.client import KubeClient
from fleettui.kube.watch import WatchSettings
from fleettui.sim.api_store import ApiStore
from fleettui.sim.bucket import Bucket
from fleettui.sim.controllers.download import DownloadController
from fleettui.sim.controllers.kurator import KuratorBackupController
from fleettui.sim.controllers.kurator_restore import KuratorRestoreController
from fleettui.sim.controllers.velero import VeleroController, VeleroSettings, set_storage
from fleettui.sim.controllers.velero_restore import VeleroRestoreController
from fleettui.sim.fleet import HOST, SimConfig, SimThread
from fleettui.sim.object_store import ObjectStore
from fleettui.sim.realapi_build import SOURCES, Binaries, BuildError, ensure_built, go_binary
from fleettui.sim.realapi_server import (
    USERS,
    RealServer,
    launch,
    start_servers,
    stop_servers,
    wait_ready,
)
from fleettui.sim.types import CRDS, HOST_GROUPS, MEMBER_GROUPS, cluster_types
from fleettui.sim.world import member_name, seed_host, seed_member

MAX_SERVERS = 3  # each real server holds about 370 MiB
# On SIGTERM kube-apiserver's HTTP server waits for open connections, watches included, up to
# its ShutdownTimeout (60 s; apiserver pkg/server/genericapiserver.go); in this mode it waits
# 2 s once the short requests are drained, so a restart with watchers attached takes seconds.
SERVER_FLAGS = ("--shutdown-send-retry-after=true",)
# The controllers' watches: a dead member is seen again within seconds.
CONTROLLER_WATCH = WatchSettings(backoff_max=1.0, backoff_long_max=5.0)


class RealApiUnavailable(Exception):
    """Why real API servers cannot be started here (no Go, no realapi/ sources, build failed)."""


def binaries() -> Binaries:
    """The launcher and kubectl from the cache, built now when missing (minutes, once)."""
    go = go_binary()
    if go is None:
        raise RealApiUnavailable("go is not on PATH: the real kube-apiserver is built from Go "
                                 "modules (realapi/go.mod); install Go 1.26")
    if not (SOURCES / "go.mod").exists():
        raise RealApiUnavailable(f"{SOURCES} is missing: --api real needs a fleettui checkout")
    try:
        return ensure_built(go)
    except (BuildError, TimeoutError, OSError) as e:
        raise RealApiUnavailable(str(e)) from e


def member_kubeconfig(server: RealServer, name: str, user: str = "admin") -> str:
    """A server's kubeconfig for `user` with the CA inline, as a Secret must carry it."""
    return yaml.safe_dump(kubeconfig({name: server}, name, user), sort_keys=False)


def kubeconfig(servers: dict[str, RealServer], current: str, user: str = "admin"
               ) -> dict[str, Any]:
    """One context per server, named after its cluster; each server has its own CA and
    tokens, so each context has its own user."""
    def ca(server: RealServer) -> str:
        return base64.b64encode(Path(server.info["ca_cert"]).read_bytes()).decode()

    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": current,
        "clusters": [{"name": n, "cluster": {"server": s.url, "certificate-authority-data":
                                             ca(s)}} for n, s in servers.items()],
        "users": [{"name": f"{n}-{user}", "user": {"token": s.token(user)}}
                  for n, s in servers.items()],
        "contexts": [{"name": n, "context": {"cluster": n, "user": f"{n}-{user}",
                                             "namespace": "default"}}
                     for n, s in servers.items()]}


@dataclass
class RealCluster:
    name: str
    server: RealServer
    store: ApiStore | None = None

    @property
    def url(self) -> str:
        return self.server.url


def client_for(cluster: RealCluster) -> KubeClient:
    """The controllers' client of one server; should its credentials change (a server started
    anew in its directory) its watches re-read them, as fleettui's own clients do."""
    def current() -> str:
        return member_kubeconfig(cluster.server, cluster.name)

    return KubeClient.from_kubeconfig_text(current(), cluster.name, reread=current)


def start_controllers(c: SimConfig, host: ApiStore, members: dict[str, ApiStore],
                      bucket: Bucket, objects: ObjectStore
                      ) -> tuple[list[Any], list[VeleroController]]:
    """Kurator's controllers on the host and Velero's on every member, started, as API clients
    of whichever servers the stores read (real servers here, existing contexts too)."""
    kurator = KuratorBackupController(host, members.get, c.sync_interval)
    controllers: list[Any] = [kurator, KuratorRestoreController(kurator)]
    veleros = []
    for name, store in members.items():
        settings = VeleroSettings(c.member_backup_seconds.get(name, c.backup_seconds),
                                  c.failure_rate, c.speed, bucket_sync=c.bucket_sync)
        settings.configure({"outcome": c.member_outcome.get(name, "")})
        velero = VeleroController(store, settings, bucket, objects)
        veleros.append(velero)
        controllers += [velero, VeleroRestoreController(store, settings, bucket, objects),
                        DownloadController(store, objects)]
    for controller in controllers:
        controller.start()
    return controllers, veleros


@dataclass
class RealFleet:
    config: SimConfig
    binaries: Binaries
    directory: Path
    clusters: list[RealCluster] = field(default_factory=list)
    bucket: Bucket = field(default_factory=Bucket)
    objects: ObjectStore = field(default_factory=ObjectStore)
    controllers: list[Any] = field(default_factory=list)
    veleros: list[VeleroController] = field(default_factory=list)

    @property
    def host(self) -> RealCluster:
        return self.clusters[0]

    @property
    def members(self) -> list[RealCluster]:
        return self.clusters[1:]

    def cluster(self, name: str) -> RealCluster:
        return next(c for c in self.clusters if c.name == name)

    def compaction(self) -> str:
        return f"{self.config.compact_interval:g}s" if self.config.compact_interval > 0 else "5m"

    async def start(self) -> None:
        if self.config.clusters + 1 > MAX_SERVERS:
            raise RealApiUnavailable(f"--api real runs at most {MAX_SERVERS - 1} members "
                                     "(each real server holds about 370 MiB)")
        servers = await asyncio.to_thread(
            start_servers, self.binaries, self.directory, self.config.clusters + 1,
            SERVER_FLAGS, self.compaction())
        names = [HOST, *(member_name(i) for i in range(1, self.config.clusters + 1))]
        self.clusters = [RealCluster(n, s) for n, s in zip(names, servers, strict=True)]
        try:
            await self._connect_and_seed()
        except BaseException:
            await self.stop()
            raise

    async def _connect_and_seed(self) -> None:
        loop = asyncio.get_running_loop()
        host_types = [t for t in cluster_types(HOST_GROUPS)[0] if t is not CRDS]
        member_types = [t for t in cluster_types(MEMBER_GROUPS)[0] if t is not CRDS]
        for c in self.clusters:
            types = host_types if c is self.host else member_types
            c.store = ApiStore(c.name, client_for(c), types, loop,
                               CONTROLLER_WATCH)
            c.store.start()
        for c in self.clusters:
            assert c.store is not None
            await c.store.synced()
        self._seed()
        await self.objects.start()
        self._start_controllers()

    def _store(self, c: RealCluster) -> ApiStore:
        assert c.store is not None
        return c.store

    def _seed(self) -> None:
        for i, m in enumerate(self.members, start=1):
            seed_member(self._store(m), [], i)
            if m.name in self.config.member_storage:
                set_storage(self._store(m), self.config.member_storage[m.name])
        seed_host(self._store(self.host), [], {m.name: m.url for m in self.members}, "", "",
                  {m.name: member_kubeconfig(m.server, m.name) for m in self.members})

    def member_store(self, name: str) -> ApiStore | None:
        return next((m.store for m in self.members if m.name == name), None)

    def _start_controllers(self) -> None:
        self.controllers, self.veleros = start_controllers(
            self.config, self._store(self.host), {m.name: self._store(m) for m in self.members},
            self.bucket, self.objects)

    async def stop(self) -> None:
        for controller in self.controllers:
            await controller.stop()
        for c in self.clusters:
            if c.store is not None:
                await asyncio.to_thread(c.store.stop)
                c.store.client.close()
        await self.objects.stop()
        await asyncio.to_thread(stop_servers, [c.server for c in self.clusters])

    async def restart(self, name: str) -> None:
        """Stop one server (SIGTERM) and start it again on the same port with what it had:
        etcd data, CA, certificates and user tokens (the launcher's --keep-data)."""
        cluster = self.cluster(name)
        old = cluster.server
        await asyncio.to_thread(stop_servers, [old])
        port = old.url.rsplit(":", 1)[1]
        new = launch(self.binaries, old.dir, SERVER_FLAGS, self.compaction(),
                     launcher_args=["--port", port, "--keep-data"])
        cluster.server = await asyncio.to_thread(wait_ready, new)  # CRDs and RBAC are kept

    # ---- what users get ----------------------------------------------------------------
    def kubeconfig(self, user: str = "admin") -> dict[str, Any]:
        if user not in USERS:
            raise KeyError(f"no real-server user {user!r}; known: {', '.join(USERS)}")
        return kubeconfig({c.name: c.server for c in self.clusters}, HOST, user)

    def write_kubeconfig(self, path: Path, readonly: bool = False, user: str = "") -> None:
        """As SimFleet's: `user` one of USERS, `readonly` the read-only one."""
        user = user or ("readonly" if readonly else "admin")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.kubeconfig(user), sort_keys=False))
        path.chmod(0o600)

    def write_kubeconfigs(self, directory: Path) -> list[Path]:
        written = []
        for user in USERS:
            path = directory / f"{user}.yaml"
            self.write_kubeconfig(path, user=user)
            written.append(path)
        return written


class RealFleetThread(SimThread):
    """A RealFleet on its own event loop in a daemon thread (tests)."""

    def __init__(self, config: SimConfig, binaries: Binaries, directory: Path) -> None:
        super().__init__(config)
        self.binaries = binaries
        self.directory = directory
        self.real: RealFleet | None = None

    def start_real(self, timeout: float = 300.0) -> RealFleet:
        self.thread.start()
        self.real = RealFleet(self.config, self.binaries, self.directory)
        try:
            self.run(self.real.start(), timeout)
        except BaseException:
            self.real = None
            self.stop()
            raise
        return self.real

    def stop(self) -> None:
        if self.real is not None and not self.loop.is_closed():
            real, self.real = self.real, None
            with contextlib.suppress(Exception):
                self.run(real.stop(), 120.0)
        super().stop()

