"""`fleettui schedule pause|resume|run-now NAME [--cluster C ...] [--dry-run=server]`: act on
the members' Velero Schedules of a scheduled fleet backup (Kurator mode) or on the Schedule of
that name in every context (plain Velero mode), fleet-wide or on the clusters named. The plan is
live/schedule_ops.py's, the one the TUI's `p` and `R` dialogs show.

Exit codes: 0 when every step sent was accepted (or there was nothing to do: already paused);
1 when the schedule does not exist; 2 for bad input (a --cluster that is not one of its
clusters, --readonly without --dry-run); 3 when a cluster refused a step or could not be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fleettui.cli.connection import ROUTES, connect
from fleettui.cli.fleet_state import FleetState, add_read_options, read_fleet
from fleettui.cli.options import check_namespace, refuse_readonly
from fleettui.cli.output import EXIT_API, EXIT_NOT_FOUND, EXIT_OK, CliError, say, usage
from fleettui.kube.errors import KubeError
from fleettui.live.schedule_ops import (
    OPERATIONS,
    PlanError,
    SchedulePlan,
    execute,
    plan,
    result_lines,
)

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

HELP = {"pause": "stop a schedule's runs (spec.paused=true on the members' Velero Schedules)",
        "resume": "let a paused schedule run again (spec.paused=false)",
        "run-now": "start a run now from each member's Schedule, as velero backup create "
                   "--from-schedule does"}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schedule", help="pause, resume or run a schedule now, fleet-wide or "
                                        "per cluster",
                       description="Pause, resume or run a schedule now on every cluster it "
                                   "runs on, or on those named with --cluster. Exit 0: every "
                                   "step accepted (or nothing to do); 1: no such schedule; 2: "
                                   "bad input or --readonly; 3: a cluster refused or could "
                                   "not be read.")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    for op in OPERATIONS:
        v = verbs.add_parser(op, help=HELP[op], description=HELP[op] + ". Kurator mode: NAME "
                             "is the scheduled Kurator Backup; its Velero Schedule in each "
                             "member is acted on (Kurator never updates it, so this sticks). "
                             "Plain Velero mode: the Schedule NAME in each context.")
        v.add_argument("name", metavar="NAME")
        v.add_argument("--cluster", action="append", default=[], metavar="CLUSTER",
                       help="only this member (Kurator) or context (plain Velero); "
                            "repeatable (default: every cluster of the schedule)")
        v.add_argument("--dry-run", nargs="?", const="server", default="none",
                       choices=("none", "server"),
                       help="server: each cluster checks the request, nothing changes")
        add_read_options(v)
        v.set_defaults(func=run, op=op)


def _member_client(state: FleetState, args: argparse.Namespace
                   ) -> tuple[Callable[[str], KubeClient], list[KubeClient]]:
    """How a step reaches its cluster (the route the read used), and the clients to close."""
    from fleettui.cli.kubeconfig import resolve_context
    from fleettui.kube.member_access import reach_member

    opened: list[KubeClient] = []
    host: list[KubeClient] = []

    def member(cluster: str) -> KubeClient:
        if state.mode != "kurator":
            client = connect(args.kubeconfig, cluster)
        else:
            if not host:
                host.append(connect(args.kubeconfig,
                                    resolve_context(args.kubeconfig, args.context)))
                opened.append(host[0])
            access = reach_member(host[0], state.namespace, cluster, ROUTES.kubeconfig,
                                  ROUTES.contexts)
            if access.client is None:
                raise KubeError(0, "NoAccess", access.said(), [], cluster)
            client = access.client
        opened.append(client)
        return client

    return member, opened


def _plan(state: FleetState, args: argparse.Namespace) -> SchedulePlan:
    try:
        return plan(state, args.op, args.name, state.velero_namespace, args.cluster)
    except PlanError as e:
        if e.not_found:
            raise CliError(e.message, EXIT_NOT_FOUND) from None
        raise usage("--cluster" if args.cluster else "NAME", e.message) from None


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    dry_run = args.dry_run == "server"
    if not dry_run:
        refuse_readonly(args, f"{args.op} schedule {args.name}")
    state = read_fleet(args)
    found = _plan(state, args)
    member, opened = _member_client(state, args)
    try:
        result = execute(found, member, dry_run, datetime.now(UTC))
    finally:
        for client in opened:
            client.close()
    for r, line in zip(result.results, result_lines(found, result, dry_run), strict=True):
        say(line, sys.stdout if r.ok else sys.stderr)
    for step in found.steps:
        if not step.sends:
            say(f"{step.cluster}: {step.effect}")
    for note in found.notes:
        say(note)
    unread = [s for s in found.steps if s.cluster in state.member_errors]
    return EXIT_OK if result.ok and not unread else EXIT_API
