"""`fleettui coverage [-o table|json|yaml] [--include-system-namespaces]`: every namespace on
every cluster, protected, partial, stale or unprotected: what `:coverage` shows."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from fleettui.cli.fleet_state import (
    DEFAULT_MAX_AGE,
    FleetState,
    add_limit_options,
    add_read_options,
    limits_from,
    read_fleet,
    unreadable_lines,
)
from fleettui.cli.formats import add_output_option
from fleettui.cli.options import duration_seconds
from fleettui.cli.output import EXIT_OK, dump, say, table, usage
from fleettui.live.health import inventories_from_store, session_coverage
from fleettui.model.coverage import PARTIAL, STALE, Coverage
from fleettui.model.schedule_health import HealthLimits, age_text


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "coverage", help="which namespaces on which clusters are backed up",
        description="Every namespace on every cluster: protected (a schedule takes the whole "
                    "namespace and has a good run within --max-age), partial (only through a "
                    "label selector, with the pods it matches, or a resource filter), stale "
                    "(taken, but no good run within --max-age) or unprotected.")
    add_output_option(p, ("table", "json", "yaml"), "table", "output format")
    p.add_argument("--max-age", default=DEFAULT_MAX_AGE, metavar="DURATION",
                   help=f"a good run older than this is stale (default {DEFAULT_MAX_AGE})")
    p.add_argument("--include-system-namespaces", action="store_true",
                   help="also show kube-*, openshift*, velero and kurator-system")
    add_limit_options(p)
    add_read_options(p)
    p.set_defaults(func=run)


def fleet_coverage(state: FleetState, limits: HealthLimits, max_age: float,
                   include_system: bool, now: datetime) -> Coverage:
    members = state.members or state.contexts
    inventories = inventories_from_store(state.store, members, state.member_errors)
    return session_coverage(state, inventories, now, max_age, limits, include_system)


def coverage_table(cov: Coverage) -> str:
    clusters = [c for c in cov.clusters if c not in cov.problems]
    lines = [[ns, *(f"{cell.symbol} {cell.state}" if (cell := cov.cells.get((ns, c))) else "-"
                    for c in clusters)] for ns in cov.namespaces]
    out = [table(("NAMESPACE", *clusters), lines)]
    out += [f"{cell.namespace} on {cell.cluster}: {cell.reason}" for cell in cov.cells.values()
            if cell.state in (PARTIAL, STALE)]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    max_age = duration_seconds(args.max_age, "--max-age")
    if not max_age:
        raise usage("--max-age", f"expected a duration above 0, e.g. {DEFAULT_MAX_AGE}")
    limits = limits_from(args)
    state = read_fleet(args, inventory=True)
    cov = fleet_coverage(state, limits, max_age, args.include_system_namespaces,
                         datetime.now(UTC))
    for line in unreadable_lines(state):
        say(f"# {line}", sys.stderr)
    if args.output.kind != "table":
        say(dump({"mode": state.mode, "maxAgeSeconds": max_age, **cov.to_dict()},
                 args.output.kind))
        return EXIT_OK
    if not cov.namespaces:
        say("No namespaces could be read on any cluster.", sys.stderr)
        return EXIT_OK
    say(coverage_table(cov))
    say(f"# protected: a schedule covers it and its newest run Completed within "
        f"{age_text(max_age)}; one-time backups do not count", sys.stderr)
    if cov.hidden_system:
        say(f"# {cov.hidden_system} system namespace(s) not shown "
            "(--include-system-namespaces shows them)", sys.stderr)
    return EXIT_OK
