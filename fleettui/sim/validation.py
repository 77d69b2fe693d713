"""Admission for writes: object metadata rules and CRD schema checks, as the API server does."""

from __future__ import annotations

import re
from typing import Any

from fleettui.sim.errors import ApiError
from fleettui.sim.resource_type import ResourceType
from fleettui.sim.schema import invalid_message, strict_decoding_message, unknown_field_warnings

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_KEY_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def _invalid(field: str, value: Any, detail: str) -> dict[str, str]:
    return {"reason": "FieldValueInvalid", "field": field,
            "message": f'Invalid value: "{value}": {detail}'}


def metadata_causes(rt: ResourceType, meta: dict[str, Any]) -> list[dict[str, str]]:
    causes: list[dict[str, str]] = []
    name = meta.get("name") or meta.get("generateName", "").rstrip("-")
    if not name:
        causes.append({"reason": "FieldValueRequired", "field": "metadata.name",
                       "message": "Required value: name or generateName is required"})
    elif rt.kind == "Namespace":
        if len(name) > 63 or not _LABEL.match(name):
            causes.append(_invalid("metadata.name", name, _LABEL_MSG))
    elif len(name) > 253 or not _SUBDOMAIN.match(name):
        causes.append(_invalid("metadata.name", name, _SUBDOMAIN_MSG))
    for kind in ("labels", "annotations"):
        value = meta.get(kind)
        if value is not None and not isinstance(value, dict):
            causes.append(_invalid(f"metadata.{kind}", value, "must be a map"))
    for key, val in (meta.get("labels") or {}).items():
        causes += _label_causes(str(key), val)
    return causes


def _label_causes(key: str, val: Any) -> list[dict[str, str]]:
    causes = []
    prefix, _, name = key.rpartition("/")
    if (prefix and (len(prefix) > 253 or not _SUBDOMAIN.match(prefix))) or len(name) > 63 or \
            not _LABEL_KEY_NAME.match(name):
        causes.append(_invalid("metadata.labels", key, "name part must consist of alphanumeric "
                               "characters, '-', '_' or '.', and must start and end with an "
                               "alphanumeric character"))
    if not isinstance(val, str) or len(val) > 63 or not _LABEL_VALUE.match(val):
        causes.append(_invalid("metadata.labels", val, "a valid label must be an empty string "
                               "or consist of alphanumeric characters, '-', '_' or '.', and "
                               "must start and end with an alphanumeric character"))
    return causes


def check_object(rt: ResourceType, obj: dict[str, Any], field_validation: str) -> list[str]:
    """Prune, default and validate `obj` in place. Raises ApiError; returns warnings."""
    if field_validation not in ("Strict", "Warn", "Ignore"):
        raise ApiError.bad_request(
            f'Invalid value: "{field_validation}": fieldValidation must be one of "Ignore", '
            '"Warn" or "Strict"')
    warnings: list[str] = []
    if rt.schema is not None:
        pruned = rt.schema.prune(obj)
        if pruned and field_validation == "Strict":
            raise ApiError.bad_request(strict_decoding_message(
                rt.kind, rt.version, pruned))
        if field_validation == "Warn":
            warnings = unknown_field_warnings(pruned)
        rt.schema.default(obj)
    meta = obj["metadata"]
    causes = metadata_causes(rt, meta)
    if rt.schema is not None:
        causes += rt.schema.validate(obj)
    if causes:
        msg = invalid_message(rt.kind, rt.group, str(meta.get("name", "")), causes)
        raise ApiError.invalid(rt, str(meta.get("name", "")), msg, causes)
    return warnings
