"""`fleettui velero restore create NAME --from-backup B | --from-schedule S --context c1,c2`: one
Velero Restore in each context.

Built by model.restore_form (the restore form's plain Velero twin). Before anything is created,
every context is checked: the backup must be there and finished (for a schedule, a Completed
run must exist), else Velero would fail the restore; then the object is server-dry-run in every
context and created everywhere or nowhere (cli.contexts), as `velero backup create` is.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from fleettui.cli.contexts import context_clients, create_in_contexts, print_created
from fleettui.cli.follow import follow_velero
from fleettui.cli.formats import CREATE_FORMATS, add_output_option
from fleettui.cli.options import (
    FILTER_FLAGS,
    RESTORE_FLAGS,
    add_context_options,
    add_dry_run_option,
    add_restore_options,
    add_selection_options,
    duration_seconds,
    label_flags,
    raise_form_errors,
    refuse_readonly,
    split_flag,
)
from fleettui.cli.output import EXIT_API, EXIT_OK, ChangePrinter, CliError, print_choices, usage
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.submit import on_each
from fleettui.model.restore import BackupChoice, choose_plain_backup
from fleettui.model.restore_form import VeleroRestoreForm, build_velero_restore
from fleettui.model.status import SCHEDULE_NAME_LABEL

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
KIND = "restore.velero.io"
FLAGS = {"name": "NAME", "namespace": "--velero-namespace", "backup": "--from-backup",
         "schedule": "--from-schedule", **FILTER_FLAGS, **RESTORE_FLAGS, "form": "spec"}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = verbs.add_parser("create", help="create a Velero Restore in each --context",
                         description="Create a Velero Restore in Velero's namespace of each "
                                     "context, from a backup or a schedule's newest "
                                     "completed run.")
    c.add_argument("name", metavar="NAME")
    c.add_argument("--from-backup", default="", metavar="BACKUP",
                   help="the Velero Backup to restore (in every context)")
    c.add_argument("--from-schedule", default="", metavar="SCHEDULE",
                   help="restore the newest Completed run of this Velero Schedule")
    add_context_options(c)
    add_selection_options(c, "restore")
    add_restore_options(c)
    add_output_option(c, CREATE_FORMATS, None,
                      "print the object(s) (with --dry-run=client: contact nothing)")
    add_dry_run_option(c)
    c.add_argument("--wait", action="store_true",
                   help="follow until the restore ended in every context; exit 1 when one "
                        "failed")
    c.add_argument("--timeout", default="10m", metavar="DURATION",
                   help="give up --wait after this long (default 10m)")
    c.set_defaults(func=run, velero_kind="restore")


def restore_form(args: argparse.Namespace) -> tuple[VeleroRestoreForm, str]:
    labels, label_flag = label_flags(args)
    form = VeleroRestoreForm(
        name=args.name, namespace=args.velero_namespace, backup_name=args.from_backup,
        schedule_name=args.from_schedule,
        include_namespaces=split_flag(args.include_namespaces),
        exclude_namespaces=split_flag(args.exclude_namespaces), labels=labels,
        or_groups=bool(args.or_selector), include_resources=split_flag(args.include_resources),
        exclude_resources=split_flag(args.exclude_resources),
        namespace_mapping=split_flag(args.namespace_mapping),
        preserve_node_ports=args.preserve_node_ports,
        restore_status=split_flag(args.restore_status))
    return form, label_flag


def run(args: argparse.Namespace) -> int:
    form, label_flag = restore_form(args)
    flags = {**FLAGS, "labels": label_flag}
    given = [f for f, v in (("--from-backup", form.backup_name),
                            ("--from-schedule", form.schedule_name)) if v.strip()]
    # Neither or both: the error is about the pair; one: about the flag given.
    flags["backup"] = ", ".join(given) if len(given) == 1 else "--from-backup, --from-schedule"
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_velero_restore(form)
    raise_form_errors(result.errors, flags)
    name, manifest = form.name.strip(), result.manifest
    if args.dry_run == "client":
        print_created(args, KIND, name, {"": manifest})
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create {KIND}/{name}")
    with context_clients(args) as clients:
        choices = usable_backups(clients, form)
        outcome = create_in_contexts(args, clients, kc.VELERO_RESTORES, KIND, manifest,
                                    lambda: print_choices(choices))
    if isinstance(outcome, int):
        return outcome
    if not args.wait:
        return EXIT_OK
    printer = ChangePrinter(name, out=sys.stderr if args.output else sys.stdout)
    return follow_velero(args, list(outcome), name, "restore", form.namespace.strip(), printer,
                         timeout)


def usable_backups(clients: dict[str, KubeClient], form: VeleroRestoreForm
                   ) -> list[BackupChoice]:
    """The backup Velero will restore in each context; refused (nothing created anywhere)
    where there is none, naming the context and why."""
    namespace = form.namespace.strip()
    backup, schedule = form.backup_name.strip(), form.schedule_name.strip()

    def velero_backups(client: KubeClient) -> list[Obj]:
        if schedule:
            listed = client.list(kc.VELERO_BACKUPS, namespace, f"{SCHEDULE_NAME_LABEL}={schedule}")
            return list(listed.get("items") or [])
        try:
            return [client.get(kc.VELERO_BACKUPS, namespace, backup)]
        except KubeError as e:
            if e.code == 404 and "could not find the requested resource" not in e.message:
                return []  # no such backup there: said below with the others
            raise

    found = on_each(clients, velero_backups)
    unreadable = {c: e for c, e in found.items() if isinstance(e, KubeError)}
    if unreadable:
        raise CliError("\n".join(f"{c}: cannot read its Velero backups to check the restore: "
                                 f"{e.message}" for c, e in unreadable.items()), EXIT_API)
    choices = [choose_plain_backup(c, objs, backup_name=backup, schedule_name=schedule)
               for c, objs in found.items() if not isinstance(objs, KubeError)]
    refused = [c for c in choices if not c.usable]
    if refused:
        flag = "--from-schedule" if schedule else "--from-backup"
        raise usage(flag, "; ".join(f"{c.cluster}: {c.note}" for c in refused)
                    + "; nothing was created")
    return choices

