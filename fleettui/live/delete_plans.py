"""What a delete will do, decided once and said before it is done: what is sent where, what
the controllers then delete in the members, and what is NOT deleted. The TUI's dialog and the
CLI render the same plan; the backends carry it out and report a structured result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.kube.resources import Resource
from fleettui.live.backup_status import expected_clusters
from fleettui.live.restore_status import operation_clusters
from fleettui.live.store import LiveStore
from fleettui.model.kurator import (
    BACKUP_NAME_LABEL,
    MIGRATE_NAME_LABEL,
    RESTORE_NAME_LABEL,
    VELERO_NAMESPACE,
)
from fleettui.model.names import velero_object_name

Obj = dict[str, Any]


@dataclass(frozen=True)
class DeleteStep:
    cluster: str
    resource: Resource  # what is deleted (a Velero Backup: through a DeleteBackupRequest)
    action: str  # what is sent, e.g. "delete backups.backup.kurator.dev/nightly"
    effect: str  # what then happens there


@dataclass(frozen=True)
class MemberObject:
    """An object a controller deletes in a member once the fleet object is gone."""

    cluster: str
    kind: str  # e.g. schedule.velero.io
    name: str
    note: str = ""


@dataclass
class DeletePlan:
    name: str
    steps: list[DeleteStep]
    kept: list[str]  # what is NOT deleted
    then_intro: str = ""  # who deletes `then`, and how it finds them
    then: list[MemberObject] = field(default_factory=list)


@dataclass(frozen=True)
class StepResult:
    cluster: str
    ok: bool
    message: str
    error: KubeError | None = None  # the refusal itself, for exit codes and details


@dataclass
class DeleteResult:
    results: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def plan_lines(plan: DeletePlan) -> list[str]:
    """The plan as plain lines (the CLI's report; the dialog styles the same fields)."""
    lines = []
    if plan.then_intro:
        lines.append(plan.then_intro)
        lines += [f"  {o.cluster}: {o.kind}/{o.name}" + (f" ({o.note})" if o.note else "")
                  for o in plan.then]
    lines.append("NOT deleted: " + "; ".join(plan.kept))
    return lines


def _host_step(host: str, res: Resource, namespace: str, name: str, effect: str) -> DeleteStep:
    action = f"delete {res.plural}.{res.group}/{name} in namespace {namespace}"
    return DeleteStep(host, res, action, effect)


def _then_intro(label: str, name: str) -> str:
    return (f"Kurator then deletes, in namespace {VELERO_NAMESPACE} of each cluster, the "
            f"objects labelled {label}={name}:")


NO_CLUSTER = ("Kurator resolves no cluster for it ({what} missing?): it drops the finalizer "
              "and deletes nothing in the members")


def backup_plan(store: LiveStore, host: str, namespace: str, obj: Obj) -> DeletePlan:
    name = str((obj.get("metadata") or {}).get("name") or "")
    scheduled = bool((obj.get("spec") or {}).get("schedule"))
    kind = "schedule.velero.io" if scheduled else "backup.velero.io"
    clusters = expected_clusters(store, host, namespace, obj)
    step = _host_step(host, kc.KURATOR_BACKUPS, namespace, name,
                      "Kurator then deletes the Velero objects it created for it in each member")
    then = [MemberObject(c.name, kind, velero_object_name(c.name, "backup", namespace, name))
            for c in clusters]
    if scheduled:
        kept = ["the Velero Backups the schedules already made (kept until their TTL) and "
                "their data in the object storage bucket"]
    else:
        kept = ["the backup data in the object storage bucket (Kurator never deletes it; "
                "Velero may re-create the backup objects from the bucket)"]
    intro = _then_intro(BACKUP_NAME_LABEL, name) if then else NO_CLUSTER.format(what="fleet")
    return DeletePlan(name, [step], kept, intro, then)


def restore_plan(store: LiveStore, host: str, namespace: str, obj: Obj) -> DeletePlan:
    name = str((obj.get("metadata") or {}).get("name") or "")
    clusters = operation_clusters(store, host, namespace, {**obj, "kind": "Restore"})
    step = _host_step(host, kc.KURATOR_RESTORES, namespace, name,
                      "Kurator then deletes the Velero Restores it created in each member")
    then = [MemberObject(c.name, "restore.velero.io",
                         velero_object_name(c.name, "restore", namespace, name))
            for c in clusters]
    intro = (_then_intro(RESTORE_NAME_LABEL, name) if then
             else NO_CLUSTER.format(what="backup or fleet"))
    return DeletePlan(name, [step], ["the restored objects (they stay in the clusters) and the "
                                     "backup restored from"], intro, then)


def migrate_plan(store: LiveStore, host: str, namespace: str, obj: Obj) -> DeletePlan:
    name = str((obj.get("metadata") or {}).get("name") or "")
    clusters = operation_clusters(store, host, namespace, {**obj, "kind": "Migrate"})
    step = _host_step(host, kc.KURATOR_MIGRATES, namespace, name,
                      "Kurator then deletes the Velero objects it created in the members")
    then = []
    if clusters:
        source, *targets = clusters
        then.append(MemberObject(source.name, "backup.velero.io",
                                 velero_object_name(source.name, "migrate", namespace, name),
                                 "Velero syncs it back from the bucket within about a minute"))
        then += [MemberObject(c.name, "restore.velero.io",
                              velero_object_name(c.name, "migrate", namespace, name))
                 for c in targets]
    intro = (_then_intro(MIGRATE_NAME_LABEL, name) if then
             else NO_CLUSTER.format(what="backup or fleet"))
    return DeletePlan(name, [step], ["the migrated objects in the targets, the originals in the "
                                     "source, and the backup data in the bucket"], intro, then)


def velero_step(ctx: str, res: Resource, name: str) -> DeleteStep:
    if res == kc.VELERO_BACKUPS:
        return DeleteStep(ctx, res, f"create a DeleteBackupRequest for backups.velero.io/{name}",
                          "Velero deletes the backup AND its data in object storage")
    return DeleteStep(ctx, res, f"delete schedules.velero.io/{name}",
                      "the schedule stops; the backups it took stay")
