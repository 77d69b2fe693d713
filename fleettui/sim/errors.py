"""Kubernetes `Status` error bodies, worded as the real API server words them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fleettui.sim.resource_type import ResourceType

_REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
    405: "MethodNotAllowed", 406: "NotAcceptable", 409: "Conflict", 410: "Expired",
    415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
    500: "InternalError", 503: "ServiceUnavailable",
}

INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list.")


class ApiError(Exception):
    def __init__(self, code: int, message: str, reason: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _REASONS.get(code, "Unknown")
        self.details = details
        self.list_continue = ""  # Status.metadata.continue, for an expired continue token

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status", "apiVersion": "v1",
            "metadata": {"continue": self.list_continue} if self.list_continue else {},
            "status": "Failure",
            "message": self.message, "reason": self.reason, "code": self.code,
        }
        if self.details is not None:
            # StatusDetails.group is `omitempty` (apimachinery pkg/apis/meta/v1/types.go): the
            # core group's "" is not sent.
            body["details"] = {k: v for k, v in self.details.items()
                               if not (k == "group" and v == "")}
        return body

    @classmethod
    def not_found(cls, rt: ResourceType, name: str) -> ApiError:
        return cls(404, f'{rt.group_resource} "{name}" not found',
                   details={"name": name, "group": rt.group, "kind": rt.plural})

    @classmethod
    def already_exists(cls, rt: ResourceType, name: str) -> ApiError:
        return cls(409, f'{rt.group_resource} "{name}" already exists', "AlreadyExists",
                   {"name": name, "group": rt.group, "kind": rt.plural})

    @classmethod
    def conflict(cls, rt: ResourceType, name: str) -> ApiError:
        return cls(409, f'Operation cannot be fulfilled on {rt.group_resource} "{name}": the '
                   "object has been modified; please apply your changes to the latest version "
                   "and try again", "Conflict", {"name": name, "group": rt.group,
                                                 "kind": rt.plural})

    @classmethod
    def gone(cls, rv: int, oldest: int) -> ApiError:
        """A watch from a compacted resourceVersion (apiserver pkg/storage/cacher/watch_cache.go).
        """
        return cls(410, f"too old resource version: {rv} ({oldest})", "Expired")

    @classmethod
    def continue_expired(cls, token: str) -> ApiError:
        """A `continue` older than the compaction (apiserver pkg/storage/etcd3/errors.go,
        inconsistentContinue); `token` resumes the list at the latest resourceVersion."""
        err = cls(410, INCONSISTENT_CONTINUE, "Expired")
        err.list_continue = token
        return err

    @classmethod
    def forbidden(cls, user: str, verb: str, rt: ResourceType, namespace: str, name: str = "",
                  sub: str = "") -> ApiError:
        """RBAC's denial, worded by apiserver pkg/endpoints/handlers/responsewriters/errors.go
        (forbiddenMessage) inside apimachinery pkg/api/errors NewForbidden."""
        resource = f"{rt.plural}/{sub}" if sub else rt.plural
        where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
        what = f'{rt.group_resource} "{name}"' if name else rt.group_resource
        details: dict[str, Any] = {"group": rt.group, "kind": rt.plural}
        if name:
            details["name"] = name
        return cls(403, f'{what} is forbidden: User "{user}" cannot {verb} resource '
                   f'"{resource}" in API group "{rt.group}"{where}', "Forbidden", details)

    @classmethod
    def invalid(cls, rt: ResourceType, name: str, message: str,
                causes: list[dict[str, str]]) -> ApiError:
        return cls(422, message, "Invalid",
                   {"name": name, "group": rt.group, "kind": rt.kind, "causes": causes})

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        return cls(400, message, "BadRequest")
