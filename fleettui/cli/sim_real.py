"""`fleettui sim --api real`: the fleet simulator on real kube-apiservers (sim/real_fleet.py),
in the foreground until interrupted; it prints what `fleettui sim` prints."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fleettui.cli.output import usage
from fleettui.cli.sim_options import sim_config
from fleettui.cli.sim_report import report, until_signalled

# Options of the emulated servers that real kube-apiservers do not have (or set otherwise).
EMULATOR_ONLY = {"port": "--port", "state": "--state",
                 "audit_log": "--audit-log (each real server writes its own)",
                 "token_ttl": "--token-ttl", "unreachable_secrets": "--unreachable-secrets",
                 "unreachable_secret": "--unreachable-secret", "max_inflight": "--max-inflight",
                 "namespace_user": "--namespace-user", "bookmark_interval": "--bookmark-interval",
                 "write_exec_kubeconfig": "--write-exec-kubeconfig"}


def check_options(args: argparse.Namespace) -> None:
    for attr, flag in EMULATOR_ONLY.items():
        if getattr(args, attr, None):  # every default is empty, 0 or None
            raise usage("--api real", f"{flag} applies to the emulator only")


async def serve_real(args: argparse.Namespace) -> int:
    from fleettui.sim.real_fleet import MAX_SERVERS, RealApiUnavailable, RealFleet, binaries

    check_options(args)
    config = sim_config(args)
    if config.clusters >= MAX_SERVERS:
        raise usage("--clusters", f"--api real runs at most {MAX_SERVERS - 1} members (each "
                                  "real kube-apiserver holds about 370 MiB)")
    try:
        built = binaries()
    except RealApiUnavailable as e:
        raise usage("--api real", str(e)) from e
    with tempfile.TemporaryDirectory(prefix="fleettui-real-") as tmp:
        fleet = RealFleet(config, built, args.dir or Path(tmp))
        await fleet.start()
        try:
            report(fleet, args)
            print("audit logs: " + ", ".join(str(c.server.audit_log) for c in fleet.clusters))
            await until_signalled()
        finally:
            await fleet.stop()
    return 0
