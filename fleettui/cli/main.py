"""The `fleettui` command: the TUI, the simulator, and the scriptable CLI twin of the TUI."""

from __future__ import annotations

import argparse
import contextlib
import sys

from fleettui import __version__
from fleettui.cli import backup, demo_cmd, migrate, restore, sim_cmd, velero
from fleettui.cli import check as check_cmd
from fleettui.cli import coverage as coverage_cmd
from fleettui.cli import schedule as schedule_cmd
from fleettui.cli import schedules as schedules_cmd
from fleettui.cli import storage as storage_cmd
from fleettui.cli.connection import member_contexts, set_member_routes
from fleettui.cli.kubeconfig import check_context_quickly, uses_exec_plugin
from fleettui.cli.options import add_velero_namespace_option, check_namespace
from fleettui.cli.output import (  # noqa: F401 - re-exported: the exit codes live there
    EXIT_API,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    CliParser,
    print_error,
)
from fleettui.cli.terminal import prepare_terminal_env
from fleettui.kube.errors import KubeError
from fleettui.model.errors import FieldError


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(  # every argparse error is one line, exit 2
        prog="fleettui",
        description="Back up whole fleets of Kubernetes clusters (Kurator Unified Backup, Velero).")
    parser.add_argument("--version", action="version", version=f"fleettui {__version__}")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or "
                        "~/.kube/config)")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("-n", "--namespace", default="default",
                        help="namespace of the fleets and backups (default: default)")
    parser.add_argument("--hung-after", type=positive_seconds, default=None, metavar="SECONDS",
                        help="treat a watch that sent nothing, not even a bookmark, for this "
                        "long as dead and reconnect (default 75; real API servers send a "
                        "bookmark about once a minute; demo: 4)")
    parser.add_argument("--readonly", action="store_true",
                        help="no mutating action at all (keys, palette and requests)")
    add_velero_namespace_option(parser, "velero")
    parser.add_argument("--member-context", action="append", default=[],
                        metavar="CLUSTER=CONTEXT",
                        help="reach fleet member CLUSTER through this kubeconfig context "
                        "(repeatable); otherwise its AttachedCluster secret, then a context "
                        "named like it or with the secret's server, are tried")
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=CliParser)
    demo_cmd.add_parser(sub)
    sim_cmd.add_parser(sub)
    backup.add_parser(sub)
    restore.add_parser(sub)
    migrate.add_parser(sub)
    velero.add_parser(sub)
    schedules_cmd.add_parser(sub)
    check_cmd.add_parser(sub)
    coverage_cmd.add_parser(sub)
    storage_cmd.add_parser(sub)
    schedule_cmd.add_parser(sub)
    return parser


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return seconds


def run_tui(args: argparse.Namespace) -> int:
    check_namespace(args.velero_namespace, "--velero-namespace")
    check_context_quickly(args.kubeconfig, args.context)  # one line, not an empty screen
    if uses_exec_plugin(args.kubeconfig, args.context):
        prewarm_credentials(args.kubeconfig, args.context)
    prepare_terminal_env()
    from fleettui.kube import exec_credentials
    from fleettui.ui.app import run_app

    exec_credentials.terminal_taken()  # from here plugins get no stdin and a timeout

    return run_app(args.kubeconfig, args.context, args.namespace, args.readonly,
                   args.hung_after or 75.0, velero_namespace=args.velero_namespace,
                   member_contexts=member_contexts(args.member_context))


def prewarm_credentials(kubeconfig: str | None, context: str | None) -> None:
    """Run the context's credential plugin while the terminal is still the user's, as kubectl
    would (a login prompt, a browser sign-in); its credential is then cached for the TUI."""
    from fleettui.kube.client import KubeClient

    with contextlib.suppress(KubeError):  # the app says what is wrong when it connects
        KubeClient.from_kubeconfig(kubeconfig, context).close()


def normalise(args: argparse.Namespace) -> None:
    """argparse turns the lone value "--" (as in `--ttl=--`) into a list; make it text."""
    for key, value in vars(args).items():
        if value == []:
            setattr(args, key, "")
        elif isinstance(value, list):
            setattr(args, key, [v for v in value if isinstance(v, str)])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "command", None) not in ("backup", "restore", "migrate", "velero"):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        print_error(CliError(f"unrecognized arguments: {' '.join(extra)} (see: fleettui "
                             f"{args.command} --help)"))
        return EXIT_USAGE
    normalise(args)
    if not getattr(args, "func", None):
        args.func = run_tui
    try:
        set_member_routes(args)
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except CliError as e:  # bad input (2), API (3) or a failed/timed-out wait (1): one line
        print_error(e)
        return e.code
    except KubeError as e:  # refused (403, 409, 422 with its causes...) or unreachable (code 0)
        print_error(e)
        return EXIT_NOT_FOUND if e.code == 404 else EXIT_API  # kubectl: NotFound exits 1
    except FieldError as e:
        print_error(CliError(str(e)))
        return EXIT_USAGE
    except Exception as e:
        print_error(CliError(f"internal error ({type(e).__name__}: {e}); please report it "
                             "with the command line that caused it"))
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
