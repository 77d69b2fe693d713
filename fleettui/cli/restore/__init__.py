"""`fleettui restore create|list|get|status|delete`: Kurator Unified Restores, scriptable.

`create` is its own module; the other verbs are shared with migrate (cli.recovery), told by
cli.operations.RESTORE which kind they act on.
"""

from __future__ import annotations

import argparse

from fleettui.cli.operations import RESTORE
from fleettui.cli.options import add_connection_options, show_help
from fleettui.cli.output import CliParser
from fleettui.cli.recovery import delete, get, status
from fleettui.cli.recovery import list as list_verb
from fleettui.cli.restore import create


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("restore", help="Kurator fleet restores: create, list, get, status, "
                                       "delete",
                       description="Kurator Unified Restores (restores.backup.kurator.dev): "
                                   "put a fleet backup back in its clusters.")
    add_connection_options(p)
    p.set_defaults(func=lambda args: show_help(p))
    verbs: argparse._SubParsersAction[argparse.ArgumentParser] = p.add_subparsers(
        dest="verb", metavar="VERB", parser_class=CliParser)
    create.add_parser(verbs)
    for verb in (list_verb, get, status, delete):
        verb.add_parser(verbs, RESTORE)
