"""`fleettui backup logs NAME --cluster C`: one cluster's Velero log of a fleet backup, fetched
as `velero backup logs` does (a DownloadRequest, its presigned URL, gunzip)."""

from __future__ import annotations

import argparse
import sys

from fleettui.cli.connection import kurator_host, on_members
from fleettui.cli.downloads import add_cluster_option, cluster_rows, limits
from fleettui.cli.options import add_connection_options
from fleettui.cli.output import EXIT_NOT_FOUND, EXIT_OK, CliError, usage
from fleettui.kube.errors import KubeError
from fleettui.live.downloads import not_logged_reason, velero_log
from fleettui.model.kurator import VELERO_NAMESPACE


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = verbs.add_parser("logs", help="one cluster's Velero log of a fleet backup",
                         description="Print the Velero log of a fleet backup's run in one "
                                     "cluster (uploaded when the run ends).")
    s.add_argument("name", metavar="NAME")
    add_cluster_option(s)
    add_connection_options(s)
    s.set_defaults(func=run)


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

