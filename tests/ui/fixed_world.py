"""A FleetApp on a session filled by hand (no cluster, no clock): screens whose content is
deterministic at any size, for snapshots and for the narrow-terminal and reason tests."""

from __future__ import annotations

from fleettui.live.session import Session
from fleettui.ui.app import FleetApp
from tests.helpers.sessions import LONG, MEMBERS, kurator_session, velero_session

__all__ = ["LONG", "FixedApp", "kurator_session", "velero_session"]


class FixedApp(FleetApp):
    """The app on a prepared session: connecting installs it, nothing is watched."""

    def __init__(self, session: Session) -> None:
        super().__init__(None, session.context, session.namespace)
        self.fixed = session

    def connect(self) -> None:  # type: ignore[override]
        self.session = self.fixed
        self.fixed.store.on_dirty = self._store_dirty  # changes made by a test are flushed
        self._members_requested.update(MEMBERS)
        self._connected(self.fixed.mode)
