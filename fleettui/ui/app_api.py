"""What screens and palette commands may ask of the app, without importing it (the app imports
the screens; the other way round would be an import cycle)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fleettui.live.session import Session


class FleetAppApi(Protocol):
    session: Session | None
    readonly: bool
    status: str
    connect_error: str
    schedule_speed: float
    MUTATING_ACTIONS: frozenset[str]

    def open_status(self, name: str) -> None: ...

    def show_yaml(self, name: str) -> None: ...

    def confirm_delete(self, name: str) -> None: ...

    def schedule_op(self, op: str | None, name: str, clusters: list[str] | None = None
                    ) -> None: ...

    def action_new_backup(self) -> None: ...

    def action_help(self) -> None: ...

    def backup_names(self) -> list[str]: ...

    def switch_mode(self, mode: str) -> Any: ...
