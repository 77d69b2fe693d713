"""A kubeconfig file is parsed once per version and each client gets only its context's part
(a kubeconfig of 1,001 contexts cost seconds per client before): what the kubernetes client's
own loader did must still hold (relative file paths, the current context, errors said)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from fleettui.kube.client import KubeClient, context_servers, list_contexts
from fleettui.kube.errors import KubeError


def write(path: Path, servers: dict[str, str], current: str) -> None:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": current,
        "clusters": [{"name": f"c-{n}", "cluster": {"server": url,
                                                    "certificate-authority": "ca.crt"}}
                     for n, url in servers.items()],
        "users": [{"name": f"u-{n}", "user": {"token": f"token-{n}"}} for n in servers],
        "contexts": [{"name": n, "context": {"cluster": f"c-{n}", "user": f"u-{n}"}}
                     for n in servers]}
    path.write_text(yaml.safe_dump(config))


def test_each_context_gets_its_server_token_and_files_beside_the_kubeconfig(tmp_path: Path
                                                                             ) -> None:
    (tmp_path / "ca.crt").write_text("not checked until a connection is made\n")
    kubeconfig = tmp_path / "kubeconfig"
    servers = {f"ctx{i}": f"https://127.0.0.1:{20000 + i}" for i in range(50)}
    write(kubeconfig, servers, "ctx7")
    assert list_contexts(str(kubeconfig)) == (list(servers), "ctx7")
    assert context_servers(str(kubeconfig))["ctx3"] == "https://127.0.0.1:20003"
    for name in ("ctx0", "ctx42", None):
        client = KubeClient.from_kubeconfig(str(kubeconfig), name)
        cfg = client.api.configuration
        expected = name or "ctx7"
        assert cfg.host == servers[expected]
        assert cfg.api_key["BearerToken"] == f"Bearer token-{expected}"
        assert cfg.ssl_ca_cert == str(tmp_path / "ca.crt")
        client.close()


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_text("\n")
    kubeconfig = tmp_path / "kubeconfig"
    write(kubeconfig, {"a": "https://127.0.0.1:1"}, "a")
    assert KubeClient.from_kubeconfig(str(kubeconfig), "a").api.configuration.host.endswith(":1")
    write(kubeconfig, {"a": "https://127.0.0.1:22", "b": "https://127.0.0.1:3"}, "b")
    os.utime(kubeconfig, ns=(1, 1))  # another version even within the clock's resolution
    assert KubeClient.from_kubeconfig(str(kubeconfig), "a").api.configuration.host.endswith(
        ":22")
    assert list_contexts(str(kubeconfig)) == (["a", "b"], "b")


@pytest.mark.parametrize("text", ["contexts: 3\n", "[: not yaml", "kind: Config\n"])
def test_a_broken_file_or_a_missing_context_says_so(tmp_path: Path, text: str) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(text)
    with pytest.raises(KubeError, match="cannot"):
        KubeClient.from_kubeconfig(str(kubeconfig), "nowhere")
    write(kubeconfig, {"a": "https://127.0.0.1:1"}, "a")
    with pytest.raises(KubeError, match="nowhere"):
        KubeClient.from_kubeconfig(str(kubeconfig), "nowhere")
