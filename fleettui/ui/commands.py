"""Command palette entries for every action (the `:` jump of k9s, searchable)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from fleettui.ui.app import FleetApp


class FleetCommands(Provider):
    def _entries(self) -> list[tuple[str, str, object]]:
        app: FleetApp = self.app  # type: ignore[assignment]
        entries: list[tuple[str, str, object]] = [
            ("fleets", "Jump to the fleets view", partial(app.switch_mode, "fleets")),
            ("backups", "Jump to the fleet backups view", partial(app.switch_mode, "backups")),
            ("help", "Show the keys of this screen", app.action_help),
        ]
        if not app.readonly:
            entries.append(("new backup", "Create a fleet backup or schedule",
                            app.action_new_backup))
        return entries

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback,  # type: ignore[arg-type]
                          help=help_text)
