"""One backend per mode, behind one Protocol that the TUI and the CLI both use.

Kurator mode: the context is a Kurator host; a backup is a Kurator Backup, whose status comes
from the members' own Velero objects (more live than Kurator's 30 s copy). Plain Velero mode: the
kubeconfig's contexts are the fleet; a backup is the Velero Backup or Schedule of that name in
each context. What a name stands for, its derived status, what deleting it does and does not
delete, and the delete itself are decided here once; the views only render the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from fleettui.kube import resources as kc
from fleettui.kube.resources import Resource
from fleettui.live.backup_status import fleet_status
from fleettui.live.delete_plans import (  # re-exported: what a backend's delete speaks
    DeletePlan as DeletePlan,
)
from fleettui.live.delete_plans import DeleteResult as DeleteResult
from fleettui.live.delete_plans import DeleteStep as DeleteStep
from fleettui.live.delete_plans import StepResult as StepResult
from fleettui.live.delete_plans import backup_plan, velero_step
from fleettui.live.store import LiveStore
from fleettui.live.submit import SubmitError as SubmitError
from fleettui.live.submit import submit_everywhere as submit_everywhere
from fleettui.model.names import velero_label_value
from fleettui.model.status import FleetBackupStatus, derive_velero_status
from fleettui.model.timefmt import parse_time

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient


class Session(Protocol):
    """What a backend reads of the session (which owns the backend: no import back)."""

    store: LiveStore
    context: str | None
    namespace: str
    mode: str
    contexts: list[str]

    @property
    def member_velero_namespace(self) -> str: ...

    @property
    def host(self) -> KubeClient | None: ...

    def member(self, cluster: str) -> KubeClient: ...

Obj = dict[str, Any]


@dataclass(frozen=True)
class BackupSummary:
    """One row of the backups list."""

    name: str
    schedule: str  # the cron, "" for a one-time backup
    where: str  # the fleet (Kurator), or the contexts that hold it (plain Velero)
    status: FleetBackupStatus
    created: datetime | None
    problem: str = ""  # why the data may not be current (a feed reconnecting, forbidden...)


class Backend(Protocol):
    mode: str

    def backups(self, text_filter: str = "") -> list[BackupSummary]: ...

    def backup(self, name: str, now: datetime | None = None) -> BackupSummary | None: ...

    def list_problem(self) -> str: ...

    def objects_named(self, name: str) -> list[tuple[str, Resource, Obj]]: ...

    def delete_plan(self, name: str) -> DeletePlan | None: ...

    def delete(self, plan: DeletePlan, dry_run: bool = False) -> DeleteResult: ...

    def submit(self, manifest: Obj, targets: list[str], dry_run_only: bool) -> list[str]: ...


def feed_problem(store: LiveStore, cluster: str, res: Resource) -> str:
    """Why a feed's objects may not be current, or "" when it is synced."""
    state, message = store.state_of(cluster, res)
    if state == kc.SYNCED:
        return ""
    if state in kc.PROBLEMS:
        return f"{state}: {message}"
    return state


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _created(obj: Obj) -> datetime | None:
    return parse_time((obj.get("metadata") or {}).get("creationTimestamp"))


def _matches(name: str, text_filter: str) -> bool:
    return not text_filter or text_filter.lower() in name.lower()


class KuratorBackend:
    mode = "kurator"

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def host(self) -> str:
        return self.session.context or ""

    def _backup(self, name: str) -> Obj | None:
        s = self.session
        return s.store.get(self.host, kc.KURATOR_BACKUPS, s.namespace, name)

    def backups(self, text_filter: str = "") -> list[BackupSummary]:
        items = sorted(self.session.store.objects(self.host, kc.KURATOR_BACKUPS), key=_name)
        return [self._summary(b) for b in items if _matches(_name(b), text_filter)]

    def backup(self, name: str, now: datetime | None = None) -> BackupSummary | None:
        found = self._backup(name)
        return None if found is None else self._summary(found)

    def _summary(self, b: Obj) -> BackupSummary:
        s = self.session
        spec = b.get("spec") or {}
        return BackupSummary(
            _name(b), str(spec.get("schedule") or ""),
            str((spec.get("destination") or {}).get("fleet", "")),
            fleet_status(s.store, self.host, s.namespace, b), _created(b),
            feed_problem(s.store, self.host, kc.KURATOR_BACKUPS))

    def list_problem(self) -> str:
        problem = feed_problem(self.session.store, self.host, kc.KURATOR_BACKUPS)
        return f"host {self.host}: {problem}" if problem else ""

    def objects_named(self, name: str) -> list[tuple[str, Resource, Obj]]:
        obj = self._backup(name)
        return [(self.host, kc.KURATOR_BACKUPS, obj)] if obj else []

    def delete_plan(self, name: str) -> DeletePlan | None:
        found = self._backup(name)
        s = self.session
        return None if found is None else backup_plan(s.store, self.host, s.namespace, found)

    def delete(self, plan: DeletePlan, dry_run: bool = False) -> DeleteResult:
        return delete_on_host(self.session.host, self.session.namespace, plan, dry_run)


    def submit(self, manifest: Obj, targets: list[str], dry_run_only: bool) -> list[str]:
        from fleettui.kube.errors import KubeError

        host = self.session.host
        if host is None:
            raise KubeError(0, "NotConnected", "not connected to the cluster yet")
        return submit_everywhere([host], kc.KURATOR_BACKUPS, manifest, dry_run_only)


class VeleroBackend:
    mode = "velero"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _by_context(self) -> dict[str, list[Obj]]:
        """Each context's Velero Backups and Schedules, with their kind."""
        store = self.session.store
        found: dict[str, list[Obj]] = {}
        for ctx in self.session.contexts:
            objs = [o if o.get("kind") else {**o, "kind": "Schedule"}
                    for o in store.objects(ctx, kc.VELERO_SCHEDULES)]
            objs += [o if o.get("kind") else {**o, "kind": "Backup"}
                     for o in store.objects(ctx, kc.VELERO_BACKUPS)]
            found[ctx] = objs
        return found

    def _names(self, by_context: dict[str, list[Obj]]) -> list[str]:
        """Schedules and the Backups that are not a schedule's run."""
        names = set()
        for objs in by_context.values():
            for o in objs:
                labels = (o.get("metadata") or {}).get("labels") or {}
                if o.get("kind") == "Schedule" or "velero.io/schedule-name" not in labels:
                    names.add(_name(o))
        return sorted(names)

    def backups(self, text_filter: str = "") -> list[BackupSummary]:
        by_context = self._by_context()
        return [self._summary(name, by_context) for name in self._names(by_context)
                if _matches(name, text_filter)]

    def backup(self, name: str, now: datetime | None = None) -> BackupSummary | None:
        summary = self._summary(name, self._by_context(), now)
        return summary if summary.where else None

    def _summary(self, name: str, by_context: dict[str, list[Obj]],
                 now: datetime | None = None) -> BackupSummary:
        holders = {ctx: objs for ctx, objs in by_context.items()
                   if any(_name(o) == name for o in objs)}
        mine = [o for objs in holders.values() for o in objs if _name(o) == name]
        cron = next((str((o.get("spec") or {}).get("schedule") or "") for o in mine
                     if o.get("kind") == "Schedule"), "")
        created = min((c for c in map(_created, mine) if c), default=None)
        problem = next((p for ctx in holders
                        if (p := feed_problem(self.session.store, ctx, kc.VELERO_BACKUPS))), "")
        return BackupSummary(name, cron, ",".join(holders),
                             derive_velero_status(name, holders, now=now), created, problem)

    def list_problem(self) -> str:
        return ""  # each context's problem is on its rows and the connection line

    def objects_named(self, name: str) -> list[tuple[str, Resource, Obj]]:
        found = []
        for ctx in self.session.contexts:
            for res in (kc.VELERO_SCHEDULES, kc.VELERO_BACKUPS):
                obj = self.session.store.get(ctx, res, self.session.member_velero_namespace,
                                             name)
                if obj is not None:
                    found.append((ctx, res, obj))
        return found

    def delete_plan(self, name: str) -> DeletePlan | None:
        steps = [velero_step(ctx, res, name) for ctx, res, _ in self.objects_named(name)]
        if not steps:
            return None
        return DeletePlan(name, steps, ["anything restored from these backups"])

    def submit(self, manifest: Obj, targets: list[str], dry_run_only: bool) -> list[str]:
        return _velero_submit(self.session, manifest, targets, dry_run_only)

    def delete(self, plan: DeletePlan, dry_run: bool = False) -> DeleteResult:
        from fleettui.kube.errors import KubeError

        result = DeleteResult()
        for step in plan.steps:
            try:
                client = self.session.member(step.cluster)
                if step.resource == kc.VELERO_BACKUPS:
                    client.create(kc.VELERO_DELETE_REQUESTS, delete_request(
                        plan.name, self.session.member_velero_namespace), dry_run=dry_run)
                else:
                    client.delete(step.resource, self.session.member_velero_namespace,
                                  plan.name, dry_run=dry_run)
                result.results.append(StepResult(step.cluster, True, step.action))
            except KubeError as e:
                result.results.append(StepResult(step.cluster, False, e.message, e))
        return result


def _velero_submit(session: Session, manifest: Obj, targets: list[str],
                   dry_run_only: bool) -> list[str]:
    res = kc.VELERO_SCHEDULES if manifest.get("kind") == "Schedule" else kc.VELERO_BACKUPS
    return submit_everywhere([session.member(ctx) for ctx in targets], res, manifest,
                             dry_run_only)


def delete_request(backup: str, namespace: str) -> dict[str, object]:
    """Velero's own way to delete a backup: its data in object storage goes too (a plain
    delete of the Backup object would be re-synced from the bucket)."""
    return {"apiVersion": "velero.io/v1", "kind": "DeleteBackupRequest",
            "metadata": {"generateName": f"{backup}-", "namespace": namespace,
                         "labels": {"velero.io/backup-name": velero_label_value(backup)}},
            "spec": {"backupName": backup}}


def delete_on_host(host: KubeClient | None, namespace: str, plan: DeletePlan,
                   dry_run: bool = False) -> DeleteResult:
    """Carry out a Kurator plan: its one step deletes the fleet object on the host."""
    from fleettui.kube.errors import KubeError

    step = plan.steps[0]
    try:
        if host is None:
            raise KubeError(0, "NotConnected", "not connected")
        host.delete(step.resource, namespace, plan.name, dry_run=dry_run)
        return DeleteResult([StepResult(step.cluster, True, step.action)])
    except KubeError as e:
        return DeleteResult([StepResult(step.cluster, False, e.message, e)])


def backend_for(session: Session) -> Backend:
    return KuratorBackend(session) if session.mode == "kurator" else VeleroBackend(session)

