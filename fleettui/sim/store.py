"""One emulated API server's objects, resource versions and watch fan-out.

Everything here runs on the simulator's single asyncio loop, so there are no locks. Stored object
dicts are never mutated after they are stored: every write stores a fresh copy, which lets events
and list results share them safely.
"""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fleettui.sim import managed_fields
from fleettui.sim.errors import ApiError
from fleettui.sim.resource_type import ResourceType

Obj = dict[str, Any]
MANAGER = "fleettui-sim"  # the field manager of writes made inside the simulator
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Event:
    rv: int
    rkey: str
    type: str  # ADDED, MODIFIED, DELETED
    obj: Obj
    old: Obj | None
    _line: bytes | None = None

    def line(self, type_: str | None = None) -> bytes:
        """The newline-delimited JSON watch frame, serialised once and shared by all watchers."""
        if type_ is not None and type_ != self.type:
            return encode_event(type_, self.obj)
        if self._line is None:
            self._line = encode_event(self.type, self.obj)
        return self._line


def encode_event(type_: str, obj: Obj) -> bytes:
    return json.dumps({"type": type_, "object": obj}, separators=(",", ":")).encode() + b"\n"


@dataclass(eq=False)
class Watcher:
    rkey: str
    namespace: str | None
    match: Callable[[Obj], bool]
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)
    hung: bool = False

    def offer(self, ev: Event) -> None:
        if self.hung:
            return
        was = ev.old is not None and self._sees(ev.old)
        now = self._sees(ev.obj)
        if ev.type == "MODIFIED" and was != now:
            # An object entering or leaving the selector is an ADDED/DELETED for this watcher.
            if now:
                self.queue.put_nowait(Event(ev.rv, ev.rkey, "ADDED", ev.obj, None))
            else:
                self.queue.put_nowait(Event(ev.rv, ev.rkey, "DELETED", ev.obj, None))
        elif now or (ev.type == "MODIFIED" and was):
            self.queue.put_nowait(ev)

    def _sees(self, obj: Obj) -> bool:
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return self.match(obj)

    def close(self) -> None:
        self.queue.put_nowait(None)


class ClusterStore:
    """Objects of one cluster, one resourceVersion counter, and a bounded event history."""

    def __init__(self, name: str, types: list[ResourceType], window: int = 20000) -> None:
        self.name = name
        self.types: dict[str, ResourceType] = {t.key: t for t in types}
        self.objects: dict[str, dict[Key, Obj]] = {t.key: {} for t in types}
        self.rv = 1
        self.compacted_rv = 1  # watches from an older RV get 410 Gone
        self.events: deque[Event] = deque()
        self.window = window
        self.watchers: dict[str, set[Watcher]] = {}
        self.listeners: list[Callable[[Event], None]] = []

    # ---- reads -------------------------------------------------------------------------
    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        obj = self.objects[rt.key].get((namespace if rt.namespaced else "", name))
        if obj is None:
            raise ApiError.not_found(rt, name)
        return obj

    def find(self, rkey: str, namespace: str, name: str) -> Obj | None:
        return self.objects.get(rkey, {}).get((namespace, name))

    def items(self, rkey: str, namespace: str | None = None) -> Iterator[Obj]:
        for (ns, _), obj in self.objects.get(rkey, {}).items():
            if namespace is None or ns == namespace:
                yield obj

    def sorted_items(self, rkey: str, namespace: str | None = None) -> list[Obj]:
        objs = self.objects.get(rkey, {})
        return [objs[k] for k in sorted(objs) if namespace is None or k[0] == namespace]

    # ---- writes ------------------------------------------------------------------------
    def _next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def _emit(self, rt: ResourceType, type_: str, obj: Obj, old: Obj | None) -> None:
        ev = Event(int(obj["metadata"]["resourceVersion"]), rt.key, type_, obj, old)
        self.events.append(ev)
        while len(self.events) > self.window:
            self.compacted_rv = self.events.popleft().rv
        for w in self.watchers.get(rt.key, ()):
            w.offer(ev)
        for listener in self.listeners:
            listener(ev)

    def create(self, rt: ResourceType, obj: Obj, dry_run: bool = False,
               manager: str = MANAGER) -> Obj:
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        key = (meta.get("namespace", "") if rt.namespaced else "", meta["name"])
        if key in self.objects[rt.key]:
            raise ApiError.already_exists(rt, meta["name"])
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        if rt.kind == "Namespace" and not rt.group:
            namespace_defaults(obj)
        meta.update(
            uid=str(uuid.uuid4()),
            creationTimestamp=now_rfc3339(),
            generation=1,
        )
        meta["managedFields"] = managed_fields.track(obj, [], manager, "", meta[
            "creationTimestamp"])
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(k, None)
        if dry_run:
            return obj  # kube-apiserver's dry-run answer has no resourceVersion: none was used
        meta["resourceVersion"] = str(self._next_rv())
        self.objects[rt.key][key] = obj
        self._emit(rt, "ADDED", obj, None)
        return obj

    def replace(self, rt: ResourceType, new: Obj, *, status: bool = False,
                dry_run: bool = False, manager: str = MANAGER) -> Obj:
        """Update with optimistic concurrency; `status` selects the /status subresource rules."""
        meta = new.get("metadata") or {}
        ns = meta.get("namespace", "") if rt.namespaced else ""
        old = self.get(rt, ns, meta.get("name", ""))
        want_rv = meta.get("resourceVersion")
        if want_rv and want_rv != old["metadata"]["resourceVersion"]:
            raise ApiError.conflict(rt, old["metadata"]["name"])
        new = merge_for_update(rt, old, new, status)
        if new == old:
            return old  # a no-op write keeps the resourceVersion, like the real server
        new["metadata"]["managedFields"] = managed_fields.track(
            new, old["metadata"].get("managedFields") or [], manager,
            "status" if status and rt.status_subresource else "", now_rfc3339())
        if dry_run:
            return new
        return self._store_update(rt, old, new)

    def _store_update(self, rt: ResourceType, old: Obj, new: Obj) -> Obj:
        meta = new["metadata"]
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            return self._remove(rt, old)
        meta["resourceVersion"] = str(self._next_rv())
        self.objects[rt.key][obj_key(rt, new)] = new
        self._emit(rt, "MODIFIED", new, old)
        return new

    def delete(self, rt: ResourceType, namespace: str, name: str, dry_run: bool = False) -> Obj:
        old = self.get(rt, namespace, name)
        if old["metadata"].get("finalizers"):
            if old["metadata"].get("deletionTimestamp"):
                return old
            new = copy.deepcopy(old)
            new["metadata"]["deletionTimestamp"] = now_rfc3339()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
            if dry_run:
                return new  # what would be stored, as kube-apiserver answers a dry run
            return self._store_update(rt, old, new)
        if dry_run:
            return old
        return self._remove(rt, old)

    def _remove(self, rt: ResourceType, old: Obj) -> Obj:
        del self.objects[rt.key][obj_key(rt, old)]
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(self._next_rv())
        self._emit(rt, "DELETED", gone, None)
        if rt.kind == "Namespace":
            self._remove_namespace_contents(gone["metadata"]["name"])
        return gone

    def _remove_namespace_contents(self, namespace: str) -> None:
        for rkey, objs in self.objects.items():
            rt = self.types[rkey]
            if rt.namespaced:
                for key in [k for k in objs if k[0] == namespace]:
                    self._remove(rt, objs[key])

    # ---- watches -----------------------------------------------------------------------
    def events_since(self, rkey: str, rv: int) -> list[Event]:
        if rv < self.compacted_rv:
            raise ApiError.gone(rv, self.compacted_rv)
        return [e for e in self.events if e.rv > rv and e.rkey == rkey]

    def compact(self, rv: int) -> None:
        """Forget history up to `rv`: watches and `continue` tokens from before it get 410."""
        while self.events and self.events[0].rv <= rv:
            self.events.popleft()
        self.compacted_rv = max(self.compacted_rv, rv)

    def add_watcher(self, w: Watcher) -> None:
        self.watchers.setdefault(w.rkey, set()).add(w)

    def remove_watcher(self, w: Watcher) -> None:
        self.watchers.get(w.rkey, set()).discard(w)

    def all_watchers(self) -> list[Watcher]:
        return [w for ws in self.watchers.values() for w in ws]

    # ---- persistence -------------------------------------------------------------------
    def dump(self) -> Obj:
        return {"rv": self.rv, "objects": {k: list(v.values()) for k, v in self.objects.items()}}

    def load(self, data: Obj) -> None:
        self.rv = int(data["rv"])
        self.compacted_rv = self.rv  # history is not persisted: older RVs are gone
        for rkey, objs in data["objects"].items():
            if rkey in self.types:
                rt = self.types[rkey]
                self.objects[rkey] = {obj_key(rt, o): o for o in objs}


def namespace_defaults(obj: Obj) -> None:
    """What kube-apiserver sets on every new Namespace (kubernetes pkg/registry/core/namespace/
    strategy.go: PrepareForCreate and the kubernetes.io/metadata.name label), seen on v1.36."""
    meta = obj["metadata"]
    meta["labels"] = {**(meta.get("labels") or {}),
                      "kubernetes.io/metadata.name": meta["name"]}
    finalizers = list((obj.get("spec") or {}).get("finalizers") or [])
    obj["spec"] = {**(obj.get("spec") or {}), "finalizers": finalizers + (
        [] if "kubernetes" in finalizers else ["kubernetes"])}
    obj["status"] = {"phase": "Active"}


def obj_key(rt: ResourceType, obj: Obj) -> Key:
    meta = obj["metadata"]
    return (meta.get("namespace", "") if rt.namespaced else "", meta["name"])


_SERVER_META = ("uid", "creationTimestamp", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds", "managedFields")


def merge_for_update(rt: ResourceType, old: Obj, new: Obj, status: bool) -> Obj:
    """Apply the real server's rules for which parts of an update are kept."""
    new = copy.deepcopy(new)
    new["apiVersion"], new["kind"] = rt.api_version, rt.kind
    meta = new.setdefault("metadata", {})
    for k in _SERVER_META:
        if k in old["metadata"]:
            meta[k] = old["metadata"][k]
        else:
            meta.pop(k, None)
    meta["resourceVersion"] = old["metadata"]["resourceVersion"]
    if rt.status_subresource:
        if status:
            # /status writes change only status (metadata too, except labels etc. are kept).
            merged = copy.deepcopy(old)
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
            return merged
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if _spec_part(new, rt.status_subresource) != _spec_part(old, rt.status_subresource):
        meta["generation"] = old["metadata"].get("generation", 1) + 1
    return new


def _spec_part(obj: Obj, status_subresource: bool) -> Obj:
    # Without a status subresource, a status change is a spec change (generation moves).
    skip = ("metadata", "status") if status_subresource else ("metadata",)
    return {k: v for k, v in obj.items() if k not in skip}
