"""The latest known objects of every watched (cluster, resource), fed by watch threads.

Watch threads write; the UI reads once per frame. A write marks the store dirty and, only on the
clean → dirty transition, calls `on_dirty` — so a burst of a thousand events costs the UI one
wake-up and one batch, not a thousand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fleettui.kube.resources import PROBLEMS, SYNCED, Resource

Obj = dict[str, Any]
Feed = tuple[str, str]  # (cluster, "group/plural")


def feed_of(cluster: str, res: Resource) -> Feed:
    return (cluster, f"{res.group}/{res.plural}")


def obj_key(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


@dataclass
class Changes:
    """What changed since the last `take_changes`: feeds touched and feeds whose state moved."""

    feeds: set[Feed] = field(default_factory=set)
    states: set[Feed] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.feeds or self.states)


class LiveStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[Feed, dict[tuple[str, str], Obj]] = {}
        self._states: dict[Feed, tuple[str, str]] = {}
        self._down: dict[Feed, datetime] = {}  # when a synced feed stopped being current
        self._changes = Changes()
        self.on_dirty: Callable[[], None] | None = None
        self.events = 0

    # ---- sink side (watch threads) ----------------------------------------------------------
    def replace(self, cluster: str, res: Resource, items: list[Obj]) -> None:
        feed = feed_of(cluster, res)
        with self._lock:
            self._objects[feed] = {obj_key(o): o for o in items}
            notify = self._mark(feed)
        self._notify(notify)

    def merge(self, cluster: str, res: Resource, items: list[Obj],
              gone: set[tuple[str, str]]) -> None:
        """Put `items` and drop the objects keyed `gone`, keeping the rest: one of several
        watches that fill the same feed (live/member_feeds.py) relisted."""
        feed = feed_of(cluster, res)
        with self._lock:
            objs = self._objects.setdefault(feed, {})
            for key in gone:
                objs.pop(key, None)
            objs.update((obj_key(o), o) for o in items)
            notify = self._mark(feed)
        self._notify(notify)

    def event(self, cluster: str, res: Resource, type_: str, obj: Obj) -> None:
        feed = feed_of(cluster, res)
        with self._lock:
            objs = self._objects.setdefault(feed, {})
            if type_ == "DELETED":
                objs.pop(obj_key(obj), None)
            else:
                objs[obj_key(obj)] = obj
            self.events += 1
            notify = self._mark(feed)
        self._notify(notify)

    def state(self, cluster: str, res: Resource, state: str, message: str) -> None:
        feed = feed_of(cluster, res)
        with self._lock:
            before = self._states.get(feed)
            if before == (state, message):
                return
            self._states[feed] = (state, message)
            if state == SYNCED:
                self._down.pop(feed, None)
            elif before is not None and before[0] == SYNCED:
                self._down.setdefault(feed, datetime.now(UTC))
            was_clean = not self._changes
            self._changes.states.add(feed)
        self._notify(was_clean)

    def forget_cluster(self, cluster: str) -> None:
        """Drop every feed of a cluster (a member removed from its fleet)."""
        with self._lock:
            feeds = [f for f in {*self._objects, *self._states} if f[0] == cluster]
            for feed in feeds:
                self._objects.pop(feed, None)
                self._states.pop(feed, None)
                self._down.pop(feed, None)
            was_clean = not self._changes
            self._changes.feeds.update(feeds)
        self._notify(was_clean and bool(feeds))

    def _mark(self, feed: Feed) -> bool:
        was_clean = not self._changes
        self._changes.feeds.add(feed)
        return was_clean

    def _notify(self, was_clean: bool) -> None:
        if was_clean and self.on_dirty is not None:
            self.on_dirty()

    # ---- reader side (UI) ---------------------------------------------------------------------
    def take_changes(self) -> Changes:
        with self._lock:
            changes, self._changes = self._changes, Changes()
        return changes

    def objects(self, cluster: str, res: Resource) -> list[Obj]:
        with self._lock:
            return list(self._objects.get(feed_of(cluster, res), {}).values())

    def get(self, cluster: str, res: Resource, namespace: str, name: str) -> Obj | None:
        with self._lock:
            return self._objects.get(feed_of(cluster, res), {}).get((namespace, name))

    def state_of(self, cluster: str, res: Resource) -> tuple[str, str]:
        with self._lock:
            return self._states.get(feed_of(cluster, res), ("connecting", ""))

    def down_since(self, cluster: str, res: Resource) -> datetime | None:
        """When a feed that was synced stopped being current (None while it is)."""
        with self._lock:
            return self._down.get(feed_of(cluster, res))

    def problems(self) -> list[tuple[str, str, str, datetime | None]]:
        """(cluster, state, message, down since) of every feed in trouble, one per cluster and
        message (a cluster's feeds usually fail alike), worst state first."""
        with self._lock:
            found = {(feed[0], state, message): self._down.get(feed)
                     for feed, (state, message) in self._states.items() if state in PROBLEMS}
        return sorted(((c, st, m, since) for (c, st, m), since in found.items()),
                      key=lambda p: (PROBLEMS.index(p[1]), p[0]))

    def has_feed(self, cluster: str, res: Resource) -> bool:
        with self._lock:
            return feed_of(cluster, res) in self._objects
