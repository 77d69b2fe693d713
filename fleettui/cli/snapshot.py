"""One read of everything the status of Kurator Backups needs (host objects and the members'
Velero objects) into a LiveStore, and the tables `list`, `get` and `status` print from it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import name_of, on_members
from fleettui.cli.output import items_text, phase_word, reason_lines, say, table
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.backup_status import expected_clusters, fleet_status
from fleettui.live.store import LiveStore
from fleettui.model.kurator import BACKUP_NAME_LABEL, VELERO_NAMESPACE
from fleettui.model.status import COMPLETED, FleetBackupStatus
from fleettui.model.timefmt import clock, created_age, took

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
BACKUP_HEADERS = ("NAME", "TYPE", "FLEET", "OVERALL", "DONE", "AGE")
WIDE_HEADERS = (*BACKUP_HEADERS, "CLUSTERS", "NAMESPACES", "TTL")
STATUS_HEADERS = ("CLUSTER", "PHASE", "ITEMS", "ERRORS", "WARNINGS", "STARTED", "TOOK",
                  "EXPIRES", "VELERO OBJECT")


def snapshot(host: KubeClient, namespace: str, backups: list[Obj], members: bool = True
             ) -> LiveStore:
    """A store filled by one list of everything the status of `backups` needs."""
    store = LiveStore()
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS):
        store.replace(host.name, res, list(host.list(res, namespace).get("items") or []))
    store.replace(host.name, kc.KURATOR_BACKUPS, backups)
    if not members:
        return store
    clusters = sorted({c.name for b in backups
                       for c in expected_clusters(store, host.name, namespace, b) if c.name})

    def load(client: KubeClient) -> None:
        for res in (kc.VELERO_BACKUPS, kc.VELERO_SCHEDULES):
            listed = client.list(res, VELERO_NAMESPACE, BACKUP_NAME_LABEL)
            store.replace(client.name, res, list(listed.get("items") or []))

    for problem in on_members(host, namespace, clusters, load).values():
        if isinstance(problem, KubeError):
            say(f"# {problem} (showing Kurator's copied status)", sys.stderr)
    return store


def backup_row(store: LiveStore, host: str, namespace: str, obj: Obj, now: datetime,
               wide: bool = False) -> list[str]:
    spec = obj.get("spec") or {}
    st = fleet_status(store, host, namespace, obj)
    done = sum(1 for r in st.rows if r.state == COMPLETED)
    kind = f"cron {spec['schedule']}" if spec.get("schedule") else "once"
    row = [name_of(obj), kind, str((spec.get("destination") or {}).get("fleet", "")),
           phase_word(st.overall), f"{done}/{len(st.rows)}", created_age(obj, now)]
    if not wide:
        return row
    policy = spec.get("policy") or {}
    included = (policy.get("resourceFilter") or {}).get("includedNamespaces") or ["*"]
    return [*row, ",".join(r.cluster_name for r in st.rows) or "-", ",".join(included),
            str(policy.get("ttl") or "-")]


def backup_table(store: LiveStore, host: str, namespace: str, items: list[Obj],
                 wide: bool) -> str:
    now = datetime.now(UTC)
    return table(WIDE_HEADERS if wide else BACKUP_HEADERS,
                 [backup_row(store, host, namespace, b, now, wide) for b in items])


def status_table(st: FleetBackupStatus, now: datetime) -> str:
    rows = [[r.cluster_name, phase_word(r.state, r.phase_display), items_text(r), str(r.errors),
             str(r.warnings), clock(r.started, now), took(r, now), clock(r.expires, now),
             r.velero_name] for r in st.rows]
    lines = [table(STATUS_HEADERS, rows), *reason_lines(st.rows)]
    return "\n".join(lines) + f"\noverall: {phase_word(st.overall)} — {st.headline}"
