"""What the simulated controllers share: a keyed work queue with requeue-after, on asyncio."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Awaitable, Callable
from typing import Any

from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.errors import ApiError
from fleettui.sim.store import MANAGER, Obj

Reconcile = Callable[[tuple[str, str]], Awaitable[float | None]]


class WorkQueue:
    """Runs `reconcile(key)` once per pending key; a returned delay requeues the key."""

    def __init__(self, reconcile: Reconcile) -> None:
        self.reconcile = reconcile
        self.timers: dict[tuple[str, str], asyncio.TimerHandle] = {}
        self.running: set[tuple[str, str]] = set()
        self.dirty: set[tuple[str, str]] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.stopped = False

    def add(self, key: tuple[str, str], delay: float = 0.0) -> None:
        if self.stopped:
            return
        if key in self.running:
            self.dirty.add(key)
            return
        timer = self.timers.get(key)
        loop = asyncio.get_running_loop()
        if timer is not None:
            if timer.when() <= loop.time() + delay:
                return
            timer.cancel()
        self.timers[key] = loop.call_later(delay, self._start, key)

    def _start(self, key: tuple[str, str]) -> None:
        self.timers.pop(key, None)
        task = asyncio.get_running_loop().create_task(self._run(key))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, key: tuple[str, str]) -> None:
        self.running.add(key)
        try:
            delay = await self.reconcile(key)
        except ApiError:
            delay = 5.0  # controller-runtime backs off on errors; a fixed retry is enough here
        finally:
            self.running.discard(key)
        if key in self.dirty:
            self.dirty.discard(key)
            self.add(key)
        elif delay is not None:
            self.add(key, delay)

    async def stop(self) -> None:
        self.stopped = True
        for t in self.timers.values():
            t.cancel()
        self.timers.clear()
        for task in list(self.tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def write(store: ControllerStore, rkey: str, obj: Obj, status: bool = False,
          manager: str = MANAGER) -> Obj:
    """Store an updated copy of `obj` as a controller would (no HTTP, same semantics)."""
    return store.replace(store.types[rkey], copy.deepcopy(obj), status=status, manager=manager)


def set_status(store: ControllerStore, rkey: str, obj: Obj, status: dict[str, Any],
               manager: str = MANAGER) -> Obj:
    new = copy.deepcopy(obj)
    new["status"] = status
    return write(store, rkey, new, status=store.types[rkey].status_subresource, manager=manager)
