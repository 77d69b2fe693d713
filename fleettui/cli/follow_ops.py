"""Following a Kurator Restore or Migrate live until it ends (`status --watch`, `create --wait`).

Resilient watches feed one LiveStore: on the host the object itself, and the Fleet,
AttachedClusters and Backups that say which clusters it covers; on each of those members the
Velero objects labelled with its name. The rows are derived as `status` derives them, and
printed through a ChangePrinter, a line per cluster whenever it changes.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fleettui.cli.connection import ROUTES, connect, watch_settings
from fleettui.cli.follow import MEMBER_RETRY_SECONDS, SETTLE_SECONDS, exit_for
from fleettui.cli.operations import Operation
from fleettui.cli.output import EXIT_FAILED, EXIT_OK, ChangePrinter, CliError
from fleettui.kube import resources as kc
from fleettui.live.restore_status import operation_clusters, operation_status
from fleettui.live.store import LiveStore
from fleettui.model.kurator import VELERO_NAMESPACE, ClusterRef
from fleettui.model.status import PENDING, finished

SYNC_WAIT = "waiting for the backup to sync"

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient
    from fleettui.kube.watch import ListWatch, WatchSettings


@dataclass
class Watches:
    """The watches of one follow, member ones started as clusters become expected."""

    host: KubeClient
    namespace: str
    op: Operation
    name: str
    store: LiveStore
    settings: WatchSettings
    printer: ChangePrinter
    watches: list[ListWatch] = field(default_factory=list)
    members: dict[str, KubeClient] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    retry_at: dict[str, float] = field(default_factory=dict)

    def start(self, client: KubeClient, res: kc.Resource, namespace: str, selector: str = ""
              ) -> None:
        from fleettui.kube.watch import ListWatch

        self.watches.append(ListWatch(client, res, namespace, self.store, self.settings,
                                      selector).start())

    def ensure(self, clusters: list[ClusterRef]) -> None:
        from fleettui.kube.member_access import reach_member

        now = time.monotonic()
        for ref in clusters:
            name = ref.name
            if not name or name in self.members or self.retry_at.get(name, 0.0) > now:
                continue
            access = reach_member(self.host, self.namespace, name, ROUTES.kubeconfig,
                                  ROUTES.contexts)
            if access.client is None:
                self.problems[name] = access.said()
                self.retry_at[name] = now + MEMBER_RETRY_SECONDS
                self.printer.note(f"{name} access", access.said())
                continue
            client = access.client
            self.problems.pop(name, None)
            self.printer.note(f"{name} access", "")
            self.members[name] = client
            for res in self.op.member_resources:
                self.start(client, res, VELERO_NAMESPACE, self.op.selector(self.name))

    def settled(self, clusters: list[ClusterRef]) -> bool:
        return all(c.name in self.problems or all(
            self.store.has_feed(c.name, res) for res in self.op.member_resources)
            for c in clusters)

    def feeds(self) -> list[tuple[str, kc.Resource]]:
        host = [(self.host.name, res) for res in self.op.host_resources()]
        return host + [(c, res) for c in sorted(self.members) for res in
                       self.op.member_resources]

    def stop(self) -> None:
        for w in self.watches:
            w.stop()
        for client in self.members.values():
            client.close()


def follow_operation(args: argparse.Namespace, op: Operation, name: str,
                     printer: ChangePrinter, *, until_done: bool, timeout: float | None) -> int:
    """Stream `name`'s per-cluster changes; with `until_done`, return when it has ended."""
    host = connect(args.kubeconfig, args.context)
    store = LiveStore()
    watches = Watches(host, args.namespace, op, name, store, watch_settings(args), printer)
    try:
        for res in op.host_resources():
            watches.start(host, res, args.namespace)
        return _follow(watches, until_done, timeout)
    finally:
        watches.stop()
        host.close()


def _follow(w: Watches, until_done: bool, timeout: float | None) -> int:
    store, host, ns, op, name = w.store, w.host.name, w.namespace, w.op, w.name
    wake = threading.Event()
    store.on_dirty = wake.set
    started = time.monotonic()
    seen = False
    while True:
        if timeout is not None and time.monotonic() - started > timeout:
            raise CliError(f"timed out after {timeout:g}s waiting for {op.word} {name} to end",
                           EXIT_FAILED)
        wake.wait(0.25)
        wake.clear()
        store.take_changes()
        w.printer.feed_notes(store, w.feeds())
        settling = time.monotonic() - started < SETTLE_SECONDS
        if not all(store.has_feed(host, res) for res in op.host_resources()):
            continue  # the clusters may come from the Fleet and the Backup
        obj = store.get(host, op.resource, ns, name)
        if obj is None:
            if not seen and settling:
                continue
            w.printer.note("deleted", f"{op.word} {name} no longer exists in namespace {ns}")
            return EXIT_FAILED if until_done else EXIT_OK
        seen = True
        obj = obj if obj.get("kind") == op.kind else {**obj, "kind": op.kind}
        clusters = operation_clusters(store, host, ns, obj)
        w.ensure(clusters)
        if settling and not w.settled(clusters):
            continue
        st = operation_status(store, host, ns, obj, op.kind)
        w.printer.rows(st.rows, st.overall)
        w.printer.note("status", "" if st.rows else f"waiting: {st.summary}")
        syncing = next((r.reason for r in st.rows if r.state == PENDING
                        and r.reason.startswith(SYNC_WAIT)), "")
        if syncing:  # a migrate's quiet stretch: say once why nothing moves
            w.printer.note("sync", syncing)
        if until_done and finished(st):  # every cluster, not the first one that failed
            return exit_for(st)
