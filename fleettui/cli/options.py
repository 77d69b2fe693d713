"""What the commands share on the input side: the flags they add to their parsers and the
checks that turn a flag's text into a value or a one-line error naming that flag (exit 2).

Nothing here contacts a cluster: a command refuses bad input before it connects.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from fleettui.cli.formats import CREATE_FORMATS, add_output_option, emit
from fleettui.cli.output import EXIT_OK, CliError, say, usage, warn
from fleettui.model.durations import parse_duration
from fleettui.model.errors import FieldError
from fleettui.model.names import validate_dns_label

Obj = dict[str, Any]
FILTER_FLAGS = {"include_namespaces": "--include-namespaces",
                "exclude_namespaces": "--exclude-namespaces", "labels": "--selector",
                "include_resources": "--include-resources",
                "exclude_resources": "--exclude-resources"}
RESTORE_FLAGS = {"namespace_mapping": "--namespace-mapping",
                 "preserve_node_ports": "--preserve-node-ports",
                 "restore_status": "--restore-status"}


# ---- parser ----------------------------------------------------------------------------------
def add_connection_options(p: argparse.ArgumentParser, context_help: str = "") -> None:
    """The global options, also accepted after the subcommand (`backup list -n default`)."""
    p.add_argument("--kubeconfig", default=argparse.SUPPRESS, help="kubeconfig file")
    p.add_argument("--context", default=argparse.SUPPRESS,
                   help=context_help or "kubeconfig context of the Kurator host")
    p.add_argument("-n", "--namespace", default=argparse.SUPPRESS,
                   help="namespace of the fleets and backups (default: default)")
    p.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                   help="refuse every mutating request")


def add_selection_options(p: argparse.ArgumentParser, verb: str = "back up") -> None:
    """Namespace, resource and label filters: what a backup takes or a restore puts back."""
    for flag, what in (("--include-namespaces", f"namespaces to {verb} (default: all)"),
                       ("--exclude-namespaces", "namespaces to skip"),
                       ("--include-resources", f"resources to {verb}, e.g. deployments,"
                                               "configmaps (default: all)"),
                       ("--exclude-resources", "resources to skip")):
        p.add_argument(flag, action="append", default=[], metavar="A,B",
                       help=f"{what}; comma-separated, repeatable")
    p.add_argument("-l", "--selector", default="", metavar="SELECTOR",
                   help="label selector, kubectl syntax: 'env=test,tier in (web,db),!legacy'")
    p.add_argument("--or-selector", action="append", default=[], metavar="SELECTOR",
                   help="one alternative of orLabelSelectors; repeatable (not with --selector)")


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """The resource filter flags `backup create` and `velero ... create` share."""
    add_selection_options(p)
    p.add_argument("--ttl", default="", metavar="DURATION",
                   help="how long to keep the backup, Go duration: 720h, 1h30m")


def add_restore_options(p: argparse.ArgumentParser) -> None:
    """What a restore does with what it puts back (velero restore create's flags)."""
    p.add_argument("--namespace-mapping", action="append", default=[], metavar="OLD:NEW",
                   help="restore namespace OLD as NEW, e.g. shop:shop-copy; comma-separated, "
                        "repeatable")
    p.add_argument("--preserve-node-ports", action="store_const", const=True, default=None,
                   help="keep the Services' node ports (default: Velero picks new ones)")
    p.add_argument("--restore-status", action="append", default=[], metavar="RESOURCES",
                   help="resources whose .status is restored too, e.g. deployments; "
                        "comma-separated, repeatable")


def add_dry_run_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", nargs="?", const="client", default="none",
                   choices=("none", "client", "server"),
                   help="client: only print the object; server: the server checks it, "
                        "nothing is stored")


def add_create_options(p: argparse.ArgumentParser, what: str = "backup") -> None:
    add_output_option(p, CREATE_FORMATS, None, "print the object (with --dry-run=client: "
                                               "without contacting a cluster)")
    add_dry_run_option(p)
    p.add_argument("--wait", action="store_true",
                   help=f"follow the {what} until it ends (exit 1 when it failed)")
    p.add_argument("--timeout", default="10m", metavar="DURATION",
                   help="give up --wait after this long (default 10m)")


def show_help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return EXIT_OK


# ---- flag values -----------------------------------------------------------------------------
def check_namespace(namespace: str, flag: str = "-n/--namespace") -> None:
    try:
        validate_dns_label(namespace, "metadata.namespace", what="namespace")
    except FieldError as e:
        raise usage(flag, e.message) from e


def add_context_options(p: argparse.ArgumentParser) -> None:
    """What every plain Velero command takes, after the verb as well as before it."""
    p.add_argument("--context", default=argparse.SUPPRESS, metavar="C1,C2",
                   help="kubeconfig contexts, comma-separated (default: the current one)")
    p.add_argument("--kubeconfig", default=argparse.SUPPRESS, help="kubeconfig file")
    p.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                   help="refuse every mutating request")
    add_velero_namespace_option(p)


def add_velero_namespace_option(p: argparse.ArgumentParser, default: str | None = None
                                ) -> None:
    """One setting for where Velero runs, given before or after the subcommand (the
    subcommands' copy stays out of the way unless typed, as --context does)."""
    p.add_argument("--velero-namespace", default=default or argparse.SUPPRESS, metavar="NS",
                   help="where Velero runs in plain Velero mode and for the `velero` commands "
                        "(default: velero; OADP: openshift-adp); Kurator members always use "
                        "velero")


def duration_seconds(text: str, flag: str) -> float | None:
    if not text.strip():
        return None
    try:
        return parse_duration(text.strip(), flag)
    except FieldError as e:
        raise usage(flag, e.message) from e


def refuse_readonly(args: argparse.Namespace, what: str) -> None:
    if getattr(args, "readonly", False):
        raise usage("--readonly", f"refusing to {what} (add --dry-run to only check it)")


def split_flag(values: Sequence[str]) -> str:
    return ",".join(v for v in values if v.strip())


def cluster_refs(values: Sequence[str], flag: str = "--cluster"
                 ) -> tuple[list[str] | None, dict[str, str]]:
    """`--cluster` values → chosen names (None: all) and the kinds given explicitly."""
    names: list[str] = []
    kinds: dict[str, str] = {}
    for value in values:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            kind, slash, name = part.rpartition("/")
            if not name or "/" in kind or (slash and not kind):
                raise usage(flag, f"expected NAME or KIND/NAME (e.g. "
                                  f"AttachedCluster/kurator-member1), got {part!r}")
            names.append(name)
            if kind:
                kinds[name] = kind
    return (names or None), kinds


def label_flags(args: argparse.Namespace) -> tuple[str, str]:
    """The label filter as the forms take it (` OR ` between groups) and the flag it came from."""
    if args.selector and args.or_selector:
        raise usage("--selector, --or-selector", "use --selector for one group of labels or "
                                                 "--or-selector (repeatable) for alternatives, "
                                                 "not both")
    if args.or_selector:
        return " OR ".join(args.or_selector), "--or-selector"
    return str(args.selector), "--selector"


def raise_form_errors(errors: dict[str, str], flags: dict[str, str]) -> None:
    """A form's errors (keyed by field) as one line per flag."""
    if errors:
        raise CliError("\n".join(f"{flags.get(f, f)}: {m}" for f, m in errors.items()))


def print_warnings(warnings: dict[str, str], flags: dict[str, str]) -> None:
    for f, message in warnings.items():
        warn(f"warning: {flags.get(f, f)}: {message}")


def created_line(kind: str, name: str, dry_run: str) -> str:
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
    return f"{kind}/{name} created{suffix}"


def print_created(args: argparse.Namespace, obj: Obj, kind: str, name: str) -> None:
    """`-o` prints the object the server returned; else kubectl's one line."""
    if args.output:
        emit(obj, args.output)
    else:
        say(created_line(kind, name, args.dry_run))
