"""The narrow view of one cluster the simulated controllers work through.

Two implementations: the emulator's in-process `ClusterStore` (writes land in memory, events
are emitted synchronously) and `ApiStore` (sim/api_store.py: a watch-fed cache of a real API
server, written over HTTP with the controller's own credentials). The controllers' logic is the
same over both; only what they call differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from fleettui.sim.resource_type import ResourceType
from fleettui.sim.store import MANAGER, Event, Obj


class ControllerStore(Protocol):
    name: str
    types: dict[str, ResourceType]  # rkey → type, for the types this view holds
    listeners: list[Callable[[Event], None]]  # called on the controllers' loop, in order

    def find(self, rkey: str, namespace: str, name: str) -> Obj | None: ...

    def items(self, rkey: str, namespace: str | None = None) -> Iterator[Obj]: ...

    def create(self, rt: ResourceType, obj: Obj, dry_run: bool = False,
               manager: str = MANAGER) -> Obj: ...

    def replace(self, rt: ResourceType, new: Obj, *, status: bool = False,
                dry_run: bool = False, manager: str = MANAGER) -> Obj: ...

    def delete(self, rt: ResourceType, namespace: str, name: str,
               dry_run: bool = False) -> Obj: ...
