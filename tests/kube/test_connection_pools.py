"""Connections are really closed: the kubernetes client's close (urllib3 2's PoolManager.clear)
only forgets its pools, whose sockets then stay open as long as anything refers to a pool (a
watch's response does, and frozen garbage is never collected). Sockets are counted as the fleet
benchmark counts them: this process's socket descriptors, here those connected to one server."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from tests.conftest import wait_for

MEMBER = "kurator-member1"


def connections_to(port: int) -> int:
    """Established TCP connections of this process whose far end is `port` on loopback."""
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            mine.add(link[8:-1])
    found = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in mine:
                found += 1
    return found


def port_of(client: KubeClient) -> int:
    return int(urlsplit(str(client.api.configuration.host)).port or 443)


def test_idle_connections_close_and_the_client_still_works(sim: tuple[object, object, Path]
                                                           ) -> None:
    client = KubeClient.from_kubeconfig(str(sim[2]), MEMBER)
    port = port_of(client)
    try:
        client.list(kc.VELERO_BSLS, "velero")
        assert connections_to(port) == 1  # kept alive in the pool for the next request
        client.drop_idle()
        wait_for(lambda: connections_to(port) == 0, timeout=5, what="idle connection closed")
        client.list(kc.VELERO_BSLS, "velero")  # the pool works on: a new connection
        assert connections_to(port) == 1
    finally:
        client.close()
    wait_for(lambda: connections_to(port) == 0, timeout=5, what="connection closed by close()")


def test_close_closes_a_pool_that_a_response_still_refers_to(sim: tuple[object, object, Path]
                                                             ) -> None:
    client = KubeClient.from_kubeconfig(str(sim[2]), MEMBER)
    port = port_of(client)
    held = client.open("GET", kc.VELERO_BSLS.path("velero"))  # its pool stays referenced
    try:
        assert held.status == 200
        held.read()
        held.release_conn()
        assert connections_to(port) == 1
        client.close()
        wait_for(lambda: connections_to(port) == 0, timeout=5,
                 what="the pooled connection closed although a response refers to its pool")
    finally:
        client.close()
