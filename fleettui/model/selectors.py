"""Kubernetes label selectors: parse, render, validate and match.

The parser follows k8s.io/apimachinery ``labels.Parse`` (same lexer, grammar and messages in
spirit) and converts the result the way ``metav1.ParseToLabelSelector`` does, into a
LabelSelector dict ``{"matchLabels": {...}, "matchExpressions": [...]}`` with empty parts
omitted. Differences, on purpose:

* ``a!=b`` becomes ``{"key": "a", "operator": "NotIn", "values": ["b"]}`` (metav1 has no
  not-equals operator; NotIn with one value has the same meaning, including "matches when the
  label is absent").
* ``a=b,a=c`` keeps both requirements: the second becomes ``a in (c)`` instead of silently
  overwriting the first in matchLabels.
* ``>``/``<`` are rejected: metav1.LabelSelector cannot express them.
* A NUL character is an error (the Go lexer treats it as the end of input).
* ``k in ()`` and ``k notin ()`` are errors naming the key (apimachinery reads ``()`` as the
  empty value).

Canonical rendering (``render_selector``): matchLabels first as ``k=v`` in dict order, then
matchExpressions in list order: ``k in (a,b)``, ``k!=v`` (NotIn with exactly one value),
``k notin (a,b)``, ``k`` (Exists), ``!k`` (DoesNotExist). Values are rendered sorted and
de-duplicated, which is also how the parser stores them, so ``parse(render(x)) == x`` for
every valid selector whose value lists are sorted and unique (everything ``parse`` returns).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fleettui.model.errors import FieldError

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

_NAME_RE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_WHITESPACE = " \t\r\n"
_SPECIAL = "=!(),<>"
_SYMBOLS = {"!", "!=", "(", ")", ",", "=", "==", ">", "<"}
_KEYWORDS = {"in", "notin"}

# Token kinds.
_ID, _SYM, _KEYWORD, _END = "identifier", "symbol", "keyword", "end"


# ---------------------------------------------------------------------------------------------
# Keys and values


def _key_problem(key: str) -> str | None:
    if key == "":
        return "label key must not be empty"
    parts = key.split("/")
    if len(parts) > 2:
        return (f'label key "{key}" has more than one "/"; use an optional DNS prefix and a '
                'name, e.g. "example.com/name"')
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if prefix == "":
            return f'label key "{key}" has an empty prefix before "/"; remove the "/"'
        if len(prefix) > 253 or not _SUBDOMAIN_RE.fullmatch(prefix):
            return (f'label key prefix "{prefix}" must be a lowercase DNS subdomain '
                    '(e.g. "example.com")')
    if name == "":
        return f'label key "{key}" has an empty name after "/"'
    if len(name) > 63:
        return f'label key name "{name}" is {len(name)} characters, the limit is 63'
    if not _NAME_RE.fullmatch(name):
        return (f'label key name "{name}" may contain only letters, digits, "-", "_" and ".", '
                "and must start and end with a letter or digit")
    return None


def _value_problem(value: str) -> str | None:
    if len(value) > 63:
        return f'label value "{value}" is {len(value)} characters, the limit is 63'
    if value and not _NAME_RE.fullmatch(value):
        return (f'label value "{value}" may contain only letters, digits, "-", "_" and ".", '
                "and must start and end with a letter or digit (or be empty)")
    return None


def validate_label_key(key: str, field: str = "labels") -> str:
    """Check a qualified label key (``[prefix/]name``); return it unchanged."""
    problem = _key_problem(key)
    if problem is not None:
        raise FieldError(field, problem)
    return key


def validate_label_value(value: str, field: str = "labels") -> str:
    """Check a label value (empty, or <=63 alphanumerics plus ``-_.`` inside)."""
    problem = _value_problem(value)
    if problem is not None:
        raise FieldError(field, problem)
    return value


def validate_labels(labels: object, field: str = "metadata.labels") -> list[FieldError]:
    """Every problem in a label map (keys and values); empty when valid."""
    if not isinstance(labels, Mapping):
        return [FieldError(field, "labels must be a map of key to value")]
    errors: list[FieldError] = []
    for key, value in labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            errors.append(FieldError(field, f"label {key!r} must map a string to a string"))
            continue
        for problem in (_key_problem(key), _value_problem(value)):
            if problem is not None:
                errors.append(FieldError(f"{field}[{key}]", problem))
    return errors


# ---------------------------------------------------------------------------------------------
# Lexer


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int

    def shown(self) -> str:
        return "end of string" if self.kind == _END else f"'{self.text}'"


def _scan_symbol(text: str, start: int) -> _Token:
    # Longest run of special characters that still forms a known symbol, like the Go lexer.
    best = text[start]
    end = start + 1
    while end < len(text) and text[end] in _SPECIAL:
        if text[start:end + 1] in _SYMBOLS:
            best = text[start:end + 1]
            end += 1
        else:
            break
    return _Token(_SYM, best, start)


def _tokenize(text: str, field: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\x00":
            raise FieldError(field, f"NUL character at position {i}; remove it")
        if ch in _WHITESPACE:
            i += 1
            continue
        if ch in _SPECIAL:
            tok = _scan_symbol(text, i)
            tokens.append(tok)
            i += len(tok.text)
            continue
        start = i
        while i < len(text) and text[i] not in _SPECIAL and text[i] not in _WHITESPACE \
                and text[i] != "\x00":
            i += 1
        word = text[start:i]
        tokens.append(_Token(_KEYWORD if word in _KEYWORDS else _ID, word, start))
    tokens.append(_Token(_END, "", len(text)))
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser


@dataclass(frozen=True)
class _Requirement:
    key: str
    operator: str  # =, !=, in, notin, exists, !exists
    values: tuple[str, ...]


class _Parser:
    def __init__(self, text: str, field: str) -> None:
        self.field = field
        self.tokens = _tokenize(text, field)
        self.pos = 0

    def fail(self, token: _Token, expected: str) -> FieldError:
        where = "at the end" if token.kind == _END else f"at position {token.pos}"
        return FieldError(self.field, f"found {token.shown()} {where}, expected {expected}")

    def peek(self, values_mode: bool = True) -> _Token:
        return self._as_mode(self.tokens[self.pos], values_mode)

    def take(self, values_mode: bool = True) -> _Token:
        token = self.peek(values_mode)
        if token.kind != _END:
            self.pos += 1
        return token

    @staticmethod
    def _as_mode(token: _Token, values_mode: bool) -> _Token:
        # "in"/"notin" are operators only where an operator is expected.
        if values_mode and token.kind == _KEYWORD:
            return _Token(_ID, token.text, token.pos)
        return token

    def parse(self) -> list[_Requirement]:
        requirements: list[_Requirement] = []
        while True:
            token = self.peek()
            if token.kind == _END:
                return requirements
            if token.kind != _ID and token.text != "!":
                raise self.fail(token, "a label key, '!' or the end")
            requirements.append(self.requirement())
            after = self.take()
            if after.kind == _END:
                return requirements
            if after.text != ",":
                raise self.fail(after, "',' or the end")
            nxt = self.peek()
            if nxt.kind != _ID and nxt.text != "!":
                raise self.fail(nxt, "a label key or '!' after ','")

    def requirement(self) -> _Requirement:
        negated = False
        token = self.take()
        if token.text == "!" and token.kind == _SYM:
            negated = True
            token = self.take()
        if token.kind != _ID:
            raise self.fail(token, "a label key")
        problem = _key_problem(token.text)
        if problem is not None:
            raise FieldError(self.field, f"{problem} (at position {token.pos})")
        nxt = self.peek()
        if negated:
            return _Requirement(token.text, "!exists", ())
        if nxt.kind == _END or nxt.text == ",":
            return _Requirement(token.text, "exists", ())
        operator = self.operator()
        values = self.value_set(token.text, operator) if operator in ("in", "notin") else \
            self.exact_value()
        for value in values:
            problem = _value_problem(value)
            if problem is not None:
                raise FieldError(self.field, f"{problem} (key {token.text})")
        return _Requirement(token.text, operator, tuple(sorted(set(values))))

    def operator(self) -> str:
        token = self.take(values_mode=False)
        if token.kind == _KEYWORD:
            return token.text
        if token.text in ("=", "=="):
            return "="
        if token.text == "!=":
            return "!="
        if token.text in (">", "<"):
            raise FieldError(self.field, f"operator '{token.text}' at position {token.pos} is "
                                         "not supported in label selectors; use =, !=, in or "
                                         "notin")
        raise self.fail(token, "an operator: =, ==, !=, in or notin")

    def exact_value(self) -> list[str]:
        token = self.peek()
        if token.kind == _END or token.text == ",":
            return [""]
        token = self.take()
        if token.kind != _ID:
            raise self.fail(token, "a value")
        return [token.text]

    def value_set(self, key: str, operator: str) -> list[str]:
        # A port of apimachinery parseValues/parseIdentifiersList: "(a,)" carries an empty
        # value and "(,,)" is an error. "()" is refused, as kubectl users expect: apimachinery
        # reads it as the empty value, which selects nothing anyone means.
        token = self.take()
        if token.text != "(":
            raise self.fail(token, "'(' to start the value list, e.g. env in (dev,prod)")
        nxt = self.peek()
        if nxt.text == ")":
            raise FieldError(self.field, f"{key} {operator} (): the value list is empty; "
                                         f"name at least one value, e.g. {key} {operator} "
                                         "(a,b)")
        if nxt.kind != _ID and nxt.text != ",":
            raise self.fail(nxt, "a value, ',' or ')'")
        values: list[str] = []
        while True:
            token = self.take()
            if token.kind == _ID:
                values.append(token.text)
                nxt = self.peek()
                if nxt.text == ",":
                    continue
                if nxt.text == ")":
                    break
                raise self.fail(nxt, "',' or ')'")
            if token.text != ",":
                raise self.fail(token, "a value or ','")
            if not values:
                values.append("")
            nxt = self.peek()
            if nxt.text == ")":
                values.append("")
                break
            if nxt.text == ",":
                self.take()
                values.append("")
        self.take()  # the ")" seen by the lookahead above
        return values


def _to_label_selector(requirements: Iterable[_Requirement]) -> dict[str, Any]:
    match_labels: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    for req in requirements:
        if req.operator == "=":
            value = req.values[0]
            if req.key not in match_labels:
                match_labels[req.key] = value
            elif match_labels[req.key] != value:
                expressions.append({"key": req.key, "operator": "In", "values": [value]})
            continue
        operator = {"in": "In", "notin": "NotIn", "!=": "NotIn", "exists": "Exists",
                    "!exists": "DoesNotExist"}[req.operator]
        expression: dict[str, Any] = {"key": req.key, "operator": operator}
        if req.values:
            expression["values"] = list(req.values)
        expressions.append(expression)
    selector: dict[str, Any] = {}
    if match_labels:
        selector["matchLabels"] = match_labels
    if expressions:
        selector["matchExpressions"] = expressions
    return selector


def parse_selector(text: str, field: str = "selector") -> dict[str, Any]:
    """Parse ``app=web,tier in (a,b),!legacy`` into a LabelSelector dict ({} matches all)."""
    if not isinstance(text, str):
        raise FieldError(field, "selector must be text")
    return _to_label_selector(_Parser(text, field).parse())


# ---------------------------------------------------------------------------------------------
# LabelSelector dicts: validate, render, match


def _expression_errors(expr: object, path: str) -> list[FieldError]:
    if not isinstance(expr, Mapping):
        return [FieldError(path, "expression must be a map with key, operator and values")]
    errors: list[FieldError] = []
    key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values")
    unknown = set(expr) - {"key", "operator", "values"}
    if unknown:
        errors.append(FieldError(path, f"unknown fields {sorted(map(str, unknown))}; "
                                       "only key, operator and values are allowed"))
    if not isinstance(key, str):
        errors.append(FieldError(f"{path}.key", "key is required"))
    elif (problem := _key_problem(key)) is not None:
        errors.append(FieldError(f"{path}.key", problem))
    if operator not in OPERATORS:
        errors.append(FieldError(f"{path}.operator",
                                 f"operator {operator!r} is not one of {', '.join(OPERATORS)}"))
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        errors.append(FieldError(f"{path}.values", "values must be a list of strings"))
        return errors
    if operator in ("In", "NotIn") and not values:
        errors.append(FieldError(f"{path}.values", f"{operator} needs at least one value"))
    if operator in ("Exists", "DoesNotExist") and values:
        errors.append(FieldError(f"{path}.values",
                                 f"{operator} takes no values; remove them"))
    for i, value in enumerate(values):
        if (problem := _value_problem(value)) is not None:
            errors.append(FieldError(f"{path}.values[{i}]", problem))
    return errors


def validate_selector(selector: object, field: str = "selector") -> list[FieldError]:
    """Every problem in a LabelSelector dict; empty when valid."""
    if not isinstance(selector, Mapping):
        return [FieldError(field, "a label selector must be a map with matchLabels and/or "
                                  "matchExpressions")]
    errors: list[FieldError] = []
    unknown = set(selector) - {"matchLabels", "matchExpressions"}
    if unknown:
        errors.append(FieldError(field, f"unknown fields {sorted(map(str, unknown))}; only "
                                        "matchLabels and matchExpressions are allowed"))
    labels = selector.get("matchLabels")
    if labels is not None:
        errors.extend(validate_labels(labels, f"{field}.matchLabels"))
    expressions = selector.get("matchExpressions")
    if expressions is not None:
        if not isinstance(expressions, list):
            errors.append(FieldError(f"{field}.matchExpressions", "must be a list"))
        else:
            for i, expr in enumerate(expressions):
                errors.extend(_expression_errors(expr, f"{field}.matchExpressions[{i}]"))
    return errors


def _check(selector: object, field: str) -> Mapping[str, Any]:
    errors = validate_selector(selector, field)
    if errors:
        raise errors[0]
    assert isinstance(selector, Mapping)
    return selector


def _render_expression(expr: Mapping[str, Any]) -> str:
    key, operator = expr["key"], expr["operator"]
    values = sorted(set(expr.get("values") or []))
    if operator == "Exists":
        return str(key)
    if operator == "DoesNotExist":
        return f"!{key}"
    if operator == "NotIn" and len(values) == 1:
        return f"{key}!={values[0]}"
    word = "in" if operator == "In" else "notin"
    return f"{key} {word} ({','.join(values)})"


def render_selector(selector: Mapping[str, Any], field: str = "selector") -> str:
    """kubectl-style text for a LabelSelector dict (see the module docstring for the form)."""
    checked = _check(selector, field)
    parts = [f"{k}={v}" for k, v in (checked.get("matchLabels") or {}).items()]
    parts.extend(_render_expression(e) for e in checked.get("matchExpressions") or [])
    return ",".join(parts)


def _expression_matches(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, operator = expr["key"], expr["operator"]
    present = key in labels
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    values = expr.get("values") or []
    if operator == "In":
        return present and labels[key] in values
    return not present or labels[key] not in values  # NotIn matches an absent label


def label_matcher(selector: Mapping[str, Any], field: str = "selector"
                  ) -> Callable[[Mapping[str, str]], bool]:
    """selector_matches for many label sets: the selector is checked once (checking it took
    three quarters of a match, and a list filters thousands of objects)."""
    checked = _check(selector, field)
    wanted = list((checked.get("matchLabels") or {}).items())
    expressions = list(checked.get("matchExpressions") or [])

    def matches(labels: Mapping[str, str]) -> bool:
        for key, value in wanted:
            if labels.get(key) != value:
                return False
        return all(_expression_matches(e, labels) for e in expressions)

    return matches


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str],
                     field: str = "selector") -> bool:
    """Kubernetes semantics; an empty selector matches everything."""
    return label_matcher(selector, field)(labels)
