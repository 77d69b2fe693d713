"""The `restore` and `migrate` commands' parser: their own create, then the shared verbs."""

from __future__ import annotations

import argparse
from types import ModuleType

from fleettui.cli.operations import Operation
from fleettui.cli.options import add_connection_options, show_help
from fleettui.cli.output import CliParser
from fleettui.cli.recovery import delete, get, status
from fleettui.cli.recovery import list as list_verb


def add_operation_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                         help_text: str, description: str, create: ModuleType,
                         op: Operation) -> None:
    p = sub.add_parser(name, help=help_text, description=description)
    add_connection_options(p)
    p.set_defaults(func=lambda args: show_help(p))
    verbs: argparse._SubParsersAction[argparse.ArgumentParser] = p.add_subparsers(
        dest="verb", metavar="VERB", parser_class=CliParser)
    create.add_parser(verbs)
    for verb in (list_verb, get, status, delete):
        verb.add_parser(verbs, op)
