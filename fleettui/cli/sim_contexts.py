"""`fleettui sim --api contexts`: the simulated Kurator and Velero controllers on clusters the
user already has (sim/context_fleet.py), in the foreground until interrupted."""

from __future__ import annotations

import argparse

from fleettui.cli.connection import member_contexts
from fleettui.cli.kubeconfig import read_contexts
from fleettui.cli.output import EXIT_API, CliError, usage
from fleettui.cli.sim_options import sim_config
from fleettui.cli.sim_real import EMULATOR_ONLY
from fleettui.cli.sim_report import until_signalled

# Options that make or describe servers; here the servers are the user's.
SERVERS_ONLY = {**EMULATOR_ONLY, "dir": "--dir", "compact_interval": "--compact-interval",
                "member_storage": "--member-storage",
                "write_kubeconfig": "--write-kubeconfig (the contexts are yours already)",
                "write_readonly_kubeconfig": "--write-readonly-kubeconfig",
                "write_kubeconfigs": "--write-kubeconfigs"}


def check_options(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """The host context (--context, else the current one) and the members; flags that do not
    apply, unknown contexts and a missing --member-context are refused (exit 2)."""
    for attr, flag in SERVERS_ONLY.items():
        if getattr(args, attr, None):  # every default is empty, 0 or None
            raise usage("--api contexts", f"{flag} does not apply to existing contexts")
    members = member_contexts(args.member_context)
    if not members:
        raise usage("--member-context", "--api contexts needs at least one CLUSTER=CONTEXT "
                                        "(a member cluster of the fleet and its context)")
    known, current = read_contexts(args.kubeconfig)
    host = args.context or current
    if not host:
        raise usage("--context", "no current context in the kubeconfig: name the host's")
    for flag, context in [("--context", host), *(("--member-context", c)
                                                 for c in members.values())]:
        if context not in known:
            raise usage(flag, f"no context {context!r} in the kubeconfig; contexts: "
                              f"{', '.join(known) or 'none'}")
    return host, members


async def serve_contexts(args: argparse.Namespace) -> int:
    from fleettui.sim.context_fleet import ContextError, ContextFleet

    host, members = check_options(args)
    args.clusters = len(members)  # for sim_config's checks; the fleet's members are these
    fleet = ContextFleet(sim_config(args), args.kubeconfig, host, members, seed=args.seed,
                         note=lambda line: print(line, flush=True))
    try:
        await fleet.start()
    except ContextError as e:
        raise CliError(f"--api contexts: {e}", EXIT_API) from e
    try:
        for c in fleet.clusters:
            print(f"{c.name:20} {c.url}  (context {c.context}: "
                  f"{'Kurator' if c is fleet.host else 'Velero'})")
        await until_signalled()
    finally:
        await fleet.stop()
    return 0
