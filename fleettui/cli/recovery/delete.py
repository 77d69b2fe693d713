"""`fleettui restore|migrate delete NAME`: delete a restore (migrate), saying what Kurator then
deletes in the members and what it never touches (the restored objects, the bucket)."""

from __future__ import annotations

import argparse
from functools import partial

from fleettui.cli.connection import kurator_host
from fleettui.cli.operations import Operation, snapshot
from fleettui.cli.options import add_connection_options, check_namespace, refuse_readonly
from fleettui.cli.output import report_delete as report
from fleettui.live.backends import delete_on_host
from fleettui.live.delete_plans import migrate_plan, restore_plan


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], op: Operation
               ) -> None:
    d = verbs.add_parser("delete", help=f"delete a {op.word} (what it restored stays)")
    d.add_argument("name", metavar="NAME")
    d.add_argument("--dry-run", nargs="?", const="server", default="none",
                   choices=("none", "server"), help="server: check the delete, change nothing")
    add_connection_options(d)
    d.set_defaults(func=partial(run, op=op))


def run(args: argparse.Namespace, op: Operation) -> int:
    check_namespace(args.namespace)
    dry_run = args.dry_run == "server"
    if not dry_run:
        refuse_readonly(args, f"delete {op.word} {args.name}")
    with kurator_host(args) as host:
        obj = host.get(op.resource, args.namespace, args.name)
        store = snapshot(host, args.namespace, op, [obj], members=False)
        planner = restore_plan if op.kind == "Restore" else migrate_plan
        plan = planner(store, host.name, args.namespace, obj)
        return report(delete_on_host(host, args.namespace, plan, dry_run), plan, op.kind_name,
                      dry_run)
