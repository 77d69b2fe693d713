"""`fleettui backup delete NAME`: delete a fleet backup, saying what Kurator then deletes in
the members and what it never deletes (the bucket data)."""

from __future__ import annotations

import argparse
from typing import Any

from fleettui.cli.connection import kurator_host, name_of
from fleettui.cli.options import add_connection_options, check_namespace, refuse_readonly
from fleettui.cli.output import EXIT_OK, say
from fleettui.cli.snapshot import snapshot
from fleettui.kube import resources as kc
from fleettui.live.backup_status import expected_clusters
from fleettui.live.store import LiveStore
from fleettui.model.kurator import BACKUP_NAME_LABEL, VELERO_NAMESPACE
from fleettui.model.names import velero_object_name

Obj = dict[str, Any]
KIND = "backup.backup.kurator.dev"


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = verbs.add_parser("delete", help="delete a fleet backup (the bucket data stays)")
    d.add_argument("name", metavar="NAME")
    d.add_argument("--dry-run", nargs="?", const="server", default="none",
                   choices=("none", "server"), help="server: check the delete, change nothing")
    add_connection_options(d)
    d.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    if args.dry_run != "server":
        refuse_readonly(args, f"delete backup {args.name}")
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)
        store = snapshot(host, args.namespace, [obj], members=False)
        host.delete(kc.KURATOR_BACKUPS, args.namespace, args.name,
                    dry_run=args.dry_run == "server")
    for line in deletion_report(store, host.name, args.namespace, obj, args.dry_run):
        say(line)
    return EXIT_OK


def deletion_report(store: LiveStore, host: str, namespace: str, obj: Obj,
                    dry_run: str) -> list[str]:
    name = name_of(obj)
    scheduled = bool((obj.get("spec") or {}).get("schedule"))
    kind = "schedule.velero.io" if scheduled else "backup.velero.io"
    suffix = " (server dry run)" if dry_run == "server" else ""
    lines = [f'{KIND} "{name}" deleted{suffix}']
    clusters = expected_clusters(store, host, namespace, obj)
    if clusters:
        lines.append(f"Kurator then deletes, in namespace {VELERO_NAMESPACE} of each cluster, "
                     f"the objects labelled {BACKUP_NAME_LABEL}={name}:")
        lines += [f"  {c.name}: {kind}/{velero_object_name(c.name, 'backup', namespace, name)}"
                  for c in clusters]
    else:
        lines.append("Kurator resolves no cluster for it (fleet missing?): it drops the "
                     "finalizer and deletes nothing in the members")
    if scheduled:
        lines.append("NOT deleted: the Velero Backups the schedules already made (kept until "
                     "their TTL) and their data in the object storage bucket")
    else:
        lines.append("NOT deleted: the backup data in the object storage bucket (Kurator never "
                     "deletes it; Velero may re-create the backup objects from the bucket)")
    return lines
