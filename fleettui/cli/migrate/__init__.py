"""`fleettui migrate create|list|get|status|delete`: Kurator Unified Migrates, scriptable.

`create` is its own module; the other verbs are shared with restore (cli.recovery), told by
cli.operations.MIGRATE which kind they act on.
"""

from __future__ import annotations

import argparse

from fleettui.cli.migrate import create
from fleettui.cli.operations import MIGRATE
from fleettui.cli.recovery.parser import add_operation_parser


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_operation_parser(sub, "migrate", "Kurator migrates (one cluster's workloads copied to "
                         "others): create, list, get, status, delete", "Kurator Unified "
                         "Migrates (migrates.backup.kurator.dev): back up one member cluster "
                         "and restore it in others.", create, MIGRATE)
