"""`metadata.managedFields` as a real API server keeps them: one entry per (manager,
subresource), stamped with its last write, listing the fields that write set (FieldsV1).

They are what makes objects on a real cluster two to three times heavier than their content:
kubectl hides them, and a client that keeps thousands of objects must drop them. The simulator
keeps them so that its objects weigh what real ones do. The ownership is simplified: a writer is
said to own every field of the part it wrote (spec and metadata labels/annotations, or status).
"""

from __future__ import annotations

import json
from typing import Any

Obj = dict[str, Any]
_OWNED_METADATA = ("labels", "annotations", "finalizers", "ownerReferences")


def fields_v1(value: Any) -> Obj:
    """The FieldsV1 set of `value`: `f:<key>` per map key, `.` for a map that has keys."""
    if isinstance(value, dict):
        out: Obj = {f"f:{k}": fields_v1(v) for k, v in value.items()}
        if out:
            out["."] = {}
        return out
    return {}  # a list is atomic, as every list of the Kurator and Velero CRDs is: owned whole


def _root(part: Obj) -> Obj:
    root = {k: v for k, v in fields_v1(part).items() if k != "."}  # the root has no "."
    meta = root.get("f:metadata")
    if meta is not None:  # nor has metadata, always there (seen on kube-apiserver v1.36)
        meta.pop(".", None)
        finalizers = part["metadata"].get("finalizers") or []
        if finalizers:  # a set (listType=set in ObjectMeta): each item owned on its own
            meta["f:finalizers"] = {".": {}, **{f"v:{json.dumps(f)}": {} for f in finalizers}}
    return root


def _written_part(obj: Obj, subresource: str) -> Obj:
    if subresource == "status":
        return {"status": obj.get("status") or {}}
    meta = obj.get("metadata") or {}
    part = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}
    owned = {k: meta[k] for k in _OWNED_METADATA if meta.get(k)}
    return {"metadata": owned, **part} if owned else part


def track(obj: Obj, previous: list[Obj], manager: str, subresource: str, when: str) -> list[Obj]:
    """`previous` with `manager`'s entry for `subresource` replaced by one for this write."""
    entry: Obj = {"manager": manager, "operation": "Update",
                  "apiVersion": obj.get("apiVersion", ""), "time": when,
                  "fieldsType": "FieldsV1", "fieldsV1": _root(_written_part(obj, subresource))}
    if subresource:
        entry["subresource"] = subresource
    kept = [e for e in previous
            if (e.get("manager"), e.get("subresource", "")) != (manager, subresource)]
    return [*kept, entry]


def manager_of(field_manager: str, user_agent: str) -> str:
    """The API server's rule: the fieldManager parameter, else the user agent's first word."""
    if field_manager:
        return field_manager[:128]
    return (user_agent.split("/", 1)[0].strip() or "unknown")[:128]
