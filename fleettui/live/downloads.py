"""Velero's logs, results and resource lists of one cluster's run, for the screens and the
CLI, with the results cached per (cluster, Velero object, phase): a run's results are fetched
when asked for, once, and again only when its phase moved on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fleettui.kube import downloads as dl
from fleettui.kube.errors import KubeError
from fleettui.model.restore_preview import Preview, preview
from fleettui.model.velero_results import ResultLine, result_lines

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient
    from fleettui.live.backends import Session

DEFAULT_LIMITS = dl.Limits()
# Phases whose log `velero backup logs` fetches (velero pkg/cmd/cli/backup/logs.go); before
# them nothing is uploaded, and a FailedValidation run never uploads anything.
LOGGED_PHASES = ("Completed", "PartiallyFailed", "Failed", "WaitingForPluginOperations",
                 "WaitingForPluginOperationsPartiallyFailed")


READONLY_NOTE = ("reading Velero's logs, results and resource lists creates a DownloadRequest "
                 "(a write), which --readonly refuses")


def not_logged_reason(what: str, phase: str) -> str:
    """Why there is no log to fetch yet, or "" when there should be one."""
    if phase in LOGGED_PHASES:
        return ""
    if phase == "FailedValidation":
        return f"{what} failed validation, so Velero never ran it and uploaded no log"
    return (f"the log of {what} is uploaded when it ends; it is {phase or 'New'} now "
            "(velero backup logs refuses it too)")


def velero_log(client: KubeClient, namespace: str, name: str, restore: bool = False,
               limits: dl.Limits = DEFAULT_LIMITS,
               cancelled: Callable[[], bool] = lambda: False) -> list[str]:
    kind = dl.RESTORE_LOG if restore else dl.BACKUP_LOG
    data = dl.fetch_file(client, namespace, kind, name, limits, cancelled)
    return data.decode("utf-8", errors="replace").splitlines()


def session_log(session: Session, cluster: str, name: str, restore: bool = False,
                cancelled: Callable[[], bool] = lambda: False) -> list[str]:
    """The log of run `name` in `cluster`, through the session's client for that member
    (blocks: for a worker thread)."""
    client = session.member(cluster)
    return velero_log(client, session.member_velero_namespace, name, restore,
                      cancelled=cancelled)


def session_resource_list(session: Session, cluster: str, name: str,
                          cancelled: Callable[[], bool] = lambda: False) -> Any:
    """Velero backup `name`'s resource list in `cluster` (blocks: for a worker thread)."""
    return backup_resource_list(session.member(cluster), session.member_velero_namespace, name,
                                cancelled=cancelled)


def velero_results(client: KubeClient, namespace: str, name: str, restore: bool = False,
                   limits: dl.Limits = DEFAULT_LIMITS,
                   cancelled: Callable[[], bool] = lambda: False) -> list[ResultLine]:
    kind = dl.RESTORE_RESULTS if restore else dl.BACKUP_RESULTS
    return result_lines(dl.fetch_json(client, namespace, kind, name, limits, cancelled))


def backup_resource_list(client: KubeClient, namespace: str, name: str,
                         limits: dl.Limits = DEFAULT_LIMITS,
                         cancelled: Callable[[], bool] = lambda: False) -> Any:
    return dl.fetch_json(client, namespace, dl.BACKUP_RESOURCE_LIST, name, limits, cancelled)


def restore_preview(client: KubeClient, namespace: str, backup: str, restore_filter: Any,
                    limits: dl.Limits = DEFAULT_LIMITS) -> Preview:
    """What a restore with `restore_filter` would bring back from Velero backup `backup`."""
    return preview(backup_resource_list(client, namespace, backup, limits), restore_filter)


Key = tuple[str, str, str]  # (cluster, Velero object name, phase)


class ResultsCache:
    """Results lines, or the message saying why they could not be read, per Key."""

    def __init__(self) -> None:
        self._found: dict[Key, list[ResultLine] | str] = {}
        self._pending: set[Key] = set()
        self._lock = threading.Lock()

    def get(self, key: Key) -> list[ResultLine] | str | None:
        with self._lock:
            return self._found.get(key)

    def claim(self, key: Key) -> bool:
        """True for the one caller that should fetch `key` now."""
        with self._lock:
            if key in self._found or key in self._pending:
                return False
            self._pending.add(key)
            return True

    def fetch(self, session: Session, key: Key, restore: bool = False,
              limits: dl.Limits = DEFAULT_LIMITS,
              cancelled: Callable[[], bool] = lambda: False) -> list[ResultLine] | str | None:
        """Read the results of `key` through the session's client for its member (blocks:
        for a worker thread); a failure is kept as its message, so it is not retried on
        every refresh. None when the caller stopped waiting (it may ask again)."""
        try:
            client = session.member(key[0])
            found: list[ResultLine] | str = velero_results(
                client, session.member_velero_namespace, key[1], restore, limits, cancelled)
        except KubeError as e:
            found = e.message
        except dl.Cancelled:
            with self._lock:
                self._pending.discard(key)
            return None
        with self._lock:
            self._found[key] = found
            self._pending.discard(key)
        return found
