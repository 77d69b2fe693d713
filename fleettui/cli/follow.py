"""Following objects live until they end: a Kurator Backup through the resilient watches of a
live Session (host objects and the members' Velero objects), and plain Velero Backups through
one watch per context. Both print through a ChangePrinter, a line per cluster whenever its
phase, progress or counts change."""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import ROUTES, connect, no_kurator, watch_settings
from fleettui.cli.output import EXIT_FAILED, EXIT_OK, ChangePrinter, CliError
from fleettui.kube import resources as kc
from fleettui.live.backup_status import expected_clusters, fleet_status
from fleettui.live.store import LiveStore
from fleettui.model.kurator import ClusterRef
from fleettui.model.status import (
    COMPLETED,
    FINAL_STATES,
    PENDING,
    SCHEDULE_NAME_LABEL,
    WAITING,
    ClusterRow,
    FleetBackupStatus,
    finished,
    overall_phase,
    row_from_velero,
    succeeded,
)

if TYPE_CHECKING:
    from fleettui.live.session import Session

Obj = dict[str, Any]
HOST_FEEDS = (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS)
SETTLE_SECONDS = 3.0  # at most this long for member watches to sync before the first line
MEMBER_RETRY_SECONDS = 2.0  # follow_ops.py: an unreachable member is tried again this often


def exit_for(st: FleetBackupStatus) -> int:
    return EXIT_OK if succeeded(st) else EXIT_FAILED


# ---- a Kurator backup ------------------------------------------------------------------------
@dataclass
class Members:
    """The members' Velero objects of the backup followed, through the session's member feeds
    (label-scoped, at most MAX_OPEN members open; the rest use Kurator's copy and say so)."""

    session: Session
    printer: ChangePrinter
    owner: str = "follow"
    wanted: list[str] = field(default_factory=list)

    def ensure(self, clusters: list[ClusterRef]) -> None:
        from fleettui.live.member_feeds import STATUS

        feeds = self.session.feeds
        feeds.refresh_schedules()  # before the feeds open: their runs watches are scoped
        self.wanted = [ref.name for ref in clusters if ref.name]
        feeds.want(self.owner, self.wanted, (STATUS,))
        for name in self.wanted:
            problem = self.session.member_errors.get(name)
            limited = f"{feeds.limited_note}: Kurator's copy" if name in feeds.limited else ""
            if problem and not problem.startswith("no access"):
                problem = f"no access: {problem}"
            self.printer.note(f"{name} access", problem or limited)

    def settled(self, clusters: list[ClusterRef]) -> bool:
        store, feeds = self.session.store, self.session.feeds
        return all(c.name in self.session.member_errors or c.name in feeds.limited or
                   store.has_feed(c.name, kc.VELERO_BACKUPS) for c in clusters)

    def feeds(self) -> list[tuple[str, kc.Resource]]:
        feeds = self.session.feeds
        return [(c, kc.VELERO_BACKUPS) for c in sorted(self.wanted) if feeds.is_open(c)]


def follow(args: argparse.Namespace, name: str, printer: ChangePrinter, *, until_done: bool,
           timeout: float | None) -> int:
    """Stream `name`'s per-cluster changes; with `until_done`, return when it has ended."""
    from fleettui.live.session import KURATOR, Session

    client = connect(args.kubeconfig, args.context)  # the same checks, one clear line
    context = client.name
    client.close()
    session = Session(args.kubeconfig, context, args.namespace, settings=watch_settings(args),
                      member_contexts=ROUTES.contexts)
    try:
        if session.connect() != KURATOR:
            raise no_kurator(context)
        return _follow(session, name, printer, until_done, timeout)
    finally:
        session.close()


def _follow(session: Session, name: str, printer: ChangePrinter, until_done: bool,
            timeout: float | None) -> int:
    assert session.host is not None
    store, host, ns = session.store, session.host.name, session.namespace
    wake = threading.Event()
    store.on_dirty = wake.set
    members = Members(session, printer)
    started = time.monotonic()
    seen = False
    host_feeds = [(host, res) for res in HOST_FEEDS]
    while True:
        if timeout is not None and time.monotonic() - started > timeout:
            raise CliError(f"timed out after {timeout:g}s waiting for backup {name} to end",
                           EXIT_FAILED)
        wake.wait(0.25)
        wake.clear()
        store.take_changes()
        printer.feed_notes(store, host_feeds + members.feeds())
        settling = time.monotonic() - started < SETTLE_SECONDS
        if not store.has_feed(host, kc.KURATOR_BACKUPS):
            continue
        backup = store.get(host, kc.KURATOR_BACKUPS, ns, name)
        if backup is None:
            if not seen and settling:
                continue
            printer.note("deleted", f"backup {name} no longer exists in namespace {ns}")
            return EXIT_FAILED if until_done else EXIT_OK
        seen = True
        dest = (backup.get("spec") or {}).get("destination") or {}
        if not dest.get("clusters") and settling and not (
                store.has_feed(host, kc.FLEETS) and store.has_feed(host, kc.ATTACHED_CLUSTERS)):
            continue
        clusters = expected_clusters(store, host, ns, backup)
        members.ensure(clusters)
        if settling and not members.settled(clusters):
            continue
        st = fleet_status(store, host, ns, backup)
        printer.rows(st.rows, st.overall)
        printer.note("status", "" if st.rows else f"waiting: {st.summary}")
        if until_done and finished(st):  # every cluster, not the first one that failed
            return exit_for(st)


# ---- plain Velero ----------------------------------------------------------------------------
def _started(obj: Obj) -> str:
    status, meta = obj.get("status") or {}, obj.get("metadata") or {}
    return str(status.get("startTimestamp") or meta.get("creationTimestamp") or "")


def velero_row(store: LiveStore, context: str, name: str, kind: str) -> ClusterRow:
    """The context's Backup (Restore) `name`, or the latest run of Schedule `name`."""
    objs = store.objects(context, velero_resource(kind))
    if kind == "schedule":
        runs = [o for o in objs
                if ((o.get("metadata") or {}).get("labels") or {}).get(SCHEDULE_NAME_LABEL)
                == name]
        if not runs:
            return ClusterRow("", context, name, state=WAITING, message="no run yet")
        return row_from_velero(max(runs, key=_started), context)
    mine = [o for o in objs if (o.get("metadata") or {}).get("name") == name]
    return row_from_velero(mine[0], context) if mine else ClusterRow("", context, name,
                                                                     state=PENDING)


def velero_resource(kind: str) -> kc.Resource:
    """What `--wait` watches: Backups (a schedule's runs are Backups too), or Restores."""
    return kc.VELERO_RESTORES if kind == "restore" else kc.VELERO_BACKUPS


def velero_overall(states: list[str], kind: str) -> str:
    """The same derivation as Kurator mode: a schedule whose contexts all wait for (or
    completed) their run is Scheduled."""
    return overall_phase(states, len(states), scheduled=kind == "schedule")


def follow_velero(args: argparse.Namespace, contexts: list[str], name: str, kind: str,
                  namespace: str, printer: ChangePrinter, timeout: float | None) -> int:
    from fleettui.kube.client import KubeClient
    from fleettui.kube.watch import ListWatch

    store = LiveStore()
    wake = threading.Event()
    store.on_dirty = wake.set
    selector = f"{SCHEDULE_NAME_LABEL}={name}" if kind == "schedule" else ""
    res = velero_resource(kind)
    clients = [KubeClient.from_kubeconfig(args.kubeconfig, c) for c in contexts]
    settings = watch_settings(args)
    watches = [ListWatch(c, res, namespace, store, settings, selector).start()
               for c in clients]
    started = time.monotonic()
    try:
        while True:
            if timeout is not None and time.monotonic() - started > timeout:
                what = "its first run" if kind == "schedule" else "it"
                raise CliError(f"timed out after {timeout:g}s waiting for {name}: {what} has "
                               "not ended in every context", EXIT_FAILED)
            wake.wait(0.25)
            wake.clear()
            store.take_changes()
            printer.feed_notes(store, [(c, res) for c in contexts])
            if not all(store.has_feed(c, res) for c in contexts):
                continue
            rows = [velero_row(store, c, name, kind) for c in contexts]
            printer.rows(rows, velero_overall([r.state for r in rows], kind))
            if all(r.state in FINAL_STATES for r in rows):
                return EXIT_OK if all(r.state == COMPLETED for r in rows) else EXIT_FAILED
    finally:
        for w in watches:
            w.stop()
