"""How fleettui reaches a fleet member, the way operators' setups allow.

Kurator reaches a member through the kubeconfig in its AttachedCluster's Secret. From a
bastion that kubeconfig often names an address only the host cluster can reach, and many
operators may not read Secrets at all; their own kubeconfig usually has a context for each
member. So a member is tried by, in order:
1. `--member-context CLUSTER=CONTEXT`: the operator said so, it wins;
2. the AttachedCluster's Secret, as Kurator does;
3. the operator's own context for it: one named like the cluster, or one whose server is the
   Secret's server.
Each route is proven by one cheap read of what fleettui will watch (Velero backups, one item);
the first that works is used, and every other route's failure is kept to say why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from fleettui.kube.errors import KubeError
from fleettui.kube.resources import VELERO_BACKUPS

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

PROBE_TIMEOUT = (3.0, 5.0)  # connect, read: an unreachable route costs seconds, not minutes


@dataclass(frozen=True)
class Route:
    how: str  # "member-context" | "secret" | "context"
    detail: str  # e.g. "secret kurator-system/kurator-member1-kubeconfig", "context prod-eu"


@dataclass
class MemberAccess:
    cluster: str
    client: KubeClient | None = None
    route: Route | None = None
    failures: list[tuple[Route, str]] = field(default_factory=list)

    def said(self) -> str:
        """One line: the route used and why the ones before it failed, or why none works."""
        tried = "; ".join(f"{r.detail}: {why}" for r, why in self.failures)
        if self.route is not None:
            return f"via {self.route.detail}" + (f" ({tried})" if tried else "")
        return f"no access: {tried}" if tried else "no access: no route to try"


def reach_member(host: KubeClient, namespace: str, cluster: str, kubeconfig: str | None,
                 member_contexts: dict[str, str], velero_namespace: str = "velero"
                 ) -> MemberAccess:
    """The first route to `cluster` that answers; the client is the caller's to close."""
    access = MemberAccess(cluster)
    secret_server = ""
    for route, build in _routes(host, namespace, cluster, kubeconfig, member_contexts):
        try:
            client = build()
        except KubeError as e:
            access.failures.append((route, _plain(e)))
            continue
        if route.how == "secret":
            secret_server = _server(client)
        try:
            _probe(client, velero_namespace)
        except KubeError as e:
            client.close()
            access.failures.append((route, _plain(e)))
            continue
        return _reached(access, client, route)
    if secret_server:  # a context for the Secret's server, under another name
        for route, build in _server_routes(kubeconfig, secret_server, access):
            try:
                client = build()
                _probe(client, velero_namespace)
            except KubeError as e:
                access.failures.append((route, _plain(e)))
                continue
            return _reached(access, client, route)
    return access


def _reached(access: MemberAccess, client: KubeClient, route: Route) -> MemberAccess:
    client.name = access.cluster  # its objects are the member's, whatever the context's name
    access.client, access.route = client, route
    return access


def _routes(host: KubeClient, namespace: str, cluster: str, kubeconfig: str | None,
            member_contexts: dict[str, str]) -> Iterator[tuple[Route, Callable[[], KubeClient]]]:
    """The routes in order, each made only when the ones before it failed (the kubeconfig's
    contexts are not even read for a member its secret reaches: at 1,000 members that cost
    seconds)."""
    from fleettui.kube.client import KubeClient, list_contexts

    explicit = member_contexts.get(cluster)
    if explicit:
        yield (Route("member-context", f"--member-context {cluster}={explicit}"),
               lambda: KubeClient.from_kubeconfig(kubeconfig, explicit))
    yield (Route("secret", f"the kubeconfig secret of {cluster}"),
           lambda: _secret_client(host, namespace, cluster))
    try:
        names, _ = list_contexts(kubeconfig)
    except KubeError:
        names = []
    if cluster in names and cluster != explicit and cluster != host.name:
        yield (Route("context", f"context {cluster}"),
               lambda: KubeClient.from_kubeconfig(kubeconfig, cluster))


def _server_routes(kubeconfig: str | None, server: str, access: MemberAccess
                   ) -> list[tuple[Route, Callable[[], KubeClient]]]:
    from fleettui.kube.client import KubeClient, context_servers

    tried = {r.detail for r, _ in access.failures}
    found: list[tuple[Route, Callable[[], KubeClient]]] = []
    for name, url in context_servers(kubeconfig).items():
        route = Route("context", f"context {name}")
        if url.rstrip("/") == server.rstrip("/") and route.detail not in tried:
            found.append((route, partial(KubeClient.from_kubeconfig, kubeconfig, name)))
    return found


def _secret_client(host: KubeClient, namespace: str, cluster: str) -> KubeClient:
    from fleettui.kube.fleets import member_client

    return member_client(host, namespace, cluster)


def _server(client: KubeClient) -> str:
    return str(client.api.configuration.host or "")


def _probe(client: KubeClient, velero_namespace: str) -> None:
    """One item of what will be watched: proves the address, the credentials and the rights.
    A 404 (Velero not installed) still proves the route; the feed then says so."""
    resp = client.open("GET", VELERO_BACKUPS.path(velero_namespace), [("limit", "1")],
                       timeout=PROBE_TIMEOUT)
    try:
        status, data, headers = resp.status, resp.data, resp.headers
    finally:
        resp.release_conn()
    if status == 404 or 200 <= status < 300:
        return
    raise client.refused(status, data, headers)


def _plain(e: KubeError) -> str:
    return e.message
