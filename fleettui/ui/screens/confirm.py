"""A yes/no dialog that says exactly what will and will not happen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from fleettui.live.delete_plans import DeletePlan


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]
    AUTO_FOCUS = "#no"  # the safe answer is the default, from the first key on

    def __init__(self, title: str, body: Text, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            yield Static(self.body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.confirm_label} (y)", variant="error", id="yes")
                yield Button("Cancel (n/esc)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def plan_text(plan: DeletePlan) -> Text:
    """What will be sent where, what then happens, and what is NOT deleted."""
    body = Text()
    for step in plan.steps:
        body.append(f"{step.cluster}: ", style="bold")
        body.append(f"{step.action}. {step.effect[:1].upper()}{step.effect[1:]}.\n")
    if plan.then_intro:
        body.append(f"\n{plan.then_intro}\n")
        for obj in plan.then:
            body.append(f"  {obj.cluster}: ", style="bold")
            body.append(f"{obj.kind}/{obj.name}" + (f" ({obj.note})" if obj.note else "") + "\n")
    body.append("\nNot deleted: ", style="bold yellow")
    body.append("; ".join(plan.kept) + ".")
    return body
