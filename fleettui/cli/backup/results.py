"""`fleettui backup results NAME [--cluster C]`: per cluster, the per-item errors and warnings
of a fleet backup's run, from Velero's BackupResults (what `velero backup describe` lists)."""

from __future__ import annotations

import argparse

from fleettui.cli.connection import kurator_host, on_members
from fleettui.cli.downloads import add_cluster_option, cluster_rows, limits
from fleettui.cli.options import add_connection_options
from fleettui.cli.output import EXIT_OK, say
from fleettui.kube.errors import KubeError
from fleettui.live.downloads import LOGGED_PHASES, velero_results
from fleettui.model.kurator import VELERO_NAMESPACE
from fleettui.model.status import ClusterRow
from fleettui.model.velero_results import ResultLine


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = verbs.add_parser("results", help="per-item errors and warnings of a fleet backup",
                         description="Per cluster, the errors and warnings Velero recorded "
                                     "item by item (its BackupResults file).")
    s.add_argument("name", metavar="NAME")
    add_cluster_option(s)
    add_connection_options(s)
    s.set_defaults(func=run)


def _head(row: ClusterRow) -> str:
    return (f"{row.cluster_name} ({row.velero_name}): {row.phase or 'New'}, "
            f"{row.errors} error{'' if row.errors == 1 else 's'}, "
            f"{row.warnings} warning{'' if row.warnings == 1 else 's'}")


def run(args: argparse.Namespace) -> int:
    rows = cluster_rows(args)
    wanted = [r for r in rows if r.phase in LOGGED_PHASES and r.velero_name]
    by_name = {r.cluster_name: r for r in wanted}
    wait = limits(args)
    with kurator_host(args) as host:
        found = on_members(host, args.namespace, list(by_name), lambda c: velero_results(
            c, VELERO_NAMESPACE, by_name[c.name].velero_name, limits=wait))
    for row in rows:
        say(_head(row))
        for line in _body(row, found.get(row.cluster_name)):
            say(f"  {line}")
    return EXIT_OK


def _body(row: ClusterRow, found: list[ResultLine] | KubeError | None) -> list[str]:
    if row.validation_errors:
        return [f"validation: {e}" for e in row.validation_errors]
    if found is None:
        return [f"no results yet: Velero uploads them when the run ends ({row.phase or 'New'})"]
    if isinstance(found, KubeError):
        return [f"cannot read the results: {found.message}"]
    lines = [r.text() for r in found]
    if row.failure_reason and not any(row.failure_reason in line for line in lines):
        lines.insert(0, f"failure: {row.failure_reason}")
    return lines or ["no errors or warnings"]
