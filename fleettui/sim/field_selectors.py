"""Field selectors as the API server takes them (`metadata.name=x,metadata.namespace!=y`),
following apimachinery's fields.ParseSelector: parse and match."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from fleettui.model.errors import FieldError

DEFAULT_FIELD_LABELS = frozenset({"metadata.name", "metadata.namespace"})



def _split_terms(text: str) -> list[str]:
    # Backslash-escaped commas stay inside a term (apimachinery fields.splitTerms).
    terms: list[str] = []
    start, escaped = 0, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape(value: str, field: str) -> str:
    out: list[str] = []
    escaped = False
    for ch in value:
        if escaped:
            if ch not in "\\,=":
                raise FieldError(field, f"invalid escape sequence '\\{ch}' in value "
                                        f'"{value}"; only \\\\, \\, and \\= are allowed')
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise FieldError(field, f"unescaped '{ch}' in value \"{value}\"; write \\{ch}")
        else:
            out.append(ch)
    if escaped:
        raise FieldError(field, f'value "{value}" ends with a lone backslash')
    return "".join(out)


def parse_field_selector(text: str, field: str = "fieldSelector",
                         allowed: Collection[str] = DEFAULT_FIELD_LABELS,
                         ) -> list[tuple[str, str, str]]:
    """Parse ``metadata.name=x,metadata.namespace!=y`` into (field, op, value); op is = or !=."""
    if not isinstance(text, str):
        raise FieldError(field, "field selector must be text")
    result: list[tuple[str, str, str]] = []
    for term in _split_terms(text) if text else []:
        if term == "":
            continue
        split = _split_term(term)
        if split is None:
            raise FieldError(field, f'cannot understand "{term}"; expected <field>=<value>, '
                                    "<field>==<value> or <field>!=<value>")
        name, op, raw = split
        if name not in allowed:
            choices = ", ".join(sorted(allowed))
            raise FieldError(field, f'field label not supported: "{name}" (supported: '
                                    f"{choices})")
        result.append((name, "!=" if op == "!=" else "=", _unescape(raw, field)))
    return result


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return ""
        node = node.get(part)
    return node if isinstance(node, str) else "" if node is None else str(node)


def field_selector_matches(parsed: Iterable[tuple[str, str, str]],
                           obj: Mapping[str, Any]) -> bool:
    """True when every (field, op, value) term holds for ``obj`` (a missing field is "")."""
    for name, op, value in parsed:
        actual = _field_value(obj, name)
        if (actual == value) != (op == "="):
            return False
    return True
