"""A simulated controller's view of one real API server: a cache fed by list+watch, written
over HTTP with the controller's own credentials (fleettui's KubeClient and ListWatch).

It offers what the in-process ClusterStore offers the controllers (sim/controller_store.py),
so the same Kurator and Velero controller code runs against kube-apiserver as a controller-
runtime controller would: reads come from the informer-like cache, writes go to the server
(status through the status subresource where the CRD has one, field manager per controller),
and every change, whether seen on the watch or answered to our own write, reaches the
listeners once, on the controllers' asyncio loop.

Writes block the loop for one loopback round trip; the controllers are small and this keeps
their logic synchronous, as it is over the in-process store.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterator
from typing import Any

from fleettui.kube.client import KubeClient
from fleettui.kube.errors import KubeError
from fleettui.kube.resources import Resource
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.sim.errors import ApiError
from fleettui.sim.resource_type import ResourceType
from fleettui.sim.store import MANAGER, Event, Key, Obj

SYNC_TIMEOUT = 60.0  # s for the first list of every type; the servers are on loopback
# On clusters the user already had (`fleettui sim --api contexts`), what the simulator creates
# carries this annotation, and it deletes nothing without it.
CREATED_BY = "fleettui.dev/created-by"
CREATED_BY_SIM = "fleettui-sim"


def resource_of(rt: ResourceType) -> Resource:
    return Resource(rt.group, rt.version, rt.plural, rt.namespaced)


def _rv(obj: Obj) -> int:
    # kube-apiserver's resourceVersions are etcd revisions: comparing them as numbers is what
    # an informer must not do in general, but it is true of every server this runs against.
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


class ApiStore:
    def __init__(self, name: str, client: KubeClient, types: list[ResourceType],
                 loop: asyncio.AbstractEventLoop, settings: WatchSettings | None = None,
                 own_deletes_only: bool = False) -> None:
        self.name = name
        self.own_deletes_only = own_deletes_only
        self.kept: list[str] = []  # deletes refused by own_deletes_only, as "rkey ns/name"
        self.on_kept: Callable[[str], None] | None = None  # told why, one line each
        self.client = client
        self.types: dict[str, ResourceType] = {t.key: t for t in types}
        self.objects: dict[str, dict[Key, Obj]] = {t.key: {} for t in types}
        self.listeners: list[Callable[[Event], None]] = []
        self.loop = loop
        self.settings = settings or WatchSettings()
        self.watches: list[ListWatch] = []
        self._synced: dict[str, asyncio.Event] = {t.key: asyncio.Event() for t in types}
        self.states: dict[str, tuple[str, str]] = {}  # rkey → (watch state, message)

    # ---- the watch side (ListWatch threads hand over to the loop) ------------------------
    def start(self) -> None:
        for rt in self.types.values():
            self.watches.append(ListWatch(self.client, resource_of(rt), None, _Feed(self),
                                          self.settings).start())

    async def synced(self, timeout: float = SYNC_TIMEOUT) -> None:
        """Until every type was listed once (informers' WaitForCacheSync)."""
        try:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in self._synced.values())),
                                   timeout)
        except TimeoutError:
            late = {k: self.states.get(k, ("connecting", ""))
                    for k, e in self._synced.items() if not e.is_set()}
            raise ApiError(503, f"{self.name}: not listed after {timeout:.0f} s: {late}"
                           ) from None

    def stop(self) -> None:
        for w in self.watches:
            w.stop()
        for w in self.watches:
            w.thread.join(10)

    def replace_list(self, rkey: str, items: list[Obj]) -> None:
        """A (re)list: the differences from the cache are events, as an informer's are."""
        old_map = self.objects[rkey]
        rt = self.types[rkey]
        new_map = {self._key(rt, o): o for o in items}
        for key, old in list(old_map.items()):
            if key not in new_map:
                del old_map[key]
                self._emit(rkey, "DELETED", old, None)
        for key, obj in new_map.items():
            self.apply(rkey, "ADDED" if key not in old_map else "MODIFIED", obj)
        self._synced[rkey].set()

    # ---- the cache -----------------------------------------------------------------------
    def _key(self, rt: ResourceType, obj: Obj) -> Key:
        meta = obj.get("metadata") or {}
        return (meta.get("namespace", "") if rt.namespaced else "", meta.get("name", ""))

    def apply(self, rkey: str, type_: str, obj: Obj) -> None:
        """One change, from the watch or from our own write's answer: applied and told to the
        listeners once (the watch brings our own writes back later; they are older or equal
        by then and skipped)."""
        objs = self.objects[rkey]
        key = self._key(self.types[rkey], obj)
        old = objs.get(key)
        if type_ == "DELETED":
            if old is None or old["metadata"].get("uid") != obj["metadata"].get("uid"):
                return
            del objs[key]
            self._emit(rkey, "DELETED", obj, None)
            return
        if old is not None and old["metadata"].get("uid") == obj["metadata"].get("uid") \
                and _rv(old) >= _rv(obj):
            return
        objs[key] = obj
        self._emit(rkey, "ADDED" if old is None else "MODIFIED", obj, old)

    def _emit(self, rkey: str, type_: str, obj: Obj, old: Obj | None) -> None:
        ev = Event(_rv(obj), rkey, type_, obj, old)
        for listener in list(self.listeners):
            listener(ev)

    def find(self, rkey: str, namespace: str, name: str) -> Obj | None:
        return self.objects.get(rkey, {}).get((namespace, name))

    def items(self, rkey: str, namespace: str | None = None) -> Iterator[Obj]:
        # A snapshot: callers write (and so change the cache) while they iterate.
        return iter([o for (ns, _), o in list(self.objects.get(rkey, {}).items())
                     if namespace is None or ns == namespace])

    # ---- writes --------------------------------------------------------------------------
    def _request(self, method: str, path: str, query: list[tuple[str, str]],
                 body: Obj | None = None) -> Obj:
        try:
            return self.client.request(method, path, query, body)
        except KubeError as e:
            # The controllers' retry and suppress paths know the simulator's error.
            raise ApiError(e.code or 503, f"{self.name}: {e.message}", e.reason or None) from e

    def create(self, rt: ResourceType, obj: Obj, dry_run: bool = False,
               manager: str = MANAGER) -> Obj:
        obj = copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        if self.own_deletes_only:
            meta = obj.setdefault("metadata", {})
            meta["annotations"] = {**(meta.get("annotations") or {}), CREATED_BY: CREATED_BY_SIM}
        namespace = (obj.get("metadata") or {}).get("namespace")
        created = self._request("POST", resource_of(rt).path(namespace),
                                _query(manager, dry_run), obj)
        if not dry_run:
            self.apply(rt.key, "ADDED", created)
        return created

    def replace(self, rt: ResourceType, new: Obj, *, status: bool = False,
                dry_run: bool = False, manager: str = MANAGER) -> Obj:
        meta = new.get("metadata") or {}
        sub = "status" if status and rt.status_subresource else ""
        path = resource_of(rt).path(meta.get("namespace"), meta.get("name", ""), sub)
        body = {**new, "apiVersion": rt.api_version, "kind": rt.kind}
        stored = self._request("PUT", path, _query(manager, dry_run), body)
        if not dry_run:
            self.apply(rt.key, "MODIFIED", stored)
        return stored

    def delete(self, rt: ResourceType, namespace: str, name: str,
               dry_run: bool = False) -> Obj:
        if self.own_deletes_only and not self._created_here(rt, namespace, name):
            # Not ours (the user's, or a real controller's): left where it is, and said so.
            self.kept.append(f"{rt.key} {namespace}/{name}")
            if self.on_kept is not None:
                self.on_kept(f"{self.name}: left {rt.plural} {namespace}/{name}: not created "
                             "by the simulator")
            return {"kind": "Status", "status": "Success"}
        answer = self._request("DELETE", resource_of(rt).path(namespace, name),
                               [("dryRun", "All")] if dry_run else [])
        if dry_run:
            return answer
        old = self.find(rt.key, namespace if rt.namespaced else "", name)
        meta = answer.get("metadata") or {}
        if answer.get("kind") != "Status" and meta.get("finalizers"):
            self.apply(rt.key, "MODIFIED", answer)  # Terminating until they are gone
        elif old is not None:
            self.apply(rt.key, "DELETED", old)
        return answer

    def _created_here(self, rt: ResourceType, namespace: str, name: str) -> bool:
        obj = self.find(rt.key, namespace if rt.namespaced else "", name) or {}
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        return annotations.get(CREATED_BY) == CREATED_BY_SIM


class _Feed:
    """The ListWatch sink (fleettui/kube/watch.py): called from the watch threads, it hands
    every list and event over to the controllers' loop."""

    def __init__(self, store: ApiStore) -> None:
        self.store = store

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        if not self.store.loop.is_closed():
            self.store.loop.call_soon_threadsafe(fn, *args)

    def replace(self, cluster: str, res: Resource, items: list[Obj]) -> None:
        self._call(self.store.replace_list, _rkey_of(res), items)

    def event(self, cluster: str, res: Resource, type_: str, obj: Obj) -> None:
        self._call(self.store.apply, _rkey_of(res), type_, obj)

    def state(self, cluster: str, res: Resource, state: str, message: str) -> None:
        self.store.states[_rkey_of(res)] = (state, message)


def _rkey_of(res: Resource) -> str:
    return f"{res.group}/{res.plural}"


def _query(manager: str, dry_run: bool) -> list[tuple[str, str]]:
    query = [("fieldManager", manager)]
    if dry_run:
        query.append(("dryRun", "All"))
    return query
