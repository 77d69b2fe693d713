"""Pause, resume and run now for a schedule, fleet-wide or on some clusters: what is sent to
which cluster and what then happens, decided once and said before it is done (the TUI's dialog
and `fleettui schedule` render the same plan), then carried out step by step.

Kurator mode: a scheduled Kurator Backup has, in namespace velero of each member, a Velero
Schedule named `<cluster>-backup-<ns>-<name>`. Kurator creates it only when absent and never
updates it (create-only), so `spec.paused` set on the member's Schedule sticks, and acting on the
member is the only way (the Kurator Backup has no pause field). Plain Velero mode: the Schedule of
that name in each context.

Pause and resume are a merge patch of `spec.paused`, as `velero schedule pause|unpause` does
(velero pkg/cmd/cli/schedule/pause.go). Run now creates a Backup from the Schedule as `velero
backup create --from-schedule` does (velero pkg/cmd/cli/backup/create.go and pkg/builder
backup_builder.go FromSchedule): the template as spec, the template's labels (else the
Schedule's) plus velero.io/schedule-name=<schedule>, the Schedule's annotations, the owner
reference when useOwnerReferencesInBackup, named `<schedule>-<UTC YYYYMMDDhhmmss>`
(Schedule.TimestampedName). Velero then treats it as one of the schedule's runs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.backup_status import expected_clusters
from fleettui.live.delete_plans import DeleteResult, StepResult
from fleettui.live.health import Source
from fleettui.live.store import LiveStore
from fleettui.model.names import velero_object_name
from fleettui.model.schedule_health import SCHEDULE_NAME_LABEL

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
PAUSE, RESUME, RUN_NOW = "pause", "resume", "run-now"
OPERATIONS = (PAUSE, RESUME, RUN_NOW)
VERBS = {PAUSE: "Pause", RESUME: "Resume", RUN_NOW: "Run now"}
RUNNING = frozenset({"", "New", "InProgress"})  # what Velero's overlap check looks at


class PlanError(Exception):
    """The schedule (or a cluster asked for) is not there: nothing can be planned."""

    def __init__(self, message: str, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.not_found = not_found


@dataclass(frozen=True)
class ScheduleStep:
    cluster: str
    schedule: str  # the member's Velero Schedule
    action: str  # what is sent there ("" when nothing is)
    effect: str  # what then happens, or why nothing is sent

    @property
    def sends(self) -> bool:
        return bool(self.action)


@dataclass
class SchedulePlan:
    op: str
    name: str  # what the operator named: the Kurator Backup, or the Velero Schedule
    velero_namespace: str
    steps: list[ScheduleStep]
    notes: list[str] = field(default_factory=list)
    schedules: dict[str, Obj] = field(default_factory=dict)  # cluster → its Schedule (run now)

    @property
    def clusters(self) -> list[str]:
        return [s.cluster for s in self.steps if s.sends]


OpResult = DeleteResult  # the same per-cluster results as a delete's


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def targets(source: Source, name: str, velero_namespace: str) -> dict[str, str]:
    """Cluster → the member's Velero Schedule name, for every cluster the schedule runs on."""
    store = source.store
    if source.mode == "kurator":
        host = source.context or ""
        backup = store.get(host, kc.KURATOR_BACKUPS, source.namespace, name)
        if backup is None:
            raise PlanError(f'backup "{name}" not found in namespace {source.namespace}',
                            not_found=True)
        if not (backup.get("spec") or {}).get("schedule"):
            raise PlanError(f"backup {name} is a one-time backup, not a schedule: there is "
                            "nothing to pause, resume or run")
        return {ref.name: velero_object_name(ref.name, "backup", source.namespace, name)
                for ref in expected_clusters(store, host, source.namespace, backup)}
    found = {ctx: name for ctx in source.contexts
             if store.get(ctx, kc.VELERO_SCHEDULES, velero_namespace, name) is not None
             or ctx in source.member_errors}
    if not any(ctx not in source.member_errors for ctx in found):
        raise PlanError(f'schedule "{name}" not found in namespace {velero_namespace} of any '
                        "context", not_found=True)
    return found


def plan(source: Source, op: str, name: str, velero_namespace: str = "velero",
         clusters: Iterable[str] = ()) -> SchedulePlan:
    """What `op` does to schedule `name` on each of its clusters (all, or those asked for)."""
    if op not in OPERATIONS:
        raise PlanError(f"unknown operation {op!r}: one of {', '.join(OPERATIONS)}")
    where = targets(source, name, velero_namespace)
    asked = list(dict.fromkeys(clusters))
    unknown = [c for c in asked if c not in where]
    if unknown:
        raise PlanError(f"{', '.join(unknown)}: not a cluster of {name} (its clusters: "
                        f"{', '.join(sorted(where)) or 'none'})")
    result = SchedulePlan(op, name, velero_namespace, [])
    for cluster in sorted(asked or where):
        vname = where[cluster]
        sched = source.store.get(cluster, kc.VELERO_SCHEDULES, velero_namespace, vname)
        if sched is not None:
            result.schedules[cluster] = sched
        result.steps.append(_step(source, op, cluster, vname, sched, velero_namespace))
    result.notes = _notes(source, result)
    return result


def _step(source: Source, op: str, cluster: str, vname: str, sched: Obj | None,
          velero_namespace: str) -> ScheduleStep:
    if cluster in source.member_errors:
        return ScheduleStep(cluster, vname, "", f"cannot be read: {source.member_errors[cluster]}")
    if sched is None:
        why = (" (Kurator has not created it yet)" if source.mode == "kurator" else "")
        return ScheduleStep(cluster, vname, "", f"no Velero Schedule {vname} here{why}: "
                            "nothing is sent")
    paused = bool((sched.get("spec") or {}).get("paused"))
    obj = f"schedules.velero.io/{vname}"
    if op == PAUSE:
        if paused:
            return ScheduleStep(cluster, vname, "", "already paused: nothing is sent")
        return ScheduleStep(cluster, vname, f"set spec.paused=true on {obj}",
                            "Velero creates no run from it until it is resumed (a run in "
                            "progress finishes)")
    if op == RESUME:
        if not paused:
            return ScheduleStep(cluster, vname, "", "not paused: nothing is sent")
        return ScheduleStep(cluster, vname, f"set spec.paused=false on {obj}",
                            "Velero checks it within a minute; if a run fell due while it was "
                            "paused, one run starts then (missed runs are not caught up), "
                            "then it runs on its cron")
    running = _running(source.store, cluster, vname)
    effect = ("Velero runs it now as one of the schedule's runs; the cron is unchanged")
    if running:
        effect += f"; {running} is still running"
    if paused:
        effect += "; the schedule stays paused"
    return ScheduleStep(cluster, vname, f"create backups.velero.io/{vname}-<UTC time> from "
                        f"{obj}'s template, labelled {SCHEDULE_NAME_LABEL}={vname}", effect)


def _running(store: LiveStore, cluster: str, vname: str) -> str:
    for b in store.objects(cluster, kc.VELERO_BACKUPS):
        labels = (b.get("metadata") or {}).get("labels") or {}
        if labels.get(SCHEDULE_NAME_LABEL) == vname and str(
                (b.get("status") or {}).get("phase") or "") in RUNNING:
            return _name(b)
    return ""


def _notes(source: Source, p: SchedulePlan) -> list[str]:
    notes = []
    if source.mode == "kurator" and p.op == PAUSE:
        notes.append(f"Kurator never updates a member's Schedule once created, so the pause "
                     f"stays until resumed; the Kurator Backup {p.name} is unchanged, and a "
                     "cluster added to its fleet later gets an unpaused Schedule.")
    if source.mode == "kurator" and p.op == RUN_NOW:
        notes.append(f"Kurator's status of {p.name} shows the run once it is the newest "
                     "Completed one (it picks runs by the schedule label).")
    if not p.clusters:
        notes.append("Nothing to do on any cluster.")
    return notes


@dataclass
class Snapshot:
    """A Source read for one plan: the host's objects as watched, the members' Schedules as
    they are now (a screen need not be watching those members)."""

    store: LiveStore
    context: str | None
    namespace: str
    mode: str
    contexts: list[str] = field(default_factory=list)
    member_errors: dict[str, str] = field(default_factory=dict)


class Reader(Source, Protocol):
    """A session that can reach its members (live.session.Session)."""

    def member(self, cluster: str) -> KubeClient: ...


def read_targets(session: Reader, name: str, velero_namespace: str) -> Snapshot:
    """Each target member's Schedule read now (blocks: call it from a worker thread); a member
    that cannot be read is recorded with why."""
    snap = Snapshot(LiveStore(), session.context, session.namespace, session.mode,
                    list(session.contexts))
    host = session.context or ""
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS):
        snap.store.replace(host, res, session.store.objects(host, res))
    if session.mode == "kurator":
        where = targets(snap, name, velero_namespace)  # PlanError when there is no such backup
    else:
        where = {ctx: name for ctx in session.contexts}
    for cluster, vname in where.items():
        watched = session.store.get(cluster, kc.VELERO_SCHEDULES, velero_namespace, vname)
        try:
            found = [session.member(cluster).get(kc.VELERO_SCHEDULES, velero_namespace, vname)]
        except KubeError as e:
            # Out of reach now: the watched copy, if any, stands in (sending will say it fails)
            found = [watched] if watched is not None and e.code != 404 else []
            if e.code != 404 and watched is None:
                snap.member_errors[cluster] = e.message
        snap.store.replace(cluster, kc.VELERO_SCHEDULES, found)
        snap.store.replace(cluster, kc.VELERO_BACKUPS, session.store.objects(
            cluster, kc.VELERO_BACKUPS))  # runs in progress, where watched
    if session.mode != "kurator":  # contexts without it are no targets
        snap.contexts = [c for c in session.contexts if c not in snap.member_errors and
                         snap.store.objects(c, kc.VELERO_SCHEDULES)]
    return snap


def plan_lines(p: SchedulePlan) -> list[str]:
    """The plan as plain lines (the CLI's report; the dialog styles the same fields)."""
    lines = []
    for s in p.steps:
        if s.sends:
            lines.append(f"{s.cluster}: {s.action} in namespace {p.velero_namespace}. "
                         f"{s.effect[:1].upper()}{s.effect[1:]}.")
        else:
            lines.append(f"{s.cluster}: {s.effect}.")
    return lines + p.notes


def backup_from_schedule(schedule: Obj, now: datetime) -> Obj:
    """The Backup `velero backup create --from-schedule` builds (velero pkg/builder
    backup_builder.go FromSchedule, and Schedule.TimestampedName for the name)."""
    meta = schedule.get("metadata") or {}
    spec = schedule.get("spec") or {}
    template = copy.deepcopy(spec.get("template") or {})
    template_labels = (template.get("metadata") or {}).get("labels")
    labels = dict(template_labels if template_labels else meta.get("labels") or {})
    labels[SCHEDULE_NAME_LABEL] = str(meta.get("name") or "")
    backup_meta: Obj = {"name": f"{meta.get('name')}-{now.astimezone(UTC):%Y%m%d%H%M%S}",
                        "namespace": meta.get("namespace"), "labels": labels}
    if meta.get("annotations"):
        backup_meta["annotations"] = dict(meta["annotations"])
    if spec.get("useOwnerReferencesInBackup") and meta.get("uid"):
        backup_meta["ownerReferences"] = [{
            "apiVersion": "velero.io/v1", "kind": "Schedule", "name": meta.get("name"),
            "uid": meta["uid"], "controller": True}]
    return {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": backup_meta,
            "spec": template}


def run_step(p: SchedulePlan, step: ScheduleStep, client: KubeClient, dry_run: bool = False,
             now: datetime | None = None) -> StepResult:
    """Send one step to its cluster; the result says what was done, or the refusal."""
    try:
        if p.op in (PAUSE, RESUME):
            client.merge_patch(kc.VELERO_SCHEDULES, p.velero_namespace, step.schedule,
                               {"spec": {"paused": p.op == PAUSE}}, dry_run=dry_run)
            return StepResult(step.cluster, True, f"{step.schedule} "
                              f"{'paused' if p.op == PAUSE else 'resumed'}")
        # The Schedule as it is now (its template may have changed since it was read).
        sched = client.get(kc.VELERO_SCHEDULES, p.velero_namespace, step.schedule)
        made = client.create(kc.VELERO_BACKUPS, backup_from_schedule(sched, now or datetime.now(
            UTC)), dry_run=dry_run)
        return StepResult(step.cluster, True, f"backup {_name(made)} created")
    except KubeError as e:
        return StepResult(step.cluster, False, e.message, e)


def execute(p: SchedulePlan, member: Callable[[str], KubeClient], dry_run: bool = False,
            now: datetime | None = None) -> OpResult:
    """Carry out every step that sends something (blocks: call it from a worker thread)."""
    result = OpResult()
    for step in p.steps:
        if not step.sends:
            continue
        try:
            client = member(step.cluster)
        except KubeError as e:
            result.results.append(StepResult(step.cluster, False, e.message, e))
            continue
        result.results.append(run_step(p, step, client, dry_run, now))
    return result


def toggle_op(source: Source, name: str, velero_namespace: str,
              clusters: Iterable[str] = ()) -> str:
    """What `p` does: pause while any of the targeted Schedules runs, else resume."""
    schedules = plan(source, PAUSE, name, velero_namespace, clusters).schedules
    running = [s for s in schedules.values() if not (s.get("spec") or {}).get("paused")]
    return PAUSE if running or not schedules else RESUME


def result_lines(p: SchedulePlan, result: OpResult, dry_run: bool = False) -> list[str]:
    suffix = " (server dry run)" if dry_run else ""
    return [f"{r.cluster}: {'✓' if r.ok else '✗'} {r.message}{suffix if r.ok else ''}"
            for r in result.results]

