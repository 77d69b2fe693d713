"""kubectl's `-o jsonpath=TEMPLATE`, the subset people use: text, `{.a.b}`, `{.items[*].x}`,
`{.items[0]}`, `{.items[1:3]}`, `{.labels.*}`, `{$.x}`, `{@.x}`, `{"\\n"}` and
`{range .items[*]}...{end}`.

As kubectl does: several results of one expression are joined by a space, maps and lists are
printed as JSON, a missing key prints nothing (--allow-missing-template-keys=true), and `.`
inside a range is the current item. Filters (`[?(...)]`) and recursive descent (`..`) are
refused with a message rather than misread. A template is parsed once, before any request, so
a bad one is bad input (exit 2 naming -o).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_NAME_END = re.compile(r"[.\[]")


class TemplateError(ValueError):
    """A template kubectl would refuse (or this subset does not know); the message says why."""


@dataclass(frozen=True)
class Step:
    kind: str  # "field", "index", "slice", "all"
    name: str = ""
    index: int = 0
    stop: int | None = None


@dataclass
class Node:
    kind: str  # "text", "path", "range"
    text: str = ""
    steps: list[Step] = field(default_factory=list)
    from_root: bool = False
    body: list[Node] = field(default_factory=list)


def parse_template(template: str) -> list[Node]:
    nodes: list[Node] = []
    stack: list[list[Node]] = [nodes]
    pos = 0
    while pos < len(template):
        start = template.find("{", pos)
        if start < 0:
            stack[-1].append(Node("text", template[pos:]))
            break
        if start > pos:
            stack[-1].append(Node("text", template[pos:start]))
        end = _action_end(template, start)
        action = template[start + 1:end].strip()
        pos = end + 1
        if action == "end":
            if len(stack) == 1:
                raise TemplateError("{end} without a {range ...} before it")
            stack.pop()
        elif action.startswith("range ") or action == "range":
            node = Node("range", **_path(action.removeprefix("range").strip()))
            stack[-1].append(node)
            stack.append(node.body)
        elif action.startswith('"'):
            stack[-1].append(Node("text", _literal(action)))
        else:
            stack[-1].append(Node("path", **_path(action)))
    if len(stack) > 1:
        raise TemplateError("{range ...} without its {end}")
    return nodes


def _action_end(template: str, start: int) -> int:
    quoted = False
    i = start + 1
    while i < len(template):
        ch = template[i]
        if quoted and ch == "\\":
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == "}" and not quoted:
            return i
        i += 1
    raise TemplateError(f"unclosed action starting at position {start}: a '{{' has no '}}'")


def _literal(action: str) -> str:
    if len(action) < 2 or not action.endswith('"'):
        raise TemplateError(f"unterminated quoted string {action}")
    out, i, body = [], 0, action[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            if body[i + 1] not in ESCAPES:
                raise TemplateError(f"unknown escape \\{body[i + 1]} in {action}")
            out.append(ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _path(text: str) -> dict[str, Any]:
    if not text:
        raise TemplateError("empty expression; write a path such as {.metadata.name}")
    if ".." in text:
        raise TemplateError(f"recursive descent (..) in {text} is not supported here")
    from_root = text.startswith("$")
    rest = text[1:] if text[:1] in "$@" else text
    if rest and rest[0] not in ".[":
        raise TemplateError(f"{text}: a path starts with '.', '$' or '@', e.g. .metadata.name")
    steps: list[Step] = []
    i = 0
    while i < len(rest):
        if rest[i] == ".":
            i, step = _field(rest, i + 1, text)
        elif rest[i] == "[":
            i, step = _bracket(rest, i, text)
        else:
            raise TemplateError(f"unexpected {rest[i]!r} in {text}")
        if step is not None:
            steps.append(step)
    return {"steps": steps, "from_root": from_root}


def _field(rest: str, i: int, text: str) -> tuple[int, Step | None]:
    name, j = [], i
    while j < len(rest):
        if rest[j] == "\\" and j + 1 < len(rest):
            name.append(rest[j + 1])
            j += 2
        elif _NAME_END.match(rest[j]):
            break
        else:
            name.append(rest[j])
            j += 1
    word = "".join(name)
    if word == "*":
        return j, Step("all")
    if not word:
        return j, None  # "." alone: the current node
    if not re.fullmatch(r"[^\s{}()\"'?@$]+", word):
        raise TemplateError(f"unexpected characters in field {word!r} of {text}")
    return j, Step("field", name=word)


def _bracket(rest: str, i: int, text: str) -> tuple[int, Step]:
    close = rest.find("]", i)
    if close < 0:
        raise TemplateError(f"unclosed '[' in {text}")
    inner = rest[i + 1:close].strip()
    if inner.startswith("?"):
        raise TemplateError(f"filters ([?(...)]) in {text} are not supported here")
    if inner == "*":
        return close + 1, Step("all")
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return close + 1, Step("field", name=inner[1:-1])
    try:
        if ":" in inner:
            lo, hi = (part.strip() for part in inner.split(":", 1))
            return close + 1, Step("slice", index=int(lo or 0),
                                   stop=int(hi) if hi else None)
        return close + 1, Step("index", index=int(inner))
    except ValueError:
        raise TemplateError(f"[{inner}] in {text}: expected *, a number, a slice such as "
                            "1:3 or a quoted key") from None


# ---- evaluation ------------------------------------------------------------------------------
def render(nodes: list[Node], data: Any) -> str:
    return "".join(_render(nodes, data, data))


def _render(nodes: list[Node], root: Any, current: Any) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if node.kind == "text":
            out.append(node.text)
        elif node.kind == "path":
            values = _walk(node.steps, root if node.from_root else current)
            out.append(" ".join(_show(v) for v in values))
        else:
            for item in _walk(node.steps, root if node.from_root else current):
                out += _render(node.body, root, item)
    return out


def _walk(steps: list[Step], start: Any) -> list[Any]:
    values = [start]
    for step in steps:
        values = [found for value in values for found in _step(step, value)]
    return values


def _step(step: Step, value: Any) -> list[Any]:
    if step.kind == "field":
        return [value[step.name]] if isinstance(value, dict) and step.name in value else []
    if step.kind == "all":
        if isinstance(value, dict):
            return [value[k] for k in sorted(value)]
        return list(value) if isinstance(value, list) else []
    if not isinstance(value, list):
        return []
    if step.kind == "index":
        return [value[step.index]] if -len(value) <= step.index < len(value) else []
    return list(value[step.index:step.stop])


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)
