"""The `fleettui` command: the TUI, the simulator, and the scriptable CLI twin of the TUI."""

from __future__ import annotations

import argparse
import sys

from fleettui import __version__
from fleettui.cli import demo_cmd, sim_cmd

EXIT_OK = 0
EXIT_USAGE = 2  # bad input: one line naming the field
EXIT_API = 3  # the API server refused or could not be reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fleettui",
        description="Back up whole fleets of Kubernetes clusters (Kurator Unified Backup, Velero).")
    parser.add_argument("--version", action="version", version=f"fleettui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo_cmd.add_parser(sub)
    sim_cmd.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
