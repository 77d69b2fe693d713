"""`fleettui storage [-o table|json|yaml]`: every member's Velero BackupStorageLocations: phase,
access mode, last validation and its age, and Velero's message.

Exit codes, for cron jobs and monitoring on the bastion as `check` is: 0 when the location each
member's backups go to (its default) is Available and ReadWrite; 1 when one is Unavailable or
ReadOnly, or a member has none or cannot be read (backups there would end FailedValidation or
not run at all); an extra location that is not the default never fails the command, it is only
listed. 2 for bad input and 3 when the host or kubeconfig cannot be read at all, as elsewhere.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fleettui.cli.connection import connect, on_members
from fleettui.cli.fleet_state import FleetState, add_read_options, unreadable_lines, where
from fleettui.cli.formats import add_output_option
from fleettui.cli.kubeconfig import read_contexts, resolve_context
from fleettui.cli.options import check_namespace
from fleettui.cli.output import EXIT_FAILED, EXIT_OK, dump, say, table
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.storage import fleet_locations
from fleettui.live.store import LiveStore
from fleettui.live.submit import on_each
from fleettui.model.kurator import VELERO_NAMESPACE
from fleettui.model.schedule_health import age_text
from fleettui.model.storage import Location, reason, used_location

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

HEADERS = ("CLUSTER", "LOCATION", "DEFAULT", "PHASE", "ACCESS", "LAST VALIDATED", "AGE",
           "MESSAGE")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "storage", help="every member's backup storage locations and whether backups can go "
                        "there",
        description="Each member's Velero BackupStorageLocations: phase (Available or "
                    "Unavailable), access mode (ReadWrite or ReadOnly), when Velero last "
                    "validated it and Velero's message. Exits 1 naming each member whose "
                    "default location is Unavailable or ReadOnly (backups there end "
                    "FailedValidation), has none, or cannot be read.")
    add_output_option(p, ("table", "json", "yaml"), "table", "output format")
    add_read_options(p)
    p.set_defaults(func=run)


def _load(store: LiveStore, client: KubeClient, namespace: str) -> None:
    items = list(client.list(kc.VELERO_BSLS, namespace).get("items") or [])
    store.replace(client.name, kc.VELERO_BSLS, items)
    store.state(client.name, kc.VELERO_BSLS, kc.SYNCED, "")


def read_storage(args: argparse.Namespace) -> FleetState:
    """Every member's locations, in the mode the context decides (as `schedules` reads)."""
    from fleettui.kube.fleets import has_group

    check_namespace(args.namespace)
    velero_ns = str(getattr(args, "velero_namespace", "") or "velero")
    check_namespace(velero_ns, "--velero-namespace")
    host = connect(args.kubeconfig, resolve_context(args.kubeconfig, args.context))
    store = LiveStore()
    try:
        if has_group(host, "backup.kurator.dev"):
            fleets = list(host.list(kc.FLEETS, args.namespace).get("items") or [])
            members = sorted({str(c.get("name") or "") for f in fleets
                              for c in (f.get("spec") or {}).get("clusters") or []
                              if isinstance(c, dict)} - {""})
            state = FleetState(store, host.name, args.namespace, "kurator", members=members)
            outcomes = on_members(host, args.namespace, members,
                                  lambda c: _load(store, c, VELERO_NAMESPACE))
            _record(state, outcomes)
            return state
    finally:
        host.close()
    return _read_contexts(args, store, velero_ns)


def _record(state: FleetState, outcomes: Mapping[str, object]) -> None:
    for member, outcome in outcomes.items():
        if isinstance(outcome, KubeError):
            state.member_errors[member] = outcome.message


def _read_contexts(args: argparse.Namespace, store: LiveStore, velero_ns: str) -> FleetState:
    contexts, _ = read_contexts(args.kubeconfig)
    state = FleetState(store, args.context, args.namespace, "velero", velero_namespace=velero_ns)
    clients: dict[str, KubeClient] = {}
    try:
        for ctx in contexts:
            try:
                clients[ctx] = connect(args.kubeconfig, ctx)
            except KubeError as e:
                state.member_errors[ctx] = e.message
        outcomes = on_each(clients, lambda c: _load(store, c, velero_ns)) if clients else {}
    finally:
        for client in clients.values():
            client.close()
    for ctx, outcome in outcomes.items():
        if isinstance(outcome, KubeError) and outcome.code == 404:
            say(f"# {ctx}: no Velero API here; left out", sys.stderr)
            continue
        state.members.append(ctx)
        if isinstance(outcome, KubeError):
            state.member_errors[ctx] = outcome.message
    state.members += [c for c in state.member_errors if c not in state.members]
    state.contexts = list(state.members)
    return state


def problems(state: FleetState, found: dict[str, list[Location]], now: datetime) -> list[str]:
    """One line per member backups cannot go to, and why."""
    lines = []
    for cluster in state.members:
        if cluster in state.member_errors:
            lines.append(f"{cluster}: cannot be read: {state.member_errors[cluster]}")
            continue
        locs = found.get(cluster, [])
        used = used_location(locs)
        if used is None:
            lines.append(f"{cluster}: no default backup storage location "
                         f"({len(locs)} location(s) listed)")
        elif not used.available or used.read_only:
            lines.append(reason(used, now))
    return lines


def table_row(loc: Location, now: datetime) -> list[str]:
    validated = ("-" if loc.last_validated is None else
                 loc.last_validated.strftime("%Y-%m-%d %H:%M:%S"))
    return [loc.cluster, loc.name, "yes" if loc.default else "", loc.phase, loc.access_mode,
            validated, age_text(loc.validated_age(now)), loc.message or "-"]


def run(args: argparse.Namespace) -> int:
    state = read_storage(args)
    now = datetime.now(UTC)
    found = fleet_locations(state.store, [c for c in state.members
                                          if c not in state.member_errors])
    bad = problems(state, found, now)
    every = [loc for c in state.members for loc in found.get(c, [])]
    if args.output.kind != "table":
        say(dump({"mode": state.mode, "items": [loc.to_dict(now) for loc in every],
                  "problems": bad,
                  "unreadable": dict(sorted(state.member_errors.items()))}, args.output.kind))
        return EXIT_FAILED if bad else EXIT_OK
    for line in unreadable_lines(state):
        say(f"# {line}", sys.stderr)
    if not state.members:
        say(f"No members in {where(state)}.", sys.stderr)
        return EXIT_OK
    if every:
        say(table(HEADERS, [table_row(loc, now) for loc in every]))
    for line in bad:
        say(line, sys.stderr)
    return EXIT_FAILED if bad else EXIT_OK
