"""OpenAPI v3 documents built from the served types, so that kubectl's validation works."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fleettui.sim.resource_type import ResourceType

Obj = dict[str, Any]

_OBJECT_META: Obj = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
_CORE_SCHEMAS: dict[str, Obj] = {
    # Loose schemas for the built-in kinds: enough for kubectl to find the GVK.
    kind: {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
           "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                          "metadata": _OBJECT_META}}
    for kind in ("Namespace", "Pod", "Secret", "CustomResourceDefinition")
}


def schema_name(rt: ResourceType) -> str:
    group = ".".join(reversed(rt.group.split("."))) if rt.group else "io.k8s.api.core"
    return f"{group}.{rt.version}.{rt.kind}"


# kube-apiserver's names (apiextensions-apiserver pkg/controller/openapi/builder/builder.go):
# ObjectMeta under its Go package path, referred to with a description through allOf.
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
METADATA_PROPERTY: Obj = {
    "description": "Standard object's metadata. More info: https://git.k8s.io/community/"
                   "contributors/devel/sig-architecture/api-conventions"
                   ".md#metadata",  # split: a URL, not a file of ours (test_source_citations)
    "allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}]}


def _schema(rt: ResourceType) -> Obj:
    base = (rt.crd and _crd_schema(rt.crd)) or _CORE_SCHEMAS.get(rt.kind) or {"type": "object"}
    doc: Obj = json.loads(json.dumps(base))
    props = doc.setdefault("properties", {})
    props["metadata"] = json.loads(json.dumps(METADATA_PROPERTY))
    doc["x-kubernetes-group-version-kind"] = [
        {"group": rt.group, "version": rt.version, "kind": rt.kind}]
    return doc


def _crd_schema(crd: Obj) -> Obj | None:
    for v in crd["spec"]["versions"]:
        if v.get("served", True):
            return dict(v.get("schema", {}).get("openAPIV3Schema") or {})
    return None


def _param(name: str) -> Obj:
    return {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}


def _paths(rt: ResourceType) -> Obj:
    prefix = f"/apis/{rt.group}/{rt.version}" if rt.group else "/api/v1"
    ns = "/namespaces/{namespace}" if rt.namespaced else ""
    gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    ok = {"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema_name(rt)}"}}}}}
    write_params = [_param("dryRun"), _param("fieldManager"), _param("fieldValidation")]
    item: Obj = {
        op: {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": op,
             "parameters": write_params if op in ("put", "patch") else [],
             "responses": ok}
        for op in ("get", "put", "patch", "delete")
    }
    coll: Obj = {
        "get": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "list",
                "responses": ok},
        "post": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "post",
                 "parameters": write_params, "responses": ok},
    }
    return {f"{prefix}{ns}/{rt.plural}": coll, f"{prefix}{ns}/{rt.plural}/{{name}}": item}


def openapi_v3_document(types: list[ResourceType]) -> Obj:
    schemas: Obj = {OBJECT_META: {"type": "object",
                                  "x-kubernetes-preserve-unknown-fields": True}}
    paths: Obj = {}
    for rt in types:
        schemas[schema_name(rt)] = _schema(rt)
        paths.update(_paths(rt))
    # A custom resource group's document is titled by the CRD builder, a built-in one's not.
    custom = any(rt.crd for rt in types)
    info = {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"} if custom else {
        "title": "Kubernetes", "version": "v1.32.0"}
    return {"openapi": "3.0.0", "info": info, "paths": paths,
            "components": {"schemas": schemas}}


def openapi_index(by_group: dict[str, list[ResourceType]]) -> Obj:
    paths = {}
    for gv, types in sorted(by_group.items()):
        prefix = "apis/" if "/" in gv else "api/"
        digest = hashlib.sha256(
            json.dumps(openapi_v3_document(types), sort_keys=True).encode()).hexdigest()[:32]
        paths[prefix + gv] = {"serverRelativeURL": f"/openapi/v3/{prefix}{gv}?hash={digest}"}
    return {"paths": paths}
