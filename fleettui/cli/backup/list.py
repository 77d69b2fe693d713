"""`fleettui backup list`: every fleet backup of the namespace with its overall phase."""

from __future__ import annotations

import argparse
import sys

from fleettui.cli.connection import kurator_host, name_of
from fleettui.cli.formats import READ_FORMATS, add_output_option, emit
from fleettui.cli.options import add_connection_options, check_namespace
from fleettui.cli.output import EXIT_OK, as_list, say
from fleettui.cli.snapshot import backup_table, snapshot
from fleettui.kube import resources as kc


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ls = verbs.add_parser("list", help="list fleet backups with their overall phase")
    add_output_option(ls, READ_FORMATS, "table", "output format")
    add_connection_options(ls)
    ls.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    with kurator_host(args) as host:
        listed = host.list(kc.KURATOR_BACKUPS, args.namespace)
        items = sorted(listed.get("items") or [], key=name_of)
        if not args.output.is_table:
            emit(as_list(items), args.output)
            return EXIT_OK
        if not items:
            say(f"No fleet backups in namespace {args.namespace}.", sys.stderr)
            return EXIT_OK
        store = snapshot(host, args.namespace, items)
    say(backup_table(store, host.name, args.namespace, items, args.output.kind == "wide"))
    return EXIT_OK
