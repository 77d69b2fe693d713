"""`fleettui restore|migrate list`: every restore (migrate) of the namespace, with its overall
phase."""

from __future__ import annotations

import argparse
import sys
from functools import partial

from fleettui.cli.connection import kurator_host, name_of
from fleettui.cli.formats import READ_FORMATS, add_output_option, emit
from fleettui.cli.operations import Operation, objects_table, snapshot
from fleettui.cli.options import add_connection_options, check_namespace
from fleettui.cli.output import EXIT_OK, as_list, say


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], op: Operation
               ) -> None:
    ls = verbs.add_parser("list", help=f"list {op.word}s with their overall phase")
    add_output_option(ls, READ_FORMATS, "table", "output format")
    add_connection_options(ls)
    ls.set_defaults(func=partial(run, op=op))


def run(args: argparse.Namespace, op: Operation) -> int:
    check_namespace(args.namespace)
    with kurator_host(args) as host:
        items = sorted(host.list(op.resource, args.namespace).get("items") or [], key=name_of)
        if not args.output.is_table:
            emit(as_list(items), args.output)
            return EXIT_OK
        if not items:
            say(f"No {op.word}s in namespace {args.namespace}.", sys.stderr)
            return EXIT_OK
        store = snapshot(host, args.namespace, op, items)
    say(objects_table(store, host.name, args.namespace, op, items, args.output.kind == "wide"))
    return EXIT_OK
