"""TLS for the emulated API servers.

kubectl never sends a bearer token over plain HTTP, so the simulator serves HTTPS with a CA of
its own; kubeconfigs carry that CA. The material is kept in the state file so that kubeconfigs
written before a restart still verify afterwards.
"""

from __future__ import annotations

import base64
import os
import ssl
import tempfile
from dataclasses import dataclass

import trustme


@dataclass(frozen=True)
class TlsMaterial:
    ca_pem: bytes
    server_pem: bytes  # private key + certificate chain

    @classmethod
    def create(cls) -> TlsMaterial:
        ca = trustme.CA(organization_name="fleettui simulator")
        cert = ca.issue_cert("127.0.0.1", "localhost")
        return cls(ca.cert_pem.bytes(), cert.private_key_and_cert_chain_pem.bytes())

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        fd, path = tempfile.mkstemp(suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.server_pem)
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    @property
    def ca_data(self) -> str:
        """`certificate-authority-data` for a kubeconfig."""
        return base64.b64encode(self.ca_pem).decode()

    def dump(self) -> dict[str, str]:
        return {"ca": self.ca_pem.decode(), "server": self.server_pem.decode()}

    @classmethod
    def load(cls, data: dict[str, str]) -> TlsMaterial:
        return cls(data["ca"].encode(), data["server"].encode())
