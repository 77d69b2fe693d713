"""`fleettui velero backup|schedule create NAME --context c1,c2`: plain Velero on several contexts.

The object is built once by model.velero_form (flags in, velero.io/v1 object out, errors keyed by
the flag's field) and created in Velero's namespace of each context; the report says, per
context, created or why not. Any failed context makes the exit code 3.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fleettui.cli.backup_cmd import (
    add_filter_options,
    connect,
    created_line,
    duration_seconds,
    raise_form_errors,
    refuse_readonly,
    split_flag,
    watch_settings,
)
from fleettui.cli.output import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_OK,
    ChangePrinter,
    CliError,
    CliParser,
    as_list,
    dump,
    error_lines,
    say,
    usage,
    warn,
)
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.store import LiveStore
from fleettui.model.status import (
    COMPLETED,
    FINAL_STATES,
    PENDING,
    SCHEDULE_NAME_LABEL,
    WAITING,
    ClusterRow,
    overall_phase,
    row_from_velero,
)
from fleettui.model.velero import NAMESPACE
from fleettui.model.velero_form import VeleroForm, build_velero

Obj = dict[str, Any]
FLAGS = {"name": "NAME", "namespace": "--velero-namespace",
         "include_namespaces": "--include-namespaces",
         "exclude_namespaces": "--exclude-namespaces", "labels": "--selector",
         "include_resources": "--include-resources", "exclude_resources": "--exclude-resources",
         "storage_location": "--storage-location", "snapshot_volumes": "--snapshot-volumes",
         "ttl": "--ttl", "schedule": "--schedule", "form": "spec"}
KINDS = {"backup": (kc.VELERO_BACKUPS, "backup.velero.io"),
         "schedule": (kc.VELERO_SCHEDULES, "schedule.velero.io")}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("velero", help="plain Velero backups and schedules on several contexts",
                       description="Plain Velero (velero.io/v1) objects, created in each of "
                                   "the given kubeconfig contexts.")
    p.set_defaults(func=lambda args: _help(p))
    kinds = p.add_subparsers(dest="velero_kind", metavar="KIND", parser_class=CliParser)
    for kind, what in (("backup", "a Velero Backup"), ("schedule", "a Velero Schedule")):
        k = kinds.add_parser(kind, help=f"{what} in each context")
        k.set_defaults(func=lambda args, k=k: _help(k))
        verbs = k.add_subparsers(dest="velero_verb", metavar="VERB")
        c = verbs.add_parser("create", help=f"create {what} in each --context",
                             description=f"Create {what} in Velero's namespace of each context.")
        c.add_argument("name", metavar="NAME")
        if kind == "schedule":
            c.add_argument("--schedule", required=True, metavar="CRON",
                           help="cron (5 fields, UTC) or a descriptor: @daily, @every 6h")
        c.add_argument("--context", default=argparse.SUPPRESS, metavar="C1,C2",
                       help="kubeconfig contexts, comma-separated (default: the current one)")
        c.add_argument("--kubeconfig", default=argparse.SUPPRESS, help="kubeconfig file")
        c.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                       help="refuse every mutating request")
        c.add_argument("--velero-namespace", default=NAMESPACE, metavar="NS",
                       help=f"Velero's namespace (default: {NAMESPACE})")
        add_filter_options(c)
        c.add_argument("--storage-location", default="", metavar="BSL",
                       help="BackupStorageLocation (default: Velero's default location)")
        c.add_argument("--snapshot-volumes", action=argparse.BooleanOptionalAction, default=None,
                       help="take volume snapshots (default: Velero's setting)")
        c.add_argument("--default-volumes-to-fs-backup", action=argparse.BooleanOptionalAction,
                       default=None, help="back up pod volumes with file-system backup")
        c.add_argument("-o", "--output", choices=("yaml", "json"),
                       help="print the object(s) (with --dry-run=client: contact nothing)")
        c.add_argument("--dry-run", nargs="?", const="client", default="none",
                       choices=("none", "client", "server"),
                       help="client: only print the object; server: check it, store nothing")
        c.add_argument("--wait", action="store_true",
                       help="follow until the backup (schedule: its first run) ended in "
                            "every context; exit 1 when one failed")
        c.add_argument("--timeout", default="10m", metavar="DURATION",
                       help="give up --wait after this long (default 10m)")
        c.set_defaults(func=run_create, velero_kind=kind)


def _help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return EXIT_OK


def velero_form(args: argparse.Namespace) -> VeleroForm:
    if args.selector and args.or_selector:
        raise usage("--selector, --or-selector", "use --selector for one group of labels or "
                                                 "--or-selector (repeatable) for alternatives, "
                                                 "not both")
    return VeleroForm(
        name=args.name, namespace=args.velero_namespace,
        include_namespaces=split_flag(args.include_namespaces),
        exclude_namespaces=split_flag(args.exclude_namespaces),
        labels=" OR ".join(args.or_selector) if args.or_selector else args.selector,
        or_groups=bool(args.or_selector), include_resources=split_flag(args.include_resources),
        exclude_resources=split_flag(args.exclude_resources),
        storage_location=args.storage_location, snapshot_volumes=args.snapshot_volumes,
        default_volumes_to_fs_backup=args.default_volumes_to_fs_backup, ttl=args.ttl,
        schedule=args.schedule if args.velero_kind == "schedule" else None)


def target_contexts(args: argparse.Namespace) -> list[str]:
    from fleettui.kube.client import list_contexts

    names = [c.strip() for c in (args.context or "").split(",") if c.strip()]
    if names:
        return list(dict.fromkeys(names))
    try:
        _, current = list_contexts(args.kubeconfig)
    except KubeError as e:
        raise CliError(e.message, EXIT_API) from e
    if not current:
        raise usage("--context", "the kubeconfig has no current context; name the contexts")
    return [current]


def run_create(args: argparse.Namespace) -> int:
    form = velero_form(args)
    flags = {**FLAGS, "labels": "--or-selector" if args.or_selector else "--selector"}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_velero(form)
    raise_form_errors(result.errors, flags)
    res, kind_name = KINDS[args.velero_kind]
    name = form.name.strip()
    if args.dry_run == "client":
        _print_warnings(result.warnings, flags)
        say(dump(result.manifest, args.output) if args.output else
            created_line(kind_name, name, "client"))
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create {kind_name}/{name}")
    contexts = target_contexts(args)

    def create_in(context: str) -> Obj | KubeError | CliError:
        try:
            client = connect(args.kubeconfig, context)
        except (KubeError, CliError) as e:
            return e
        try:
            return client.create(res, result.manifest, dry_run=args.dry_run == "server")
        except KubeError as e:
            return e
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=min(8, len(contexts))) as pool:
        outcomes = dict(zip(contexts, pool.map(create_in, contexts), strict=True))
    created = {c: o for c, o in outcomes.items() if isinstance(o, dict)}
    if created:
        _print_warnings(result.warnings, flags)
    for context, outcome in outcomes.items():
        if isinstance(outcome, dict):
            if not args.output:
                say(f"{context}: {created_line(kind_name, name, args.dry_run)}")
        else:
            lines = error_lines(outcome)
            if isinstance(outcome, CliError):  # name the context the config problem is about
                lines[0] = lines[0].replace("fleettui: ", f"fleettui: {context}: ", 1)
            for line in lines:
                say(line, sys.stderr)
    if args.output and created:
        objs = list(created.values())
        say(dump(objs[0] if len(objs) == 1 else as_list(objs), args.output))
    failed = len(created) < len(contexts)
    code = EXIT_OK
    if args.wait and created and args.dry_run != "server":
        printer = ChangePrinter(name, out=sys.stderr if args.output else sys.stdout)
        code = follow_velero(args, list(created), name, args.velero_kind,
                             form.namespace.strip(), printer, timeout)
    return EXIT_API if failed else code


def _print_warnings(warnings: dict[str, str], flags: dict[str, str]) -> None:
    for f, message in warnings.items():
        warn(f"warning: {flags.get(f, f)}: {message}")


# ---- following -------------------------------------------------------------------------------
def _started(obj: Obj) -> str:
    status, meta = obj.get("status") or {}, obj.get("metadata") or {}
    return str(status.get("startTimestamp") or meta.get("creationTimestamp") or "")


def velero_row(store: LiveStore, context: str, name: str, kind: str) -> ClusterRow:
    """The context's Backup `name`, or the latest run of Schedule `name`."""
    objs = store.objects(context, kc.VELERO_BACKUPS)
    if kind == "schedule":
        runs = [o for o in objs
                if ((o.get("metadata") or {}).get("labels") or {}).get(SCHEDULE_NAME_LABEL)
                == name]
        if not runs:
            return ClusterRow("", context, name, state=WAITING, message="no run yet")
        return row_from_velero(max(runs, key=_started), context)
    mine = [o for o in objs if (o.get("metadata") or {}).get("name") == name]
    return row_from_velero(mine[0], context) if mine else ClusterRow("", context, name,
                                                                     state=PENDING)


def velero_overall(states: list[str], kind: str) -> str:
    """The same derivation as Kurator mode: a schedule whose contexts all wait for (or
    completed) their run is Scheduled."""
    return overall_phase(states, len(states), scheduled=kind == "schedule")


def follow_velero(args: argparse.Namespace, contexts: list[str], name: str, kind: str,
                  namespace: str, printer: ChangePrinter, timeout: float | None) -> int:
    from fleettui.kube.client import KubeClient
    from fleettui.kube.watch import ListWatch

    store = LiveStore()
    wake = threading.Event()
    store.on_dirty = wake.set
    selector = f"{SCHEDULE_NAME_LABEL}={name}" if kind == "schedule" else ""
    clients = [KubeClient.from_kubeconfig(args.kubeconfig, c) for c in contexts]
    settings = watch_settings(args)
    watches = [ListWatch(c, kc.VELERO_BACKUPS, namespace, store, settings, selector).start()
               for c in clients]
    started = time.monotonic()
    try:
        while True:
            if timeout is not None and time.monotonic() - started > timeout:
                what = "its first run" if kind == "schedule" else "it"
                raise CliError(f"timed out after {timeout:g}s waiting for {name}: {what} has "
                               "not ended in every context", EXIT_FAILED)
            wake.wait(0.25)
            wake.clear()
            store.take_changes()
            printer.feed_notes(store, [(c, kc.VELERO_BACKUPS) for c in contexts])
            if not all(store.has_feed(c, kc.VELERO_BACKUPS) for c in contexts):
                continue
            rows = [velero_row(store, c, name, kind) for c in contexts]
            printer.rows(rows, velero_overall([r.state for r in rows], kind))
            if all(r.state in FINAL_STATES for r in rows):
                return EXIT_OK if all(r.state == COMPLETED for r in rows) else EXIT_FAILED
    finally:
        for w in watches:
            w.stop()
