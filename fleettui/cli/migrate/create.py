"""`fleettui migrate create NAME --from-cluster C --to-cluster D ...`: a Kurator Migrate.

Built with the migrate form's own builder (model.restore_form): exactly one source, targets
that are not the source, all members of the fleet, and always a resource filter (Kurator
panics without one). Without --fleet the fleet is the one of the namespace that has the
source cluster (a client dry run reads nothing, so it needs --fleet).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from fleettui.cli.connection import fleet_members, kurator_host, name_of, not_ready_members
from fleettui.cli.follow_ops import follow_operation
from fleettui.cli.operations import MIGRATE
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
from fleettui.cli.output import EXIT_OK, ChangePrinter, usage, warn
from fleettui.kube import resources as kc
from fleettui.model.restore_form import MigrateForm, RestoreFormResult, build_migrate

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

# Form field (model.restore_form.MIGRATE_FIELDS) → the flag that fed it.
FLAGS = {"name": "NAME", "fleet": "--fleet", "source": "--from-cluster",
         "targets": "--to-cluster", **FILTER_FLAGS, **RESTORE_FLAGS, "form": "spec"}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = verbs.add_parser("create", help="copy workloads from one cluster to others",
                         description="Create a Kurator Migrate: back up one member cluster "
                                     "and restore that backup in other members.")
    c.add_argument("name", metavar="NAME")
    c.add_argument("--fleet", default="", help="the clusters' fleet (default: the fleet of "
                                               "--namespace that has the source cluster)")
    c.add_argument("--from-cluster", action="append", default=[], metavar="[KIND/]NAME",
                   help="the one cluster to copy from")
    c.add_argument("--to-cluster", action="append", default=[], metavar="[KIND/]NAME",
                   help="a cluster to copy to; comma-separated, repeatable")
    add_selection_options(c, "copy")
    add_restore_options(c)
    add_create_options(c, "migrate")
    add_connection_options(c)
    c.set_defaults(func=run)


def migrate_form(args: argparse.Namespace) -> tuple[MigrateForm, str]:
    """The form the flags describe, and the label flag used."""
    labels, label_flag = label_flags(args)
    sources, source_kinds = cluster_refs(args.from_cluster, "--from-cluster")
    targets, target_kinds = cluster_refs(args.to_cluster, "--to-cluster")
    if sources is not None and len(sources) > 1:
        raise usage("--from-cluster", f"name exactly one source cluster (got "
                                      f"{', '.join(sources)}): a migrate copies from one")
    form = MigrateForm(
        name=args.name, namespace=args.namespace, fleet=args.fleet,
        source=(sources or [""])[0], targets=targets or [],
        cluster_kinds={**target_kinds, **source_kinds},
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
    form, label_flag = migrate_form(args)
    flags = {**FLAGS, "labels": label_flag}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_migrate(form)  # offline first: bad input never needs a cluster
    if not form.fleet.strip() and args.dry_run != "client":
        result.errors.pop("fleet", None)  # found on the host below
    raise_form_errors(result.errors, flags)
    name = form.name.strip()
    if args.dry_run == "client":
        print_warnings(result.warnings, flags)
        print_created(args, result.manifest, MIGRATE.kind_name, name)
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create migrate {name}")
    with kurator_host(args) as host:
        result = build_online(host, form, flags)
        source = form.source.strip()
        unready = source in not_ready_members(host, form.namespace.strip(), form.fleet_clusters)
        created = host.create(kc.KURATOR_MIGRATES, result.manifest,
                              dry_run=args.dry_run == "server")
    print_warnings(result.warnings, flags)  # after success only: a failure is its one line
    if unready:  # left out of Kurator's fleet map: "not recorded in the fleet", retried
        warn(f"warning: --from-cluster: {source} is not ready: Kurator backs nothing up for "
             "this migrate until it is (it retries without a word in the status)")
    print_created(args, created, MIGRATE.kind_name, name)
    if not args.wait or args.dry_run == "server":
        return EXIT_OK
    printer = ChangePrinter(name, out=sys.stderr if args.output else sys.stdout)
    return follow_operation(args, MIGRATE, name, printer, until_done=True, timeout=timeout)


def build_online(host: KubeClient, form: MigrateForm, flags: dict[str, str]
                 ) -> RestoreFormResult:
    """The form built again with the fleet's members read from the host."""
    namespace = form.namespace.strip()
    form.fleet = form.fleet.strip() or fleet_of(host, namespace, form.source.strip())
    form.fleet_clusters = fleet_members(host, namespace, form.fleet)
    result = build_migrate(form)
    raise_form_errors(result.errors, flags)
    return result


def fleet_of(host: KubeClient, namespace: str, cluster: str) -> str:
    """The one fleet of the namespace that has `cluster`; bad input when none or several."""
    fleets = host.list(kc.FLEETS, namespace).get("items") or []
    having = [name_of(f) for f in fleets
              if any(isinstance(c, dict) and c.get("name") == cluster
                     for c in (f.get("spec") or {}).get("clusters") or [])]
    if len(having) == 1:
        return having[0]
    if not having:
        raise usage("--from-cluster", f"{cluster} is in no fleet of namespace {namespace}")
    raise usage("--fleet", f"{cluster} is in fleets {', '.join(having)}: name one")
