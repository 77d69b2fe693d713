"""Storage health over the live store, for the fleets screen, the forms' warnings and
`fleettui storage`: each member's Velero BackupStorageLocations as read into the store (the
session's watches, or the CLI's one read)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.store import LiveStore
from fleettui.live.submit import PARALLEL
from fleettui.model.storage import (
    Location,
    locations,
    reason,
    target_problems,
    used_location,
    warning_text,
)
from fleettui.model.timefmt import clock

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient


def fleet_locations(store: LiveStore, clusters: Iterable[str]) -> dict[str, list[Location]]:
    """Each cluster's locations, for the clusters whose locations have been read."""
    return {c: locations(c, store.objects(c, kc.VELERO_BSLS)) for c in clusters
            if store.has_feed(c, kc.VELERO_BSLS)}


MESSAGE_MOST = 160  # characters of Velero's message in a note (`fleettui storage` has it all)


def storage_notes(store: LiveStore, clusters: Iterable[str], now: datetime) -> list[str]:
    """A line per problem with members' backup locations (Unavailable or ReadOnly), members
    that share it on one line (a shared bucket that refuses fails every member alike, and a
    line each would push a big fleet's table off the screen): what the fleets screen shows
    under its table."""
    shared: dict[tuple[str, str, str, str], list[Location]] = {}
    for locs in fleet_locations(store, dict.fromkeys(clusters)).values():
        used = used_location(locs)
        if used is not None and (not used.available or used.read_only):
            message = used.message if len(used.message) <= MESSAGE_MOST else \
                used.message[:MESSAGE_MOST - 1] + "…"
            key = (used.name, used.phase, used.access_mode, message)
            shared.setdefault(key, []).append(replace(used, message=message))
    notes = []
    for same in shared.values():
        first = max(same, key=lambda loc: loc.last_validated or datetime.min.replace(
            tzinfo=UTC))  # the latest check speaks for them
        names = ", ".join(loc.cluster for loc in same[:3]) + (
            f" and {len(same) - 3} more" if len(same) > 3 else "")
        notes.append(("✗ " if not first.available else "! ") +
                      reason(first, now, names, clock))
    return notes


class Reader(Protocol):
    """A session that can reach its members (live.session.Session)."""

    @property
    def member_velero_namespace(self) -> str: ...

    def member(self, cluster: str) -> KubeClient: ...


def read_locations(session: Reader, clusters: list[str]) -> dict[str, list[Location]]:
    """Each member's locations read now, PARALLEL at once (blocks: call it from a worker
    thread); a member that cannot be read is left out (its warning is not guessed)."""
    def read(cluster: str) -> list[Location] | None:
        try:
            client = session.member(cluster)
            return locations(cluster, client.list(
                kc.VELERO_BSLS, session.member_velero_namespace).get("items") or [])
        except KubeError:
            return None

    if not clusters:
        return {}
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(clusters))) as pool:
        found = list(pool.map(read, clusters))
    return {c: locs for c, locs in zip(clusters, found, strict=True) if locs is not None}


def form_warning(store: LiveStore, targets: Iterable[str], purpose: str,
                 read: Mapping[str, list[Location]] | None = None) -> str:
    """What the backup, restore and migrate forms say beside their clusters field: from the
    locations `read` when the form opened, else as watched."""
    targets = list(targets)
    known = {**fleet_locations(store, targets), **(read or {})}
    return warning_text(target_problems(known, targets, purpose), purpose)
