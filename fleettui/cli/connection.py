"""What the commands share on the cluster side: clients for the host, its members and
kubeconfig contexts, calls made on several clusters at once, and the API's refusals said in
the words an operator needs ("Kurator is not installed here", not "not found").

The kubernetes client is imported only inside the functions that connect, so that a command
refused for bad input never loads it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fleettui.cli.kubeconfig import resolve_context
from fleettui.cli.output import EXIT_API, CliError, say, usage
from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError, from_status_body
from fleettui.model.kurator import ClusterRef

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient
    from fleettui.kube.watch import WatchSettings

Obj = dict[str, Any]
T = TypeVar("T")


@dataclass
class MemberRoutes:
    """What a command may use, beside the AttachedCluster secret, to reach members: the
    user's kubeconfig (contexts named like a member, or with its server) and
    --member-context CLUSTER=CONTEXT. Set once per command from its flags."""

    kubeconfig: str | None = None
    contexts: dict[str, str] = field(default_factory=dict)


ROUTES = MemberRoutes()


def set_member_routes(args: argparse.Namespace) -> None:
    ROUTES.kubeconfig = getattr(args, "kubeconfig", None)
    ROUTES.contexts = member_contexts(getattr(args, "member_context", None) or [])


def member_contexts(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        cluster, sep, context = value.partition("=")
        if not sep or not cluster.strip() or not context.strip():
            raise usage("--member-context", f"expected CLUSTER=CONTEXT, got {value!r}")
        pairs[cluster.strip()] = context.strip()
    return pairs


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def watch_settings(args: argparse.Namespace) -> WatchSettings:
    """A CLI follows one object: the same 2 s backoff cap as the TUI.
    `--hung-after` says how long a silent stream (no bookmark either) may be before it counts
    as dead."""
    from fleettui.kube.watch import WatchSettings

    return WatchSettings(timeout=300.0, read_timeout=getattr(args, "hung_after", None) or 75.0,
                         backoff_min=0.2, backoff_max=2.0)


def connect(kubeconfig: str | None, context: str | None) -> KubeClient:
    """A client for `context`; a missing file or unknown context is one line (exit 2)."""
    from fleettui.kube.client import KubeClient

    return KubeClient.from_kubeconfig(kubeconfig, resolve_context(kubeconfig, context))


# ---- the Kurator host ------------------------------------------------------------------------
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


def fleet_members(host: KubeClient, namespace: str, fleet: str, flag: str = "--fleet"
                  ) -> list[ClusterRef]:
    try:
        obj = host.get(kc.FLEETS, namespace, fleet)
    except KubeError as e:
        raise_if_no_kurator(e, host.name)
        if e.code == 404:
            raise usage(flag, f"fleet {fleet} not found in namespace {namespace}") from e
        raise
    return [ClusterRef(name=str(c.get("name") or ""), kind=str(c.get("kind") or ""))
            for c in (obj.get("spec") or {}).get("clusters") or [] if isinstance(c, dict)]


def not_ready_members(host: KubeClient, namespace: str, members: list[ClusterRef]
                      ) -> list[str]:
    """Fleet members whose AttachedCluster is not ready (what "all clusters" skips); [] when
    that cannot be read."""
    try:
        attached = host.list(kc.ATTACHED_CLUSTERS, namespace).get("items") or []
    except KubeError:
        return []
    ready = {name_of(a) for a in attached if (a.get("status") or {}).get("ready") is True}
    return [m.name for m in members if m.kind == "AttachedCluster" and m.name not in ready]


# ---- members ---------------------------------------------------------------------------------
def on_members(host: KubeClient, namespace: str, clusters: list[str],
               call: Callable[[KubeClient], T]) -> dict[str, T | KubeError]:
    """`call` on each member (by the first route that works: kube/member_access.py), all at
    once; a member that cannot be reached has its KubeError, saying why, as outcome."""
    from fleettui.kube.member_access import reach_member

    def run(cluster: str) -> T | KubeError:
        access = reach_member(host, namespace, cluster, ROUTES.kubeconfig, ROUTES.contexts)
        if access.client is None:
            return KubeError(0, "NoAccess", access.said(), [], cluster)
        if access.failures:  # reached, but not as Kurator does: say how, once
            say(f"# {cluster}: {access.said()}", sys.stderr)
        client = access.client
        try:
            return call(client)
        except KubeError as e:
            return e
        finally:
            client.close()

    if not clusters:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(clusters))) as pool:
        return dict(zip(clusters, pool.map(run, clusters), strict=True))


def member_namespaces(host: KubeClient, namespace: str, clusters: list[str]
                      ) -> dict[str, set[str]]:
    """Each reachable member's namespace names (unreachable members are left out)."""
    found = on_members(host, namespace, clusters, list_namespace_names)
    return {c: names for c, names in found.items() if isinstance(names, set)}


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
    return {name_of(n) for n in items if isinstance(n, dict)}
