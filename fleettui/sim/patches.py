"""The three patch formats the API server accepts, applied to plain dicts."""

from __future__ import annotations

import copy
import json
from typing import Any


class PatchError(Exception):
    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


def apply(content_type: str, current: dict[str, Any], raw: bytes) -> dict[str, Any]:
    try:
        patch = json.loads(raw)
    except ValueError as e:
        raise PatchError(f"error decoding patch: {e}") from e
    if content_type == "application/json-patch+json":
        if not isinstance(patch, list):
            raise PatchError("json patch must be a list of operations")
        return json_patch(current, patch)
    if content_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        # Custom resources reject strategic merge; built-in kinds here have no list merge keys
        # that matter to fleettui, so a merge patch is a faithful enough stand-in.
        if not isinstance(patch, dict):
            raise PatchError("merge patch must be a JSON object")
        result = merge_patch(current, patch)
        assert isinstance(result, dict)
        return result
    if content_type == "application/apply-patch+yaml":
        raise PatchError("server-side apply is not supported by the fleet simulator", 415)
    raise PatchError(f"the media type {content_type!r} is not supported for PATCH", 415)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(doc: dict[str, Any], ops: list[Any]) -> dict[str, Any]:
    """RFC 6902 JSON patch (add, remove, replace, test, move, copy)."""
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(f"invalid json patch operation: {op!r}")
        doc = _json_patch_op(doc, op)
    return doc


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    for p in parts:
        if isinstance(doc, list):
            try:
                doc = doc[int(p)]
            except (ValueError, IndexError) as e:
                raise PatchError(f"path element {p!r} not found") from e
        elif isinstance(doc, dict) and p in doc:
            doc = doc[p]
        else:
            raise PatchError(f"path element {p!r} not found")
    return doc


def _json_patch_op(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    parts = _pointer(op["path"])
    if not parts:
        raise PatchError("replacing the whole object is not allowed")
    kind = op["op"]
    if kind in ("move", "copy"):
        value = copy.deepcopy(_walk(doc, _pointer(op.get("from", ""))))
        if kind == "move":
            doc = _json_patch_op(doc, {"op": "remove", "path": op["from"]})
        return _json_patch_op(doc, {"op": "add", "path": op["path"], "value": value})
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if kind == "test":
        if _walk(doc, parts) != op.get("value"):
            raise PatchError(f"testing value {op['path']} failed", 422)
    elif kind == "remove":
        _walk(doc, parts)
        if isinstance(parent, list):
            parent.pop(int(last))
        else:
            del parent[last]
    elif kind in ("add", "replace"):
        if kind == "replace":
            _walk(doc, parts)
        if isinstance(parent, list):
            idx = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(idx, op.get("value"))
            else:
                parent[idx] = op.get("value")
        elif isinstance(parent, dict):
            parent[last] = op.get("value")
        else:
            raise PatchError(f"cannot {kind} at {op['path']}")
    else:
        raise PatchError(f"unknown json patch op {kind!r}")
    return doc
