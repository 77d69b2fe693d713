"""`fleettui migrate create|list|get|status|delete`: Kurator Unified Migrates, scriptable.

`create` is its own module; the other verbs are shared with restore (cli.recovery), told by
cli.operations.MIGRATE which kind they act on.
"""

from __future__ import annotations

import argparse

from fleettui.cli.migrate import create
from fleettui.cli.operations import MIGRATE
from fleettui.cli.options import add_connection_options, show_help
from fleettui.cli.output import CliParser
from fleettui.cli.recovery import delete, get, status
from fleettui.cli.recovery import list as list_verb


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("migrate", help="Kurator migrates (one cluster's workloads copied to "
                                       "others): create, list, get, status, delete",
                       description="Kurator Unified Migrates (migrates.backup.kurator.dev): "
                                   "back up one member cluster and restore it in others.")
    add_connection_options(p)
    p.set_defaults(func=lambda args: show_help(p))
    verbs: argparse._SubParsersAction[argparse.ArgumentParser] = p.add_subparsers(
        dest="verb", metavar="VERB", parser_class=CliParser)
    create.add_parser(verbs)
    for verb in (list_verb, get, status, delete):
        verb.add_parser(verbs, MIGRATE)
