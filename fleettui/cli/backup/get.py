"""`fleettui backup get NAME`: one fleet backup, as a table row or the object."""

from __future__ import annotations

import argparse

from fleettui.cli.connection import kurator_host
from fleettui.cli.formats import READ_FORMATS, add_output_option, emit
from fleettui.cli.options import add_connection_options, check_namespace
from fleettui.cli.output import EXIT_OK, say
from fleettui.cli.snapshot import backup_table, snapshot
from fleettui.kube import resources as kc


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    g = verbs.add_parser("get", help="one fleet backup (a table row, or the object)")
    g.add_argument("name", metavar="NAME")
    add_output_option(g, READ_FORMATS, "table", "output format")
    add_connection_options(g)
    g.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)
        if not args.output.is_table:
            emit(obj, args.output)
            return EXIT_OK
        store = snapshot(host, args.namespace, [obj])
    say(backup_table(store, host.name, args.namespace, [obj], args.output.kind == "wide"))
    return EXIT_OK
