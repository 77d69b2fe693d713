"""Storage health over the live store, for the fleets screen, the forms' warnings and
`fleettui storage`: each member's Velero BackupStorageLocations as read into the store (the
session's watches, or the CLI's one read)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fleettui.kube import resources as kc
from fleettui.live.store import LiveStore
from fleettui.model.storage import (
    Location,
    locations,
    reason,
    target_problems,
    used_location,
    warning_text,
)


def fleet_locations(store: LiveStore, clusters: Iterable[str]) -> dict[str, list[Location]]:
    """Each cluster's locations, for the clusters whose locations have been read."""
    return {c: locations(c, store.objects(c, kc.VELERO_BSLS)) for c in clusters
            if store.has_feed(c, kc.VELERO_BSLS)}


def storage_notes(store: LiveStore, clusters: Iterable[str], now: datetime) -> list[str]:
    """One line per member whose backup location is Unavailable or ReadOnly, with Velero's
    message: what the fleets screen shows under its table."""
    notes = []
    for locs in fleet_locations(store, dict.fromkeys(clusters)).values():
        used = used_location(locs)
        if used is not None and (not used.available or used.read_only):
            notes.append(("✗ " if not used.available else "! ") + reason(used, now))
    return notes


def form_warning(store: LiveStore, targets: Iterable[str], purpose: str) -> str:
    """What the backup, restore and migrate forms say beside their clusters field."""
    targets = list(targets)
    return warning_text(target_problems(fleet_locations(store, targets), targets, purpose),
                        purpose)
