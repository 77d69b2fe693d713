"""What `fleettui sim` prints of a running fleet, emulated or real, and its wait for Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class _Cluster(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...


class Served(Protocol):
    """What `fleettui sim` reports of a fleet, emulated (SimFleet) or real (RealFleet)."""

    @property
    def clusters(self) -> Sequence[_Cluster]: ...
    def write_kubeconfig(self, path: Path, readonly: bool = False) -> None: ...
    def write_kubeconfigs(self, directory: Path) -> list[Path]: ...


def report(fleet: Served, args: argparse.Namespace) -> None:
    """Each cluster's URL and the kubeconfigs asked for."""
    for c in fleet.clusters:
        print(f"{c.name:20} {c.url}")
    if args.write_kubeconfig:
        fleet.write_kubeconfig(args.write_kubeconfig)
        print(f"\nkubeconfig written to {args.write_kubeconfig}; try:\n"
              f"  kubectl --kubeconfig {args.write_kubeconfig} get "
              "backups.backup.kurator.dev -A")
    if args.write_readonly_kubeconfig:
        fleet.write_kubeconfig(args.write_readonly_kubeconfig, readonly=True)
        print(f"read-only kubeconfig written to {args.write_readonly_kubeconfig}")
    if args.write_kubeconfigs:
        written = fleet.write_kubeconfigs(args.write_kubeconfigs)
        print(f"kubeconfigs written: {', '.join(str(p) for p in written)}")


async def until_signalled() -> None:
    print("simulator running; Ctrl+C to stop", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
