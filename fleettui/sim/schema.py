"""CustomResourceDefinition schemas: pruning, defaulting and validation as kube-apiserver does them.

The real apiserver handles a write to a custom resource in this order, and so should the emulator:

1. decode: `CrdSchema.prune` drops fields the structural schema does not declare (and returns
   their paths for `fieldValidation=Strict|Warn`), then drops `null` values of fields that are
   neither `nullable` nor defaulted;
2. `CrdSchema.default` fills in `default:` values of absent fields (the apiserver also does this
   on every read from storage);
3. `CrdSchema.validate` checks the OpenAPI v3 schema and returns `StatusCause`-shaped dicts,
   worded like apiextensions-apiserver words them (kube-openapi message inside a `field.Error`);
   `invalid_message` builds the 422 Status message from them.

Everything here works on JSON-like data (dict/list/str/int/float/bool/None), mutates in place
where documented, and never raises on malformed objects or odd schemas.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

Cause = dict[str, str]  # {"reason", "message", "field"}

# The fields of the apiserver's own ObjectMeta. The apiserver decodes a custom resource's root
# `metadata` into that Go struct, so anything else there is dropped (and reported under Strict).
_STR: dict[str, Any] = {"type": "string"}
_STR_MAP: dict[str, Any] = {"type": "object", "additionalProperties": _STR}
OBJECT_META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": _STR, "generateName": _STR, "namespace": _STR, "selfLink": _STR, "uid": _STR,
        "resourceVersion": _STR, "generation": {"type": "integer"},
        "creationTimestamp": _STR, "deletionTimestamp": _STR,
        "deletionGracePeriodSeconds": {"type": "integer"},
        "labels": _STR_MAP, "annotations": _STR_MAP,
        "ownerReferences": {"type": "array", "items": {"type": "object", "properties": {
            "apiVersion": _STR, "kind": _STR, "name": _STR, "uid": _STR,
            "controller": {"type": "boolean"}, "blockOwnerDeletion": {"type": "boolean"}}}},
        "finalizers": {"type": "array", "items": _STR},
        "managedFields": {"type": "array", "items": {"type": "object", "properties": {
            "manager": _STR, "operation": _STR, "apiVersion": _STR, "time": _STR,
            "fieldsType": _STR, "subresource": _STR,
            "fieldsV1": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}},
    },
}
_META_FIELDS = ("apiVersion", "kind", "metadata")


# ---------------------------------------------------------------------------------------------
# Small helpers: schema access, paths, Go-style value formatting
# ---------------------------------------------------------------------------------------------

def _node(s: Any) -> dict[str, Any] | None:
    return s if isinstance(s, dict) else None


def _props(s: Mapping[str, Any]) -> dict[str, Any]:
    p = s.get("properties")
    return p if isinstance(p, dict) else {}


def _items(s: Mapping[str, Any]) -> dict[str, Any] | None:
    return _node(s.get("items"))


def _flag(s: Mapping[str, Any], key: str) -> bool:
    return s.get(key) is True


def _child(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _index(path: str, i: int) -> str:
    return f"{path}[{i}]"


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def go_quote(s: str) -> str:
    """Go's strconv.Quote (`%q`): printable runes kept, the rest escaped."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\ufffd")  # a lone surrogate decodes to U+FFFD in Go
        elif ch.isprintable():
            out.append(ch)
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def go_float(x: float) -> str:
    """Go's `%v` for a float64 (strconv 'g', shortest): 1 → "1", 1.5 → "1.5", 1e6 → "1e+06"."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(x)).normalize().as_tuple()
    digits = "".join(str(d) for d in digit_tuple)
    assert isinstance(exponent, int)
    dp = len(digits) + exponent  # position of the decimal point
    exp = dp - 1
    neg = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return f"{neg}{digits}{'0' * (dp - len(digits))}"
    return f"{neg}{digits[:dp]}.{digits[dp:]}"


def _go_num(x: Any) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return go_float(x)
    return str(x)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str,
                          ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _bad_value(value: Any) -> str:
    """How field.Error.ErrorBody prints a bad value."""
    if value is None:
        return go_quote("null")
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, bool | int | float):
        return _go_num(value)
    return _json(value)


def _cause(reason: str, field: str, message: str) -> Cause:
    return {"reason": reason, "message": message, "field": field}


def _type_invalid(path: str, value: Any, detail: str) -> Cause:
    return _cause("FieldValueTypeInvalid", path, f"Invalid value: {_bad_value(value)}: {detail}")


def _invalid(path: str, value: Any, detail: str) -> Cause:
    return _cause("FieldValueInvalid", path, f"Invalid value: {_bad_value(value)}: {detail}")


def json_type(value: Any) -> str:
    """The JSON type name kube-openapi reports for a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_json_integer(x: float) -> bool:
    """swag.IsFloat64AJSONInteger: a float64 that is an exact integer within ±2^53."""
    return math.isfinite(x) and x.is_integer() and abs(x) <= 2.0 ** 53


def _schema_types(s: Mapping[str, Any]) -> list[str]:
    t = s.get("type")
    if isinstance(t, str) and t:
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    if _flag(s, "x-kubernetes-int-or-string"):
        return ["integer", "string"]
    return []


def _type_cause(x: Any, s: Mapping[str, Any], types: list[str], path: str) -> Cause | None:
    """kube-openapi's typeValidator, including how it treats `format` (e.g. int32, date-time).

    A value of another kind than the schema's `type` is reported with its JSON type name; but
    when the schema has a `format`, a non-string, non-array value is reported against the
    format ("must be of type int32: \"float64\""), and an array given to a formatted string
    field passes (both as the apiserver does).
    """
    fmt = s.get("format")
    fmt = fmt if isinstance(fmt, str) else ""
    if not types and not fmt:
        return None
    actual = json_type(x)
    data_fmt = {"integer": "int64", "number": "float64"}.get(actual, "")
    float_int = actual == "number" and "integer" in types and _is_json_integer(float(x))
    int_float = actual == "integer" and "number" in types
    if actual not in ("string", "array") and fmt and not (
            actual in types or data_fmt == fmt or float_int or int_float):
        return _type_invalid(path, data_fmt,
                             f"{path} in body must be of type {fmt}: {go_quote(data_fmt)}")
    if "number" not in types and "integer" not in types and fmt and actual in ("string", "array"):
        return None
    if not (actual in types or float_int or int_float):
        return _type_invalid(path, actual, f"{path} in body must be of type {','.join(types)}: "
                                           f"{go_quote(actual)}")
    return None


def json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if type(a) is not type(b) and not (isinstance(a, list | tuple) and isinstance(b, list | tuple)):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# ---------------------------------------------------------------------------------------------
# String formats (the subset of kube-openapi's strfmt registry that CRDs commonly use)
# ---------------------------------------------------------------------------------------------

_RX_TIME = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")
_RX_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_RX_UUID = re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_RX_HOSTNAME = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*$")
_RX_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5,19}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2,9}"
                     r"[0-9A-Fa-f]{4}$")
_RX_GO_DURATION = re.compile(r"^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$|^0$")
_RX_SCALA_DURATION = re.compile(
    r"^[0-9]+\s*(ns|nano|nanos|nanosecond|nanoseconds|us|micro|micros|microsecond|microseconds|"
    r"ms|milli|millis|millisecond|milliseconds|s|sec|secs|second|seconds|m|min|mins|minute|"
    r"minutes|h|hr|hrs|hour|hours|d|day|days|w|wk|wks|week|weeks)$")


def _is_date(s: str) -> bool:
    if not _RX_DATE.match(s):
        return False
    try:
        date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return False
    return True


def is_date_time(s: str) -> bool:
    """kube-openapi strfmt.IsDateTime: RFC 3339 `date-time`, e.g. 2023-10-28T03:37:07Z."""
    if len(s) < 4:
        return False
    parts = s.lower().split("t")
    if len(parts) < 2 or not _is_date(parts[0]):
        return False
    m = _RX_TIME.match(parts[1])
    if not m:
        return False
    return m.group(1) <= "23" and m.group(2) <= "59" and m.group(3) <= "59"


def _is_byte(s: str) -> bool:
    try:
        base64.b64decode(s.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_ip(s: str, version: int) -> bool:
    import ipaddress

    try:
        addr = ipaddress.ip_address(s)
    except ValueError:
        return False
    return addr.version == version


def _is_cidr(s: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_network(s, strict=False)
    except ValueError:
        return False
    return "/" in s


def _format_checks() -> dict[str, Any]:
    return {
        "datetime": is_date_time,
        "date": _is_date,
        "byte": _is_byte,
        "uuid": lambda s: bool(_RX_UUID.match(s)),
        "ipv4": lambda s: _is_ip(s, 4),
        "ipv6": lambda s: _is_ip(s, 6),
        "cidr": _is_cidr,
        "mac": lambda s: bool(_RX_MAC.match(s)),
        "hostname": lambda s: len(s) <= 255 and bool(_RX_HOSTNAME.match(s)),
        "duration": lambda s: bool(_RX_GO_DURATION.match(s) or _RX_SCALA_DURATION.match(s)),
        "password": lambda s: True,
    }


_FORMATS = _format_checks()


def _check_format(fmt: str, value: str) -> bool | None:
    """True/False when the format is known (strfmt normalizes by dropping '-' and '_')."""
    check = _FORMATS.get(fmt.replace("-", "").replace("_", "").lower())
    if check is None:
        return None
    try:
        return bool(check(value))
    except (ValueError, TypeError, OverflowError):
        return False


# ---------------------------------------------------------------------------------------------
# Pruning (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning)
# ---------------------------------------------------------------------------------------------

def _prune(x: Any, s: dict[str, Any] | None, path: str, out: list[str],
           root: bool = False) -> None:
    if s is not None and _flag(s, "x-kubernetes-preserve-unknown-fields"):
        _skip_prune(x, s, path, out, root)
        return
    if isinstance(x, dict):
        if s is None:
            for k in list(x):
                out.append(_child(path, k))
                del x[k]
            return
        _prune_object(x, s, path, out, root, keep_unknown=False)
    elif isinstance(x, list):
        items = None if s is None else _items(s)
        for i, v in enumerate(x):
            _prune(v, items, _index(path, i), out)


def _prune_object(x: dict[str, Any], s: dict[str, Any], path: str, out: list[str],
                  root: bool, keep_unknown: bool) -> None:
    """Prune one object's keys; unknown ones go unless `keep_unknown` (preserve-unknown)."""
    props = _props(s)
    addl = s.get("additionalProperties")
    embedded = root or _flag(s, "x-kubernetes-embedded-resource")
    for k in list(x):
        v = x[k]
        if embedded and _keep_meta_field(k, v, path, out):
            continue
        if k in props:
            _prune(v, _node(props[k]), _child(path, k), out)
        elif isinstance(addl, dict):
            _prune(v, addl, _child(path, k), out)
        elif addl is not True and not keep_unknown:
            out.append(_child(path, k))
            del x[k]


def _keep_meta_field(k: str, v: Any, path: str, out: list[str]) -> bool:
    """apiVersion/kind/metadata of an (embedded) resource are never pruned by the schema.

    The apiserver decodes `metadata` into its ObjectMeta struct instead, which drops (and
    reports) unknown keys there; that is done here with OBJECT_META_SCHEMA.
    """
    if k not in _META_FIELDS:
        return False
    if k == "metadata" and isinstance(v, dict):
        _prune(v, OBJECT_META_SCHEMA, _child(path, k), out)
    return True


def _skip_prune(x: Any, s: dict[str, Any], path: str, out: list[str], root: bool) -> None:
    """Under x-kubernetes-preserve-unknown-fields: keep unknown keys, prune declared ones."""
    if isinstance(x, dict):
        _prune_object(x, s, path, out, root, keep_unknown=True)
    elif isinstance(x, list):
        items = _items(s)
        if items is None:
            return
        for i, v in enumerate(x):
            _skip_prune(v, items, _index(path, i), out, False)


def _drop_nulls(x: Any, s: dict[str, Any] | None) -> None:
    """PruneNonNullableNullsWithoutDefaults: `null` for a non-nullable, undefaulted field."""
    if s is None:
        return
    if isinstance(x, dict):
        props = _props(s)
        addl = _node(s.get("additionalProperties"))
        for k in list(x):
            v = x[k]
            sub = _node(props[k]) if k in props else addl
            if sub is None:
                continue
            if v is None and not _flag(sub, "nullable") and not _has_default(sub):
                del x[k]
            else:
                _drop_nulls(v, sub)
    elif isinstance(x, list):
        items = _items(s)
        for v in x:
            _drop_nulls(v, items)


# ---------------------------------------------------------------------------------------------
# Defaulting (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting)
# ---------------------------------------------------------------------------------------------

def _has_default(s: dict[str, Any] | None) -> bool:
    return s is not None and s.get("default") is not None


def _non_nullable_null(v: Any, s: dict[str, Any] | None) -> bool:
    return v is None and s is not None and not _flag(s, "nullable") and _has_default(s)


def _default(x: Any, s: dict[str, Any] | None) -> None:
    if s is None:
        return
    if isinstance(x, dict):
        props = _props(s)
        for k, raw in props.items():
            prop = _node(raw)
            if not _has_default(prop):
                continue
            assert prop is not None
            if k not in x or _non_nullable_null(x[k], prop):
                x[k] = copy.deepcopy(prop["default"])
        addl = _node(s.get("additionalProperties"))
        for k in list(x):
            if k in props:
                _default(x[k], _node(props[k]))
            elif addl is not None:
                if _non_nullable_null(x[k], addl):
                    x[k] = copy.deepcopy(addl["default"])
                _default(x[k], addl)
    elif isinstance(x, list):
        items = _items(s)
        for i in range(len(x)):
            if _non_nullable_null(x[i], items):
                assert items is not None
                x[i] = copy.deepcopy(items["default"])
            _default(x[i], items)


# ---------------------------------------------------------------------------------------------
# Validation (kube-openapi validate + apiextensions' kubeOpenAPIResultToFieldErrors)
# ---------------------------------------------------------------------------------------------

def _validate(x: Any, s: dict[str, Any] | None, path: str, out: list[Cause]) -> None:
    if s is None:
        return
    types = _schema_types(s)
    nullable = _flag(s, "nullable")
    if x is None:
        if types and "null" not in types and not nullable:
            out.append(_type_invalid(path, "null",
                                     f'{path} in body must be of type {",".join(types)}: "null"'))
        if not nullable:
            _check_enum(x, s, path, out)
        return

    # type
    type_cause = _type_cause(x, s, types, path)
    if type_cause is not None:
        out.append(type_cause)
    # string: maxLength, minLength, pattern
    if isinstance(x, str):
        _check_string(x, s, path, out)
    # number: multipleOf, maximum, minimum
    if _is_number(x):
        _check_number(x, s, path, out)
    # array: minItems, maxItems, uniqueItems, items
    if isinstance(x, list):
        _check_array(x, s, path, out)
    # enum
    _check_enum(x, s, path, out)
    # object: min/maxProperties, additionalProperties, properties, required
    if isinstance(x, dict):
        _check_object(x, s, path, out)


def _int_limit(s: Mapping[str, Any], key: str) -> int | None:
    v = s.get(key)
    if isinstance(v, bool) or not _is_number(v):
        return None
    assert isinstance(v, int | float)
    return int(v) if math.isfinite(v) else None


def _num_limit(s: Mapping[str, Any], key: str) -> float | None:
    v = s.get(key)
    if isinstance(v, bool) or not _is_number(v):
        return None
    assert isinstance(v, int | float)
    return float(v)


def _check_string(x: str, s: dict[str, Any], path: str, out: list[Cause]) -> None:
    n = len(x)
    max_len = _int_limit(s, "maxLength")
    if max_len is not None and n > max_len:
        out.append(_cause("FieldValueTooLong", path, f"Too long: may not be longer than {max_len}"))
    min_len = _int_limit(s, "minLength")
    if min_len is not None and n < min_len:
        out.append(_invalid(path, x, f"{path} in body should be at least {min_len} chars long"))
    pattern = s.get("pattern")
    if isinstance(pattern, str):
        rx = _compile(pattern)
        if rx is not None and not rx.search(x):
            out.append(_invalid(path, x, f"{path} in body should match '{pattern}'"))
    fmt = s.get("format")
    if isinstance(fmt, str) and fmt and _check_format(fmt, x) is False:
        out.append(_type_invalid(path, x, f"{path} in body must be of type {fmt}: {go_quote(x)}"))


_RX_CACHE: dict[str, re.Pattern[str] | None] = {}


def _compile(pattern: str) -> re.Pattern[str] | None:
    if pattern not in _RX_CACHE:
        try:
            _RX_CACHE[pattern] = re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            _RX_CACHE[pattern] = None  # not a pattern Python understands: do not enforce
    return _RX_CACHE[pattern]


def _check_number(x: float, s: dict[str, Any], path: str, out: list[Cause]) -> None:
    try:
        value = float(x)
    except OverflowError:
        value = math.inf if x > 0 else -math.inf
    factor = _num_limit(s, "multipleOf")
    if factor is not None and factor > 0 and math.isfinite(value):
        q = value / factor
        if not _is_json_integer(q):
            out.append(_invalid(path, x, f"{path} in body should be a multiple of "
                                         f"{go_float(factor)}"))
    maximum = _num_limit(s, "maximum")
    if maximum is not None:
        exclusive = _flag(s, "exclusiveMaximum")
        if value > maximum or (exclusive and value >= maximum):
            rel = "less than" if exclusive else "less than or equal to"
            out.append(_invalid(path, x, f"{path} in body should be {rel} {go_float(maximum)}"))
    minimum = _num_limit(s, "minimum")
    if minimum is not None:
        exclusive = _flag(s, "exclusiveMinimum")
        if value < minimum or (exclusive and value <= minimum):
            rel = "greater than" if exclusive else "greater than or equal to"
            out.append(_invalid(path, x, f"{path} in body should be {rel} {go_float(minimum)}"))


def _check_array(x: list[Any], s: dict[str, Any], path: str, out: list[Cause]) -> None:
    n = len(x)
    min_items = _int_limit(s, "minItems")
    if min_items is not None and n < min_items:
        out.append(_invalid(path, n, f"{path} in body should have at least {min_items} items"))
    max_items = _int_limit(s, "maxItems")
    if max_items is not None and n > max_items:
        out.append(_cause("FieldValueTooMany", path,
                          f"Too many: {n}: must have at most {max_items} items"))
    if _flag(s, "uniqueItems"):
        seen: set[str] = set()
        for v in x:
            key = _json(v)
            if key in seen:
                out.append(_invalid(path, "", f"{path} in body shouldn't contain duplicates"))
                break
            seen.add(key)
    items = _items(s)
    if items is not None:
        for i, v in enumerate(x):
            _validate(v, items, _index(path, i), out)


def _check_enum(x: Any, s: dict[str, Any], path: str, out: list[Cause]) -> None:
    enum = s.get("enum")
    if not isinstance(enum, list) or not enum:
        return
    if any(json_equal(x, e) for e in enum):
        return
    values = ", ".join(go_quote(e if isinstance(e, str) else _json(e)) for e in enum)
    out.append(_cause("FieldValueNotSupported", path,
                      f"Unsupported value: {_bad_value(x)}: supported values: {values}"))


def _check_object(x: dict[str, Any], s: dict[str, Any], path: str, out: list[Cause]) -> None:
    n = len(x)
    min_props = _int_limit(s, "minProperties")
    if min_props is not None and n < min_props:
        out.append(_invalid(path, "", f"{path} in body should have at least {min_props} "
                                      "properties"))
        return
    max_props = _int_limit(s, "maxProperties")
    if max_props is not None and n > max_props:
        out.append(_cause("FieldValueTooMany", path,
                          f"Too many: {n}: must have at most {max_props} items"))
        return
    props = _props(s)
    addl = s.get("additionalProperties")
    if addl is False:
        for k in x:
            if k not in props:
                out.append(_invalid(path, "", f"{path}.{k} in body is a forbidden property"))
    elif isinstance(addl, dict):
        for k, v in x.items():
            if k not in props:
                _validate(v, addl, _child(path, k), out)
    for k, raw in props.items():
        if k in x:
            _validate(x[k], _node(raw), _child(path, k), out)
    required = s.get("required")
    if isinstance(required, list):
        for k in required:
            if isinstance(k, str) and k not in x:
                out.append(_cause("FieldValueRequired", _child(path, k), "Required value"))


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

class CrdSchema:
    """The `openAPIV3Schema` of one CRD version, applied the way kube-apiserver applies it."""

    def __init__(self, open_api_v3_schema: dict[str, Any]) -> None:
        self.raw: dict[str, Any] = open_api_v3_schema if isinstance(open_api_v3_schema, dict) \
            else {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CrdSchema) and self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CrdSchema(<{len(_props(self.raw))} root properties>)"

    def prune(self, obj: dict[str, Any]) -> list[str]:
        """Drop undeclared fields in place; return their paths (`spec.foo`, `a.b[0].c`).

        Root `apiVersion`, `kind` and `metadata` are never pruned by the schema; unknown keys
        inside root `metadata` are dropped as the apiserver's ObjectMeta decoding does
        (reported first, as `metadata.foo`).
        Afterwards `null` values of fields that are neither nullable nor defaulted are removed
        silently, as the apiserver does before defaulting.
        """
        out: list[str] = []
        try:
            _prune(obj, self.raw, "", out, root=True)
            # the apiserver reports ObjectMeta's unknown fields before the schema's
            meta_first = [p for p in out if p.startswith("metadata.")]
            out = meta_first + [p for p in out if not p.startswith("metadata.")]
            _drop_nulls(obj, self.raw)
        except RecursionError:
            pass
        return out

    def default(self, obj: dict[str, Any]) -> None:
        """Apply `default:` values of absent (or non-nullable null) fields, in place."""
        with contextlib.suppress(RecursionError):
            _default(obj, self.raw)

    def validate(self, obj: dict[str, Any]) -> list[Cause]:
        """Check `obj` against the schema; [] when valid. Call after prune() and default()."""
        out: list[Cause] = []
        try:
            _validate(obj, self.raw, "", out)
        except RecursionError:
            out.append(_invalid("", "", "object is nested too deeply"))
        return out

    def admit(self, obj: dict[str, Any]) -> tuple[list[str], list[Cause]]:
        """prune → default → validate, in the apiserver's order: (unknown paths, causes)."""
        unknown = self.prune(obj)
        self.default(obj)
        return unknown, self.validate(obj)


def _field_error(cause: Mapping[str, str]) -> str:
    return f"{cause.get('field', '')}: {cause.get('message', '')}"


def invalid_message(kind: str, group: str, name: str, causes: list[Cause]) -> str:
    """apierrors.NewInvalid's message: `Kind.group "name" is invalid: <errors>`.

    One distinct error is printed bare; several are wrapped in `[...]` and joined by `, `.
    """
    qualified = f"{kind}.{group}" if group else kind
    head = f"{qualified} {go_quote(name)} is invalid"
    msgs: list[str] = []
    for c in causes:
        m = _field_error(c)
        if m not in msgs:
            msgs.append(m)
    if not msgs:
        return head
    if len(msgs) == 1:
        return f"{head}: {msgs[0]}"
    return f"{head}: [{', '.join(msgs)}]"


def strict_decoding_message(kind: str, version: str, unknown_paths: Iterable[str]) -> str:
    """The 400 message for fieldValidation=Strict, as kube-apiserver v1.36 words it for a
    custom resource: `Backup in version "v1alpha1" cannot be handled as a Backup: strict
    decoding error: unknown field "a", ...` (apiextensions-apiserver pkg/apiserver
    customresource_handler.go wraps the decoder's error in NewBadRequest)."""
    return (f"{kind} in version {go_quote(version)} cannot be handled as a {kind}: strict "
            "decoding error: " + ", ".join(unknown_field_warnings(unknown_paths)))


def unknown_field_warnings(unknown_paths: Iterable[str]) -> list[str]:
    """The `Warning:` texts for fieldValidation=Warn, one per pruned path, in kube-apiserver's
    order: those under metadata first (ObjectMeta is decoded on its own), then the rest
    sorted (seen on kube-apiserver v1.36.3, tests/realapi/test_api_compare_both.py)."""
    paths = list(unknown_paths)
    ordered = sorted(p for p in paths if p.startswith("metadata.")) + sorted(
        p for p in paths if not p.startswith("metadata."))
    return [f"unknown field {go_quote(p)}" for p in ordered]
