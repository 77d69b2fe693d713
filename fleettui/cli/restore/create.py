"""`fleettui restore create NAME --from-backup B ...`: a Kurator Restore from flags.

Built with the restore form's own builder (model.restore_form), so the CLI and the TUI refuse
the same input with the same words. Bad input is refused before anything is contacted; then
the Backup and its fleet are read and the object is built again with them (a destination
outside the backup is refused there), and before a server dry run or a create each target
member's Velero backups are read: where Kurator would find no usable one (a schedule with no
Completed run, an unfinished backup) it would stop without a word, so the command refuses,
naming the cluster and why.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import (
    fleet_members,
    kurator_host,
    not_ready_members,
    on_members,
)
from fleettui.cli.follow_ops import follow_operation
from fleettui.cli.operations import RESTORE
from fleettui.cli.options import (
    FILTER_FLAGS,
    RESTORE_FLAGS,
    add_connection_options,
    add_create_options,
    add_restore_options,
    add_selection_options,
    check_namespace,
    cluster_refs,
    duration_seconds,
    label_flags,
    print_created,
    print_warnings,
    raise_form_errors,
    refuse_readonly,
    split_flag,
)
from fleettui.cli.output import (
    EXIT_API,
    EXIT_OK,
    ChangePrinter,
    CliError,
    print_choices,
    say,
    usage,
)
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.downloads import READONLY_NOTE, restore_preview
from fleettui.model.kurator import BACKUP_NAME_LABEL, VELERO_NAMESPACE, parse_backup
from fleettui.model.restore import BackupChoice, choose_velero_backup, restore_targets
from fleettui.model.restore_form import RestoreForm, RestoreFormResult, build_restore
from fleettui.model.restore_preview import preview_lines as preview_text
from fleettui.model.restore_preview import restore_filter

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
# Form field (model.restore_form.RESTORE_FIELDS) → the flag that fed it.
FLAGS = {"name": "NAME", "backup": "--from-backup", "fleet": "--fleet",
         "clusters": "--cluster", **FILTER_FLAGS, **RESTORE_FLAGS, "form": "spec"}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = verbs.add_parser("create", help="restore a fleet backup",
                         description="Create a Kurator Restore: put back what a fleet backup "
                                     "holds, in its clusters or some of them.")
    c.add_argument("name", metavar="NAME")
    c.add_argument("--from-backup", default="", metavar="BACKUP",
                   help="the Kurator Backup (in --namespace) to restore from")
    c.add_argument("--fleet", default="", help="the backup's fleet (default: read from the "
                                               "backup; needed with --cluster and "
                                               "--dry-run=client)")
    c.add_argument("--cluster", action="append", default=[], metavar="[KIND/]NAME",
                   help="restore only in this cluster of the backup; repeatable; default: "
                        "every cluster the backup covers")
    add_selection_options(c, "restore")
    add_restore_options(c)
    add_create_options(c, "restore")
    c.add_argument("--preview", action="store_true",
                   help="also say, per cluster, what would come back: the Velero backup's "
                        "resource list narrowed by the filters, counted per namespace and "
                        "kind (reads the clusters, even with --dry-run=client)")
    add_connection_options(c)
    c.set_defaults(func=run)


def restore_form(args: argparse.Namespace) -> tuple[RestoreForm, str]:
    """The form the flags describe, and the label flag used."""
    labels, label_flag = label_flags(args)
    clusters, kinds = cluster_refs(args.cluster)
    form = RestoreForm(
        name=args.name, namespace=args.namespace, backup_name=args.from_backup,
        fleet=args.fleet, clusters=clusters, cluster_kinds=kinds,
        include_namespaces=split_flag(args.include_namespaces),
        exclude_namespaces=split_flag(args.exclude_namespaces), labels=labels,
        or_groups=bool(args.or_selector), include_resources=split_flag(args.include_resources),
        exclude_resources=split_flag(args.exclude_resources),
        namespace_mapping=split_flag(args.namespace_mapping),
        preserve_node_ports=args.preserve_node_ports,
        restore_status=split_flag(args.restore_status))
    return form, label_flag


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    form, label_flag = restore_form(args)
    flags = {**FLAGS, "labels": label_flag}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_restore(form)  # offline first: bad input never needs a cluster
    if not form.fleet.strip() and (args.dry_run != "client" or args.preview):
        result.errors.pop("fleet", None)  # the backup's, read on the host below
    raise_form_errors(result.errors, flags)
    name = form.name.strip()
    if args.preview and getattr(args, "readonly", False):
        raise usage("--preview", READONLY_NOTE)
    if args.dry_run == "client" and not args.preview:
        print_warnings(result.warnings, flags)
        print_created(args, result.manifest, RESTORE.kind_name, name)
        return EXIT_OK
    if args.dry_run not in ("server", "client"):
        refuse_readonly(args, f"create restore {name}")
    with kurator_host(args) as host:
        result = build_online(host, form, flags)
        choices = usable_backups(host, form, result)
        previews = preview_lines(host, form, choices, result.manifest) if args.preview else []
        created = result.manifest if args.dry_run == "client" else host.create(
            kc.KURATOR_RESTORES, result.manifest, dry_run=args.dry_run == "server")
    print_warnings(result.warnings, flags)  # after success only: a failure is its one line
    print_choices(choices)
    for line in previews:  # beside -o's output, not in it
        say(line, sys.stderr if args.output else sys.stdout)
    print_created(args, created, RESTORE.kind_name, name)
    if not args.wait or args.dry_run == "server":
        return EXIT_OK
    printer = ChangePrinter(name, out=sys.stderr if args.output else sys.stdout)
    return follow_operation(args, RESTORE, name, printer, until_done=True, timeout=timeout)


def build_online(host: KubeClient, form: RestoreForm, flags: dict[str, str]
                 ) -> RestoreFormResult:
    """The form built again with the Backup and its fleet's members read from the host."""
    form.backup_known = True
    try:
        form.backup = parse_backup(host.get(kc.KURATOR_BACKUPS, form.namespace.strip(),
                                            form.backup_name.strip()))
    except KubeError as e:
        if e.code != 404 or "could not find the requested resource" in e.message:
            raise  # Kurator missing (said by kurator_host), or the API refused
        form.backup = None
    if form.backup is not None:
        form.fleet_clusters = fleet_members(host, form.namespace.strip(),
                                            form.backup.destination.fleet, "--from-backup")
    result = build_restore(form)
    raise_form_errors(result.errors, flags)
    return result


def preview_lines(host: KubeClient, form: RestoreForm, choices: list[BackupChoice],
                  manifest: Obj) -> list[str]:
    """Per target cluster, what the restore would bring back (its Velero backup's resource
    list through a DownloadRequest, narrowed by the restore's filters)."""
    wanted = restore_filter(manifest)
    by_cluster = {c.cluster: c for c in choices if c.usable}
    found = on_members(host, form.namespace.strip(), list(by_cluster), lambda c: restore_preview(
        c, VELERO_NAMESPACE, by_cluster[c.name].velero_name, wanted))
    lines = [f"preview of restore {form.name.strip()}: what would come back, per cluster"]
    for cluster, got in found.items():
        lines.append(f"{cluster} (from Velero backup {by_cluster[cluster].velero_name}):")
        if isinstance(got, KubeError):
            lines.append(f"  cannot read the backup's resource list: {got.message}")
        else:
            lines += [f"  {line}" for line in preview_text(got)]
    return lines


def usable_backups(host: KubeClient, form: RestoreForm, result: RestoreFormResult
                   ) -> list[BackupChoice]:
    """Which Velero backup each target member will restore from; a member where there is
    none is refused, naming the cluster and why (Kurator would stop without a word)."""
    backup = form.backup
    assert backup is not None and result.restore is not None  # build_online refused otherwise
    ns = form.namespace.strip()
    not_ready = set(not_ready_members(host, ns, form.fleet_clusters))
    wanted = [c.name for c in restore_targets(result.restore, backup, form.fleet_clusters)]
    targets = [c for c in wanted if c not in not_ready]
    if wanted and not targets:  # Kurator skips unready clusters: it would restore nowhere
        verb = "is" if len(wanted) == 1 else "are"
        raise usage("--from-backup", f"no target cluster is ready ({', '.join(wanted)} {verb} "
                                     "not ready): Kurator would restore nothing and say nothing")

    def velero_backups(client: KubeClient) -> list[Obj]:
        listed = client.list(kc.VELERO_BACKUPS, VELERO_NAMESPACE,
                             f"{BACKUP_NAME_LABEL}={backup.name}")
        return list(listed.get("items") or [])

    found = on_members(host, ns, targets, velero_backups)
    unreadable = {c: e for c, e in found.items() if isinstance(e, KubeError)}
    if unreadable:
        raise CliError("\n".join(f"{c}: cannot read its Velero backups to check the restore: "
                                 f"{e.message}" for c, e in unreadable.items()), EXIT_API)
    choices = [choose_velero_backup(backup, c, objs) for c, objs in found.items()
               if not isinstance(objs, KubeError)]
    refused = [c for c in choices if not c.usable]
    if refused:
        raise usage("--from-backup", "; ".join(f"{c.cluster}: {c.note}" for c in refused))
    return choices

