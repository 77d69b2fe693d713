"""What `backup logs` and `backup results` share: which cluster's run, how long Velero may take
to answer a DownloadRequest, and no DownloadRequest (a write) under --readonly."""

from __future__ import annotations

import argparse

from fleettui.cli.connection import kurator_host
from fleettui.cli.options import check_namespace, duration_seconds
from fleettui.cli.output import usage
from fleettui.cli.snapshot import snapshot
from fleettui.kube import resources as kc
from fleettui.kube.downloads import Limits
from fleettui.live.backup_status import fleet_status
from fleettui.live.downloads import READONLY_NOTE
from fleettui.model.status import ClusterRow


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
