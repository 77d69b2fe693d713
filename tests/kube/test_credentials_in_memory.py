"""Certificates and keys a kubeconfig or a member's Secret holds inline are written, for the
client's TLS code, only to a private directory in memory, never to the disk's temp directory."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from fleettui.kube.client import KubeClient, credentials_dir
from fleettui.kube.resources import NAMESPACES
from tests.conftest import start_sim


def test_inline_credentials_stay_in_memory(tmp_path: Path) -> None:
    runner, _, kubeconfig = start_sim(tmp_path)  # its kubeconfig carries the CA inline
    client = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-member1")
    try:
        assert client.list(NAMESPACES)["items"]
        ca = str(client.api.configuration.ssl_ca_cert)
        assert Path(ca).parent == Path(credentials_dir())
        if os.access("/dev/shm", os.W_OK):
            assert ca.startswith("/dev/shm/")
        assert stat.S_IMODE(os.stat(credentials_dir()).st_mode) == 0o700
        assert Path(tempfile.gettempdir()) not in Path(ca).parents or not os.access(
            "/dev/shm", os.W_OK)
    finally:
        client.close()
        runner.stop()
