"""`fleettui sim`: run the fleet simulator in the foreground until interrupted."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

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
    p.add_argument("--api", choices=("emulator", "real"), default="emulator",
                   help="emulator (default): API servers emulated in this process; real: each "
                        "cluster its own kube-apiserver (built once from realapi/ with Go, "
                        "at most 2 members), the same controllers as API clients")
    p.add_argument("--dir", type=Path, metavar="DIR",
                   help="with --api real: the servers' data, certificates and audit logs "
                        "(default: a temporary directory, removed at exit)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
