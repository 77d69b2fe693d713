"""Who is asking, and may they: bearer tokens (optionally expiring) and RBAC-like policies.

The simulator knows a few fixed users, each with the rights a real cluster's RBAC would give:

* `fleettui-admin`: everything (cluster-admin);
* `fleettui-readonly`: every read, no write;
* `viewer`: every read except Secrets, no write (the built-in `view` ClusterRole);
* `ns-<NS>`: everything inside namespace NS, nothing elsewhere or at the cluster scope (an
  `admin` RoleBinding in NS).

A denied request gets the 403 kube-apiserver sends (apiserver
pkg/endpoints/handlers/responsewriters/errors.go); an unknown or expired token gets its 401.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web

from fleettui.sim.errors import ApiError
from fleettui.sim.resource_type import ResourceType

ADMIN = "fleettui-admin"
READONLY = "fleettui-readonly"
VIEWER = "viewer"
READ_VERBS = frozenset({"get", "list", "watch"})


def namespace_user(namespace: str) -> str:
    return f"ns-{namespace}"


@dataclass(frozen=True)
class Policy:
    """What one user may do; `namespace` set: only inside that namespace."""

    write: bool = True
    secrets: bool = True
    namespace: str | None = None

    def allows(self, verb: str, rt: ResourceType, namespace: str) -> bool:
        if self.namespace is not None and namespace != self.namespace:
            return False
        if verb not in READ_VERBS and not self.write:
            return False
        return self.secrets or rt.key != "/secrets"


POLICIES: dict[str, Policy] = {
    ADMIN: Policy(),
    "system:admin": Policy(),  # a server with no tokens at all lets everyone in
    READONLY: Policy(write=False),
    VIEWER: Policy(write=False, secrets=False),
}


def policy_for(user: str) -> Policy:
    if user in POLICIES:
        return POLICIES[user]
    if user.startswith("ns-"):
        return Policy(namespace=user.removeprefix("ns-"))
    return Policy(write=False, secrets=False, namespace="\0")  # knows nobody: nothing


@dataclass
class Credential:
    user: str
    expires: float | None  # time.time() after which the token is refused; None: never


@dataclass
class Auth:
    """Bearer tokens → users. `ttl` > 0: tokens made by `issue(..., expiring=True)` and `mint`
    stop working `ttl` seconds after they were issued, as an OIDC or cloud token does."""

    ttl: float = 0.0
    creds: dict[str, Credential] = field(default_factory=dict)

    @property
    def tokens(self) -> dict[str, str]:
        return {t: c.user for t, c in self.creds.items()}

    def issue(self, token: str, user: str, expiring: bool = True) -> str:
        expires = time.time() + self.ttl if expiring and self.ttl > 0 else None
        self.creds[token] = Credential(user, expires)
        return token

    def mint(self, user: str) -> tuple[str, float | None]:
        """A fresh token for `user` (what an exec credential plugin asks its issuer for)."""
        now = time.time()
        for t in [t for t, c in self.creds.items() if c.expires is not None and c.expires < now]:
            del self.creds[t]
        token = self.issue(f"minted-{secrets.token_hex(12)}", user)
        return token, self.creds[token].expires

    def user(self, request: web.Request) -> str:
        if not self.creds:
            return "system:admin"
        header = request.headers.get("Authorization", "")
        cred = self.creds.get(header.removeprefix("Bearer ").strip())
        if cred is None or (cred.expires is not None and time.time() >= cred.expires):
            # apiserver pkg/endpoints/filters/authentication.go: the same body for both.
            raise ApiError(401, "Unauthorized")
        return cred.user

    def authorize(self, user: str, verb: str, rt: ResourceType, namespace: str, name: str,
                  sub: str) -> None:
        if policy_for(user).allows(verb, rt, namespace):
            return
        raise ApiError.forbidden(user, verb, rt, namespace, name, sub)


def request_verb(method: str, is_item: bool, watch: bool) -> str:
    """The RBAC verb of a request (apiserver pkg/endpoints/request/requestinfo.go)."""
    if method == "GET":
        if watch:
            return "watch"
        return "get" if is_item else "list"
    if method == "DELETE":
        return "delete" if is_item else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())
