"""`fleettui backup status NAME [-w [--until-done]]`: per-cluster phases of one fleet backup."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from fleettui.cli.connection import kurator_host, on_members
from fleettui.cli.follow import follow
from fleettui.cli.options import add_connection_options, check_namespace, duration_seconds
from fleettui.cli.output import EXIT_OK, ChangePrinter, say, usage
from fleettui.cli.snapshot import snapshot, status_table
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.backup_status import fleet_status
from fleettui.live.downloads import LOGGED_PHASES, READONLY_NOTE, velero_results
from fleettui.model.kurator import VELERO_NAMESPACE
from fleettui.model.status import FAILED, PARTIALLY_FAILED, ClusterRow


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
        # the per-item results go under the reasons; the overall line stays last
        head, _, overall = status_table(st, datetime.now(UTC)).rpartition("\n")
        say("\n".join([head, *results_lines(args, st.rows), overall]))
    return EXIT_OK


MAX_RESULTS = 10  # per cluster; `backup results` prints them all


def results_lines(args: argparse.Namespace, rows: list[ClusterRow]) -> list[str]:
    """The per-item errors and warnings of each run that did not complete (Velero's
    BackupResults, one DownloadRequest per such cluster, all at once)."""
    failed = {r.cluster_name: r for r in rows if r.state in (FAILED, PARTIALLY_FAILED)
              and r.phase in LOGGED_PHASES and r.velero_name}
    if not failed:
        return []
    if getattr(args, "readonly", False):
        return [f"(per-item results not read: {READONLY_NOTE})"]
    with kurator_host(args) as host:
        found = on_members(host, args.namespace, list(failed), lambda c: velero_results(
            c, VELERO_NAMESPACE, failed[c.name].velero_name))
    lines = []
    for cluster, got in found.items():
        lines.append(f"{cluster}: Velero's results of {failed[cluster].velero_name}:")
        if isinstance(got, KubeError):
            lines.append(f"  cannot read them: {got.message}")
            continue
        lines += [f"  {r.text()}" for r in got[:MAX_RESULTS]] or [
            "  no per-item errors or warnings recorded"]
        if len(got) > MAX_RESULTS:
            lines.append(f"  … {len(got) - MAX_RESULTS} more: fleettui backup results "
                         f"{args.name} --cluster {cluster}")
    return lines
