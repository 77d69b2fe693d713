"""`fleettui restore create|list|get|status|delete`: Kurator Unified Restores, scriptable.

`create` is its own module; the other verbs are shared with migrate (cli.recovery), told by
cli.operations.RESTORE which kind they act on.
"""

from __future__ import annotations

import argparse

from fleettui.cli.operations import RESTORE
from fleettui.cli.recovery.parser import add_operation_parser
from fleettui.cli.restore import create


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_operation_parser(sub, "restore", "Kurator fleet restores: create, list, get, status, "
                         "delete", "Kurator Unified Restores (restores.backup.kurator.dev): put "
                         "a fleet backup back in its clusters.", create, RESTORE)
