"""`fleettui velero backup|schedule create NAME --context c1,c2`: plain Velero on several contexts.

The object is built once by model.velero_form (flags in, velero.io/v1 object out, errors keyed by
the flag's field). Every --context is checked against the kubeconfig (unknown: exit 2), then the
object is server-dry-run in every context, and only when all accept it is it created in each;
a create that still fails says where it was created and where not (exit 3).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from fleettui.cli.backup_cmd import (
    add_filter_options,
    connect,
    created_line,
    duration_seconds,
    list_namespace_names,
    raise_form_errors,
    refuse_readonly,
    split_flag,
    watch_settings,
)
from fleettui.cli.formats import CREATE_FORMATS, add_output_option, emit
from fleettui.cli.kubeconfig import resolve_contexts
from fleettui.cli.output import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_OK,
    ChangePrinter,
    CliError,
    CliParser,
    as_list,
    error_lines,
    say,
    usage,
    warn,
)
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.store import LiveStore
from fleettui.model.filters import namespaces_not_found
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

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
T = TypeVar("T")
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
        add_output_option(c, CREATE_FORMATS, None,
                          "print the object(s) (with --dry-run=client: contact nothing)")
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
    given = getattr(args, "context", None)
    names = [c.strip() for c in (given or "").split(",") if c.strip()]
    if given is not None and not names:
        raise usage("--context", "no context named; give one or more, comma-separated, or "
                                 "leave the flag out for the current context")
    return resolve_contexts(args.kubeconfig, list(dict.fromkeys(names)))


def run_create(args: argparse.Namespace) -> int:
    form = velero_form(args)
    flags = {**FLAGS, "labels": "--or-selector" if args.or_selector else "--selector"}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_velero(form)
    raise_form_errors(result.errors, flags)
    _, kind_name = KINDS[args.velero_kind]
    name = form.name.strip()
    if args.dry_run == "client":
        _print_warnings(result.warnings, flags)
        print_created(args, kind_name, name, {"": result.manifest})
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create {kind_name}/{name}")
    clients: dict[str, KubeClient] = {}
    try:
        for context in target_contexts(args):  # every context checked before any is used
            clients[context] = connect(args.kubeconfig, context)
        return create_everywhere(args, clients, result.manifest, result.warnings, flags,
                                 timeout)
    finally:
        for client in clients.values():
            client.close()


def create_everywhere(args: argparse.Namespace, clients: dict[str, KubeClient], manifest: Obj,
                      warnings: dict[str, str], flags: dict[str, str],
                      timeout: float | None) -> int:
    """Server dry-run in every context first, so that a refusal anywhere creates nothing;
    then create in every context and say exactly where it was created when one still fails."""
    res, kind_name = KINDS[args.velero_kind]
    name = str(manifest["metadata"]["name"])
    checked = on_each(clients, lambda c: c.create(res, manifest, dry_run=True))
    refused = {c: no_velero(o) for c, o in checked.items() if isinstance(o, KubeError)}
    if refused:
        print_failures(refused)
        if len(clients) == 1:
            return EXIT_API
        raise CliError(f"{kind_name}/{name}: the server dry run failed in "
                       f"{', '.join(refused)}; nothing was created in any context", EXIT_API)
    warn_namespaces(clients, manifest)
    _print_warnings(warnings, flags)
    if args.dry_run == "server":
        print_created(args, kind_name, name, {c: o for c, o in checked.items()
                                              if isinstance(o, dict)})
        return EXIT_OK
    outcomes = on_each(clients, lambda c: c.create(res, manifest))
    created = {c: o for c, o in outcomes.items() if isinstance(o, dict)}
    failed = {c: o for c, o in outcomes.items() if isinstance(o, KubeError)}
    print_created(args, kind_name, name, created)
    if failed:
        print_failures(failed)
        where = ", ".join(created) or "no context"
        raise CliError(f"{kind_name}/{name}: created in {where}; NOT created in "
                       f"{', '.join(failed)} (create it there again, or delete it where it "
                       "was created)", EXIT_API)
    if not args.wait:
        return EXIT_OK
    printer = ChangePrinter(name, out=sys.stderr if args.output else sys.stdout)
    return follow_velero(args, list(created), name, args.velero_kind,
                         str(manifest["metadata"]["namespace"]), printer, timeout)


def no_velero(e: KubeError) -> KubeError:
    """A 404 for the resource type itself: Velero is not installed in that context."""
    if e.code == 404 and "could not find the requested resource" in e.message:
        e.message = ("the Velero API (velero.io) is not served here; name the contexts where "
                     "Velero runs with --context")
    return e


def on_each(clients: dict[str, KubeClient], call: Callable[[KubeClient], T]
            ) -> dict[str, T | KubeError]:
    """`call` on every context at once; a KubeError is kept as that context's outcome."""
    def run(context: str) -> T | KubeError:
        try:
            return call(clients[context])
        except KubeError as e:
            return e

    names = list(clients)
    with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
        return dict(zip(names, pool.map(run, names), strict=True))


def print_created(args: argparse.Namespace, kind_name: str, name: str,
                  created: dict[str, Obj]) -> None:
    if args.output and created:
        objs = list(created.values())
        emit(objs[0] if len(objs) == 1 else as_list(objs), args.output)
        return
    for context in created:  # "": no context (a client dry run)
        where = f"{context}: " if context else ""
        say(f"{where}{created_line(kind_name, name, args.dry_run)}")


def print_failures(failures: dict[str, KubeError]) -> None:
    for error in failures.values():
        for line in error_lines(error):
            say(line, sys.stderr)


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
