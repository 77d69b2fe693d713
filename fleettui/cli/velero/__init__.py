"""`fleettui velero KIND VERB`: plain Velero (velero.io/v1) objects on several contexts, laid
out as the velero CLI is (`velero backup create`, `velero schedule create`, `velero restore
create`)."""

from __future__ import annotations

import argparse

from fleettui.cli.options import show_help
from fleettui.cli.output import CliParser
from fleettui.cli.velero import create, delete, restore


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("velero", help="plain Velero backups, schedules and restores on "
                                      "several contexts",
                       description="Plain Velero (velero.io/v1) objects, created in each of "
                                   "the given kubeconfig contexts.")
    p.set_defaults(func=lambda args: show_help(p))
    kinds = p.add_subparsers(dest="velero_kind", metavar="KIND", parser_class=CliParser)
    for kind, what in (("backup", "a Velero Backup"), ("schedule", "a Velero Schedule")):
        k = kinds.add_parser(kind, help=f"{what} in each context")
        k.set_defaults(func=lambda args, k=k: show_help(k))
        verbs: argparse._SubParsersAction[argparse.ArgumentParser] = k.add_subparsers(
            dest="velero_verb", metavar="VERB", parser_class=CliParser)
        create.add_parser(verbs, kind, what)
        delete.add_parser(verbs, kind, what)
    k = kinds.add_parser("restore", help="a Velero Restore in each context")
    k.set_defaults(func=lambda args, k=k: show_help(k))
    verbs = k.add_subparsers(dest="velero_verb", metavar="VERB", parser_class=CliParser)
    restore.add_parser(verbs)
