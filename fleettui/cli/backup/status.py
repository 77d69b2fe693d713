"""`fleettui backup status NAME [-w [--until-done]]`: per-cluster phases of one fleet backup."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from fleettui.cli.connection import kurator_host
from fleettui.cli.follow import follow
from fleettui.cli.options import add_connection_options, check_namespace, duration_seconds
from fleettui.cli.output import EXIT_OK, ChangePrinter, say, usage
from fleettui.cli.snapshot import snapshot, status_table
from fleettui.kube import resources as kc
from fleettui.live.backup_status import fleet_status


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = verbs.add_parser("status", help="per-cluster phases of one fleet backup",
                         description="Per-cluster phases of one fleet backup; with --watch, a "
                                     "line per change until Ctrl+C (or --until-done).")
    s.add_argument("name", metavar="NAME")
    s.add_argument("-o", "--output", choices=("table", "jsonl"), default="table")
    s.add_argument("-w", "--watch", action="store_true", help="stream every change")
    s.add_argument("--until-done", action="store_true",
                   help="with --watch: stop when the backup ends (exit 1 when it failed)")
    s.add_argument("--timeout", default="", metavar="DURATION",
                   help="with --watch: give up after this long (exit 1)")
    add_connection_options(s)
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    timeout = duration_seconds(args.timeout, "--timeout")
    if args.until_done and not args.watch:
        raise usage("--until-done", "only with --watch")
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)  # 404 → exit 3 at once
        store = None if args.watch else snapshot(host, args.namespace, [obj])
    if store is None:
        printer = ChangePrinter(args.name, args.output)
        return follow(args, args.name, printer, until_done=args.until_done, timeout=timeout)
    st = fleet_status(store, host.name, args.namespace, obj)
    if args.output == "jsonl":
        ChangePrinter(args.name, "jsonl").rows(st.rows, st.overall)
    else:
        say(status_table(st, datetime.now(UTC)))
    return EXIT_OK
