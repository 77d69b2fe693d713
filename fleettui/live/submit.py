"""One object created in several clusters, all or nothing as far as the API lets us: a
server dry run everywhere first, so a refusal anywhere creates nothing anywhere; then the
creates, all at once, and an outcome that says where it was created and where not. The TUI's
forms (through the backends) and the CLI's create commands both go through here."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fleettui.kube.errors import KubeError
from fleettui.kube.resources import Resource

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

Obj = dict[str, Any]
T = TypeVar("T")
PARALLEL = 8  # requests in flight at once, as kubectl's default QPS-friendly burst


def on_each(clients: dict[str, KubeClient], call: Callable[[KubeClient], T]
            ) -> dict[str, T | KubeError]:
    """`call` on every client at once; a KubeError is kept as that client's outcome."""
    def run(name: str) -> T | KubeError:
        try:
            return call(clients[name])
        except KubeError as e:
            return e

    names = list(clients)
    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(names))) as pool:
        return dict(zip(names, pool.map(run, names), strict=True))


@dataclass
class SubmitOutcome:
    checked: dict[str, Obj] = field(default_factory=dict)  # what each dry run returned
    refused: dict[str, KubeError] = field(default_factory=dict)  # dry runs refused
    created: dict[str, Obj] = field(default_factory=dict)
    failed: dict[str, KubeError] = field(default_factory=dict)  # creates refused after that


def _split(outcomes: dict[str, Obj | KubeError]) -> tuple[dict[str, Obj], dict[str, KubeError]]:
    done = {c: o for c, o in outcomes.items() if not isinstance(o, KubeError)}
    return done, {c: o for c, o in outcomes.items() if isinstance(o, KubeError)}


def dry_run_everywhere(clients: dict[str, KubeClient], res: Resource, manifest: Obj
                       ) -> SubmitOutcome:
    checked, refused = _split(on_each(clients, lambda c: c.create(res, manifest, dry_run=True)))
    return SubmitOutcome(checked, refused)


def create_everywhere(clients: dict[str, KubeClient], res: Resource, manifest: Obj,
                      outcome: SubmitOutcome) -> SubmitOutcome:
    """The creates, once every dry run in `outcome` passed."""
    outcome.created, outcome.failed = _split(on_each(clients, lambda c: c.create(res, manifest)))
    return outcome


class SubmitError(Exception):
    """A create refused after dry runs passed everywhere: where it was created before that."""

    def __init__(self, error: KubeError, created: list[str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.created = created


def submit_everywhere(clients: list[KubeClient], res: Resource, manifest: Obj,
                      dry_run_only: bool) -> list[str]:
    """The forms' submit: raises the first refusal (nothing created anywhere), or a
    SubmitError saying where it was created when a create still failed."""
    by_name = {c.name: c for c in clients}
    outcome = dry_run_everywhere(by_name, res, manifest)
    if outcome.refused:
        raise next(iter(outcome.refused.values()))
    if dry_run_only:
        return []
    create_everywhere(by_name, res, manifest, outcome)
    if outcome.failed:
        raise SubmitError(next(iter(outcome.failed.values())), list(outcome.created))
    return list(outcome.created)
