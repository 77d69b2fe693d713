"""Plain Velero on several kubeconfig contexts: one object created in each, all or nothing as
far as the API lets us.

Every --context is checked against the kubeconfig first (unknown: exit 2), then the object is
server-dry-run in every context, and only when all accept it is it created in each; a create
that still fails says where it was created and where not (exit 3).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from fleettui.cli.connection import connect
from fleettui.cli.formats import emit
from fleettui.cli.kubeconfig import resolve_contexts
from fleettui.cli.options import created_line
from fleettui.cli.output import EXIT_API, EXIT_OK, CliError, as_list, error_lines, say, usage
from fleettui.kube.errors import KubeError
from fleettui.kube.resources import Resource
from fleettui.live.submit import create_everywhere, dry_run_everywhere
from fleettui.live.submit import on_each as on_each  # re-exported for the commands

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
T = TypeVar("T")


def target_contexts(args: argparse.Namespace) -> list[str]:
    given = getattr(args, "context", None)
    names = [c.strip() for c in (given or "").split(",") if c.strip()]
    if given is not None and not names:
        raise usage("--context", "no context named; give one or more, comma-separated, or "
                                 "leave the flag out for the current context")
    return resolve_contexts(args.kubeconfig, list(dict.fromkeys(names)))


def no_velero(e: KubeError) -> KubeError:
    """A 404 for the resource type itself: Velero is not installed in that context."""
    if e.code == 404 and "could not find the requested resource" in e.message:
        e.message = ("the Velero API (velero.io) is not served here; name the contexts where "
                     "Velero runs with --context")
    return e


def print_failures(failures: dict[str, KubeError]) -> None:
    for error in failures.values():
        for line in error_lines(error):
            say(line, sys.stderr)


def print_created(args: argparse.Namespace, kind_name: str, name: str,
                  created: dict[str, Obj]) -> None:
    """`-o` prints the objects (one, or a List); else a line per context ("": a client dry
    run, which has no context)."""
    if args.output and created:
        objs = list(created.values())
        emit(objs[0] if len(objs) == 1 else as_list(objs), args.output)
        return
    for context in created:
        where = f"{context}: " if context else ""
        say(f"{where}{created_line(kind_name, name, args.dry_run)}")


def create_in_contexts(args: argparse.Namespace, clients: dict[str, KubeClient], res: Resource,
                      kind_name: str, manifest: Obj, accepted: Callable[[], None]
                      ) -> dict[str, Obj] | int:
    """Server dry run in every context first, so that a refusal anywhere creates nothing;
    `accepted` runs once all accepted (warnings). Then create in every context and say exactly
    where it was created when one still fails. Returns the objects created per context, or
    the exit code when the command ends here (one refusal, or --dry-run=server)."""
    name = str(manifest["metadata"]["name"])
    outcome = dry_run_everywhere(clients, res, manifest)
    refused = {c: no_velero(e) for c, e in outcome.refused.items()}
    if refused:
        print_failures(refused)
        if len(clients) == 1:
            return EXIT_API
        raise CliError(f"{kind_name}/{name}: the server dry run failed in "
                       f"{', '.join(refused)}; nothing was created in any context", EXIT_API)
    accepted()
    if args.dry_run == "server":
        print_created(args, kind_name, name, outcome.checked)
        return EXIT_OK
    create_everywhere(clients, res, manifest, outcome)
    created, failed = outcome.created, outcome.failed
    print_created(args, kind_name, name, created)
    if failed:
        print_failures(failed)
        where = ", ".join(created) or "no context"
        raise CliError(f"{kind_name}/{name}: created in {where}; NOT created in "
                       f"{', '.join(failed)} (create it there again, or delete it where it "
                       "was created)", EXIT_API)
    return created


@contextmanager
def context_clients(args: argparse.Namespace) -> Iterator[dict[str, KubeClient]]:
    """A client per --context, every context checked before any is used; closed afterwards."""
    clients: dict[str, KubeClient] = {}
    try:
        for context in target_contexts(args):
            clients[context] = connect(args.kubeconfig, context)
        yield clients
    finally:
        for client in clients.values():
            client.close()
