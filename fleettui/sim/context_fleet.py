"""The simulated Kurator and Velero controllers on clusters the user already has:
`fleettui sim --api contexts` (for a local test cluster, kind or the like).

The host context gets Kurator's controllers, each member context Velero's, all as API clients
(sim/api_store.py) with the context's own credentials. Before anything runs, every context is
checked: reachable, no real Velero server in it (two Velero servers would race for the same
Backups), the Kurator (host) or Velero (members) CRDs present, applied when missing, and the
rights the controllers need (SelfSubjectAccessReview). The demo world is created only when asked
(`seed`), through the API, keeping whatever already exists. What the simulator creates is
annotated; it deletes nothing without that annotation, and nothing at all when it stops (CRDs
included).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fleettui.kube.client import KubeClient
from fleettui.kube.errors import KubeError
from fleettui.sim.api_store import ApiStore
from fleettui.sim.bucket import Bucket
from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.crd_loader import CrdInfo
from fleettui.sim.errors import ApiError
from fleettui.sim.fleet import SimConfig
from fleettui.sim.object_store import ObjectStore
from fleettui.sim.real_fleet import CONTROLLER_WATCH, start_controllers
from fleettui.sim.resource_type import ResourceType
from fleettui.sim.store import MANAGER, Event, Obj
from fleettui.sim.types import CRDS, HOST_GROUPS, MEMBER_GROUPS, cluster_types
from fleettui.sim.world import seed_host, seed_member

CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
ESTABLISHED_TIMEOUT = 60.0  # s; a CRD is Established within a second on an idle server
# What the controllers do to every type they watch (they delete only what they created).
VERBS = ("list", "watch", "create", "update")
VELERO_DEPLOYMENT = "/apis/apps/v1/namespaces/velero/deployments/velero"  # velero install's


class ContextError(Exception):
    """A context cannot be used: one line naming the context and why."""


@dataclass
class ContextCluster:
    name: str  # the host: its context's name; a member: its cluster name in the fleet
    context: str
    role: str  # "host" or "member NAME", for messages
    client: KubeClient
    types: list[ResourceType]
    crds: list[CrdInfo]
    store: ApiStore | None = None

    @property
    def url(self) -> str:
        return str(self.client.api.configuration.host)

    def fail(self, why: str) -> ContextError:
        return ContextError(f"context {self.context} ({self.role}): {why}")


@dataclass
class ContextFleet:
    config: SimConfig
    kubeconfig: str | None
    host_context: str
    member_contexts: dict[str, str]  # cluster name in the fleet → context
    seed: bool = False
    note: Callable[[str], None] = print  # progress lines: CRDs applied, objects kept
    clusters: list[ContextCluster] = field(default_factory=list)
    bucket: Bucket = field(default_factory=Bucket)
    objects: ObjectStore = field(default_factory=ObjectStore)
    controllers: list[Any] = field(default_factory=list)

    @property
    def host(self) -> ContextCluster:
        return self.clusters[0]

    @property
    def members(self) -> list[ContextCluster]:
        return self.clusters[1:]

    async def start(self) -> None:
        self._check_names()
        try:
            await asyncio.to_thread(self._connect_and_check)
            await self._start_stores()
            if self.seed:
                self._seed()
            await self.objects.start()
            self.controllers, _ = start_controllers(
                self.config, _store(self.host), {m.name: _store(m) for m in self.members},
                self.bucket, self.objects)
        except BaseException:
            await self.stop()
            raise

    def _check_names(self) -> None:
        if not self.member_contexts:
            raise ContextError("--api contexts needs at least one --member-context "
                               "CLUSTER=CONTEXT")
        seen: dict[str, str] = {}
        for name, context in self.member_contexts.items():
            if context in seen:
                raise ContextError(f"context {context} is given for both {seen[context]} and "
                                   f"{name}: two simulated Velero servers would race there")
            seen[context] = name

    def _connect_and_check(self) -> None:
        host_types, host_crds = cluster_types(HOST_GROUPS)
        member_types, member_crds = cluster_types(MEMBER_GROUPS)
        wanted = [(self.host_context, self.host_context, "host", host_types, host_crds)]
        wanted += [(name, ctx, f"member {name}", member_types, member_crds)
                   for name, ctx in self.member_contexts.items()]
        for name, context, role, types, crds in wanted:
            try:
                client = KubeClient.from_kubeconfig(self.kubeconfig, context)
            except KubeError as e:
                raise ContextError(f"context {context} ({role}): {e.message}") from e
            self.clusters.append(ContextCluster(name, context, role, client,
                                                [t for t in types if t is not CRDS], crds))
        for c in self.clusters:
            self._check(c)

    def _check(self, c: ContextCluster) -> None:
        try:
            c.client.request("GET", "/version")
        except KubeError as e:
            raise c.fail(f"{e.message} ({c.url})") from e
        if c in self.members and _exists(c, VELERO_DEPLOYMENT):
            raise c.fail("a Velero server runs there (deployment velero/velero): the simulated "
                         "one would race it for the same Backups; use a cluster without Velero")
        for info in c.crds:
            self._ensure_crd(c, info)
        denied = [f"{verb} {t.plural}" for t in c.types for verb in VERBS
                  if not _allowed(c, t, verb)]
        if denied:
            raise c.fail(f"forbidden: may not {', '.join(denied)} (the simulated controllers "
                         "need list, watch, create and update on these)")

    def _ensure_crd(self, c: ContextCluster, info: CrdInfo) -> None:
        name = str(info.crd["metadata"]["name"])
        try:
            c.client.request("GET", f"{CRD_PATH}/{name}")
            return
        except KubeError as e:
            if e.code != 404:
                raise c.fail(f"cannot tell whether CRD {name} is there: {e.message}") from e
        crd = copy.deepcopy(info.crd)
        crd["metadata"] = {"name": name}
        try:
            c.client.request("POST", CRD_PATH, [("fieldManager", MANAGER)], crd)
        except KubeError as e:
            if e.code != 409:  # 409: applied meanwhile by someone else
                raise c.fail(f"CRD {name} is missing and could not be applied: "
                             f"{e.message}") from e
        deadline = time.monotonic() + ESTABLISHED_TIMEOUT
        while not _established(c, name):
            if time.monotonic() > deadline:
                raise c.fail(f"CRD {name} applied but not Established after "
                             f"{ESTABLISHED_TIMEOUT:.0f} s")
            time.sleep(0.2)
        self.note(f"applied CRD {name} to context {c.context} (left there at exit)")

    async def _start_stores(self) -> None:
        loop = asyncio.get_running_loop()
        for c in self.clusters:
            c.store = ApiStore(c.name, c.client, c.types, loop, CONTROLLER_WATCH,
                               own_deletes_only=True)
            c.store.on_kept = self.note
            c.store.start()
        for c in self.clusters:
            try:
                await _store(c).synced()
            except ApiError as e:
                raise c.fail(e.message) from e

    def _seed(self) -> None:
        for i, m in enumerate(self.members, start=1):
            _seeding(m, _member_seed(i), self.note)
        configs = {}
        for m in self.members:
            try:
                configs[m.name] = member_kubeconfig(self.kubeconfig, m.context, m.name)
            except (OSError, yaml.YAMLError) as e:  # a certificate file named but unreadable
                raise m.fail(f"--seed: cannot make its AttachedCluster secret: {e}") from e
        _seeding(self.host, lambda store: seed_host(
            store, [], {m.name: m.url for m in self.members}, "", "", configs), self.note)

    async def stop(self) -> None:
        for controller in self.controllers:
            await controller.stop()
        for c in self.clusters:
            if c.store is not None:
                await asyncio.to_thread(c.store.stop)
            c.client.close()
        await self.objects.stop()


def _member_seed(index: int) -> Callable[[ControllerStore], None]:
    return lambda store: seed_member(store, [], index)


def _store(c: ContextCluster) -> ApiStore:
    assert c.store is not None
    return c.store


def _exists(c: ContextCluster, path: str) -> bool:
    try:
        c.client.request("GET", path)
    except KubeError as e:
        if e.code in (403, 404):  # a 403 hides nothing the controllers need
            return False
        raise c.fail(e.message) from e
    return True


def _established(c: ContextCluster, name: str) -> bool:
    try:
        crd = c.client.request("GET", f"{CRD_PATH}/{name}")
    except KubeError:
        return False
    return any(cond.get("type") == "Established" and cond.get("status") == "True"
               for cond in (crd.get("status") or {}).get("conditions") or [])


def _allowed(c: ContextCluster, rt: ResourceType, verb: str) -> bool:
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"group": rt.group, "resource": rt.plural,
                                              "verb": verb}}}
    try:
        answer = c.client.request(
            "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", [], review)
    except KubeError as e:
        if e.code == 403:
            return False
        raise c.fail(e.message) from e
    return bool((answer.get("status") or {}).get("allowed"))


def _seeding(c: ContextCluster, seed: Callable[[ControllerStore], None],
             note: Callable[[str], None]) -> None:
    try:
        seed(_KeepExisting(_store(c), note))
    except ApiError as e:
        raise c.fail(f"--seed: {e.message}") from e


class _KeepExisting:
    """A store for seeding a cluster that has things already: what exists is kept as it is."""

    def __init__(self, store: ApiStore, note: Callable[[str], None]) -> None:
        self.store = store
        self.note = note
        self.name = store.name
        self.types = store.types
        self.listeners: list[Callable[[Event], None]] = store.listeners

    def find(self, rkey: str, namespace: str, name: str) -> Obj | None:
        return self.store.find(rkey, namespace, name)

    def items(self, rkey: str, namespace: str | None = None) -> Iterator[Obj]:
        return self.store.items(rkey, namespace)

    def create(self, rt: ResourceType, obj: Obj, dry_run: bool = False,
               manager: str = MANAGER) -> Obj:
        try:
            return self.store.create(rt, obj, dry_run, manager)
        except ApiError as e:
            if e.code != 409:
                raise
        meta = obj.get("metadata") or {}
        where = f"{meta.get('namespace')}/" if rt.namespaced else ""
        if rt.plural != "namespaces":
            self.note(f"{self.name}: kept the existing {rt.kind} {where}{meta.get('name')}")
        return self.store.find(rt.key, meta.get("namespace", "") if rt.namespaced else "",
                               meta.get("name", "")) or obj

    def replace(self, rt: ResourceType, new: Obj, *, status: bool = False,
                dry_run: bool = False, manager: str = MANAGER) -> Obj:
        return self.store.replace(rt, new, status=status, dry_run=dry_run, manager=manager)

    def delete(self, rt: ResourceType, namespace: str, name: str,
               dry_run: bool = False) -> Obj:
        return self.store.delete(rt, namespace, name, dry_run)


def member_kubeconfig(kubeconfig: str | None, context: str, name: str) -> str:
    """The AttachedCluster secret's kubeconfig for a member: its context from the user's file,
    files (CA, client certificate and key, token file) inlined, as a Secret must carry them."""
    path = Path(os.path.expanduser(kubeconfig or os.environ.get("KUBECONFIG", "").split(
        os.pathsep)[0] or "~/.kube/config"))
    data = yaml.safe_load(path.read_text()) or {}

    def entry(kind: str, key: str) -> dict[str, Any]:
        found: dict[str, Any] = next((e for e in data.get(kind) or []
                                      if e.get("name") == key), {})
        return dict(found.get(kind[:-1]) or {})

    ctx = entry("contexts", context)
    cluster, user = entry("clusters", ctx.get("cluster", "")), entry("users", ctx.get("user", ""))
    for section, file_key, data_key in ((cluster, "certificate-authority",
                                         "certificate-authority-data"),
                                        (user, "client-certificate", "client-certificate-data"),
                                        (user, "client-key", "client-key-data")):
        if section.get(file_key):
            raw = (path.parent / os.path.expanduser(section.pop(file_key))).read_bytes()
            section[data_key] = base64.b64encode(raw).decode()
    if user.get("tokenFile"):
        user["token"] = (path.parent / user.pop("tokenFile")).read_text().strip()
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name,
                                                "namespace": "default"}}]}, sort_keys=False)
