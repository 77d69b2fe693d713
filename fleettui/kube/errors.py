"""One error type for everything that can go wrong talking to a cluster, with a plain message."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

UNTRUSTED = "CertificateNotTrusted"  # reason: the server's certificate fails TLS verification


@dataclass
class KubeError(Exception):
    """`code` is the HTTP status, or 0 when the server could not be reached at all."""

    code: int
    reason: str
    message: str
    causes: list[dict[str, str]] = field(default_factory=list)
    cluster: str = ""
    retry_after: float | None = None  # seconds, from a Retry-After header (429, 503)

    def __str__(self) -> str:
        where = f"{self.cluster}: " if self.cluster else ""
        return f"{where}{self.message}"

    @property
    def unreachable(self) -> bool:
        return self.code == 0

    @property
    def credentials(self) -> bool:
        """The server is there but the kubeconfig no longer fits it: its certificate is not
        signed by our CA, or it refuses our token (401)."""
        return self.code == 401 or self.reason == UNTRUSTED

    def field_errors(self) -> dict[str, str]:
        """422 causes keyed by field path, for showing each beside its input."""
        return {c.get("field", ""): c.get("message", "") for c in self.causes}


def from_status_body(code: int, body: Any, cluster: str = "") -> KubeError:
    """Build from an HTTP error response body (a Kubernetes Status, or anything else)."""
    status: dict[str, Any] = {}
    if isinstance(body, (bytes, str)):
        try:
            status = json.loads(body)
        except ValueError:
            status = {}
    elif isinstance(body, dict):
        status = body
    if not isinstance(status, dict):
        status = {}
    message = str(status.get("message") or _DEFAULT.get(code) or f"HTTP {code}")
    details = status.get("details") or {}
    causes = details.get("causes") or [] if isinstance(details, dict) else []
    return KubeError(code, str(status.get("reason") or ""), _explain(code, message),
                     [c for c in causes if isinstance(c, dict)], cluster)


def _explain(code: int, message: str) -> str:
    hint = _HINTS.get(code)
    return f"{message} ({hint})" if hint else message


_DEFAULT = {401: "Unauthorized: the credentials in the kubeconfig were refused",
            403: "Forbidden", 404: "Not found", 409: "Conflict", 429: "Too many requests",
            500: "Internal server error", 503: "Service unavailable"}
_HINTS = {401: "check the kubeconfig user's token or certificate",
          403: "your kubeconfig user lacks RBAC permission for this",
          429: "the API server is rate-limiting; retrying with backoff"}


def unreachable(cluster: str, detail: str) -> KubeError:
    return KubeError(0, "Unreachable", f"cannot reach the API server: {detail}", [], cluster)
