"""`fleettui backup logs NAME --cluster C`: one cluster's Velero log of a fleet backup, fetched
as `velero backup logs` does (a DownloadRequest, its presigned URL, gunzip)."""

from __future__ import annotations

import argparse
import sys

from fleettui.cli.connection import kurator_host, on_members
from fleettui.cli.options import add_connection_options, check_namespace, duration_seconds
from fleettui.cli.output import EXIT_NOT_FOUND, EXIT_OK, CliError, usage
from fleettui.cli.snapshot import snapshot
from fleettui.kube import resources as kc
from fleettui.kube.downloads import Limits
from fleettui.kube.errors import KubeError
from fleettui.live.backup_status import fleet_status
from fleettui.live.downloads import READONLY_NOTE, not_logged_reason, velero_log
from fleettui.model.kurator import VELERO_NAMESPACE
from fleettui.model.status import ClusterRow


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = verbs.add_parser("logs", help="one cluster's Velero log of a fleet backup",
                         description="Print the Velero log of a fleet backup's run in one "
                                     "cluster (uploaded when the run ends).")
    s.add_argument("name", metavar="NAME")
    add_cluster_option(s)
    add_connection_options(s)
    s.set_defaults(func=run)


def add_cluster_option(s: argparse.ArgumentParser) -> None:
    s.add_argument("--cluster", default="", metavar="CLUSTER",
                   help="the member cluster (needed when the backup has several)")
    s.add_argument("--timeout", default="30s", metavar="DURATION",
                   help="how long Velero may take to answer the DownloadRequest (default 30s)")


def limits(args: argparse.Namespace) -> Limits:
    within = duration_seconds(args.timeout, "--timeout") or 30.0
    return Limits(processed_within=within)


def refuse_readonly(args: argparse.Namespace) -> None:
    if getattr(args, "readonly", False):
        raise usage("--readonly", READONLY_NOTE)


def cluster_rows(args: argparse.Namespace) -> list[ClusterRow]:
    """The backup's rows, or the one of --cluster; reads the host and the members once."""
    check_namespace(args.namespace)
    refuse_readonly(args)
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)  # 404 → exit 1
        store = snapshot(host, args.namespace, [obj])
        rows = fleet_status(store, host.name, args.namespace, obj).rows
    if not args.cluster:
        return rows
    chosen = [r for r in rows if r.cluster_name == args.cluster]
    if not chosen:
        raise usage("--cluster", f"{args.cluster} is not a cluster of backup {args.name} "
                    f"(its clusters: {', '.join(r.cluster_name for r in rows) or 'none'})")
    return chosen


def run(args: argparse.Namespace) -> int:
    rows = cluster_rows(args)
    if len(rows) != 1:
        raise usage("--cluster", f"backup {args.name} ran in {len(rows)} clusters; name one: "
                    + ", ".join(r.cluster_name for r in rows))
    row = rows[0]
    why = not_logged_reason(f"{row.velero_name} in {row.cluster_name}", row.phase)
    if why:
        raise CliError(f"{row.cluster_name}: {why}", EXIT_NOT_FOUND)
    wait = limits(args)
    with kurator_host(args) as host:
        found = on_members(host, args.namespace, [row.cluster_name],
                           lambda c: velero_log(c, VELERO_NAMESPACE, row.velero_name,
                                                limits=wait))
    lines = found[row.cluster_name]
    if isinstance(lines, KubeError):
        raise lines
    for line in lines:
        sys.stdout.write(line + "\n")
    return EXIT_OK

