"""A kubeconfig with `proxy-url: socks5://…` (an `ssh -D` tunnel from a bastion) works."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from pathlib import Path

import yaml

from fleettui.kube.client import KubeClient
from fleettui.kube.resources import NAMESPACES
from tests.conftest import start_sim


class Socks5:
    """A minimal SOCKS5 CONNECT proxy on loopback (RFC 1928, no authentication)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)  # accept() notices stop() within this
        self.port = self.server.getsockname()[1]
        self.connects: list[tuple[str, int]] = []
        self.threads: list[threading.Thread] = []
        self.stopped = False
        self.accept_thread = threading.Thread(target=self.accept, daemon=True)
        self.accept_thread.start()

    def accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            t = threading.Thread(target=self.serve, args=(client,), daemon=True)
            self.threads.append(t)
            t.start()

    def serve(self, client: socket.socket) -> None:
        with client:
            client.recv(client.recv(2)[1])  # greeting: VER NMETHODS, then the methods
            client.sendall(b"\x05\x00")
            head = client.recv(4)
            if head[3] == 3:
                host = client.recv(client.recv(1)[0]).decode()
            else:
                host = socket.inet_ntoa(client.recv(4))
            port = struct.unpack("!H", client.recv(2))[0]
            self.connects.append((host, port))
            upstream = socket.create_connection((host, port))
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(
                "!H", port))
            with upstream:
                pump = threading.Thread(target=self.copy, args=(upstream, client), daemon=True)
                pump.start()
                self.copy(client, upstream)
                pump.join(5)

    @staticmethod
    def copy(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        self.stopped = True
        self.accept_thread.join(5)
        self.server.close()
        for t in self.threads:
            t.join(5)


def test_a_socks_proxy_url_reaches_the_cluster_through_the_proxy(tmp_path: Path) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path)
    proxy = Socks5()
    try:
        config = yaml.safe_load(kubeconfig.read_text())
        for cluster in config["clusters"]:
            cluster["cluster"]["proxy-url"] = f"socks5://127.0.0.1:{proxy.port}"
        path = tmp_path / "socks-kubeconfig"
        path.write_text(yaml.safe_dump(config))
        client = KubeClient.from_kubeconfig(str(path), "kurator-member1")
        try:
            names = {n["metadata"]["name"] for n in client.list(NAMESPACES)["items"]}
        finally:
            client.close()
        assert "velero" in names
        member_port = int(fleet.cluster("kurator-member1").url.rsplit(":", 1)[1])
        assert proxy.connects and proxy.connects[0][1] == member_port
    finally:
        proxy.stop()
        runner.stop()
