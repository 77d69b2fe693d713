"""A Fleet may list Kurator-provisioned `Cluster`s as well as AttachedClusters: their kubeconfig
is the secret named by spec.credential.secretRef, key `value`."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from fleettui.kube import resources as kc
from fleettui.kube.errors import KubeError
from fleettui.kube.fleets import secret_kubeconfig

KUBECONFIG = "apiVersion: v1\nkind: Config\n"


class Host:
    """Answers GETs from a dict, 404 for anything else, as an API server would."""

    name = "kurator-host"

    def __init__(self, objects: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.objects = objects

    def get(self, res: kc.Resource, namespace: str, name: str) -> dict[str, Any]:
        try:
            return self.objects[(res.plural, name)]
        except KeyError:
            raise KubeError(404, "NotFound", f"{res.plural} {name} not found") from None


def secret(name: str, key: str = "value") -> dict[str, Any]:
    return {"metadata": {"name": name}, "data": {key: base64.b64encode(KUBECONFIG.encode())}}


def test_a_kurator_cluster_member_is_reached_through_its_credential_secret() -> None:
    host = Host({("clusters", "aws-prod"): {
        "metadata": {"name": "aws-prod", "namespace": "default"},
        "spec": {"credential": {"secretRef": "aws-prod-kubeconfig"}}},
        ("secrets", "aws-prod-kubeconfig"): secret("aws-prod-kubeconfig")})
    assert secret_kubeconfig(host, "default", "aws-prod") == KUBECONFIG  # type: ignore[arg-type]


def test_an_attached_cluster_comes_first_and_a_missing_member_is_named() -> None:
    host = Host({("attachedclusters", "m1"): {
        "metadata": {"name": "m1", "namespace": "default"},
        "spec": {"kubeconfig": {"name": "m1-secret", "key": "kc"}}},
        ("secrets", "m1-secret"): secret("m1-secret", "kc")})
    assert secret_kubeconfig(host, "default", "m1") == KUBECONFIG  # type: ignore[arg-type]
    with pytest.raises(KubeError) as missing:
        secret_kubeconfig(host, "default", "m9")  # type: ignore[arg-type]
    assert missing.value.message == "no AttachedCluster or Cluster m9 in namespace default"


def test_a_cluster_without_a_credential_secret_says_so() -> None:
    host = Host({("clusters", "c"): {"metadata": {"name": "c"}, "spec": {}}})
    with pytest.raises(KubeError) as caught:
        secret_kubeconfig(host, "default", "c")  # type: ignore[arg-type]
    assert "spec.credential.secretRef" in caught.value.message


def test_a_missing_secret_is_not_said_as_a_missing_cluster() -> None:
    """Found against a real kube-apiserver (tests/realapi): the secret's 404 was taken for the
    AttachedCluster's, and the member was said not to exist."""
    host = Host({("attachedclusters", "m1"): {
        "metadata": {"name": "m1", "namespace": "default"},
        "spec": {"kubeconfig": {"name": "m1-secret", "key": "kc"}}}})
    with pytest.raises(KubeError) as missing:
        secret_kubeconfig(host, "default", "m1")  # type: ignore[arg-type]
    assert missing.value.message == "secrets m1-secret not found"
