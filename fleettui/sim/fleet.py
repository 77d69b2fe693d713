"""The fleet simulator: one host and N member API servers on 127.0.0.1, with their controllers.

`SimFleet` runs on an asyncio loop (the `fleettui sim` command's, or a background thread's via
`SimThread`, which tests, benchmarks and `fleettui demo` use).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from aiohttp import web

from fleettui.sim.auth import ADMIN, READONLY, VIEWER, namespace_user
from fleettui.sim.bucket import Bucket
from fleettui.sim.controllers.download import DownloadController
from fleettui.sim.controllers.kurator import KuratorBackupController
from fleettui.sim.controllers.kurator_restore import KuratorRestoreController
from fleettui.sim.controllers.velero import VeleroController, VeleroSettings, set_storage
from fleettui.sim.controllers.velero_restore import VeleroRestoreController
from fleettui.sim.exec_plugin import exec_kubeconfig, plugin_script
from fleettui.sim.listen import bound_socket
from fleettui.sim.object_store import ObjectStore
from fleettui.sim.server import ApiServer, Auth
from fleettui.sim.store import ClusterStore
from fleettui.sim.tls import TlsMaterial
from fleettui.sim.types import HOST_GROUPS, MEMBER_GROUPS, cluster_types
from fleettui.sim.world import kubeconfig, member_name, seed_host, seed_member, unreachable_url

HOST = "kurator-host"
T = TypeVar("T")


@dataclass
class SimConfig:
    """Everything `fleettui sim` / `fleettui demo` flags set; tests build it directly.

    The strict-cluster knobs (all off by default except bookmarks):
    * `token_ttl`: user tokens (kubeconfigs, minted ones) get 401 this many seconds after they
      were issued; the AttachedCluster secrets' `member_token` never expires (as a service
      account token). `write_exec_kubeconfig` gives a kubeconfig whose plugin mints fresh ones.
    * `namespace_users`: one user `ns-<NS>` per entry, with rights inside NS only.
    * `unreachable_secrets`: members (or "*" for all) whose AttachedCluster secret names
      `https://<cluster>.kurator-system.svc.invalid:6443` instead of the loopback URL.
    * `bookmark_seconds`: watch bookmarks (kube-apiserver: about 60 s).
    * `compact_interval`: history older than the previous tick is dropped each tick (real
      --etcd-compaction-interval: 300 s); older watches and `continue` tokens get 410.
    * `max_inflight`: reads (and writes) beyond N at once get 429 + Retry-After; watches free.
    """

    clusters: int = 2
    port: int = 0  # host port; members take the following ports. 0 = any free ports
    speed: float = 1.0  # schedules fire `speed` times faster than their cron says
    sync_interval: float = 30.0  # Kurator's status poll period
    backup_seconds: float = 3.0
    failure_rate: float = 0.0
    # Per member cluster (by name), overriding the two above: how long its backups run, and
    # how every one of them ends ("Failed", "PartiallyFailed", "FailedValidation", "Completed").
    member_backup_seconds: dict[str, float] = field(default_factory=dict)
    member_outcome: dict[str, str] = field(default_factory=dict)
    # Per member: its storage location Unavailable or ReadOnly (else Available).
    member_storage: dict[str, str] = field(default_factory=dict)
    # Velero's sync of the shared bucket (real default: 60 s): every member then lists every
    # member's backups, and a migrate's backup reaches its targets. 0: no sync.
    bucket_sync: float = 0.0
    state: Path | None = None
    audit_log: Path | None = None
    window: int = 20000  # watch events kept per cluster before a 410
    bookmark_seconds: float = 60.0
    compact_interval: float = 0.0  # 0: history bounded by `window` only
    max_inflight: int = 0  # 0: no limit
    token_ttl: float = 0.0  # 0: tokens never expire
    namespace_users: list[str] = field(default_factory=lambda: ["default", "velero"])
    unreachable_secrets: list[str] = field(default_factory=list)  # member names, or ["*"]
    admin_token: str = field(default_factory=lambda: "admin-" + secrets.token_hex(8))
    readonly_token: str = field(default_factory=lambda: "readonly-" + secrets.token_hex(8))
    viewer_token: str = field(default_factory=lambda: "viewer-" + secrets.token_hex(8))
    member_token: str = field(default_factory=lambda: "member-" + secrets.token_hex(8))
    namespace_tokens: dict[str, str] = field(default_factory=dict)  # NS → token, filled in

    def user_tokens(self) -> dict[str, str]:
        """User → the token its kubeconfig carries."""
        for ns in self.namespace_users:
            self.namespace_tokens.setdefault(ns, f"{namespace_user(ns)}-{secrets.token_hex(8)}")
        return {ADMIN: self.admin_token, READONLY: self.readonly_token,
                VIEWER: self.viewer_token,
                **{namespace_user(ns): self.namespace_tokens[ns] for ns in self.namespace_users}}

    def secret_unreachable(self, cluster: str) -> bool:
        return "*" in self.unreachable_secrets or cluster in self.unreachable_secrets


@dataclass
class Cluster:
    name: str
    store: ClusterStore
    api: ApiServer
    port: int = 0
    runner: web.AppRunner | None = None
    reachable: bool = True

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


class SimFleet:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.audit: list[dict[str, Any]] = []
        self.auth = Auth(ttl=config.token_ttl)
        self._issue_tokens()
        host_types, self.host_crds = cluster_types(HOST_GROUPS)
        member_types, self.member_crds = cluster_types(MEMBER_GROUPS)
        self.host = self._cluster(HOST, host_types)
        self.members = [self._cluster(member_name(i + 1), member_types)
                        for i in range(config.clusters)]
        self.kurator = KuratorBackupController(self.host.store, self.member_store,
                                               config.sync_interval)
        self.bucket = Bucket()  # one storage location for the whole fleet, as Kurator sets up
        self.objects = ObjectStore()  # that location's logs, results and resource lists
        self.veleros = [VeleroController(m.store, self._velero_settings(m.name), self.bucket,
                                         self.objects)
                        for m in self.members]
        self.restores = KuratorRestoreController(self.kurator)
        self.velero_restores = [VeleroRestoreController(v.store, v.settings, self.bucket,
                                                        self.objects)
                                for v in self.veleros]
        self.downloads = [DownloadController(m.store, self.objects) for m in self.members]
        for m, velero, dl in zip(self.members, self.veleros, self.downloads, strict=True):
            m.api.controls["velero"] = velero.settings.configure
            m.api.controls["downloads"] = dl.faults.configure
        self._audit_file: Any = None
        self._compactor: asyncio.Future[None] | None = None
        self.tls = TlsMaterial.create()

    def _issue_tokens(self) -> None:
        self.auth.creds.clear()
        for user, token in self.config.user_tokens().items():
            self.auth.issue(token, user)
        self.auth.issue(self.config.member_token, ADMIN, expiring=False)

    def _velero_settings(self, member: str) -> VeleroSettings:
        c = self.config
        settings = VeleroSettings(c.member_backup_seconds.get(member, c.backup_seconds),
                                  c.failure_rate, c.speed, bucket_sync=c.bucket_sync)
        settings.configure({"outcome": c.member_outcome.get(member, "")})
        return settings

    def _cluster(self, name: str, types: list[Any]) -> Cluster:
        store = ClusterStore(name, types, self.config.window)
        api = ApiServer(store, self.auth, self.audit, self.config.bookmark_seconds,
                        self.config.max_inflight)
        return Cluster(name, store, api)

    @property
    def clusters(self) -> list[Cluster]:
        return [self.host, *self.members]

    def cluster(self, name: str) -> Cluster:
        for c in self.clusters:
            if c.name == name:
                return c
        raise KeyError(name)

    def member_store(self, name: str) -> ClusterStore | None:
        for m in self.members:
            if m.name == name:
                return m.store if m.reachable else None
        return None

    # ---- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        saved = self._load_state()
        if saved and "tls" in saved:
            self.tls = TlsMaterial.load(saved["tls"])
        self._ssl = self.tls.server_context()
        ports = saved.get("ports", {}) if saved else {}
        await self.objects.start(int(ports.get("objects") or 0))
        if saved and "tokens" in saved:
            # Kubeconfigs written before the restart must keep working.
            self.config.admin_token, self.config.readonly_token = saved["tokens"][:2]
            more = saved.get("more_tokens") or {}
            self.config.viewer_token = more.get("viewer", self.config.viewer_token)
            self.config.member_token = more.get("member", self.config.member_token)
            self.config.namespace_tokens.update(more.get("namespaces") or {})
            self._issue_tokens()
        for i, c in enumerate(self.clusters):
            want = ports.get(c.name) or (self.config.port + i if self.config.port else 0)
            await self._serve(c, int(want))
        if saved:
            for c in self.clusters:
                if c.name in saved["clusters"]:
                    c.store.load(saved["clusters"][c.name])
            self.bucket.load(saved.get("bucket") or {})
            self.objects.load(saved.get("objects") or {})
        else:
            self.seed()
        if self.config.audit_log:
            self._audit_file = self.config.audit_log.open("a", encoding="utf-8")
            for c in self.clusters:
                c.api.audit_file = self._audit_file
        self.kurator.start()
        self.restores.start()
        for v in self.veleros:
            v.start()
        for r in self.velero_restores:
            r.start()
        for d in self.downloads:
            d.start()
        if self.config.compact_interval > 0:
            self._compactor = asyncio.ensure_future(self._compact_forever())

    async def _compact_forever(self) -> None:
        """kube-apiserver's compactor (apiserver pkg/storage/etcd3/compact.go): each tick
        compacts to the revision it saw on the previous tick, so one interval of history stays."""
        seen = {c.name: c.store.rv for c in self.clusters}
        while True:
            await asyncio.sleep(self.config.compact_interval)
            for c in self.clusters:
                c.store.compact(seen[c.name])
                seen[c.name] = c.store.rv

    def seed(self) -> None:
        for i, m in enumerate(self.members, start=1):
            seed_member(m.store, self.member_crds, i)
            if m.name in self.config.member_storage:
                set_storage(m.store, self.config.member_storage[m.name])
        secret_urls = {m.name: unreachable_url(m.name) if self.config.secret_unreachable(m.name)
                       else m.url for m in self.members}
        seed_host(self.host.store, self.host_crds, secret_urls, self.config.member_token,
                  self.tls.ca_data)

    async def _serve(self, c: Cluster, port: int) -> None:
        c.runner = web.AppRunner(c.api.make_app(), access_log=None, handle_signals=False,
                                 shutdown_timeout=0.5)
        await c.runner.setup()
        site = web.SockSite(c.runner, await bound_socket(port), ssl_context=self._ssl)
        await site.start()
        server = site._server
        assert server is not None
        c.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._compactor is not None:
            self._compactor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._compactor
        await self.kurator.stop()
        await self.restores.stop()
        for v in self.veleros:
            await v.stop()
        for r in self.velero_restores:
            await r.stop()
        for d in self.downloads:
            await d.stop()
        for c in self.clusters:
            c.api.faults.drop_watches()
        self.save_state()
        for c in self.clusters:
            if c.runner is not None:
                await c.runner.cleanup()
        await self.objects.stop()
        if self._audit_file is not None:
            self._audit_file.close()

    # ---- state -------------------------------------------------------------------------
    def _load_state(self) -> dict[str, Any] | None:
        path = self.config.state
        if path is None or not path.exists():
            return None
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def save_state(self) -> None:
        if self.config.state is None:
            return
        data = {"ports": {**{c.name: c.port for c in self.clusters},
                          "objects": self.objects.port},
                "tokens": [self.config.admin_token, self.config.readonly_token],
                "more_tokens": {"viewer": self.config.viewer_token,
                                "member": self.config.member_token,
                                "namespaces": self.config.namespace_tokens},
                "tls": self.tls.dump(),
                "clusters": {c.name: c.store.dump() for c in self.clusters},
                "bucket": self.bucket.dump(),
                "objects": self.objects.dump()}
        tmp = self.config.state.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.config.state)

    # ---- kubeconfig ---------------------------------------------------------------------
    def kubeconfig(self, readonly: bool = False, user: str = "") -> dict[str, Any]:
        """A kubeconfig with one context per cluster (named after it, reachable URL) for
        `user` (ADMIN, READONLY, VIEWER or `ns-<NS>`); `readonly` is user=READONLY."""
        user = user or (READONLY if readonly else ADMIN)
        tokens = self.config.user_tokens()
        if user not in tokens:
            raise KeyError(f"no simulator user {user!r}; known: {', '.join(tokens)}")
        return kubeconfig({c.name: c.url for c in self.clusters}, tokens[user], HOST, user,
                          self.tls.ca_data)

    def write_kubeconfig(self, path: Path, readonly: bool = False, user: str = "") -> None:
        _write_private(path, yaml.safe_dump(self.kubeconfig(readonly, user), sort_keys=False))

    def write_kubeconfigs(self, directory: Path) -> list[Path]:
        """admin.yaml, readonly.yaml, viewer.yaml and ns-<NS>.yaml for every namespace user."""
        names = {ADMIN: "admin", READONLY: "readonly", VIEWER: "viewer"}
        written = []
        for user in self.config.user_tokens():
            path = directory / f"{names.get(user, user)}.yaml"
            self.write_kubeconfig(path, user=user)
            written.append(path)
        return written

    def write_exec_kubeconfig(self, path: Path, user: str = ADMIN) -> Path:
        """A kubeconfig whose credentials come from an exec plugin (client.authentication.k8s.io
        /v1) that mints a token on the host's /_sim/token; returns the plugin script's path."""
        plugin = path.with_name(path.stem + "-credential-plugin.py")
        _write_private(plugin, plugin_script(f"{self.host.url}/_sim/token", user,
                                             self.tls.ca_pem.decode()))
        config = exec_kubeconfig({c.name: c.url for c in self.clusters}, HOST, plugin,
                                 self.tls.ca_data)
        _write_private(path, yaml.safe_dump(config, sort_keys=False))
        return plugin


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


class SimThread:
    """A SimFleet on its own event loop in a daemon thread; `call` runs code on that loop."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fleet-sim",
                                       daemon=True)
        self.fleet: SimFleet | None = None

    def start(self) -> SimFleet:
        self.thread.start()
        self.fleet = self.run(self._start())
        return self.fleet

    async def _start(self) -> SimFleet:
        fleet = SimFleet(self.config)
        await fleet.start()
        return fleet

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T], timeout: float = 30.0) -> T:
        async def wrapper() -> T:
            return fn()
        return self.run(wrapper(), timeout)

    def stop(self) -> None:
        """Stop the fleet (saving state) and the loop; safe to call twice."""
        if self.loop.is_closed():
            return
        if self.fleet is not None:
            with contextlib.suppress(Exception):
                self.run(self.fleet.stop())
            with contextlib.suppress(Exception):
                self.run(_cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


async def _cancel_all() -> None:
    """End the watch pumps still open, so nothing is left pending on a closed loop."""
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
