"""Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fleettui.sim.printer_jsonpath import json_path_value
from fleettui.sim.resource_type import ResourceType

Obj = dict[str, Any]

# Columns of the built-in kinds the simulator serves (a subset of the real printers).
BUILTIN_COLUMNS: dict[str, list[Obj]] = {
    "Namespace": [{"name": "Status", "type": "string", "jsonPath": ".status.phase"},
                  {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
    "Secret": [{"name": "Type", "type": "string", "jsonPath": ".type"},
               {"name": "Data", "type": "integer", "jsonPath": "__datalen"},
               {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
    "Pod": [{"name": "Ready", "type": "string", "jsonPath": "__ready"},
            {"name": "Status", "type": "string", "jsonPath": ".status.phase"},
            {"name": "Restarts", "type": "integer", "jsonPath": "__restarts"},
            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
    "CustomResourceDefinition": [{"name": "Created At", "type": "date",
                                  "jsonPath": ".metadata.creationTimestamp"}],
}
# ObjectMeta's field docs, which kube-apiserver gives as the Name column's description, and the
# Age column's of a custom resource without printer columns (apiextensions-apiserver
# pkg/registry/customresource/tableconvertor/tableconvertor.go).
NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions"
    ".md#metadata")  # split: a URL, not a file of ours (tests/test_source_citations.py)
_DEFAULT = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
             "description": AGE_DESCRIPTION}]


def column_description(rt: ResourceType, col: Obj) -> str:
    """A custom resource's printer column without a description gets the one tableconvertor.go
    makes up (the built-in kinds' printers have their own, not copied here)."""
    if rt.kind in BUILTIN_COLUMNS:
        return str(col.get("description", ""))
    return str(col.get("description") or "Custom resource definition column (in JSONPath "
               f"format): {col.get('jsonPath', '')}")


def human_duration(seconds: float) -> str:
    """Kubernetes' duration.HumanDuration, the AGE format everyone knows."""
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    d = h // 24
    if d < 8:
        return f"{d}d{h % 24}h" if h % 24 else f"{d}d"
    if d < 365 * 2:
        return f"{d}d"
    return f"{d // 365}y{d % 365}d" if d % 365 else f"{d // 365}y"


def _age(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "<invalid>"
    return human_duration((datetime.now(UTC) - t).total_seconds())


def _cell(obj: Obj, col: Obj) -> Any:
    path = col["jsonPath"]
    if path == "__datalen":
        return len(obj.get("data") or {})
    if path == "__ready":
        n = len((obj.get("spec") or {}).get("containers") or [])
        ready = n if (obj.get("status") or {}).get("phase") == "Running" else 0
        return f"{ready}/{n}"
    if path == "__restarts":
        return 0
    value = json_path_value(obj, path)
    if col.get("type") == "date":
        return _age(value)
    return value


def columns_for(rt: ResourceType) -> list[Obj]:
    if rt.kind in BUILTIN_COLUMNS:
        return BUILTIN_COLUMNS[rt.kind]
    return list(rt.printer_columns) or _DEFAULT


def table_for(rt: ResourceType, items: list[Obj], include: str, rv: str) -> Obj:
    cols = columns_for(rt)
    defs = [{"name": "Name", "type": "string", "format": "name",
             "description": NAME_DESCRIPTION, "priority": 0}]
    defs += [{"name": c["name"], "type": c.get("type", "string"), "format": c.get("format", ""),
              "description": column_description(rt, c), "priority": c.get("priority", 0)}
             for c in cols]
    rows = []
    for obj in items:
        row: Obj = {"cells": [obj["metadata"]["name"], *(_cell(obj, c) for c in cols)]}
        if include == "Object":
            row["object"] = obj
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj["metadata"]}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": rv}, "columnDefinitions": defs, "rows": rows}
