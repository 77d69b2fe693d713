"""`fleettui restore|migrate status NAME [-w [--until-done]]`: per-cluster phases of one
restore (for a migrate: the source backup's row, then a restore row per target), with the same
overall phase as backups."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from functools import partial

from fleettui.cli.connection import kurator_host
from fleettui.cli.follow_ops import follow_operation
from fleettui.cli.operations import Operation, snapshot
from fleettui.cli.options import add_connection_options, check_namespace, duration_seconds
from fleettui.cli.output import EXIT_OK, ChangePrinter, say, usage
from fleettui.cli.snapshot import status_table
from fleettui.live.restore_status import operation_status


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], op: Operation
               ) -> None:
    s = verbs.add_parser("status", help=f"per-cluster phases of one {op.word}",
                         description=f"Per-cluster phases of one {op.word}; with --watch, a "
                                     "line per change until Ctrl+C (or --until-done).")
    s.add_argument("name", metavar="NAME")
    s.add_argument("-o", "--output", choices=("table", "jsonl"), default="table")
    s.add_argument("-w", "--watch", action="store_true", help="stream every change")
    s.add_argument("--until-done", action="store_true",
                   help=f"with --watch: stop when the {op.word} ends (exit 1 when it failed)")
    s.add_argument("--timeout", default="", metavar="DURATION",
                   help="with --watch: give up after this long (exit 1)")
    add_connection_options(s)
    s.set_defaults(func=partial(run, op=op))


def run(args: argparse.Namespace, op: Operation) -> int:
    check_namespace(args.namespace)
    timeout = duration_seconds(args.timeout, "--timeout")
    if args.until_done and not args.watch:
        raise usage("--until-done", "only with --watch")
    with kurator_host(args) as host:
        obj = host.get(op.resource, args.namespace, args.name)  # 404 → exit 1 at once
        store = None if args.watch else snapshot(host, args.namespace, op, [obj])
    if store is None:
        printer = ChangePrinter(args.name, args.output)
        return follow_operation(args, op, args.name, printer, until_done=args.until_done,
                                timeout=timeout)
    st = operation_status(store, host.name, args.namespace, obj, op.kind)
    if args.output == "jsonl":
        ChangePrinter(args.name, "jsonl").rows(st.rows, st.overall)
    else:
        say(status_table(st, datetime.now(UTC)))
    return EXIT_OK
