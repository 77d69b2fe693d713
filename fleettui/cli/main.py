"""The `fleettui` command: the TUI, the simulator, and the scriptable CLI twin of the TUI."""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or "
                        "~/.kube/config)")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("-n", "--namespace", default="default",
                        help="namespace of the fleets and backups (default: default)")
    parser.add_argument("--readonly", action="store_true",
                        help="no mutating action at all (keys, palette and requests)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo_cmd.add_parser(sub)
    sim_cmd.add_parser(sub)
    return parser


def run_tui(args: argparse.Namespace) -> int:
    prepare_terminal_env()
    from fleettui.ui.app import run_app

    return run_app(args.kubeconfig, args.context, args.namespace, args.readonly)


def prepare_terminal_env() -> None:
    """Settings for SSH sessions; Textual reads them once, when it is imported."""
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")  # no repaint traffic for effects
    os.environ.setdefault("TEXTUAL_FPS", "30")
    os.environ.setdefault("ESCDELAY", "150")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = run_tui
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
