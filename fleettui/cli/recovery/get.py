"""`fleettui restore|migrate get NAME`: one restore (migrate), as a table row or the object."""

from __future__ import annotations

import argparse
from functools import partial

from fleettui.cli.connection import kurator_host
from fleettui.cli.formats import READ_FORMATS, add_output_option, emit
from fleettui.cli.operations import Operation, objects_table, snapshot
from fleettui.cli.options import add_connection_options, check_namespace
from fleettui.cli.output import EXIT_OK, say


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], op: Operation
               ) -> None:
    g = verbs.add_parser("get", help=f"one {op.word} (a table row, or the object)")
    g.add_argument("name", metavar="NAME")
    add_output_option(g, READ_FORMATS, "table", "output format")
    add_connection_options(g)
    g.set_defaults(func=partial(run, op=op))


def run(args: argparse.Namespace, op: Operation) -> int:
    check_namespace(args.namespace)
    with kurator_host(args) as host:
        obj = host.get(op.resource, args.namespace, args.name)
        if not args.output.is_table:
            emit(obj, args.output)
            return EXIT_OK
        store = snapshot(host, args.namespace, op, [obj])
    say(objects_table(store, host.name, args.namespace, op, [obj], args.output.kind == "wide"))
    return EXIT_OK
