"""`fleettui demo`: the TUI on the embedded simulator, no cluster needed."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fleettui.cli.sim_options import add_sim_options, sim_config
from fleettui.cli.terminal import prepare_terminal_env


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="start the TUI on an embedded simulated fleet")
    add_sim_options(p)
    # Also accepted after `demo`, as people type them there.
    p.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                   help="no mutating action at all")
    p.add_argument("-n", "--namespace", default=argparse.SUPPRESS, help="namespace")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = sim_config(args, demo=True)  # bad flags are named before anything else
    prepare_terminal_env()
    from fleettui.sim.fleet import HOST, SimThread
    from fleettui.ui.app import run_app

    sim = SimThread(config)
    fleet = sim.start()
    try:
        with tempfile.TemporaryDirectory(prefix="fleettui-demo-") as tmp:
            kubeconfig = Path(tmp) / "kubeconfig"
            fleet.write_kubeconfig(kubeconfig, readonly=args.readonly)
            # The simulator bookmarks every second, so a silent stream is dead after 4.
            return run_app(kubeconfig=str(kubeconfig), context=HOST, namespace=args.namespace,
                           readonly=args.readonly, hung_after=args.hung_after or 4.0,
                           schedule_speed=config.speed)
    finally:
        sim.stop()
