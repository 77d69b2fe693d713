"""`fleettui backup delete NAME`: delete a fleet backup, saying what Kurator then deletes in
the members and what it never deletes (the bucket data)."""

from __future__ import annotations

import argparse

from fleettui.cli.connection import kurator_host
from fleettui.cli.options import add_connection_options, check_namespace, refuse_readonly
from fleettui.cli.output import report_delete as report
from fleettui.cli.snapshot import snapshot
from fleettui.kube import resources as kc
from fleettui.live.backends import delete_on_host
from fleettui.live.delete_plans import backup_plan

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
    dry_run = args.dry_run == "server"
    if not dry_run:
        refuse_readonly(args, f"delete backup {args.name}")
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)
        store = snapshot(host, args.namespace, [obj], members=False)
        plan = backup_plan(store, host.name, args.namespace, obj)
        return report(delete_on_host(host, args.namespace, plan, dry_run), plan, KIND, dry_run)
