"""The object store behind every member's Velero: what each backup holds, for restores.

A backup's contents are captured when it ends (the tarball Velero uploads last), so a restore of
a backup that has not finished finds nothing to download, as with real Velero. One Bucket is
shared by all members, as Kurator's fleet backup plugin configures one storage location for all.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]


@dataclass
class BucketEntry:
    origin: str  # the cluster that uploaded it
    backup: Obj  # the Backup object as it ended (labels, spec, status)
    items: list[Obj] = field(default_factory=list)


class Bucket:
    def __init__(self) -> None:
        self.entries: dict[str, BucketEntry] = {}

    def put(self, origin: str, backup: Obj, items: list[Obj]) -> None:
        name = str(backup["metadata"]["name"])
        self.entries[name] = BucketEntry(origin, copy.deepcopy(backup), copy.deepcopy(items))

    def get(self, name: str) -> BucketEntry | None:
        return self.entries.get(name)

    def remove(self, name: str) -> None:
        self.entries.pop(name, None)

    def dump(self) -> dict[str, Any]:
        return {name: {"origin": e.origin, "backup": e.backup, "items": e.items}
                for name, e in self.entries.items()}

    def load(self, data: dict[str, Any]) -> None:
        self.entries = {name: BucketEntry(e["origin"], e["backup"], e["items"])
                        for name, e in data.items()}
