"""What every create form shares (backup, restore, migrate): ctrl+s / ctrl+t / esc, the outcome
bar above the footer, boxes updated only on change, and the question before a changed form is
thrown away."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from fleettui.ui.screens.base import LiveScreen, set_text
from fleettui.ui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from fleettui.model.storage import Location


class FormScreen(LiveScreen):
    AUTO_FOCUS = "#name"
    BINDINGS = [
        # Not priority bindings: those run before the keys typed just ahead of them reach
        # their field, so a burst `name` + ctrl+s would submit the old name.
        Binding("ctrl+s", "submit", "Create", id="submit"),
        Binding("ctrl+t", "dry_run", "Server dry-run", id="dry_run"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._boxes: dict[str, Static] = {}
        self._initial: tuple[object, ...] = ()  # what _typed() gave once the form was filled
        self.locations: dict[str, list[Location]] = {}  # the targets' locations, as read

    # ---- the targets' storage locations, read when the targets are known ---------------------
    @work(thread=True, exclusive=True, group="storage", exit_on_error=False)
    def load_locations(self, clusters: list[str]) -> None:
        """Read the targets' locations (the screen may not be watching those members), then
        validate again so the warning beside the clusters appears."""
        from fleettui.live.storage import read_locations

        session = self.session
        if session is not None and clusters:
            found = read_locations(session, clusters)
            self.app.call_from_thread(self._set_locations, found)

    def _set_locations(self, found: dict[str, list[Location]]) -> None:
        self.locations = {**self.locations, **found}
        if self.is_mounted:
            self.revalidate()

    def revalidate(self) -> object:
        raise NotImplementedError

    def storage_warning(self, targets: Iterable[str], purpose: str) -> str:
        from fleettui.live.storage import form_warning

        session = self.session
        if session is None:
            return ""
        return form_warning(session.store, targets, purpose, self.locations)

    def _typed(self) -> tuple[object, ...]:
        """Everything the user can type or choose in this form."""
        raise NotImplementedError

    def _submit(self, dry_run_only: bool) -> None:
        raise NotImplementedError

    def action_dry_run(self) -> None:
        self._submit(dry_run_only=True)

    def action_submit(self) -> None:
        self._submit(dry_run_only=False)

    def _show(self, widget_id: str, text: Text) -> None:
        box = self._boxes.get(widget_id)
        if box is None:  # looked up once: a query walks the whole form, on every key
            found = self.query(f"#{widget_id}")
            if not found:
                return
            box = self._boxes[widget_id] = found.first(Static)
        set_text(box, text)
        box.display = bool(text)

    def say(self, text: str, style: str) -> None:
        """The outcome bar above the footer: every submit's result, where the user looks."""
        self._show("form-error", Text(text, style=style))

    # ---- leaving -------------------------------------------------------------------------
    def changed(self) -> bool:
        """Whether leaving would lose something the user typed or chose."""
        return self._typed() != self._initial

    def action_cancel(self) -> None:
        if not self.guard_leave(self.app.pop_screen):
            self.app.pop_screen()

    def guard_leave(self, then: Callable[[], object]) -> bool:
        """Ask before a changed form is thrown away; False when there is nothing to lose."""
        if not self.changed():
            return False

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        body = Text("What you typed in this form will be lost.\n\nPress n or esc to go back "
                    "to the form, y to discard it.")
        self.app.push_screen(ConfirmScreen("Discard this form?", body, "Discard"), answered)
        return True
