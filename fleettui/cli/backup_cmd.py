"""`fleettui backup create|list|get|status|delete`: the TUI's fleet backups, scriptable.

`create` builds the object with the TUI form's own builder (model.backup_form) from flags, so
both refuse the same input with the same words; `status --watch` and `create --wait` follow the
host's Kurator Backups and the members' Velero Backups through the resilient watches of a
live Session, and print a line per cluster whenever its phase, progress or counts change.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fleettui.cli.formats import CREATE_FORMATS, READ_FORMATS, add_output_option, emit
from fleettui.cli.kubeconfig import resolve_context
from fleettui.cli.output import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_OK,
    ChangePrinter,
    CliError,
    CliParser,
    as_list,
    items_text,
    phase_word,
    reason_lines,
    say,
    table,
    usage,
    warn,
)
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError, from_status_body
from fleettui.live.backup_status import expected_clusters, fleet_status
from fleettui.live.store import LiveStore
from fleettui.model.backup_form import BackupForm, FormResult, build, form_field
from fleettui.model.durations import parse_duration
from fleettui.model.errors import FieldError
from fleettui.model.filters import namespaces_not_found
from fleettui.model.kurator import (
    BACKUP_NAME_LABEL,
    VELERO_NAMESPACE,
    ClusterRef,
    KuratorBackup,
    validate_backup,
)
from fleettui.model.names import validate_dns_label, velero_object_name
from fleettui.model.status import COMPLETED, FleetBackupStatus, finished, succeeded
from fleettui.model.timefmt import clock, created_age, took

if TYPE_CHECKING:  # the kubernetes client is imported only when a command talks to a cluster
    from fleettui.kube.client import KubeClient
    from fleettui.kube.watch import WatchSettings
    from fleettui.live.session import Session

Obj = dict[str, Any]
KIND = "backup.backup.kurator.dev"
HOST_FEEDS = (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS)
SETTLE_SECONDS = 3.0  # at most this long for member watches to sync before the first line
MEMBER_RETRY_SECONDS = 2.0

# Form field (model.backup_form.FIELDS) → the flag that fed it.
FLAGS = {"name": "NAME", "fleet": "--fleet", "clusters": "--cluster",
         "include_namespaces": "--include-namespaces",
         "exclude_namespaces": "--exclude-namespaces", "labels": "--selector",
         "include_resources": "--include-resources", "exclude_resources": "--exclude-resources",
         "ttl": "--ttl", "schedule": "--schedule", "form": "spec"}


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


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """The resource filter flags `backup create` and `velero ... create` share."""
    for flag, what in (("--include-namespaces", "namespaces to back up (default: all)"),
                       ("--exclude-namespaces", "namespaces to skip"),
                       ("--include-resources", "resources to back up, e.g. deployments,"
                                               "configmaps (default: all)"),
                       ("--exclude-resources", "resources to skip")):
        p.add_argument(flag, action="append", default=[], metavar="A,B",
                       help=f"{what}; comma-separated, repeatable")
    p.add_argument("-l", "--selector", default="", metavar="SELECTOR",
                   help="label selector, kubectl syntax: 'env=test,tier in (web,db),!legacy'")
    p.add_argument("--or-selector", action="append", default=[], metavar="SELECTOR",
                   help="one alternative of orLabelSelectors; repeatable (not with --selector)")
    p.add_argument("--ttl", default="", metavar="DURATION",
                   help="how long to keep the backup, Go duration: 720h, 1h30m")


def add_create_options(p: argparse.ArgumentParser) -> None:
    add_output_option(p, CREATE_FORMATS, None, "print the object (with --dry-run=client: "
                                               "without contacting a cluster)")
    p.add_argument("--dry-run", nargs="?", const="client", default="none",
                   choices=("none", "client", "server"),
                   help="client: only print the object; server: the server checks it, "
                        "nothing is stored")
    p.add_argument("--wait", action="store_true",
                   help="follow the backup until it ends (exit 1 when it failed)")
    p.add_argument("--timeout", default="10m", metavar="DURATION",
                   help="give up --wait after this long (default 10m)")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="Kurator fleet backups: create, list, get, status, delete",
                       description="Kurator Unified Backups (backup.kurator.dev) of whole fleets.")
    add_connection_options(p)
    p.set_defaults(func=lambda args: _help(p))
    verbs = p.add_subparsers(dest="verb", metavar="VERB", parser_class=CliParser)

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
    c.set_defaults(func=run_create)

    ls = verbs.add_parser("list", help="list fleet backups with their overall phase")
    add_output_option(ls, READ_FORMATS, "table", "output format")
    add_connection_options(ls)
    ls.set_defaults(func=run_list)

    g = verbs.add_parser("get", help="one fleet backup (a table row, or the object)")
    g.add_argument("name", metavar="NAME")
    add_output_option(g, READ_FORMATS, "table", "output format")
    add_connection_options(g)
    g.set_defaults(func=run_get)

    s = verbs.add_parser("status", help="per-cluster phases of one fleet backup",
                         description="Per-cluster phases of one fleet backup; with --watch, a "
                                     "line per change until Ctrl+C (or --until-done).")
    s.add_argument("name", metavar="NAME")
    s.add_argument("-o", "--output", choices=("table", "jsonl"), default="table")
    s.add_argument("-w", "--watch", action="store_true", help="stream every change")
    s.add_argument("--until-done", action="store_true",
                   help="with --watch: stop when the backup ends (exit 1 when it failed)")
    s.add_argument("--timeout", default="", metavar="DURATION",
                   help="with --watch: give up after this long (exit 1)")
    add_connection_options(s)
    s.set_defaults(func=run_status)

    d = verbs.add_parser("delete", help="delete a fleet backup (the bucket data stays)")
    d.add_argument("name", metavar="NAME")
    d.add_argument("--dry-run", nargs="?", const="server", default="none",
                   choices=("none", "server"), help="server: check the delete, change nothing")
    add_connection_options(d)
    d.set_defaults(func=run_delete)


def _help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return EXIT_OK


# ---- connection ------------------------------------------------------------------------------
def watch_settings(args: argparse.Namespace) -> WatchSettings:
    """A CLI follows one backup: the same 2 s backoff cap as the TUI.
    `--hung-after` says how long a silent stream (no bookmark either) may be before it counts
    as dead."""
    from fleettui.kube.watch import WatchSettings

    return WatchSettings(timeout=300.0, read_timeout=getattr(args, "hung_after", None) or 75.0,
                         backoff_min=0.2, backoff_max=2.0)


def connect(kubeconfig: str | None, context: str | None) -> KubeClient:
    """A client for `context`; a missing file or unknown context is one line (exit 2)."""
    from fleettui.kube.client import KubeClient

    return KubeClient.from_kubeconfig(kubeconfig, resolve_context(kubeconfig, context))


def check_namespace(namespace: str) -> None:
    try:
        validate_dns_label(namespace, "metadata.namespace", what="namespace")
    except FieldError as e:
        raise usage("-n/--namespace", e.message) from e


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


# ---- create ----------------------------------------------------------------------------------
def split_flag(values: Sequence[str]) -> str:
    return ",".join(v for v in values if v.strip())


def cluster_refs(values: Sequence[str]) -> tuple[list[str] | None, dict[str, str]]:
    """`--cluster` values → chosen names (None: all) and the kinds given explicitly."""
    names: list[str] = []
    kinds: dict[str, str] = {}
    for value in values:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            kind, slash, name = part.rpartition("/")
            if not name or "/" in kind or (slash and not kind):
                raise usage("--cluster", f"expected NAME or KIND/NAME (e.g. "
                                         f"AttachedCluster/kurator-member1), got {part!r}")
            names.append(name)
            if kind:
                kinds[name] = kind
    return (names or None), kinds


def backup_form(args: argparse.Namespace) -> tuple[BackupForm, dict[str, str], str]:
    """The form the flags describe, the explicit cluster kinds, and the label flag used."""
    if args.selector and args.or_selector:
        raise usage("--selector, --or-selector", "use --selector for one group of labels or "
                                                 "--or-selector (repeatable) for alternatives, "
                                                 "not both")
    clusters, kinds = cluster_refs(args.cluster)
    label_flag = "--or-selector" if args.or_selector else "--selector"
    labels = " OR ".join(args.or_selector) if args.or_selector else args.selector
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


def raise_form_errors(result: FormResult | dict[str, str], flags: dict[str, str]) -> None:
    errors = result if isinstance(result, dict) else result.errors
    if not errors:
        return
    raise CliError("\n".join(f"{flags.get(f, f)}: {m}" for f, m in errors.items()))


def no_kurator(cluster: str) -> CliError:
    return CliError(f"{cluster}: the Kurator API is not served here (no fleet.kurator.dev / "
                    "backup.kurator.dev); use the Kurator host's context, or `fleettui velero "
                    "...` for plain Velero", EXIT_API)


@contextmanager
def kurator_host(args: argparse.Namespace) -> Iterator[KubeClient]:
    """The host's client for one command: closed afterwards, and a 404 for Kurator's own API
    said as "Kurator is not installed" rather than as a missing object."""
    host = connect(args.kubeconfig, args.context)
    try:
        yield host
    except KubeError as e:
        raise_if_no_kurator(e, host.name)
        raise
    finally:
        host.close()


def raise_if_no_kurator(e: KubeError, cluster: str) -> None:
    """A 404 for the resource type itself (not for an object): Kurator is not installed."""
    if e.code == 404 and "could not find the requested resource" in e.message:
        raise no_kurator(cluster) from e


def fleet_members(host: KubeClient, namespace: str, fleet: str) -> list[ClusterRef]:
    try:
        obj = host.get(kc.FLEETS, namespace, fleet)
    except KubeError as e:
        raise_if_no_kurator(e, host.name)
        if e.code == 404:
            raise usage("--fleet", f"fleet {fleet} not found in namespace {namespace}") from e
        raise
    return [ClusterRef(name=str(c.get("name") or ""), kind=str(c.get("kind") or ""))
            for c in (obj.get("spec") or {}).get("clusters") or [] if isinstance(c, dict)]


def created_line(kind: str, name: str, dry_run: str, verb: str = "created") -> str:
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
    return f"{kind}/{name} {verb}{suffix}"


def run_create(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    form, kinds, label_flag = backup_form(args)
    flags = {**FLAGS, "labels": label_flag}
    timeout = duration_seconds(args.timeout, "--timeout")
    result = build_backup(form, kinds)  # offline first: bad input never needs a cluster
    raise_form_errors(result, flags)
    if args.dry_run == "client":
        _print_warnings(result, flags)
        print_created(args, result.manifest, form.name.strip())
        return EXIT_OK
    if args.dry_run != "server":
        refuse_readonly(args, f"create backup {form.name.strip()}")
    with kurator_host(args) as host:
        form.fleet_clusters = fleet_members(host, args.namespace, form.fleet.strip())
        form.not_ready = not_ready_members(host, args.namespace, form.fleet_clusters)
        result = build_backup(form, kinds)
        raise_form_errors(result, flags)
        created = host.create(kc.KURATOR_BACKUPS, result.manifest,
                              dry_run=args.dry_run == "server")
        missing = missing_namespaces(host, args.namespace, form, result.backup)
    _print_warnings(result, flags)  # after success only: a failure is its one line
    if missing:
        warn(f"warning: --include-namespaces: {missing}")
    print_created(args, created, form.name.strip())
    if not args.wait or args.dry_run == "server":
        return EXIT_OK
    printer = ChangePrinter(form.name.strip())
    if args.output:  # keep stdout one parseable document
        printer.out = sys.stderr
    return follow(args, form.name.strip(), printer, until_done=True, timeout=timeout)


def print_created(args: argparse.Namespace, obj: Obj, name: str) -> None:
    if args.output:
        emit(obj, args.output)
    else:
        say(created_line(KIND, name, args.dry_run))


def not_ready_members(host: KubeClient, namespace: str, members: list[ClusterRef]
                      ) -> list[str]:
    """Fleet members whose AttachedCluster is not ready (what "all clusters" skips); [] when
    that cannot be read."""
    try:
        attached = host.list(kc.ATTACHED_CLUSTERS, namespace).get("items") or []
    except KubeError:
        return []
    ready = {_name(a) for a in attached if (a.get("status") or {}).get("ready") is True}
    return [m.name for m in members if m.kind == "AttachedCluster" and m.name not in ready]


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


def member_namespaces(host: KubeClient, namespace: str, clusters: list[str]
                      ) -> dict[str, set[str]]:
    from fleettui.kube.fleets import member_client

    def load(cluster: str) -> set[str] | None:
        try:
            client = member_client(host, namespace, cluster)
        except KubeError:
            return None
        try:
            return list_namespace_names(client)
        except KubeError:
            return None
        finally:
            client.close()

    if not clusters:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(clusters))) as pool:
        found = dict(zip(clusters, pool.map(load, clusters), strict=True))
    return {c: names for c, names in found.items() if names is not None}


def list_namespace_names(client: KubeClient) -> set[str]:
    """Namespace names, with short timeouts: a slow member delays a create by 5 s at most."""
    resp = client.open("GET", kc.NAMESPACES.path(None), timeout=(2.0, 5.0))
    try:
        data = resp.data
    finally:
        resp.release_conn()
    if not 200 <= resp.status < 300:
        raise from_status_body(resp.status, data, client.name)
    try:
        items = json.loads(data).get("items") or []
    except (ValueError, AttributeError) as e:
        raise KubeError(resp.status, "BadResponse", f"namespaces: {e}", [], client.name) from e
    return {_name(n) for n in items if isinstance(n, dict)}


def _print_warnings(result: FormResult, flags: dict[str, str]) -> None:
    for f, message in result.warnings.items():
        warn(f"warning: {flags.get(f, f)}: {message}")


# ---- status over a store ---------------------------------------------------------------------
def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def exit_for(st: FleetBackupStatus) -> int:
    return EXIT_OK if succeeded(st) else EXIT_FAILED


def snapshot(host: KubeClient, namespace: str, backups: list[Obj], members: bool = True
             ) -> LiveStore:
    """A store filled by one list of everything the status of `backups` needs."""
    from fleettui.kube.fleets import member_client

    store = LiveStore()
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS):
        store.replace(host.name, res, list(host.list(res, namespace).get("items") or []))
    store.replace(host.name, kc.KURATOR_BACKUPS, backups)
    if not members:
        return store
    clusters = sorted({c.name for b in backups
                       for c in expected_clusters(store, host.name, namespace, b) if c.name})

    def load(cluster: str) -> str:
        try:
            client = member_client(host, namespace, cluster)
        except KubeError as e:
            return str(e)
        try:
            for res in (kc.VELERO_BACKUPS, kc.VELERO_SCHEDULES):
                listed = client.list(res, VELERO_NAMESPACE, BACKUP_NAME_LABEL)
                store.replace(cluster, res, list(listed.get("items") or []))
        except KubeError as e:
            return str(e)
        finally:
            client.close()
        return ""

    if clusters:
        with ThreadPoolExecutor(max_workers=min(8, len(clusters))) as pool:
            problems = list(pool.map(load, clusters))
        for problem in filter(None, problems):
            say(f"# {problem} (showing Kurator's copied status)", sys.stderr)
    return store


def backup_row(store: LiveStore, host: str, namespace: str, obj: Obj, now: datetime,
               wide: bool = False) -> list[str]:
    spec = obj.get("spec") or {}
    st = fleet_status(store, host, namespace, obj)
    done = sum(1 for r in st.rows if r.state == COMPLETED)
    kind = f"cron {spec['schedule']}" if spec.get("schedule") else "once"
    row = [_name(obj), kind, str((spec.get("destination") or {}).get("fleet", "")),
           phase_word(st.overall), f"{done}/{len(st.rows)}", created_age(obj, now)]
    if not wide:
        return row
    policy = spec.get("policy") or {}
    included = (policy.get("resourceFilter") or {}).get("includedNamespaces") or ["*"]
    return [*row, ",".join(r.cluster_name for r in st.rows) or "-", ",".join(included),
            str(policy.get("ttl") or "-")]


BACKUP_HEADERS = ("NAME", "TYPE", "FLEET", "OVERALL", "DONE", "AGE")
WIDE_HEADERS = (*BACKUP_HEADERS, "CLUSTERS", "NAMESPACES", "TTL")


def backup_table(store: LiveStore, host: str, namespace: str, items: list[Obj],
                 wide: bool) -> str:
    now = datetime.now(UTC)
    return table(WIDE_HEADERS if wide else BACKUP_HEADERS,
                 [backup_row(store, host, namespace, b, now, wide) for b in items])


# ---- list / get ------------------------------------------------------------------------------
def run_list(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    with kurator_host(args) as host:
        listed = host.list(kc.KURATOR_BACKUPS, args.namespace)
        items = sorted(listed.get("items") or [], key=_name)
        if not args.output.is_table:
            emit(as_list(items), args.output)
            return EXIT_OK
        if not items:
            say(f"No fleet backups in namespace {args.namespace}.", sys.stderr)
            return EXIT_OK
        store = snapshot(host, args.namespace, items)
    say(backup_table(store, host.name, args.namespace, items, args.output.kind == "wide"))
    return EXIT_OK


def run_get(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)
        if not args.output.is_table:
            emit(obj, args.output)
            return EXIT_OK
        store = snapshot(host, args.namespace, [obj])
    say(backup_table(store, host.name, args.namespace, [obj], args.output.kind == "wide"))
    return EXIT_OK


# ---- status ----------------------------------------------------------------------------------
STATUS_HEADERS = ("CLUSTER", "PHASE", "ITEMS", "ERRORS", "WARNINGS", "STARTED", "TOOK",
                  "EXPIRES", "VELERO OBJECT")


def status_table(st: FleetBackupStatus, now: datetime) -> str:
    rows = [[r.cluster_name, phase_word(r.state, r.phase_display), items_text(r), str(r.errors),
             str(r.warnings), clock(r.started, now), took(r, now), clock(r.expires, now),
             r.velero_name] for r in st.rows]
    lines = [table(STATUS_HEADERS, rows), *reason_lines(st.rows)]
    return "\n".join(lines) + f"\noverall: {phase_word(st.overall)} — {st.headline}"


def run_status(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    timeout = duration_seconds(args.timeout, "--timeout")
    if args.until_done and not args.watch:
        raise usage("--until-done", "only with --watch")
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)  # 404 → exit 3 at once
        store = None if args.watch else snapshot(host, args.namespace, [obj])
    if store is None:
        printer = ChangePrinter(args.name, args.output)
        return follow(args, args.name, printer, until_done=args.until_done, timeout=timeout)
    st = fleet_status(store, host.name, args.namespace, obj)
    if args.output == "jsonl":
        ChangePrinter(args.name, "jsonl").rows(st.rows, st.overall)
    else:
        say(status_table(st, datetime.now(UTC)))
    return EXIT_OK


# ---- following a backup live -----------------------------------------------------------------
@dataclass
class Members:
    """Watches on the members' Velero objects, started as clusters become expected."""

    session: Session
    printer: ChangePrinter
    watching: set[str] = field(default_factory=set)
    retry_at: dict[str, float] = field(default_factory=dict)

    def ensure(self, clusters: list[ClusterRef]) -> None:
        now = time.monotonic()
        for ref in clusters:
            name = ref.name
            if not name or name in self.watching or self.retry_at.get(name, 0.0) > now:
                continue
            self.session.member_errors.pop(name, None)
            self.session.watch_member(name)
            problem = self.session.member_errors.get(name)
            if problem:
                self.retry_at[name] = now + MEMBER_RETRY_SECONDS
                self.printer.note(f"{name} access", f"no access: {problem}")
            else:
                self.watching.add(name)
                self.printer.note(f"{name} access", "")

    def settled(self, clusters: list[ClusterRef]) -> bool:
        store = self.session.store
        return all(c.name in self.session.member_errors or
                   store.has_feed(c.name, kc.VELERO_BACKUPS) for c in clusters)

    def feeds(self) -> list[tuple[str, kc.Resource]]:
        return [(c, kc.VELERO_BACKUPS) for c in sorted(self.watching)]


def follow(args: argparse.Namespace, name: str, printer: ChangePrinter, *, until_done: bool,
           timeout: float | None) -> int:
    """Stream `name`'s per-cluster changes; with `until_done`, return when it has ended."""
    from fleettui.live.session import KURATOR, Session

    client = connect(args.kubeconfig, args.context)  # the same checks, one clear line
    context = client.name
    client.close()
    session = Session(args.kubeconfig, context, args.namespace, settings=watch_settings(args))
    try:
        if session.connect() != KURATOR:
            raise no_kurator(context)
        return _follow(session, name, printer, until_done, timeout)
    finally:
        session.close()


def _follow(session: Session, name: str, printer: ChangePrinter, until_done: bool,
            timeout: float | None) -> int:
    assert session.host is not None
    store, host, ns = session.store, session.host.name, session.namespace
    wake = threading.Event()
    store.on_dirty = wake.set
    members = Members(session, printer)
    started = time.monotonic()
    seen = False
    host_feeds = [(host, res) for res in HOST_FEEDS]
    while True:
        if timeout is not None and time.monotonic() - started > timeout:
            raise CliError(f"timed out after {timeout:g}s waiting for backup {name} to end",
                           EXIT_FAILED)
        wake.wait(0.25)
        wake.clear()
        store.take_changes()
        printer.feed_notes(store, host_feeds + members.feeds())
        settling = time.monotonic() - started < SETTLE_SECONDS
        if not store.has_feed(host, kc.KURATOR_BACKUPS):
            continue
        backup = store.get(host, kc.KURATOR_BACKUPS, ns, name)
        if backup is None:
            if not seen and settling:
                continue
            printer.note("deleted", f"backup {name} no longer exists in namespace {ns}")
            return EXIT_FAILED if until_done else EXIT_OK
        seen = True
        dest = (backup.get("spec") or {}).get("destination") or {}
        if not dest.get("clusters") and settling and not (
                store.has_feed(host, kc.FLEETS) and store.has_feed(host, kc.ATTACHED_CLUSTERS)):
            continue
        clusters = expected_clusters(store, host, ns, backup)
        members.ensure(clusters)
        if settling and not members.settled(clusters):
            continue
        st = fleet_status(store, host, ns, backup)
        printer.rows(st.rows, st.overall)
        printer.note("status", "" if st.rows else f"waiting: {st.summary}")
        if until_done and finished(st):  # every cluster, not the first one that failed
            return exit_for(st)


# ---- delete ----------------------------------------------------------------------------------
def run_delete(args: argparse.Namespace) -> int:
    check_namespace(args.namespace)
    if args.dry_run != "server":
        refuse_readonly(args, f"delete backup {args.name}")
    with kurator_host(args) as host:
        obj = host.get(kc.KURATOR_BACKUPS, args.namespace, args.name)
        store = snapshot(host, args.namespace, [obj], members=False)
        host.delete(kc.KURATOR_BACKUPS, args.namespace, args.name,
                    dry_run=args.dry_run == "server")
    for line in deletion_report(store, host.name, args.namespace, obj, args.dry_run):
        say(line)
    return EXIT_OK


def deletion_report(store: LiveStore, host: str, namespace: str, obj: Obj,
                    dry_run: str) -> list[str]:
    name = _name(obj)
    scheduled = bool((obj.get("spec") or {}).get("schedule"))
    kind = "schedule.velero.io" if scheduled else "backup.velero.io"
    suffix = " (server dry run)" if dry_run == "server" else ""
    lines = [f'{KIND} "{name}" deleted{suffix}']
    clusters = expected_clusters(store, host, namespace, obj)
    if clusters:
        lines.append(f"Kurator then deletes, in namespace {VELERO_NAMESPACE} of each cluster, "
                     f"the objects labelled {BACKUP_NAME_LABEL}={name}:")
        lines += [f"  {c.name}: {kind}/{velero_object_name(c.name, 'backup', namespace, name)}"
                  for c in clusters]
    else:
        lines.append("Kurator resolves no cluster for it (fleet missing?): it drops the "
                     "finalizer and deletes nothing in the members")
    if scheduled:
        lines.append("NOT deleted: the Velero Backups the schedules already made (kept until "
                     "their TTL) and their data in the object storage bucket")
    else:
        lines.append("NOT deleted: the backup data in the object storage bucket (Kurator never "
                     "deletes it; Velero may re-create the backup objects from the bucket)")
    return lines

