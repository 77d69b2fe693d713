"""Schedule health over the live store, for both modes; the TUI's `:health` and the CLI's
`schedules` and `check` call exactly these functions, so they cannot disagree.

Kurator mode: each Kurator Backup with ``spec.schedule``, on each of its clusters: the
member's Velero Schedule ``<cluster>-backup-<ns>-<name>`` and its runs. Kurator's copied status
(Completed runs only) stands in for a member whose own objects cannot be read. Plain Velero
mode: every Velero Schedule in every context; schedules may be named alike in every context, so
runs synced in from a shared bucket are told apart by their timestamps (model/schedule_health).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from fleettui.kube import resources as kc
from fleettui.live.backup_status import expected_clusters
from fleettui.live.store import LiveStore
from fleettui.model.coverage import (
    Coverage,
    Inventory,
    Scope,
    coverage,
    inventory_from_objects,
    scope_from_spec,
)
from fleettui.model.kurator import ClusterRef
from fleettui.model.names import velero_object_name
from fleettui.model.schedule_health import (
    SCHEDULE_NAME_LABEL,
    HealthLimits,
    ScheduleHealth,
    assess,
)
from fleettui.model.timefmt import parse_time

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]


class Source(Protocol):
    """What health reads of a session (live.session.Session, or the CLI's snapshot)."""

    store: LiveStore
    context: str | None
    namespace: str
    mode: str
    contexts: list[str]
    member_errors: dict[str, str]


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def runs_by_schedule(backups: Iterable[Obj]) -> dict[str, list[Obj]]:
    """A cluster's Velero Backups grouped by their schedule label, once per cluster (a member
    may hold thousands of backups and ten schedules)."""
    grouped: dict[str, list[Obj]] = {}
    for b in backups:
        label = ((b.get("metadata") or {}).get("labels") or {}).get(SCHEDULE_NAME_LABEL)
        if isinstance(label, str):
            grouped.setdefault(label, []).append(b)
    return grouped


def member_problem(store: LiveStore, cluster: str, errors: Mapping[str, str] | None = None
                   ) -> str:
    """Why a member's Velero objects may not be current ("" when they are)."""
    if errors and cluster in errors:
        return f"{cluster} cannot be read: {errors[cluster]}"
    state, message = store.state_of(cluster, kc.VELERO_BACKUPS)
    if state in kc.PROBLEMS:
        return f"{cluster} {state}: {message}" if message else f"{cluster} {state}"
    if not store.has_feed(cluster, kc.VELERO_BACKUPS):
        return f"{cluster} not read yet"
    return ""


def _copied_runs(backup: Obj, cluster: str, velero_schedule: str) -> list[Obj]:
    """Kurator's copies of a cluster's Completed runs, shaped as the Velero Backups they are."""
    found = []
    for d in (backup.get("status") or {}).get("backupDetails") or []:
        if not isinstance(d, dict) or d.get("clusterName") != cluster:
            continue
        name = d.get("backupNameInCluster")
        if isinstance(name, str) and name:  # the placeholder entry has no name
            found.append({"metadata": {"name": name,
                                       "labels": {SCHEDULE_NAME_LABEL: velero_schedule}},
                          "status": d.get("backupStatusInCluster") or {}})
    return found


def _clusters(store: LiveStore, host: str, namespace: str, backup: Obj) -> list[ClusterRef]:
    refs = expected_clusters(store, host, namespace, backup)
    seen = {r.name for r in refs}
    for d in (backup.get("status") or {}).get("backupDetails") or []:
        name = d.get("clusterName") if isinstance(d, dict) else None
        if isinstance(name, str) and name and name not in seen:
            refs.append(ClusterRef(name=name, kind=str(d.get("clusterKind") or "")))
            seen.add(name)
    return refs


def kurator_health(store: LiveStore, host: str, namespace: str, now: datetime,
                   limits: HealthLimits | None = None,
                   errors: Mapping[str, str] | None = None,
                   only: Collection[str] | None = None,
                   schedules: Collection[str] | None = None,
                   runs: dict[str, dict[str, list[Obj]]] | None = None) -> list[ScheduleHealth]:
    """A row per (scheduled Kurator Backup, cluster), by backup then cluster. For a screen
    that derives a part at a time: `only` these clusters, `schedules` only these, and `runs`
    each cluster's runs by schedule, kept between calls (filled here as read)."""
    rows: list[ScheduleHealth] = []
    grouped: dict[str, dict[str, list[Obj]]] = {} if runs is None else runs
    for backup in sorted(store.objects(host, kc.KURATOR_BACKUPS), key=_name):
        cron = str((backup.get("spec") or {}).get("schedule") or "")
        name = _name(backup)
        if not cron or (schedules is not None and name not in schedules):
            continue
        created = parse_time((backup.get("metadata") or {}).get("creationTimestamp"))
        for ref in _clusters(store, host, namespace, backup):
            if only is not None and ref.name not in only:
                continue
            if ref.name not in grouped:
                grouped[ref.name] = runs_by_schedule(store.objects(ref.name, kc.VELERO_BACKUPS))
            vname = velero_object_name(ref.name, "backup", namespace, name)
            live = grouped[ref.name].get(vname, [])
            names = {_name(b) for b in live}
            mine = live + [c for c in _copied_runs(backup, ref.name, vname)
                           if _name(c) not in names]
            rows.append(assess(
                name, ref.name, vname, cron,
                store.get(ref.name, kc.VELERO_SCHEDULES, "velero", vname), mine, now, limits,
                created=created, problem=member_problem(store, ref.name, errors)))
    return rows


def velero_health(store: LiveStore, contexts: Iterable[str], now: datetime,
                  limits: HealthLimits | None = None,
                  errors: Mapping[str, str] | None = None,
                  only: Collection[str] | None = None,
                  schedules: Collection[str] | None = None,
                  runs: dict[str, dict[str, list[Obj]]] | None = None) -> list[ScheduleHealth]:
    """A row per (Velero Schedule, context), by schedule then context (the parameters as
    for kurator_health)."""
    rows: list[ScheduleHealth] = []
    kept = {} if runs is None else runs
    for ctx in contexts:
        if only is not None and ctx not in only:
            continue
        found = [s for s in store.objects(ctx, kc.VELERO_SCHEDULES)
                 if schedules is None or _name(s) in schedules]
        if not found:
            continue
        if ctx not in kept:
            kept[ctx] = runs_by_schedule(store.objects(ctx, kc.VELERO_BACKUPS))
        grouped = kept[ctx]
        problem = member_problem(store, ctx, errors)
        for sched in found:
            name = _name(sched)
            rows.append(assess(name, ctx, name, "", sched, grouped.get(name, []), now,
                               limits, shared_names=True, problem=problem))
    return sorted(rows, key=lambda r: (r.schedule, r.cluster))


def worst_first(rows: list[ScheduleHealth]) -> list[ScheduleHealth]:
    """For `check`-like summaries: the rows that need a look first, stable otherwise."""
    order = {"stuck": 0, "failing": 1, "late": 2, "never ran": 3, "paused": 4, "ok": 5}
    return sorted(rows, key=lambda r: order.get(r.verdict, 9))


def session_health(source: Source, now: datetime, limits: HealthLimits | None = None,
                   only: Collection[str] | None = None,
                   schedules: Collection[str] | None = None,
                   runs: dict[str, dict[str, list[Obj]]] | None = None
                   ) -> list[ScheduleHealth]:
    """The rows of the mode the session is in (what `:health` and `schedules` show); the
    other parameters as for kurator_health."""
    if source.mode == "kurator":
        return kurator_health(source.store, source.context or "", source.namespace, now,
                              limits, source.member_errors, only, schedules, runs)
    return velero_health(source.store, source.contexts, now, limits, source.member_errors,
                         only, schedules, runs)


def schedule_clusters(source: Source, name: str) -> list[str]:
    """The clusters of one schedule, in the order its rows come."""
    store = source.store
    if source.mode == "kurator":
        host = source.context or ""
        backup = store.get(host, kc.KURATOR_BACKUPS, source.namespace, name)
        return [] if backup is None else [
            r.name for r in _clusters(store, host, source.namespace, backup)]
    return sorted(ctx for ctx in source.contexts
                  if any(_name(s) == name for s in store.objects(ctx, kc.VELERO_SCHEDULES)))


def schedule_names(source: Source) -> list[str]:
    """Every schedule's name, in the order the rows come (a screen derives one at a time)."""
    if source.mode == "kurator":
        return sorted(_name(b) for b in source.store.objects(source.context or "",
                                                             kc.KURATOR_BACKUPS)
                      if (b.get("spec") or {}).get("schedule"))
    return sorted({_name(s) for ctx in source.contexts
                   for s in source.store.objects(ctx, kc.VELERO_SCHEDULES)})


# ---------------------------------------------------------------------------------------------
# Coverage: the same schedules, by what they take from each cluster


def members_of(source: Source) -> list[str]:
    """Every member: the fleets' clusters (Kurator), or the contexts (plain Velero)."""
    if source.mode != "kurator":  # contexts without Velero (a Kurator host) are no members
        return [c for c in source.contexts
                if source.store.state_of(c, kc.VELERO_SCHEDULES)[0] != kc.MISSING]
    return sorted({str(c.get("name") or "")
                   for f in source.store.objects(source.context or "", kc.FLEETS)
                   for c in (f.get("spec") or {}).get("clusters") or []
                   if isinstance(c, dict)} - {""})


def _template(source: Source, h: ScheduleHealth) -> object:
    """What the schedule takes: the member's Velero Schedule template, else (not created yet)
    the Kurator Backup's resource filter, which uses the same field names."""
    for sched in source.store.objects(h.cluster, kc.VELERO_SCHEDULES):
        if _name(sched) == h.velero_schedule:
            return (sched.get("spec") or {}).get("template") or {}
    if source.mode == "kurator":
        backup = source.store.get(source.context or "", kc.KURATOR_BACKUPS, source.namespace,
                                  h.schedule) or {}
        return ((backup.get("spec") or {}).get("policy") or {}).get("resourceFilter") or {}
    return {}


def scopes_of(source: Source, rows: Iterable[ScheduleHealth]) -> dict[str, list[Scope]]:
    scopes: dict[str, list[Scope]] = {}
    for h in rows:
        scopes.setdefault(h.cluster, []).append(
            scope_from_spec(h.schedule, _template(source, h), h.recovery_age, h.verdict))
    return scopes


def inventories_from_store(store: LiveStore, clusters: Iterable[str],
                           errors: Mapping[str, str] | None = None) -> dict[str, Inventory]:
    """Each member's namespaces and pods as read into the store (the CLI's one read)."""
    found = {}
    for cluster in clusters:
        if errors and cluster in errors:
            found[cluster] = Inventory(problem=errors[cluster])
        else:
            found[cluster] = inventory_from_objects(store.objects(cluster, kc.NAMESPACES),
                                                    store.objects(cluster, kc.PODS))
    return found


def session_coverage(source: Source, inventories: Mapping[str, Inventory], now: datetime,
                     max_age: float, limits: HealthLimits | None = None,
                     include_system: bool = False) -> Coverage:
    """What `:coverage` and `fleettui coverage` show, from the same health rows."""
    scopes = scopes_of(source, session_health(source, now, limits))
    return coverage(inventories, scopes, max_age, include_system)


class Reader(Source, Protocol):
    """A session that can reach its members (live.session.Session)."""

    def member(self, cluster: str) -> KubeClient: ...


def read_inventories(session: Reader, clusters: Iterable[str]) -> dict[str, Inventory]:
    """Each member's namespaces and pods, read now (blocks: call it from a worker thread); a
    member that cannot be read says why."""
    from fleettui.kube.errors import KubeError

    found = {}
    for cluster in clusters:
        try:
            client = session.member(cluster)
            found[cluster] = inventory_from_objects(
                client.list(kc.NAMESPACES).get("items") or [],
                client.list(kc.PODS).get("items") or [])
        except KubeError as e:
            found[cluster] = Inventory(problem=e.message)
    return found
