"""A Velero BackupStorageLocation's health in words, and what it means for a backup or a
restore sent to its cluster.

Velero's backup controller (velero pkg/controller/backup_controller.go, prepareBackupRequest)
refuses a backup whose location is ReadOnly ("... is currently in read-only mode") or not
Available ("... is in Unavailable status"): the backup ends FailedValidation at once. A ReadOnly
location is what restores are meant to use (Velero's docs: set it while restoring so no backup
writes there), so only an Unavailable one is a problem for a restore. The CRD's default phase is
Unavailable: a location Velero has never validated reads as Unavailable too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fleettui.model.schedule_health import age_text
from fleettui.model.timefmt import parse_time

AVAILABLE, UNAVAILABLE = "Available", "Unavailable"
READ_WRITE, READ_ONLY = "ReadWrite", "ReadOnly"
DEFAULT_LOCATION = "default"  # Velero's --default-backup-storage-location; Kurator's only one
BACKUP, RESTORE = "backup", "restore"


@dataclass(frozen=True)
class Location:
    """One BackupStorageLocation of one cluster, reduced to what an operator asks of it."""

    cluster: str
    name: str
    phase: str  # Available / Unavailable ("" reads as Unavailable: the CRD's default)
    access_mode: str  # ReadWrite / ReadOnly
    default: bool
    last_validated: datetime | None
    message: str
    bucket: str = ""

    @property
    def available(self) -> bool:
        return self.phase == AVAILABLE

    @property
    def read_only(self) -> bool:
        return self.access_mode == READ_ONLY

    def blocks(self, purpose: str) -> str:
        """Why a backup (or restore) using this location fails, "" when it would not."""
        if not self.available:
            return f"{self.name} is {self.phase or UNAVAILABLE}"
        if purpose == BACKUP and self.read_only:
            return f"{self.name} is {READ_ONLY}"
        return ""

    def validated_age(self, now: datetime) -> float | None:
        if self.last_validated is None:
            return None
        return (now - self.last_validated).total_seconds()

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {"cluster": self.cluster, "name": self.name, "phase": self.phase or UNAVAILABLE,
                "accessMode": self.access_mode, "default": self.default,
                "bucket": self.bucket,
                "lastValidationTime": (None if self.last_validated is None else
                                       self.last_validated.strftime("%Y-%m-%dT%H:%M:%SZ")),
                "lastValidationAgeSeconds": self.validated_age(now),
                "message": self.message}


def location(cluster: str, obj: Mapping[str, Any]) -> Location:
    meta, spec, status = (obj.get(k) or {} for k in ("metadata", "spec", "status"))
    return Location(
        cluster, str(meta.get("name") or ""), str(status.get("phase") or UNAVAILABLE),
        str(spec.get("accessMode") or READ_WRITE), bool(spec.get("default")),
        parse_time(status.get("lastValidationTime")), str(status.get("message") or ""),
        str((spec.get("objectStorage") or {}).get("bucket") or ""))


def locations(cluster: str, objs: Iterable[Mapping[str, Any]]) -> list[Location]:
    """A cluster's locations, the default first, then by name."""
    found = [location(cluster, o) for o in objs]
    return sorted(found, key=lambda loc: (not loc.default, loc.name))


def used_location(locs: list[Location]) -> Location | None:
    """The location a backup without spec.storageLocation goes to: the one marked default,
    else the one named `default` (Velero's server flag default, and the only one Kurator
    configures)."""
    return next((loc for loc in locs if loc.default), None) or next(
        (loc for loc in locs if loc.name == DEFAULT_LOCATION), None)


def state_word(loc: Location) -> str:
    """The short cell: phase, and the access mode when it is not the usual ReadWrite."""
    word = loc.phase or UNAVAILABLE
    return f"{word} {READ_ONLY}" if loc.read_only else word


def reason(loc: Location, now: datetime, clusters: str = "",
           when: Callable[[datetime, datetime], str] | None = None) -> str:
    """One line for a location that is not fit for backups: what, when Velero last checked
    it, Velero's words. `clusters`: the members it stands for (else its own); `when`: how to
    say the time (default an age, for one-shot output; a live screen says the clock time)."""
    parts = [f"{clusters or loc.cluster}: location {loc.name} is {state_word(loc)}"]
    if loc.read_only and loc.available:
        parts[0] += " (backups there end FailedValidation; restores work)"
    age = loc.validated_age(now)
    if age is not None and loc.last_validated is not None:
        parts.append(f"validated {when(loc.last_validated, now)}" if when else
                     f"validated {age_text(age)} ago")
    elif not loc.available:
        parts.append("never validated")
    if loc.message:
        parts.append(loc.message)
    return "; ".join(parts)


def target_problems(by_cluster: Mapping[str, list[Location]], targets: Iterable[str],
                    purpose: str) -> dict[str, str]:
    """Each target whose location a `purpose` (BACKUP or RESTORE) sent there would fail on,
    with why. A target whose locations are not known (not read yet) is left out."""
    found = {}
    for cluster in targets:
        locs = by_cluster.get(cluster)
        if not locs:
            continue
        used = used_location(locs)
        why = "no default location" if used is None else used.blocks(purpose)
        if why:
            found[cluster] = why
    return found


def warning_text(problems: Mapping[str, str], purpose: str) -> str:
    """The line a form shows beside its clusters field (a warning: nothing is refused)."""
    if not problems:
        return ""
    what = ("backups there end FailedValidation" if purpose == BACKUP else
            "restores there cannot read the backup")
    listed = ", ".join(f"{c} ({why})" for c, why in sorted(problems.items()))
    return f"storage: {listed}: {what}"
