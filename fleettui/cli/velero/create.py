"""`fleettui velero backup|schedule create NAME --context c1,c2`: one Velero Backup or Schedule
in each context.

The object is built once by model.velero_form (flags in, velero.io/v1 object out, errors keyed
by the flag's field), then created everywhere or nowhere (cli.contexts).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import list_namespace_names
from fleettui.cli.contexts import context_clients, create_in_contexts, print_created
from fleettui.cli.follow import follow_velero
from fleettui.cli.formats import CREATE_FORMATS, add_output_option
from fleettui.cli.options import (
    FILTER_FLAGS,
    add_context_options,
    add_dry_run_option,
    add_filter_options,
    duration_seconds,
    label_flags,
    print_warnings,
    raise_form_errors,
    refuse_readonly,
    split_flag,
)
from fleettui.cli.output import EXIT_OK, ChangePrinter, warn
from fleettui.kube import resources as kc
from fleettui.live.submit import on_each
from fleettui.model.filters import namespaces_not_found
from fleettui.model.velero_form import VeleroForm, build_velero

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
FLAGS = {"name": "NAME", "namespace": "--velero-namespace", **FILTER_FLAGS,
         "storage_location": "--storage-location", "snapshot_volumes": "--snapshot-volumes",
         "ttl": "--ttl", "schedule": "--schedule", "form": "spec"}
KINDS = {"backup": (kc.VELERO_BACKUPS, "backup.velero.io"),
         "schedule": (kc.VELERO_SCHEDULES, "schedule.velero.io")}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], kind: str,
               what: str) -> None:
    c = verbs.add_parser("create", help=f"create {what} in each --context",
                         description=f"Create {what} in Velero's namespace of each context.")
    c.add_argument("name", metavar="NAME")
    if kind == "schedule":
        c.add_argument("--schedule", required=True, metavar="CRON",
                       help="cron (5 fields, UTC) or a descriptor: @daily, @every 6h")
    add_context_options(c)
    add_filter_options(c)
    c.add_argument("--storage-location", default="", metavar="BSL",
                   help="BackupStorageLocation (default: Velero's default location)")
    c.add_argument("--snapshot-volumes", action=argparse.BooleanOptionalAction, default=None,
                   help="take volume snapshots (default: Velero's setting)")
    c.add_argument("--default-volumes-to-fs-backup", action=argparse.BooleanOptionalAction,
                   default=None, help="back up pod volumes with file-system backup")
    add_output_option(c, CREATE_FORMATS, None,
                      "print the object(s) (with --dry-run=client: contact nothing)")
    add_dry_run_option(c)
    c.add_argument("--wait", action="store_true",
                   help="follow until the backup (schedule: its first run) ended in "
                        "every context; exit 1 when one failed")
    c.add_argument("--timeout", default="10m", metavar="DURATION",
                   help="give up --wait after this long (default 10m)")
    c.set_defaults(func=run, velero_kind=kind)


def velero_form(args: argparse.Namespace) -> VeleroForm:
    labels, _ = label_flags(args)
    return VeleroForm(
        name=args.name, namespace=args.velero_namespace,
        include_namespaces=split_flag(args.include_namespaces),
        exclude_namespaces=split_flag(args.exclude_namespaces), labels=labels,
        or_groups=bool(args.or_selector), include_resources=split_flag(args.include_resources),
        exclude_resources=split_flag(args.exclude_resources),
        storage_location=args.storage_location, snapshot_volumes=args.snapshot_volumes,
        default_volumes_to_fs_backup=args.default_volumes_to_fs_backup, ttl=args.ttl,
        schedule=args.schedule if args.velero_kind == "schedule" else None)


def run(args: argparse.Namespace) -> int:
    form = velero_form(args)
    flags = {**FLAGS, "labels": "--or-selector" if args.or_selector else "--selector"}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_velero(form)
    raise_form_errors(result.errors, flags)
    res, kind_name = KINDS[args.velero_kind]
    name = form.name.strip()
    if args.dry_run == "client":
        print_warnings(result.warnings, flags)
        print_created(args, kind_name, name, {"": result.manifest})
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create {kind_name}/{name}")
    manifest = result.manifest

    def accepted() -> None:
        warn_namespaces(clients, manifest)
        print_warnings(result.warnings, flags)

    with context_clients(args) as clients:
        outcome = create_in_contexts(args, clients, res, kind_name, manifest, accepted)
    if isinstance(outcome, int):
        return outcome
    if not args.wait:
        return EXIT_OK
    printer = ChangePrinter(name, out=sys.stderr if args.output else sys.stdout)
    return follow_velero(args, list(outcome), name, args.velero_kind,
                         str(manifest["metadata"]["namespace"]), printer, timeout)


def warn_namespaces(clients: dict[str, KubeClient], manifest: Obj) -> None:
    """Best effort: a context that cannot list namespaces is left out, nothing fails."""
    spec = manifest.get("spec") or {}
    typed = list((spec.get("template") or spec).get("includedNamespaces") or [])
    if not typed:
        return
    known = {c: n for c, n in on_each(clients, list_namespace_names).items()
             if isinstance(n, set)}
    message = namespaces_not_found(typed, known)
    if message:
        warn(f"warning: --include-namespaces: {message}")

