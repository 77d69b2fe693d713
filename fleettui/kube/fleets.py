"""Fleets, their member clusters, and what the forms suggest (namespaces, labels) from members."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from typing import Any

from fleettui.kube.client import (
    ATTACHED_CLUSTERS,
    NAMESPACES,
    PODS,
    SECRETS,
    KubeClient,
)
from fleettui.kube.errors import KubeError
from fleettui.kube.resources import KURATOR_CLUSTERS

Obj = dict[str, Any]


def has_group(client: KubeClient, group: str) -> bool:
    """Whether the API server serves `group` (Kurator's CRDs may be missing)."""
    try:
        client.request("GET", f"/apis/{group}")
    except KubeError as e:
        if e.code == 404:
            return False
        raise
    return True


def member_kubeconfig(host: KubeClient, attached: Obj) -> str:
    """The kubeconfig text an AttachedCluster points at; raises KubeError saying what's wrong."""
    meta = attached.get("metadata") or {}
    ref = (attached.get("spec") or {}).get("kubeconfig") or {}
    name, key = ref.get("name"), ref.get("key") or "value"
    cluster = meta.get("name", "?")
    if not name:
        raise KubeError(0, "Config", f"AttachedCluster {cluster} names no kubeconfig secret")
    secret = host.get(SECRETS, meta.get("namespace"), name)
    data = (secret.get("data") or {}).get(key)
    if data is None:
        raise KubeError(0, "Config", f"secret {name} has no key {key!r} for cluster {cluster}")
    try:
        return base64.b64decode(data).decode()
    except (binascii.Error, UnicodeDecodeError) as e:
        raise KubeError(0, "Config", f"secret {name}/{key} is not a valid kubeconfig") from e


def cluster_kubeconfig(host: KubeClient, cluster: Obj) -> str:
    """A Kurator-provisioned Cluster's kubeconfig: Kurator's fleet code reads the secret named
    by spec.credential.secretRef, key `value` (kurator pkg/fleet-manager, Cluster members)."""
    meta = cluster.get("metadata") or {}
    name = ((cluster.get("spec") or {}).get("credential") or {}).get("secretRef")
    if not name:
        raise KubeError(0, "Config", f"Cluster {meta.get('name', '?')} names no credential "
                                     "secret (spec.credential.secretRef)")
    return member_kubeconfig(host, {"metadata": meta,
                                    "spec": {"kubeconfig": {"name": name, "key": "value"}}})


def secret_kubeconfig(host: KubeClient, namespace: str, cluster: str) -> str:
    """The kubeconfig Kurator uses for a fleet member: an AttachedCluster's, or else a
    Kurator Cluster's (a Fleet may list either kind under the same name)."""
    # Only a missing AttachedCluster falls back to a Cluster: a missing secret is a 404 too,
    # and must be said as such, not as a missing cluster.
    try:
        attached = host.get(ATTACHED_CLUSTERS, namespace, cluster)
    except KubeError as e:
        if e.code != 404:
            raise
        try:
            kurator_cluster = host.get(KURATOR_CLUSTERS, namespace, cluster)
        except KubeError as again:
            if again.code != 404:
                raise
            raise KubeError(404, "NotFound", f"no AttachedCluster or Cluster {cluster} in "
                                             f"namespace {namespace}", [], host.name) from e
        return cluster_kubeconfig(host, kurator_cluster)
    return member_kubeconfig(host, attached)


def member_client(host: KubeClient, namespace: str, cluster: str) -> KubeClient:
    def read() -> str:
        return secret_kubeconfig(host, namespace, cluster)

    return KubeClient.from_kubeconfig_text(read(), cluster, reread=read)


def namespaces(client: KubeClient) -> list[str]:
    listed = client.list(NAMESPACES)
    return sorted(n["metadata"]["name"] for n in listed.get("items") or [])


POD_SAMPLE = 500  # pods read per member for suggestions: one page, not a whole big cluster


def label_suggestions(client: KubeClient, namespaces_: list[str] | None = None
                      ) -> dict[str, set[str]]:
    """Label keys → values seen on pods (in `namespaces_` if given), for the selector builder:
    one page of at most POD_SAMPLE pods, enough to suggest from."""
    found: dict[str, set[str]] = defaultdict(set)
    page = client.request("GET", PODS.path(None), [("limit", str(POD_SAMPLE))])
    for pod in page.get("items") or []:
        meta = pod.get("metadata") or {}
        if namespaces_ and meta.get("namespace") not in namespaces_:
            continue
        for k, v in (meta.get("labels") or {}).items():
            found[str(k)].add(str(v))
    return dict(found)
