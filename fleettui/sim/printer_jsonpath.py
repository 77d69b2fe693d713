"""The JSONPath subset of a CRD's additionalPrinterColumns (`.status.phase`, `.items[0]`,
`[?(@.type=="Ready")]`): the first match, or None; never raises."""

from __future__ import annotations

import json
import re
from typing import Any

from fleettui.sim.schema import json_equal

_Token = tuple[str, Any]  # ("key", name) | ("index", int) | ("all", None) | ("filter", (...))
_RX_FILTER = re.compile(
    r"""^\?\(\s*@((?:\.[^.=!<>\s]+)*)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^\s)]+))\s*\)$""")


def _parse_json_path(expr: str) -> list[_Token] | None:
    p = expr.strip()
    if p.startswith("{") and p.endswith("}"):
        p = p[1:-1].strip()
    if p.startswith("$"):
        p = p[1:]
    tokens: list[_Token] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == ".":
            i += 1
            if i < n and p[i] == ".":
                return None  # recursive descent: not a simple path
            name: list[str] = []
            while i < n and p[i] not in ".[":
                if p[i] == "\\" and i + 1 < n:
                    i += 1
                name.append(p[i])
                i += 1
            key = "".join(name)
            if key == "*":
                tokens.append(("all", None))
            elif key:
                tokens.append(("key", key))
        elif c == "[":
            end = _bracket_end(p, i)
            if end < 0:
                return None
            inner = p[i + 1:end].strip()
            i = end + 1
            tok = _bracket_token(inner)
            if tok is None:
                return None
            tokens.append(tok)
        else:
            return None
    return tokens


def _bracket_end(p: str, start: int) -> int:
    quote = ""
    for j in range(start + 1, len(p)):
        ch = p[j]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "]":
            return j
    return -1


def _bracket_token(inner: str) -> _Token | None:
    if inner == "*":
        return ("all", None)
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return ("key", inner[1:-1])
    if re.fullmatch(r"-?[0-9]+", inner):
        return ("index", int(inner))
    m = _RX_FILTER.match(inner)
    if m:
        sub = [seg for seg in m.group(1).split(".") if seg]
        if m.group(3) is not None or m.group(4) is not None:
            literal: Any = m.group(3) if m.group(3) is not None else m.group(4)
        else:
            try:
                literal = json.loads(m.group(5))
            except ValueError:
                literal = m.group(5)
        return ("filter", (sub, m.group(2), literal))
    return None


def _walk(values: list[Any], tok: _Token) -> list[Any]:
    kind, arg = tok
    out: list[Any] = []
    for v in values:
        if kind == "key":
            if isinstance(v, dict) and arg in v:
                out.append(v[arg])
        elif kind == "index":
            if isinstance(v, list) and -len(v) <= arg < len(v):
                out.append(v[arg])
        elif kind == "all":
            if isinstance(v, list):
                out.extend(v)
            elif isinstance(v, dict):
                out.extend(v.values())
        elif kind == "filter" and isinstance(v, list):
            sub, op, literal = arg
            for item in v:
                got: Any = item
                for seg in sub:
                    got = got.get(seg) if isinstance(got, dict) else None
                same = got is not None and json_equal(got, literal)
                if (op == "==") == same:
                    out.append(item)
    return out


def json_path_value(obj: dict[str, Any], json_path: str) -> Any:
    """A printer column's value: the first match of a simple JSONPath; None when missing."""
    try:
        tokens = _parse_json_path(json_path) if isinstance(json_path, str) else None
        if tokens is None:
            return None
        values: list[Any] = [obj]
        for tok in tokens:
            values = _walk(values, tok)
            if not values:
                return None
        return values[0]
    except Exception:
        return None
