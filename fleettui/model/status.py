"""Derived phases: the one place that turns Kurator/Velero status into what fleettui shows.

Kurator never sets ``status.phase`` on Backup or Restore (no controller in Kurator's
pkg/fleet-manager/backup writes it), so fleettui derives it. Per cluster, the raw Velero phase
maps to a *state*:

=====================================================================  ===============
Velero phase                                                           state
=====================================================================  ===============
Failed, FailedValidation                                               Failed
PartiallyFailed, WaitingForPluginOperationsPartiallyFailed,            PartiallyFailed
FinalizingPartiallyFailed
Completed                                                              Completed
Deleting (or the object has a deletionTimestamp)                       Deleting
"", New, Queued, ReadyToStart, InProgress, WaitingForPluginOperations,  Running
Finalizing, and any phase this code does not know (non-terminal)
=====================================================================  ===============

Two more row states exist: Pending (an expected cluster with no entry yet) and Waiting (a
scheduled backup whose cluster has only Kurator's placeholder entry: no run has completed).

Overall, immediate Backup / Restore / Migrate (``overall_phase``): Deleting when the Kurator
object has a deletionTimestamp; else Pending when nothing has started anywhere; else Running
while any expected cluster has no final phase yet (even when another already failed: the
failure shows in its row and the summary, and the overall does not change once it is final);
then Failed if any row failed; else PartiallyFailed if any row partially failed; else
Completed.

Overall, scheduled Backup: Deleting, then Failed / PartiallyFailed when any cluster's *latest*
run is so, then Running when a run is in progress somewhere, then Pending when an expected
cluster has no entry at all, else **Scheduled** (every cluster is waiting for its first run or
its latest run completed).

Live data: ``velero_objects`` maps a cluster name to Velero objects read from that member
(Backups; for schedules the Backups labelled ``velero.io/schedule-name``, optionally the
Schedule itself). Kurator copies status only every 30 s and never copies failed or running
scheduled runs, so a member object wins over Kurator's copy when it belongs to a newer run
(later startTimestamp) or to the same run at the same or a later phase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fleettui.model.cron import describe, next_runs, parse_cron
from fleettui.model.errors import FieldError
from fleettui.model.kurator import ClusterRef
from fleettui.model.names import velero_object_name
from fleettui.model.stamps import parse_stamp, suffix_stamp

PENDING, RUNNING, COMPLETED = "Pending", "Running", "Completed"
PARTIALLY_FAILED, FAILED, DELETING, WAITING = "PartiallyFailed", "Failed", "Deleting", "Waiting"
SCHEDULED = "Scheduled"  # overall only
FINAL_STATES = frozenset({COMPLETED, PARTIALLY_FAILED, FAILED})  # a run that has ended
STATES = (PENDING, RUNNING, COMPLETED, PARTIALLY_FAILED, FAILED, DELETING, WAITING)

# Symbols for displays without colour.
PHASE_SYMBOLS = {
    COMPLETED: "✓", FAILED: "✗", PARTIALLY_FAILED: "!", RUNNING: "▶", PENDING: "·",
    WAITING: "◷", DELETING: "⌫", SCHEDULED: "⟳",
}

FAILED_PHASES = frozenset({"Failed", "FailedValidation"})
PARTIAL_PHASES = frozenset({"PartiallyFailed", "WaitingForPluginOperationsPartiallyFailed",
                            "FinalizingPartiallyFailed"})
SCHEDULE_NAME_LABEL = "velero.io/schedule-name"
NO_STATUS = "has no status yet (cluster not ready or Kurator not reconciling)"

# How far a run has got; used to decide whether a member object is more advanced.
_PHASE_RANK = {
    "": 0, "New": 0, "Queued": 1, "ReadyToStart": 2, "InProgress": 3,
    "WaitingForPluginOperations": 4, "WaitingForPluginOperationsPartiallyFailed": 4,
    "Finalizing": 5, "FinalizingPartiallyFailed": 5, "Completed": 6, "PartiallyFailed": 6,
    "Failed": 6, "FailedValidation": 6, "Deleting": 7,
}
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass
class ClusterRow:
    """One cluster's view of one Velero run (or of its absence)."""

    cluster_kind: str
    cluster_name: str
    velero_name: str
    phase: str = ""  # raw Velero phase; "" is shown as "New"
    state: str = PENDING
    items_done: int | None = None
    items_total: int | None = None
    errors: int = 0
    warnings: int = 0
    started: datetime | None = None
    completed: datetime | None = None
    expires: datetime | None = None
    failure_reason: str = ""
    validation_errors: list[str] = field(default_factory=list)
    message: str = ""
    source: str = ""  # "kurator" (copied status), "velero" (member object) or "" (no data)
    velero_kind: str = "backup"  # or "restore": which `velero ... logs` tells more

    @property
    def phase_display(self) -> str:
        # A Velero object with no phase yet is "New"; Pending/Waiting rows have no object.
        return self.phase or ("New" if self.state == RUNNING else "")

    @property
    def symbol(self) -> str:
        return PHASE_SYMBOLS.get(self.state, "?")

    @property
    def reason(self) -> str:
        """Why this row is not Completed, in one line ("" when Completed, or running with
        nothing to add): Velero's failureReason and validationErrors first, then what fleettui
        knows (no status yet, waiting for the first run, the last successful run)."""
        if self.state == COMPLETED:
            return ""
        note = self.message
        if self.state == FAILED:
            why = self.failure_reason or "; ".join(self.validation_errors) or (
                f"Velero recorded no reason (see: velero {self.velero_kind} logs "
                f"{self.velero_name})")
        elif self.state == PARTIALLY_FAILED:
            why = (f"{self.errors} error{_s(self.errors)}, {self.warnings} "
                   f"warning{_s(self.warnings)} (see: velero {self.velero_kind} logs "
                   f"{self.velero_name})")
            if self.failure_reason:
                why = f"{self.failure_reason}; {why}"
        elif self.state == DELETING:
            why = "being deleted"
        elif self.state == PENDING:
            why, note = note or f"{self.cluster_name} {NO_STATUS}", ""
        else:  # Running, Waiting: the phase says it; only a note adds something
            why, note = note, ""
        return f"{why} ({note})" if why and note else why or note


@dataclass
class FleetBackupStatus:
    overall: str
    rows: list[ClusterRow]
    runs: dict[str, list[ClusterRow]]  # scheduled: every known run per cluster, newest first
    scheduled: bool
    summary: str  # headline plus every non-completed row's phrase (one line, for the CLI)
    headline: str = ""  # the counts alone, for screens that show each row's reason apart

    def __post_init__(self) -> None:
        self.headline = self.headline or self.summary


def _s(count: int) -> str:
    return "" if count == 1 else "s"


# ---------------------------------------------------------------------------------------------
# Small readers that never raise on odd input


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _when(row: ClusterRow) -> datetime:
    return row.started or suffix_stamp(row.velero_name) or row.completed or _EPOCH


# ---------------------------------------------------------------------------------------------
# Rows


def state_for_phase(phase: str) -> str:
    """Velero phase -> row state (unknown phases count as still running)."""
    if phase in FAILED_PHASES:
        return FAILED
    if phase in PARTIAL_PHASES:
        return PARTIALLY_FAILED
    if phase == "Completed":
        return COMPLETED
    if phase == "Deleting":
        return DELETING
    return RUNNING


def row_from_status(cluster_kind: str, cluster_name: str, velero_name: str, status: object, *,
                    source: str = "kurator", message: str = "") -> ClusterRow:
    """A row from a Velero Backup or Restore ``.status`` (or Kurator's copy of it)."""
    st = _map(status)
    phase = _text(st.get("phase"))
    progress = _map(st.get("progress"))
    done = progress.get("itemsBackedUp", progress.get("itemsRestored"))
    errors = [e for e in st.get("validationErrors") or [] if isinstance(e, str)] \
        if isinstance(st.get("validationErrors"), list) else []
    return ClusterRow(
        cluster_kind=cluster_kind, cluster_name=cluster_name, velero_name=velero_name,
        phase=phase, state=state_for_phase(phase), items_done=_count(done),
        items_total=_count(progress.get("totalItems")), errors=_count(st.get("errors")) or 0,
        warnings=_count(st.get("warnings")) or 0, started=parse_stamp(st.get("startTimestamp")),
        completed=parse_stamp(st.get("completionTimestamp")),
        expires=parse_stamp(st.get("expiration")),
        failure_reason=_text(st.get("failureReason")), validation_errors=errors,
        message=message, source=source,
    )


def _schedule_row(obj: Mapping[str, Any], kind: str, cluster: str) -> ClusterRow:
    metadata, status = _map(obj.get("metadata")), _map(obj.get("status"))
    phase = _text(status.get("phase"))
    errors = [e for e in status.get("validationErrors") or [] if isinstance(e, str)] \
        if isinstance(status.get("validationErrors"), list) else []
    paused = _map(obj.get("spec")).get("paused") is True
    state = FAILED if phase == "FailedValidation" else WAITING
    last = parse_stamp(status.get("lastBackup"))
    message = "paused" if paused else ""
    if last is not None:
        message = (message + "; " if message else "") + f"last run created {last:%Y-%m-%d %H:%M}Z"
    return ClusterRow(kind, cluster, _text(metadata.get("name")), phase=phase, state=state,
                      validation_errors=errors, message=message, source="velero")


def row_from_velero(obj: object, cluster_name: str = "", cluster_kind: str = "") -> ClusterRow:
    """A row for one member-side Velero Backup, Restore or Schedule object."""
    data = _map(obj)
    metadata = _map(data.get("metadata"))
    if data.get("kind") == "Schedule":
        return _schedule_row(data, cluster_kind, cluster_name)
    row = row_from_status(cluster_kind, cluster_name, _text(metadata.get("name")),
                          data.get("status"), source="velero")
    if data.get("kind") == "Restore" or "backupName" in _map(data.get("spec")):
        row.velero_kind = "restore"
    if metadata.get("deletionTimestamp"):
        row.state = DELETING
    return row


def rows_from_velero(objs: Iterable[object], cluster_name: str = "",
                     cluster_kind: str = "") -> list[ClusterRow]:
    """Rows for plain Velero mode, in the order given."""
    return [row_from_velero(obj, cluster_name, cluster_kind) for obj in objs]


def _missing_row(kind: str, cluster: str, velero_name: str) -> ClusterRow:
    return ClusterRow(kind, cluster, velero_name, state=PENDING, message=f"{cluster} {NO_STATUS}")


def _more_advanced(live: ClusterRow, current: ClusterRow) -> bool:
    """Whether a member object should replace Kurator's copy (see the module docstring)."""
    if current.source != "kurator":
        return True
    if live.started and current.started and live.started != current.started:
        return live.started > current.started
    if live.state == DELETING:
        return True
    return _PHASE_RANK.get(live.phase, 3) >= _PHASE_RANK.get(current.phase, 3)


# ---------------------------------------------------------------------------------------------
# Overall


def overall_phase(states: list[str], expected: int = 0, *, scheduled: bool = False) -> str:
    """The overall state every view shows (TUI, `status`, `--wait`, `--until-done`, jsonl).

    ``expected`` clusters missing from ``states`` count as Pending. An immediate operation is
    Running until every cluster has a final phase, so an overall Failed, PartiallyFailed or
    Completed never changes afterwards (a PartiallyFailed shown early could become Failed)."""
    padded = list(states) + [PENDING] * max(0, expected - len(states))
    if scheduled:
        return _scheduled_overall(padded)
    if not padded or all(s == PENDING for s in padded):
        return PENDING
    if not all(s in FINAL_STATES or s == DELETING for s in padded):
        return RUNNING
    if FAILED in padded:
        return FAILED
    if PARTIALLY_FAILED in padded:
        return PARTIALLY_FAILED
    if all(s == COMPLETED for s in padded):
        return COMPLETED
    return DELETING


def _scheduled_overall(states: list[str]) -> str:
    # A schedule never ends: its overall is the state of the latest runs, failures first.
    if not states or all(s == PENDING for s in states):
        return PENDING
    for state in (FAILED, PARTIALLY_FAILED, RUNNING, PENDING):
        if state in states:
            return state
    return SCHEDULED


def finished(st: FleetBackupStatus) -> bool:
    """Whether a wait is over: every expected cluster has a final phase (for a schedule: its
    latest run has, or the Velero Schedule itself failed validation)."""
    return bool(st.rows) and all(r.state in FINAL_STATES for r in st.rows)


def succeeded(st: FleetBackupStatus) -> bool:
    return finished(st) and all(r.state == COMPLETED for r in st.rows)


# ---------------------------------------------------------------------------------------------
# Summary text


def _progress(row: ClusterRow) -> str:
    if row.items_total:
        return f" ({row.items_done or 0}/{row.items_total} items)"
    return ""


def _row_phrase(row: ClusterRow) -> str:
    name = row.cluster_name or row.velero_name
    if row.state == FAILED:
        return f"{name} failed: {row.reason}"
    if row.state == PARTIALLY_FAILED:
        return f"{name} partially failed ({row.errors} errors, {row.warnings} warnings)"
    if row.state == RUNNING:
        return f"{name} {row.phase_display or 'New'}{_progress(row)}"
    if row.state == DELETING:
        return f"{name} is being deleted"
    if row.state == WAITING:
        return f"{name} waiting for its first run"
    return row.message or f"{name} {NO_STATUS}"


def _summary(rows: list[ClusterRow], *, scheduled: bool, prefix: str = "",
             runs: Mapping[str, list[ClusterRow]] | None = None) -> tuple[str, str]:
    """(summary, headline): the headline is the counts alone."""
    if not rows:
        text = _headline(rows, scheduled, runs)
        return text, text
    head = prefix + _headline(rows, scheduled, runs)
    others = [_row_phrase(r) for r in rows if r.state not in (COMPLETED, WAITING)]
    return "; ".join([head, *others]), head


def _headline(rows: list[ClusterRow], scheduled: bool,
              runs: Mapping[str, list[ClusterRow]] | None) -> str:
    if not rows:
        return ("no status yet: Kurator has not created any Velero object (check that the "
                "Fleet exists and is Ready, the clusters are ready, and the fleet-manager logs)")
    done = sum(1 for r in rows if r.state == COMPLETED)
    head = f"{done}/{len(rows)} clusters completed"
    if scheduled:
        waiting = [r for r in rows if r.state == WAITING]
        # A run in progress now does not undo the runs that completed before it.
        ever = sum(1 for r in rows if r.state == COMPLETED or any(
            h.state == COMPLETED for h in (runs or {}).get(r.cluster_name, [])))
        parts = [f"last run completed on {done}/{len(rows)} clusters"] if done else []
        if ever > done:
            parts.append(f"{ever}/{len(rows)} clusters have a completed run")
        if waiting:
            parts.append(f"{len(waiting)}/{len(rows)} clusters {waiting[0].message}")
        head = ", ".join(parts) or f"no completed run on any of {len(rows)} clusters"
    return head


# ---------------------------------------------------------------------------------------------
# Kurator objects


@dataclass(frozen=True)
class _Shape:
    details: str
    name_key: str
    status_key: str
    velero_kind: str


_SHAPES = {
    "Backup": _Shape("backupDetails", "backupNameInCluster", "backupStatusInCluster", "backup"),
    "Restore": _Shape("restoreDetails", "restoreNameInCluster", "restoreStatusInCluster",
                      "restore"),
}


def _kind_of(obj: Mapping[str, Any]) -> str:
    kind = _text(obj.get("kind"))
    if kind in ("Backup", "Restore", "Migrate"):
        return kind
    status = _map(obj.get("status"))
    if "restoreDetails" in status:
        return "Restore"
    if "sourceClusterStatus" in status or "targetClusterStatus" in status:
        return "Migrate"
    return "Backup"


def _destination_clusters(value: object) -> list[ClusterRef] | None:
    clusters = _map(value).get("clusters")
    if not isinstance(clusters, list) or not clusters:
        return None
    refs = []
    for entry in clusters:
        data = _map(entry)
        if isinstance(data.get("name"), str) and data["name"]:
            refs.append(ClusterRef(name=data["name"], kind=_text(data.get("kind"))))
    return refs or None


def _details(status: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = status.get(key)
    return [d for d in raw if isinstance(d, Mapping)] if isinstance(raw, list) else []


def _cluster_order(expected: list[ClusterRef] | None,
                   details: list[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(kind, name) of every cluster to show: expected ones first, then any others seen."""
    order: list[tuple[str, str]] = [(c.kind, c.name) for c in expected or []]
    names = {name for _, name in order}
    for detail in details:
        name = _text(detail.get("clusterName"))
        if name and name not in names:
            order.append((_text(detail.get("clusterKind")), name))
            names.add(name)
    return order


def _live_for(velero_objects: Mapping[str, list[dict[str, Any]]] | None,
              cluster: str) -> list[Mapping[str, Any]]:
    if not velero_objects:
        return []
    objs = velero_objects.get(cluster) or []
    return [o for o in objs if isinstance(o, Mapping)]


def _immediate_rows(details: list[Mapping[str, Any]], shape: _Shape, ns: str, name: str,
                    expected: list[ClusterRef] | None,
                    velero_objects: Mapping[str, list[dict[str, Any]]] | None,
                    ) -> list[ClusterRow]:
    latest = {_text(d.get("clusterName")): d for d in details}  # upserted: last entry wins
    rows = []
    for kind, cluster in _cluster_order(expected, details):
        derived = velero_object_name(cluster, shape.velero_kind, ns, name)
        detail = latest.get(cluster)
        row = _missing_row(kind, cluster, derived) if detail is None else row_from_status(
            _text(detail.get("clusterKind")) or kind, cluster,
            _text(detail.get(shape.name_key)) or derived, detail.get(shape.status_key))
        for obj in _live_for(velero_objects, cluster):
            live = row_from_velero(obj, cluster, row.cluster_kind)
            if live.velero_name == row.velero_name and _more_advanced(live, row):
                row = live
        rows.append(row)
    return rows


def _is_schedule_run(obj: Mapping[str, Any], schedule_name: str) -> bool:
    metadata = _map(obj.get("metadata"))
    labels = _map(metadata.get("labels"))
    if labels.get(SCHEDULE_NAME_LABEL) == schedule_name:
        return True
    return _text(metadata.get("name")).startswith(schedule_name + "-")


def _merge_runs(kurator_runs: list[ClusterRow], live_runs: list[ClusterRow]) -> list[ClusterRow]:
    by_name = {r.velero_name: r for r in kurator_runs}
    for live in live_runs:
        current = by_name.get(live.velero_name)
        if current is None or _more_advanced(live, current):
            by_name[live.velero_name] = live
    return sorted(by_name.values(), key=_when, reverse=True)


def _waiting_message(schedule: str, now: datetime) -> str:
    try:
        nxt = next_runs(schedule, 1, start=now)[0]
    except FieldError as exc:
        return f"schedule cannot run: {exc.message}"
    return f"waiting for the first run (next {nxt:%Y-%m-%d %H:%M} UTC)"


def _current_scheduled_row(kind: str, cluster: str, schedule_name: str, runs: list[ClusterRow],
                           targeted: bool, schedule_row: ClusterRow | None,
                           waiting: str) -> ClusterRow:
    if schedule_row is not None and schedule_row.state == FAILED:
        return schedule_row  # the Velero Schedule itself is invalid: nothing will ever run
    if runs:
        row = runs[0]
        last_ok = next((r for r in runs if r.state == COMPLETED), None)
        if last_ok is not None and last_ok is not row:
            row.message = f"last successful run: {last_ok.velero_name}"
        elif last_ok is None and row.state != COMPLETED:
            row.message = "no successful run yet"
        return row
    if targeted or schedule_row is not None:
        return ClusterRow(kind, cluster, schedule_name, state=WAITING, message=waiting,
                          source="kurator" if targeted else "velero")
    return _missing_row(kind, cluster, schedule_name)


def _scheduled_rows(details: list[Mapping[str, Any]], shape: _Shape, ns: str, name: str,
                    schedule: str, expected: list[ClusterRef] | None,
                    velero_objects: Mapping[str, list[dict[str, Any]]] | None, now: datetime,
                    ) -> tuple[list[ClusterRow], dict[str, list[ClusterRow]]]:
    rows: list[ClusterRow] = []
    runs: dict[str, list[ClusterRow]] = {}
    waiting = _waiting_message(schedule, now)
    for kind, cluster in _cluster_order(expected, details):
        schedule_name = velero_object_name(cluster, "backup", ns, name)
        mine = [d for d in details if _text(d.get("clusterName")) == cluster]
        targeted = bool(mine)
        copied = [row_from_status(_text(d.get("clusterKind")) or kind, cluster,
                                  _text(d.get(shape.name_key)), d.get(shape.status_key))
                  for d in mine if _text(d.get(shape.name_key))]  # placeholders have no name
        live = _live_for(velero_objects, cluster)
        schedule_row = next((row_from_velero(o, cluster, kind) for o in live
                             if o.get("kind") == "Schedule"), None)
        live_runs = [row_from_velero(o, cluster, kind) for o in live
                     if o.get("kind") != "Schedule" and _is_schedule_run(o, schedule_name)]
        runs[cluster] = _merge_runs(copied, live_runs)
        rows.append(_current_scheduled_row(kind, cluster, schedule_name, runs[cluster],
                                           targeted, schedule_row, waiting))
    return rows, runs


def _schedule_prefix(schedule: str) -> str:
    try:
        zone = "" if parse_cron(schedule).zone else " (UTC)"
        return f"{describe(schedule)}{zone}: "
    except FieldError:
        return f"schedule {schedule!r}: "


MIGRATE_SYNC_GRACE = 10.0  # s after the source backup completed (Kurator looks every 5 s)


def _with_live(row: ClusterRow, velero_objects: Mapping[str, list[dict[str, Any]]] | None,
               role: str) -> ClusterRow:
    """The member's own object for this row when it is more advanced than Kurator's copy."""
    for obj in _live_for(velero_objects, row.cluster_name):
        live = row_from_velero(obj, row.cluster_name, row.cluster_kind)
        if live.velero_name == row.velero_name and _more_advanced(live, row):
            live.message = role
            row = live
    return row


def _unstarted_target(row: ClusterRow, source: ClusterRow | None, now: datetime) -> ClusterRow:
    """A target with no restore yet, said from the source backup's state: Kurator leaves a
    migrate whose backup failed at BackupInProgress forever, so its targets fail here."""
    if source is None or source.state not in FINAL_STATES:
        row.message = "the restore waits for the source backup to complete"
    elif source.state == FAILED:
        row.state, row.message = FAILED, ""
        row.failure_reason = (f"nothing to restore: the source backup on {source.cluster_name} "
                              "failed")
    elif source.completed is not None and \
            (now - source.completed).total_seconds() >= MIGRATE_SYNC_GRACE:
        row.message = (f"waiting for the backup to sync to the targets (the source backup "
                       f"completed at {source.completed:%H:%M:%S} UTC; Velero syncs its bucket "
                       "about once a minute)")
    else:
        row.message = "the restore starts once the source backup has reached this cluster"
    return row


def _derive_migrate(obj: Mapping[str, Any], deleting: bool,
                    velero_objects: Mapping[str, list[dict[str, Any]]] | None,
                    now: datetime) -> FleetBackupStatus:
    """The source backup's row, then a restore row per target; live member objects (the
    source's Velero Backup, the targets' Velero Restores) win over Kurator's copy as for
    backups. Kurator's own phase is not used: it stays BackupInProgress on any failure."""
    metadata, spec, status = (_map(obj.get(k)) for k in ("metadata", "spec", "status"))
    ns, name = _text(metadata.get("namespace")) or "default", _text(metadata.get("name"))
    rows: list[ClusterRow] = []
    source = _map(status.get("sourceClusterStatus"))
    for ref in _destination_clusters(spec.get("sourceCluster")) or []:
        derived = velero_object_name(ref.name, "migrate", ns, name)
        row = row_from_status(ref.kind, ref.name, _text(source.get("backupNameInCluster"))
                              or derived, source.get("backupStatusInCluster"),
                              message="source (backup)") if source else \
            _missing_row(ref.kind, ref.name, derived)
        rows.append(_with_live(row, velero_objects, "source (backup)"))
    source_row = rows[0] if rows else None
    targets = {_text(d.get("clusterName")): d for d in _details(status, "targetClusterStatus")}
    for ref in _destination_clusters(spec.get("targetCluster")) or []:
        derived = velero_object_name(ref.name, "migrate", ns, name)
        detail = targets.get(ref.name)
        row = _missing_row(ref.kind, ref.name, derived) if detail is None else \
            row_from_status(ref.kind, ref.name, _text(detail.get("restoreNameInCluster"))
                            or derived, detail.get("restoreStatusInCluster"),
                            message="target (restore)")
        row = _with_live(row, velero_objects, "target (restore)")
        row.velero_kind = "restore"
        rows.append(_unstarted_target(row, source_row, now) if row.source == "" and
                    row.state == PENDING else row)
    overall = DELETING if deleting else overall_phase([r.state for r in rows], len(rows))
    summary, headline = _summary(rows, scheduled=False)
    return FleetBackupStatus(overall, rows, {}, False, summary, headline)


def derive_backup_status(obj: Mapping[str, Any], expected_clusters: list[ClusterRef] | None = None,
                         velero_objects: Mapping[str, list[dict[str, Any]]] | None = None, *,
                         now: datetime | None = None) -> FleetBackupStatus:
    """Overall state, per-cluster rows, scheduled-run history and a one-line summary for a
    Kurator Backup (also Restore and Migrate objects).

    ``expected_clusters`` defaults to ``spec.destination.clusters``; when the destination names
    none (all ready clusters of the fleet) pass the fleet's clusters to spot missing ones.
    """
    data = _map(obj)
    kind = _kind_of(data)
    metadata, spec, status = (_map(data.get(k)) for k in ("metadata", "spec", "status"))
    deleting = bool(metadata.get("deletionTimestamp"))
    if kind == "Migrate":
        return _derive_migrate(data, deleting, velero_objects, now or datetime.now(UTC))
    shape = _SHAPES[kind]
    ns, name = _text(metadata.get("namespace")) or "default", _text(metadata.get("name"))
    expected = expected_clusters if expected_clusters is not None else \
        _destination_clusters(spec.get("destination"))
    details = _details(status, shape.details)
    schedule = _text(spec.get("schedule")) if kind == "Backup" else ""
    if schedule:
        rows, runs = _scheduled_rows(details, shape, ns, name, schedule, expected,
                                     velero_objects, now or datetime.now(UTC))
        overall = overall_phase([r.state for r in rows], scheduled=True)
        prefix = _schedule_prefix(schedule)
    else:
        rows = _immediate_rows(details, shape, ns, name, expected, velero_objects)
        runs, prefix = {}, ""
        overall = overall_phase([r.state for r in rows], len(rows))
    if kind == "Restore":
        for row in rows:
            row.velero_kind = "restore"
    summary, headline = _summary(rows, scheduled=bool(schedule), prefix=prefix, runs=runs)
    if deleting:
        overall = DELETING
        note = ("being deleted: Kurator removes the Velero objects, then its finalizer (stuck "
                "while a member is unreachable); backup data stays in the bucket. ")
        summary, headline = note + summary, note + headline
    return FleetBackupStatus(overall, rows, runs, bool(schedule), summary, headline)


# ---------------------------------------------------------------------------------------------
# Plain Velero mode: the objects called `name` in each context are one fleet backup


def derive_velero_status(name: str, objects: Mapping[str, Sequence[Mapping[str, Any]]], *,
                         now: datetime | None = None) -> FleetBackupStatus:
    """``objects``: context → its Velero Backups and Schedules (with ``kind``). A context with
    a Schedule called ``name`` shows its latest run (failures and waiting included), as a
    Kurator scheduled backup does; otherwise the Backup called ``name``. The overall phase is
    the one every view and command shows, in both modes."""
    rows: list[ClusterRow] = []
    runs: dict[str, list[ClusterRow]] = {}
    schedule = ""
    for context, objs in objects.items():
        live = [o for o in objs if isinstance(o, Mapping)]
        sched = next((o for o in live if o.get("kind") == "Schedule" and _name(o) == name),
                     None)
        if sched is not None:
            schedule = schedule or _text(_map(sched.get("spec")).get("schedule"))
            runs[context] = sorted((row_from_velero(o, context) for o in live
                                    if o.get("kind") != "Schedule" and _run_of(o, name)),
                                   key=_when, reverse=True)
            rows.append(_current_scheduled_row(
                "", context, name, runs[context], False, row_from_velero(sched, context),
                _waiting_message(schedule, now or datetime.now(UTC))))
            continue
        backup = next((o for o in live if o.get("kind") != "Schedule" and _name(o) == name),
                      None)
        if backup is not None:
            rows.append(row_from_velero(backup, context))
    scheduled = bool(schedule) or bool(runs)
    overall = overall_phase([r.state for r in rows], len(rows), scheduled=scheduled)
    prefix = _schedule_prefix(schedule) if schedule else ""
    summary, headline = _summary(rows, scheduled=scheduled, prefix=prefix,
                                 runs=runs if scheduled else None)
    return FleetBackupStatus(overall, rows, runs, scheduled, summary, headline)


def _name(obj: Mapping[str, Any]) -> str:
    return _text(_map(obj.get("metadata")).get("name"))


def _run_of(obj: Mapping[str, Any], schedule: str) -> bool:
    # By the label Velero puts on every run: a short plain-Velero name such as "db" would
    # otherwise claim an unrelated "db-manual" by its prefix.
    return _map(_map(obj.get("metadata")).get("labels")).get(SCHEDULE_NAME_LABEL) == schedule
