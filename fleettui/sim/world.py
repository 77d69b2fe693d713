"""The seeded demo world: the upstream Unified Backup walkthrough, ready to back up.

Fleet `quickstart` in `default` with AttachedClusters `kurator-member1..N` (ready, kubeconfig
secrets pointing at the member servers); every member has namespace `kurator-backup` with the
busybox pods (member2's `busybox` labelled env=test, as the walkthrough does by hand), a few other
workloads for namespace and label suggestions, and Velero with an Available storage location.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import yaml

from fleettui.sim.controller_store import ControllerStore
from fleettui.sim.crd_loader import CrdInfo
from fleettui.sim.errors import ApiError
from fleettui.sim.store import Obj
from fleettui.sim.types import ATTACHED, CRDS, FLEETS, NAMESPACES, PODS, SECRETS, VELERO_BSL

FLEET = "quickstart"
FLEET_NS = "default"
STORAGE_SECRET = "minio-credentials"
# Demo values only: the simulator never talks to a real object store.
DEMO_ACCESS_KEY = "fleettui-demo-access-key"
DEMO_SECRET_KEY = "fleettui-demo-secret-key"


def member_name(i: int) -> str:
    return f"kurator-member{i}"


def _create(store: ControllerStore, rkey: str, obj: Obj) -> None:
    try:
        store.create(store.types[rkey], obj)
    except ApiError as e:
        # A real kube-apiserver makes default, kube-system and kube-public itself.
        if e.code != 409 or rkey != NAMESPACES.key:
            raise


def _ns(store: ControllerStore, name: str, labels: dict[str, str] | None = None) -> None:
    meta: dict[str, Any] = {"name": name, "labels": {"kubernetes.io/metadata.name": name,
                                                     **(labels or {})}}
    _create(store, NAMESPACES.key, {"metadata": meta, "spec": {"finalizers": ["kubernetes"]},
                                     "status": {"phase": "Active"}})


def _pod(store: ControllerStore, ns: str, name: str, labels: dict[str, str],
         image: str = "busybox:1.35") -> None:
    _create(store, PODS.key, {
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [{"name": name.split("-")[0], "image": image}]},
        "status": {"phase": "Running"}})


def _secret(store: ControllerStore, ns: str, name: str, data: dict[str, str],
            labels: dict[str, str] | None = None) -> None:
    enc = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    _create(store, SECRETS.key, {"metadata": {"name": name, "namespace": ns,
                                              "labels": labels or {}},
                                 "type": "Opaque", "data": enc})


def _crds(store: ControllerStore, crds: list[CrdInfo]) -> None:
    for info in crds:
        crd = copy.deepcopy(info.crd)
        crd.setdefault("metadata", {}).pop("creationTimestamp", None)
        crd["metadata"].pop("annotations", None)
        _create(store, CRDS.key, crd)


def seed_host(store: ControllerStore, crds: list[CrdInfo], members: dict[str, str],
              member_token: str, ca_data: str,
              member_configs: dict[str, str] | None = None) -> None:
    """`members` maps cluster name → server URL; `member_configs` (name → kubeconfig text)
    replaces the kubeconfig made from URL, token and CA (real servers each have their own)."""
    _crds(store, crds)
    for ns in ("default", "kube-system", "kube-public", "kurator-system"):
        _ns(store, ns)
    _secret(store, FLEET_NS, STORAGE_SECRET,
            {"access-key": DEMO_ACCESS_KEY, "secret-key": DEMO_SECRET_KEY})
    for name, url in members.items():
        config = (member_configs or {}).get(name) or member_kubeconfig(name, url, member_token,
                                                                       ca_data)
        _secret(store, FLEET_NS, name, {f"{name}.config": config})
        ac = {"apiVersion": "cluster.kurator.dev/v1alpha1", "kind": "AttachedCluster",
              "metadata": {"name": name, "namespace": FLEET_NS},
              "spec": {"kubeconfig": {"name": name, "key": f"{name}.config"}}}
        _create(store, ATTACHED, ac)
        mark_ready(store, name, True)
    fleet = {"apiVersion": "fleet.kurator.dev/v1alpha1", "kind": "Fleet",
             "metadata": {"name": FLEET, "namespace": FLEET_NS},
             "spec": {"clusters": [{"name": n, "kind": "AttachedCluster"} for n in members],
                      "plugin": {"backup": {"storage": {
                          "location": {"bucket": "velero", "provider": "aws",
                                       "endpoint": "http://minio.fleettui.invalid:9000",
                                       "region": "minio"},
                          "secretName": STORAGE_SECRET}}}}}
    _create(store, FLEETS, fleet)
    f = store.find(FLEETS, FLEET_NS, FLEET)
    assert f is not None
    store.replace(store.types[FLEETS], {**f, "status": {
        "phase": "Ready", "readyClusters": len(members), "unReadyClusters": 0}}, status=True)


def mark_ready(store: ControllerStore, cluster: str, ready: bool) -> None:
    ac = store.find(ATTACHED, FLEET_NS, cluster)
    if ac is not None:
        store.replace(store.types[ATTACHED], {**ac, "status": {"ready": ready}}, status=True)


def seed_member(store: ControllerStore, crds: list[CrdInfo], index: int) -> None:
    _crds(store, crds)
    for ns in ("default", "kube-system", "kube-public", "velero"):
        _ns(store, ns)
    _ns(store, "kurator-backup")
    _ns(store, "shop", {"team": "payments"})
    _ns(store, "monitoring", {"team": "platform"})
    labels_busybox = {"app": "busybox"}
    if index == 2:
        labels_busybox["env"] = "test"  # the walkthrough's `kubectl label po busybox env=test`
    _pod(store, "kurator-backup", "busybox", labels_busybox)
    _pod(store, "kurator-backup", "busybox-with-pv", {"app": "busybox-with-pv"})
    _pod(store, "shop", "frontend-0", {"app": "frontend", "tier": "web", "env": "prod"}, "nginx")
    _pod(store, "shop", "db-0", {"app": "postgres", "tier": "db", "env": "prod"}, "postgres:16")
    _pod(store, "monitoring", "prometheus-0", {"app": "prometheus"}, "prom/prometheus")
    _pod(store, "kube-system", "coredns-0", {"k8s-app": "kube-dns"}, "coredns/coredns")
    _secret(store, "velero", f"{FLEET}-velero-s3", {"cloud": (
        f"[default]\naws_access_key_id={DEMO_ACCESS_KEY}\n"
        f"aws_secret_access_key={DEMO_SECRET_KEY}\n")}, {"fleet.kurator.dev/plugin": "backup"})
    bsl = {"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
           "metadata": {"name": "default", "namespace": "velero"},
           "spec": {"provider": "aws", "default": True,
                    "objectStorage": {"bucket": "velero"},
                    "config": {"region": "minio", "s3ForcePathStyle": "true",
                               "s3Url": "http://minio.fleettui.invalid:9000"}}}
    _create(store, VELERO_BSL, bsl)
    b = store.find(VELERO_BSL, "velero", "default")
    assert b is not None
    store.replace(store.types[VELERO_BSL], {**b, "status": {"phase": "Available"}})


def unreachable_url(cluster: str) -> str:
    """An in-cluster address no client outside can resolve (`.invalid` never resolves,
    RFC 2606), as a secret Kurator's users made for in-cluster use names."""
    return f"https://{cluster}.kurator-system.svc.invalid:6443"


def member_kubeconfig(name: str, url: str, token: str, ca_data: str) -> str:
    return yaml.safe_dump(kubeconfig({name: url}, token, name, ca_data=ca_data),
                          sort_keys=False)


def kubeconfig(servers: dict[str, str], token: str, current: str,
               user: str = "fleettui-admin", ca_data: str = "") -> Obj:
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": n, "cluster": {"server": u,
                                             "certificate-authority-data": ca_data}}
                     for n, u in servers.items()],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": n, "context": {"cluster": n, "user": user, "namespace": "default"}}
                     for n in servers],
        "current-context": current,
    }
