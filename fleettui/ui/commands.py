"""Command palette entries for every action (the `:` jump of k9s, searchable)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from fleettui.ui.app_api import FleetAppApi

Entry = tuple[str, str, Callable[[], object]]


class FleetCommands(Provider):
    def _entries(self) -> list[Entry]:
        app = cast("FleetAppApi", self.app)
        entries: list[Entry] = [
            ("fleets", "Jump to the fleets view", partial(app.switch_mode, "fleets")),
            ("backups", "Jump to the backups and schedules view",
             partial(app.switch_mode, "backups")),
            ("help", "Show the keys of this screen", app.action_help),
            ("health", "Schedule health: one verdict per schedule and cluster",
             self._health),
            ("coverage", "Coverage: which namespaces on which clusters are backed up",
             self._coverage),
            ("restores", "Jump to the restores list", partial(self._recoveries, "Restore")),
            ("migrates", "Jump to the migrates list", partial(self._recoveries, "Migrate")),
        ]
        if not app.readonly:
            entries.append(("new backup", "Create a backup or schedule", app.action_new_backup))
        for name in app.backup_names():
            entries.append((f"open {name}", "Live status of this backup",
                            partial(app.open_status, name)))
            entries.append((f"yaml {name}", "Show the objects as YAML",
                            partial(app.show_yaml, name)))
            if not app.readonly:
                entries.append((f"delete {name}", "Delete, after a confirmation",
                                partial(app.confirm_delete, name)))
        return entries

    def _recoveries(self, kind: str) -> None:
        from fleettui.ui.screens.recoveries import RecoveriesScreen

        self.app.push_screen(RecoveriesScreen(kind))

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

    def _health(self) -> None:
        from fleettui.ui.screens.health import HealthScreen

        self.app.push_screen(HealthScreen())

    def _coverage(self) -> None:
        from fleettui.ui.screens.coverage import CoverageScreen

        self.app.push_screen(CoverageScreen())
