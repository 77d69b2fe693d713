"""`fleettui backup create|list|get|status|delete`: the TUI's fleet backups, scriptable.

One module per verb, as kubectl and the velero CLI are laid out; each adds its own parser and
imports only the shared modules (options, connection, snapshot, follow, output, formats).
"""

from __future__ import annotations

import argparse

from fleettui.cli.backup import create, delete, get, logs, results, status
from fleettui.cli.backup import list as list_verb
from fleettui.cli.options import add_connection_options, show_help
from fleettui.cli.output import CliParser


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="Kurator fleet backups: create, list, get, status, "
                                      "delete, logs, results",
                       description="Kurator Unified Backups (backup.kurator.dev) of whole fleets.")
    add_connection_options(p)
    p.set_defaults(func=lambda args: show_help(p))
    verbs = p.add_subparsers(dest="verb", metavar="VERB", parser_class=CliParser)
    for verb in (create, list_verb, get, status, delete, logs, results):
        verb.add_parser(verbs)
