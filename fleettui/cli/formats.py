"""`-o` as kubectl has it: table, wide, yaml, json, name and jsonpath=TEMPLATE.

The flag's value is checked (a jsonpath template parsed) while the arguments are read, so a bad
one is bad input naming -o before anything is contacted.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any

from fleettui.cli.jsonpath import Node, TemplateError, parse_template, render
from fleettui.cli.output import dump, say

Obj = dict[str, Any]
READ_FORMATS = ("table", "wide", "yaml", "json", "name", "jsonpath=TEMPLATE")
CREATE_FORMATS = ("yaml", "json", "name", "jsonpath=TEMPLATE")


@dataclass(frozen=True)
class Output:
    kind: str  # table, wide, yaml, json, name, jsonpath
    template: list[Node] = field(default_factory=list, compare=False)

    def __str__(self) -> str:
        return self.kind

    @property
    def is_table(self) -> bool:
        return self.kind in ("table", "wide")


def output_type(allowed: tuple[str, ...]) -> Any:
    """An argparse `type` for -o: an unknown format or a bad template is one line naming -o."""
    def parse(text: str) -> Output:
        name, sep, template = text.partition("=")
        name = name.strip()
        if sep and name == "jsonpath" and "jsonpath=TEMPLATE" in allowed:
            try:
                return Output("jsonpath", parse_template(template))
            except TemplateError as e:
                raise argparse.ArgumentTypeError(f"jsonpath template {template!r}: {e}") from e
        if not sep and name in allowed:
            return Output(name)
        if name == "jsonpath" and not sep:
            raise argparse.ArgumentTypeError("jsonpath needs a template: -o "
                                             "jsonpath='{.metadata.name}'")
        raise argparse.ArgumentTypeError(f"unknown output format {text!r} (choose from: "
                                         f"{', '.join(allowed)})")
    return parse


def add_output_option(p: argparse.ArgumentParser, allowed: tuple[str, ...], default: str | None,
                      what: str) -> None:
    p.add_argument("-o", "--output", type=output_type(allowed),
                   default=Output(default) if default else None, metavar="FORMAT",
                   help=f"{what}: {'|'.join(allowed)}" + (f" (default {default})"
                                                           if default else ""))


def object_name(obj: Obj) -> str:
    """kubectl's -o name: `backup.backup.kurator.dev/NAME`, `backup.velero.io/NAME`."""
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    kind = str(obj.get("kind") or "").lower()
    name = str((obj.get("metadata") or {}).get("name") or "")
    return f"{kind}.{group}/{name}" if group else f"{kind}/{name}"


def render_object(obj: Obj, out: Output) -> str:
    """`obj` (an object or a List) in a non-table format, no trailing newline."""
    if out.kind == "name":
        items = obj.get("items") if obj.get("kind") == "List" else [obj]
        return "\n".join(object_name(i) for i in items or [])
    if out.kind == "jsonpath":
        return render(out.template, obj)
    return dump(obj, out.kind)


def emit(obj: Obj, out: Output) -> None:
    """Print `obj` as `out` says; a jsonpath result is printed exactly, as kubectl does (no
    newline the template did not ask for)."""
    text = render_object(obj, out)
    if out.kind == "jsonpath":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        say(text)
