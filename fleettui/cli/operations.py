"""What the restore and migrate commands share: which Kurator kind each verb acts on, one read
of everything their status needs into a LiveStore, the tables, and what a delete leaves behind.

A restore and a migrate differ only in their objects (Restore / Migrate, their labels and the
member objects Kurator makes for them), so `list`, `get`, `status` and `delete` serve both
with an Operation saying which.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import name_of, on_members
from fleettui.cli.output import phase_word, say, table
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.restore_status import operation_clusters, operation_status
from fleettui.live.store import LiveStore
from fleettui.model.kurator import MIGRATE_NAME_LABEL, RESTORE_NAME_LABEL, VELERO_NAMESPACE
from fleettui.model.status import COMPLETED
from fleettui.model.timefmt import created_age

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    word: str  # restore | migrate: the command, and the middle of Velero object names
    kind: str  # Restore | Migrate
    resource: kc.Resource
    label: str  # the label Kurator puts on the member objects it makes for one
    member_resources: tuple[kc.Resource, ...]  # what those member objects are

    @property
    def kind_name(self) -> str:
        return f"{self.word}.{self.resource.group}"

    def selector(self, name: str) -> str:
        return f"{self.label}={name}"

    def host_resources(self) -> tuple[kc.Resource, ...]:
        """What the status needs from the host: a restore's clusters may be its Backup's."""
        extra = (kc.KURATOR_BACKUPS,) if self.kind == "Restore" else ()
        return (kc.FLEETS, kc.ATTACHED_CLUSTERS, *extra, self.resource)


RESTORE = Operation("restore", "Restore", kc.KURATOR_RESTORES, RESTORE_NAME_LABEL,
                    (kc.VELERO_RESTORES,))
MIGRATE = Operation("migrate", "Migrate", kc.KURATOR_MIGRATES, MIGRATE_NAME_LABEL,
                    (kc.VELERO_BACKUPS, kc.VELERO_RESTORES))


def typed(obj: Obj, op: Operation) -> Obj:
    """List items may come without their kind; the status derivation needs it."""
    return obj if obj.get("kind") == op.kind else {**obj, "kind": op.kind}


def snapshot(host: KubeClient, namespace: str, op: Operation, objs: list[Obj],
             members: bool = True) -> LiveStore:
    """A store filled by one list of everything the status of `objs` needs."""
    store = LiveStore()
    for res in op.host_resources():
        if res != op.resource:
            store.replace(host.name, res, list(host.list(res, namespace).get("items") or []))
    store.replace(host.name, op.resource, [typed(o, op) for o in objs])
    if not members:
        return store
    clusters = sorted({c.name for o in objs
                       for c in operation_clusters(store, host.name, namespace, typed(o, op))})

    def load(client: KubeClient) -> None:
        for res in op.member_resources:
            listed = client.list(res, VELERO_NAMESPACE, op.label)
            store.replace(client.name, res, list(listed.get("items") or []))

    for problem in on_members(host, namespace, clusters, load).values():
        if isinstance(problem, KubeError):
            say(f"# {problem} (showing Kurator's copied status)", sys.stderr)
    return store


# ---- tables ----------------------------------------------------------------------------------
HEADERS = {"restore": ("NAME", "BACKUP", "OVERALL", "DONE", "AGE"),
           "migrate": ("NAME", "SOURCE", "TARGETS", "OVERALL", "DONE", "AGE")}
WIDE = ("CLUSTERS", "NAMESPACES", "MAPPING")


def _clusters(dest: object) -> str:
    refs = dest.get("clusters") if isinstance(dest, dict) else None
    return ",".join(str(c.get("name")) for c in refs or [] if isinstance(c, dict)) or "-"


def row(store: LiveStore, host: str, namespace: str, op: Operation, obj: Obj, now: datetime,
        wide: bool = False) -> list[str]:
    spec = obj.get("spec") or {}
    st = operation_status(store, host, namespace, obj, op.kind, now)
    done = sum(1 for r in st.rows if r.state == COMPLETED)
    what = [str(spec.get("backupName") or "")] if op.kind == "Restore" else [
        _clusters(spec.get("sourceCluster")), _clusters(spec.get("targetCluster"))]
    cells = [name_of(obj), *what, phase_word(st.overall), f"{done}/{len(st.rows)}",
             created_age(obj, now)]
    if not wide:
        return cells
    policy = spec.get("policy") or {}
    included = (policy.get("resourceFilter") or {}).get("includedNamespaces") or ["*"]
    mapping = policy.get("namespaceMapping") or {}
    return [*cells, ",".join(r.cluster_name for r in st.rows) or "-", ",".join(included),
            ",".join(f"{k}:{v}" for k, v in mapping.items()) or "-"]


def objects_table(store: LiveStore, host: str, namespace: str, op: Operation, items: list[Obj],
                  wide: bool) -> str:
    now = datetime.now(UTC)
    headers = HEADERS[op.word] + (WIDE if wide else ())
    return table(headers, [row(store, host, namespace, op, o, now, wide) for o in items])
