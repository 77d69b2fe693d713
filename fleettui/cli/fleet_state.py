"""One read of a whole fleet's schedules and backups (and, for coverage, namespaces and pods)
into a LiveStore, in either mode, for `schedules`, `check` and `coverage`.

The mode is chosen as the TUI chooses it: a context that serves backup.kurator.dev is a Kurator
host and its fleets' members are read through their AttachedCluster secrets; otherwise every
kubeconfig context is a member (plain Velero mode). A member that cannot be read is recorded
with the reason (the commands say so), never fatal. The limits the verdicts are judged by are
options here too, with the defaults stated in --help.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fleettui.cli.connection import connect, on_members
from fleettui.cli.contexts import on_each
from fleettui.cli.kubeconfig import read_contexts, resolve_context
from fleettui.cli.options import (
    add_connection_options,
    add_velero_namespace_option,
    check_namespace,
    duration_seconds,
)
from fleettui.cli.output import say
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.live.store import LiveStore
from fleettui.model.kurator import VELERO_NAMESPACE
from fleettui.model.schedule_health import SCHEDULE_NAME_LABEL, HealthLimits, age_text

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
DEFAULTS = HealthLimits()
DEFAULT_MAX_AGE = "26h"  # check, coverage: a daily schedule plus two hours for run and upload


@dataclass
class FleetState:
    """What live.health reads of a session, filled by one read (no watches)."""

    store: LiveStore
    context: str | None
    namespace: str
    mode: str
    contexts: list[str] = field(default_factory=list)
    member_errors: dict[str, str] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)  # every member read (or tried)
    velero_namespace: str = VELERO_NAMESPACE


def add_limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--late-after", default="", metavar="DURATION",
                   help="a due run that has not appeared this long after its cron time is "
                        f"missed (default {age_text(DEFAULTS.late_after)}; Velero looks "
                        "once a minute)")
    p.add_argument("--stuck-after", default="", metavar="DURATION",
                   help="a run InProgress, WaitingForPluginOperations or not started for this "
                        f"long is stuck (default {age_text(DEFAULTS.stuck_after)}, Velero's "
                        "default item operation timeout)")


def add_read_options(p: argparse.ArgumentParser) -> None:
    add_connection_options(p, "kubeconfig context: a Kurator host, or any context for plain "
                              "Velero mode (then every context of the kubeconfig is read)")
    add_velero_namespace_option(p)  # the global one, also accepted after the verb


def limits_from(args: argparse.Namespace) -> HealthLimits:
    late = duration_seconds(args.late_after, "--late-after")
    stuck = duration_seconds(args.stuck_after, "--stuck-after")
    return HealthLimits(late_after=DEFAULTS.late_after if late is None else late,
                        stuck_after=DEFAULTS.stuck_after if stuck is None else stuck)


def read_fleet(args: argparse.Namespace, inventory: bool = False, storage: bool = False
               ) -> FleetState:
    """Everything the health (and with `inventory`, coverage) of the fleet needs; with
    `storage`, only each member's backup storage locations (`fleettui storage`)."""
    from fleettui.kube.fleets import has_group

    check_namespace(args.namespace)
    velero_ns = _velero_namespace(args)
    context = resolve_context(args.kubeconfig, args.context)
    host = connect(args.kubeconfig, context)
    try:
        if has_group(host, "backup.kurator.dev"):
            return _read_kurator(host, args.namespace, inventory, storage)
    finally:
        host.close()
    return _read_velero(args, velero_ns, inventory, storage)


def _load(store: LiveStore, client: KubeClient, namespace: str, inventory: bool,
          storage: bool = False) -> None:
    """One member's Velero schedules and scheduled runs (and its namespaces and pods), or
    with `storage` its backup storage locations alone."""
    feeds: list[tuple[kc.Resource, str | None, str]] = [
        (kc.VELERO_SCHEDULES, namespace, ""), (kc.VELERO_BACKUPS, namespace, SCHEDULE_NAME_LABEL)]
    if storage:
        feeds = [(kc.VELERO_BSLS, namespace, "")]
    elif inventory:
        feeds += [(kc.NAMESPACES, None, ""), (kc.PODS, None, "")]
    for res, ns, selector in feeds:
        store.replace(client.name, res, list(client.list(res, ns, selector).get("items") or []))
        store.state(client.name, res, kc.SYNCED, "")


def _record(state: FleetState, outcomes: dict[str, Any]) -> None:
    for member, outcome in outcomes.items():
        if isinstance(outcome, KubeError):
            state.member_errors[member] = outcome.message


def _read_kurator(host: KubeClient, namespace: str, inventory: bool, storage: bool = False
                  ) -> FleetState:
    store = LiveStore()
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS):
        store.replace(host.name, res, list(host.list(res, namespace).get("items") or []))
        store.state(host.name, res, kc.SYNCED, "")
    members = sorted({str(c.get("name") or "") for f in store.objects(host.name, kc.FLEETS)
                      for c in (f.get("spec") or {}).get("clusters") or []
                      if isinstance(c, dict)} - {""})
    state = FleetState(store, host.name, namespace, "kurator", members=members)
    _record(state, on_members(host, namespace, members,
                              lambda c: _load(store, c, VELERO_NAMESPACE, inventory, storage)))
    return state


def _velero_namespace(args: argparse.Namespace) -> str:
    velero_ns = str(getattr(args, "velero_namespace", "") or "velero")
    check_namespace(velero_ns, "--velero-namespace")
    return velero_ns


def _read_velero(args: argparse.Namespace, velero_ns: str, inventory: bool,
                 storage: bool = False) -> FleetState:
    contexts, _ = read_contexts(args.kubeconfig)
    store = LiveStore()
    state = FleetState(store, args.context, args.namespace, "velero", velero_namespace=velero_ns)
    clients: dict[str, KubeClient] = {}
    try:
        for ctx in contexts:
            try:
                clients[ctx] = connect(args.kubeconfig, ctx)
            except KubeError as e:
                state.member_errors[ctx] = e.message
        outcomes = on_each(clients, lambda c: _load(store, c, velero_ns, inventory, storage)) \
            if clients else {}
    finally:
        for client in clients.values():
            client.close()
    for ctx, outcome in outcomes.items():
        if isinstance(outcome, KubeError) and outcome.code == 404:
            say(f"# {ctx}: no Velero API here; left out", sys.stderr)
            continue
        state.contexts.append(ctx)
        if isinstance(outcome, KubeError):
            state.member_errors[ctx] = outcome.message
    state.contexts += [c for c in state.member_errors if c not in state.contexts]
    state.members = [c for c in contexts if c in state.contexts]
    return state


def unreadable_lines(state: FleetState) -> list[str]:
    return [f"{member}: cannot be read: {message}"
            for member, message in sorted(state.member_errors.items())]


def where(state: FleetState) -> str:
    return (f"fleets in namespace {state.namespace} on {state.context}"
            if state.mode == "kurator" else "the kubeconfig's contexts")

