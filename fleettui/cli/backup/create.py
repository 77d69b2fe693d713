"""`fleettui backup create NAME --fleet F ...`: a Kurator Backup or schedule from flags.

The object is built with the TUI form's own builder (model.backup_form), so both refuse the
same input with the same words; bad input is refused before anything is contacted, then the
fleet's members are read and the object is built again with them (kinds, readiness).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import (
    fleet_members,
    kurator_host,
    member_namespaces,
    not_ready_members,
)
from fleettui.cli.follow import follow
from fleettui.cli.options import (
    FILTER_FLAGS,
    add_connection_options,
    add_create_options,
    add_filter_options,
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
from fleettui.cli.output import EXIT_OK, ChangePrinter, warn
from fleettui.kube import resources as kc
from fleettui.model.backup_form import BackupForm, FormResult, build, form_field
from fleettui.model.filters import namespaces_not_found
from fleettui.model.kurator import ClusterRef, KuratorBackup, validate_backup

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
KIND = "backup.backup.kurator.dev"
# Form field (model.backup_form.FIELDS) → the flag that fed it.
FLAGS = {"name": "NAME", "fleet": "--fleet", "clusters": "--cluster", **FILTER_FLAGS,
         "ttl": "--ttl", "schedule": "--schedule", "form": "spec"}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = verbs.add_parser("create", help="create a fleet backup or schedule",
                         description="Create a Kurator Backup (immediate, or with --schedule a "
                                     "cron schedule) for the clusters of a fleet.")
    c.add_argument("name", metavar="NAME")
    c.add_argument("--fleet", default="", help="the Fleet (in --namespace) to back up")
    c.add_argument("--cluster", action="append", default=[], metavar="[KIND/]NAME",
                   help="a member cluster (kind AttachedCluster unless given); repeatable; "
                        "default: every ready cluster of the fleet")
    add_filter_options(c)
    c.add_argument("--schedule", default=None, metavar="CRON",
                   help="5-field cron in UTC, e.g. '0 0 * * *' (default: back up once, now)")
    add_create_options(c)
    add_connection_options(c)
    c.set_defaults(func=run)


def backup_form(args: argparse.Namespace) -> tuple[BackupForm, dict[str, str], str]:
    """The form the flags describe, the explicit cluster kinds, and the label flag used."""
    labels, label_flag = label_flags(args)
    clusters, kinds = cluster_refs(args.cluster)
    form = BackupForm(
        name=args.name, namespace=args.namespace, fleet=args.fleet, clusters=clusters,
        include_namespaces=split_flag(args.include_namespaces),
        exclude_namespaces=split_flag(args.exclude_namespaces), labels=labels,
        or_groups=bool(args.or_selector), include_resources=split_flag(args.include_resources),
        exclude_resources=split_flag(args.exclude_resources), ttl=args.ttl,
        schedule=args.schedule)
    return form, kinds, label_flag


def build_backup(form: BackupForm, kinds: dict[str, str]) -> FormResult:
    """model.backup_form.build, keeping kinds typed as KIND/NAME (the form only knows names)."""
    result = build(form)
    refs = result.backup.destination.clusters
    if any(kinds.get(r.name, r.kind) != r.kind for r in refs):
        result.backup.destination.clusters = [ClusterRef(r.name, kinds.get(r.name, r.kind))
                                              for r in refs]
        errors, _ = validate_backup(result.backup, form.fleet_clusters or None)
        for e in errors:
            if form_field(e.field) == "clusters":
                result.errors.setdefault("clusters", e.message)
    return result


def run(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    form, kinds, label_flag = backup_form(args)
    flags = {**FLAGS, "labels": label_flag}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_backup(form, kinds)  # offline first: bad input never needs a cluster
    raise_form_errors(result.errors, flags)
    if args.dry_run == "client":
        print_warnings(result.warnings, flags)
        print_created(args, result.manifest, KIND, form.name.strip())
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create backup {form.name.strip()}")
    with kurator_host(args) as host:
        form.fleet_clusters = fleet_members(host, args.namespace, form.fleet.strip())
        form.not_ready = not_ready_members(host, args.namespace, form.fleet_clusters)
        result = build_backup(form, kinds)
        raise_form_errors(result.errors, flags)
        created = host.create(kc.KURATOR_BACKUPS, result.manifest,
                              dry_run=args.dry_run == "server")
        missing = missing_namespaces(host, args.namespace, form, result.backup)
    print_warnings(result.warnings, flags)  # after success only: a failure is its one line
    if missing:
        warn(f"warning: --include-namespaces: {missing}")
    print_created(args, created, KIND, form.name.strip())
    if not args.wait or args.dry_run == "server":
        return EXIT_OK
    printer = ChangePrinter(form.name.strip())
    if args.output:  # keep stdout one parseable document
        printer.out = sys.stderr
    return follow(args, form.name.strip(), printer, until_done=True, timeout=timeout)


def missing_namespaces(host: KubeClient, namespace: str, form: BackupForm,
                       backup: KuratorBackup) -> str:
    """The namespaces_not_found warning over the target members; members that cannot be
    reached are left out (best effort: this never fails a create)."""
    policy = backup.policy
    typed = policy.resource_filter.included_namespaces if policy else []
    if not typed:
        return ""
    targets = [c.name for c in backup.destination.clusters] or [
        c.name for c in form.fleet_clusters if c.name not in form.not_ready]
    return namespaces_not_found(typed, member_namespaces(host, namespace, targets))
