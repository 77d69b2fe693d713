"""`fleettui sim`: run the fleet simulator in the foreground until interrupted."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from fleettui.cli.output import usage
from fleettui.cli.sim_options import add_sim_options, sim_config
from fleettui.cli.sim_report import report, until_signalled


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sim", help="run the Kubernetes fleet simulator (host + member clusters)")
    add_sim_options(p)
    p.add_argument("--write-kubeconfig", type=Path, metavar="PATH",
                   help="write a kubeconfig with one context per cluster")
    p.add_argument("--write-readonly-kubeconfig", type=Path, metavar="PATH",
                   help="write a kubeconfig whose token may only read (403 on writes)")
    p.add_argument("--write-kubeconfigs", type=Path, metavar="DIR",
                   help="write one kubeconfig per user into DIR: admin.yaml, readonly.yaml, "
                        "viewer.yaml (no secrets, no writes), ns-<NS>.yaml (one namespace)")
    p.add_argument("--write-exec-kubeconfig", type=Path, metavar="PATH",
                   help="write an admin kubeconfig whose credentials come from an exec plugin "
                        "(a script beside PATH) that mints a fresh token; use with --token-ttl")
    p.add_argument("--api", choices=("emulator", "real", "contexts"), default="emulator",
                   help="emulator (default): API servers emulated in this process; real: each "
                        "cluster its own kube-apiserver (built once from realapi/ with Go, "
                        "at most 2 members), the same controllers as API clients; contexts: "
                        "the controllers only, on clusters you have (--context for the host, "
                        "--member-context for each member)")
    p.add_argument("--dir", type=Path, metavar="DIR",
                   help="with --api real: the servers' data, certificates and audit logs "
                        "(default: a temporary directory, removed at exit)")
    existing = p.add_argument_group("with --api contexts (also accepted before `sim`)")
    # SUPPRESS: not given here, the global option's value (before `sim`) stands.
    existing.add_argument("--kubeconfig", default=argparse.SUPPRESS,
                          help="kubeconfig with the contexts (default: $KUBECONFIG or "
                               "~/.kube/config)")
    existing.add_argument("--context", "--host-context", dest="context",
                          default=argparse.SUPPRESS, metavar="CONTEXT",
                          help="the Kurator host's context (default: the current one)")
    existing.add_argument("--member-context", action="append", default=argparse.SUPPRESS,
                          metavar="CLUSTER=CONTEXT",
                          help="a member cluster of the fleet and its context, where the "
                               "simulated Velero runs (repeatable)")
    existing.add_argument("--seed", action="store_true",
                          help="create the demo world (fleet quickstart, AttachedClusters with "
                               "kubeconfig secrets, namespaces, pods, Velero's storage "
                               "location) through the API, keeping what exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.api == "contexts":
        from fleettui.cli.sim_contexts import serve_contexts

        return asyncio.run(serve_contexts(args))
    if args.seed:
        raise usage("--seed", "applies to --api contexts (the other fleets are always seeded)")
    if args.member_context:
        raise usage("--member-context", "applies to --api contexts (the simulator makes its "
                                        "own members)")
    if args.api == "real":
        from fleettui.cli.sim_real import serve_real

        return asyncio.run(serve_real(args))
    return asyncio.run(serve(args))


async def serve(args: argparse.Namespace) -> int:
    from fleettui.sim.fleet import SimFleet

    fleet = SimFleet(sim_config(args))
    await fleet.start()
    report(fleet, args)
    if args.write_exec_kubeconfig:
        plugin = fleet.write_exec_kubeconfig(args.write_exec_kubeconfig)
        print(f"exec-plugin kubeconfig written to {args.write_exec_kubeconfig} "
              f"(plugin {plugin})")
    await until_signalled()
    await fleet.stop()
    return 0
