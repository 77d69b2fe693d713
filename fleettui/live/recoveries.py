"""Restores and migrates for the TUI: their feeds, list rows, live status with stuck phases said
in words, which Velero backup a restore will use in each cluster (read from the store, as the
CLI reads it from the members), the delete plan, and the submit.

The status itself is live/restore_status.py's, shared with the CLI; no widgets here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fleettui.kube import resources as kc
from fleettui.live.backends import delete_on_host
from fleettui.live.delete_plans import DeletePlan, DeleteResult, migrate_plan, restore_plan
from fleettui.live.member_feeds import RESTORES, STATUS
from fleettui.live.restore_status import member_objects, operation_status
from fleettui.model.kurator import ClusterRef, KuratorBackup
from fleettui.model.restore import BackupChoice, choose_velero_backup
from fleettui.model.status import COMPLETED, FINAL_STATES, FleetBackupStatus
from fleettui.model.timefmt import parse_time

if TYPE_CHECKING:
    from fleettui.live.session import Session

Obj = dict[str, Any]
RESTORE, MIGRATE = "Restore", "Migrate"
RESOURCES = {RESTORE: kc.KURATOR_RESTORES, MIGRATE: kc.KURATOR_MIGRATES}
# A phase that has not moved on after this long is called out on the status screen: the
# simulator finishes in seconds, a real restore of a namespace in a few minutes.
STUCK_AFTER = 600.0


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _clusters(dest: object) -> list[str]:
    refs = dest.get("clusters") if isinstance(dest, dict) else None
    return [str(c.get("name")) for c in refs or [] if isinstance(c, dict) and c.get("name")]


def fleet_members(session: Session, fleet: str) -> list[ClusterRef]:
    obj = session.store.get(session.context or "", kc.FLEETS, session.namespace, fleet)
    refs = ((obj or {}).get("spec") or {}).get("clusters") or []
    return [ClusterRef(name=str(r.get("name", "")), kind=str(r.get("kind") or ""))
            for r in refs if isinstance(r, dict) and r.get("name")]


def fleet_names(session: Session) -> list[str]:
    return sorted(_name(f) for f in session.store.objects(session.context or "", kc.FLEETS))


def backup_fleet(session: Session, backup: str) -> str:
    obj = session.store.get(session.context or "", kc.KURATOR_BACKUPS, session.namespace, backup)
    return str((((obj or {}).get("spec") or {}).get("destination") or {}).get("fleet") or "")


def not_ready(session: Session) -> set[str]:
    """Members whose AttachedCluster says not ready (Kurator restores nothing there)."""
    return {_name(c) for c in session.store.objects(session.context or "",
                                                    kc.ATTACHED_CLUSTERS)
            if not (c.get("status") or {}).get("ready")}


# ---- feeds -------------------------------------------------------------------------------------
def watch_recoveries(session: Session, owner: str) -> None:
    """Watch Kurator Restores and Migrates on the host, and (as `owner`, for as long as it
    shows them) the fleet members' Velero Restores and migrates' Backups; started when a
    restore screen first needs them (blocks: call from a worker)."""
    host = session.host
    if host is None or session.mode != "kurator":
        return
    for res in RESOURCES.values():
        session.watch_extra(host.name, res, session.namespace)
    members = sorted({m.name for f in fleet_names(session) for m in fleet_members(session, f)})
    if not session.watch_all:
        session.feeds.want(owner, members, (RESTORES, STATUS))
        return
    for cluster in members:  # the design before member feeds (FLEETTUI_WATCH_ALL=1)
        session.watch_member(cluster)
        if cluster in session.members:
            session.watch_extra(cluster, kc.VELERO_RESTORES, session.member_velero_namespace)


# ---- lists -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecoverySummary:
    name: str
    source: str  # the backup restored from, or a migrate's source cluster
    targets: str  # a migrate's target clusters ("" for a restore)
    status: FleetBackupStatus
    created: datetime | None


def recoveries(session: Session, kind: str, now: datetime, text_filter: str = ""
               ) -> list[RecoverySummary]:
    host = session.context or ""
    found = []
    for obj in sorted(session.store.objects(host, RESOURCES[kind]), key=_name):
        if text_filter and text_filter.lower() not in _name(obj).lower():
            continue
        spec = obj.get("spec") or {}
        source = str(spec.get("backupName") or "") if kind == RESTORE else \
            ",".join(_clusters(spec.get("sourceCluster")))
        targets = "" if kind == RESTORE else ",".join(_clusters(spec.get("targetCluster")))
        found.append(RecoverySummary(
            _name(obj), source, targets, recovery_status(session, kind, obj, now),
            parse_time((obj.get("metadata") or {}).get("creationTimestamp"))))
    return found


def recovery(session: Session, kind: str, name: str) -> Obj | None:
    return session.store.get(session.context or "", RESOURCES[kind], session.namespace, name)


def recovery_status(session: Session, kind: str, obj: Obj, now: datetime
                    ) -> FleetBackupStatus:
    return operation_status(session.store, session.context or "", session.namespace, obj, kind,
                            now)


def recovery_objects(session: Session, kind: str, name: str) -> list[tuple[str, Obj]]:
    """The Kurator object, then each member's Velero objects made for it (for the YAML view)."""
    obj = recovery(session, kind, name)
    if obj is None:
        return []
    typed = obj if obj.get("kind") else {**obj, "kind": kind}
    found = [(session.context or "", typed)]
    for cluster, objs in member_objects(session.store, session.context or "",
                                        session.namespace, typed).items():
        found += [(cluster, o) for o in objs]
    return found


def stuck_notes(st: FleetBackupStatus, obj: Obj, now: datetime, limit: float = STUCK_AFTER
                ) -> list[str]:
    """A line per cluster whose phase has not moved on for longer than `limit` seconds: a
    running row since its start, a row with nothing yet since the object was created."""
    created = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
    migrate = obj.get("kind") == MIGRATE
    notes = []
    for i, row in enumerate(st.rows):
        if row.state in FINAL_STATES:
            continue
        since = row.started or created
        if since is None or (now - since).total_seconds() <= limit:
            continue
        phase = row.phase_display or row.state
        notes.append(f"{row.cluster_name}: still {phase} after {_minutes(now - since)} (over "
                     f"the {_minutes_s(limit)} limit for one phase): check that Velero runs "
                     f"there and see `velero {'backup' if migrate and i == 0 else 'restore'} "
                     f"describe {row.velero_name}`")
    return notes


def _minutes(delta: Any) -> str:
    return _minutes_s(delta.total_seconds())


def _minutes_s(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


# ---- which Velero backup each cluster will use ---------------------------------------------
def backup_choices(session: Session, backup: KuratorBackup, clusters: list[str]
                   ) -> list[BackupChoice]:
    """Per target: the Velero backup Kurator will restore from, or why there is none; a member
    whose Velero backups cannot be read is not usable either (nothing can be said)."""
    choices = []
    for cluster in clusters:
        state, message = session.store.state_of(cluster, kc.VELERO_BACKUPS)
        if state != kc.SYNCED:
            why = session.member_errors.get(cluster) or message or state
            choices.append(BackupChoice(cluster, "", False, note=(
                f"cannot read its Velero backups yet ({why}): nothing can be checked")))
            continue
        objs = session.store.objects(cluster, kc.VELERO_BACKUPS)
        choices.append(choose_velero_backup(backup, cluster, objs))
    return choices


# ---- delete and submit ---------------------------------------------------------------------------
def delete_plan(session: Session, kind: str, name: str) -> DeletePlan | None:
    """The same plan `fleettui restore|migrate delete` reports (live/delete_plans.py)."""
    obj = recovery(session, kind, name)
    if obj is None:
        return None
    planner = restore_plan if kind == RESTORE else migrate_plan
    return planner(session.store, session.context or "", session.namespace, obj)


def delete_recovery(session: Session, plan: DeletePlan) -> DeleteResult:
    return delete_on_host(session.host, session.namespace, plan)


def submit_recovery(session: Session, manifest: Obj, dry_run_only: bool) -> list[str]:
    """A server dry run on the host, then (unless only that) the create."""
    from fleettui.kube.errors import KubeError
    from fleettui.live.backends import submit_everywhere

    if session.host is None:
        raise KubeError(0, "NotConnected", "not connected to the cluster yet")
    res = RESOURCES[str(manifest.get("kind"))]
    return submit_everywhere([session.host], res, manifest, dry_run_only)


def done_count(st: FleetBackupStatus) -> str:
    return f"{sum(1 for r in st.rows if r.state == COMPLETED)}/{len(st.rows)}"
