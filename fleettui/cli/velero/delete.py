"""`fleettui velero backup|schedule delete NAME --context c1,c2`: delete a Velero Backup
(through a DeleteBackupRequest, so its data in the bucket goes too, as `velero backup delete`
does) or a Schedule in each context that has it, with the plan the TUI's dialog shows."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fleettui.cli.contexts import context_clients
from fleettui.cli.options import add_context_options, check_namespace, refuse_readonly
from fleettui.cli.output import EXIT_NOT_FOUND, CliError, report_delete
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.backends import VeleroBackend
from fleettui.live.store import LiveStore
from fleettui.live.submit import on_each

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

KINDS = {"backup": (kc.VELERO_BACKUPS, "backup.velero.io"),
         "schedule": (kc.VELERO_SCHEDULES, "schedule.velero.io")}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], kind: str,
               what: str) -> None:
    d = verbs.add_parser("delete", help=f"delete {what} in each --context that has it",
                         description=f"Delete {what} in Velero's namespace of each context.")
    d.add_argument("name", metavar="NAME")
    add_context_options(d)
    d.add_argument("--dry-run", nargs="?", const="server", default="none",
                   choices=("none", "server"), help="server: check the delete, change nothing")
    d.set_defaults(func=run, velero_kind=kind)


@dataclass
class ContextsView:
    """What a backend reads of a session, for one command over some contexts."""

    clients: dict[str, KubeClient]
    velero_namespace: str
    contexts: list[str] = field(default_factory=list)
    store: LiveStore = field(default_factory=LiveStore)
    context: str | None = None
    namespace: str = "default"
    mode: str = "velero"
    host: KubeClient | None = None

    @property
    def member_velero_namespace(self) -> str:
        return self.velero_namespace

    def member(self, cluster: str) -> KubeClient:
        return self.clients[cluster]


def run(args: argparse.Namespace) -> int:
    dry_run = args.dry_run == "server"
    res, kind_name = KINDS[args.velero_kind]
    check_namespace(args.velero_namespace, "--velero-namespace")
    if not dry_run:
        refuse_readonly(args, f"delete {kind_name}/{args.name}")
    with context_clients(args) as clients:
        view = ContextsView(clients, args.velero_namespace, list(clients))

        def load(client: KubeClient) -> None:
            try:
                found = [client.get(res, args.velero_namespace, args.name)]
            except KubeError as e:
                if e.code != 404:
                    raise
                found = []
            view.store.replace(client.name, res, found)

        unread = [e for e in on_each(clients, load).values() if isinstance(e, KubeError)]
        if unread:  # say so rather than delete in the other contexts only
            raise unread[0]
        plan = VeleroBackend(view).delete_plan(args.name)
        if plan is None:
            where = ", ".join(clients)
            raise CliError(f'{kind_name} "{args.name}" not found in namespace '
                           f"{args.velero_namespace} of {where}", EXIT_NOT_FOUND)
        return report_delete(VeleroBackend(view).delete(plan, dry_run), plan, kind_name,
                             dry_run, per_cluster=True)
