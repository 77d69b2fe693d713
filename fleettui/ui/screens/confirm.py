"""A yes/no dialog that says exactly what will and will not happen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


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


def delete_explanation(mode: str, name: str, namespace: str,
                       targets: list[tuple[str, str]]) -> Text:
    """Names what will and will not be deleted; the two modes differ a lot."""
    body = Text()
    if mode == "kurator":
        body.append("Deletes ")
        body.append(f"backups.backup.kurator.dev/{name}", style="bold")
        body.append(f" in namespace {namespace}. Kurator then deletes the Velero Backup or "
                    "Schedule objects it created in each member cluster.\n\n")
        body.append("Not deleted: ", style="bold yellow")
        body.append("the backup data in object storage (Kurator never deletes it, and Velero "
                    "may re-sync the Velero Backup objects from the bucket), backups already "
                    "taken by a schedule, and anything restored from them.")
        return body
    for cluster, plural in targets:
        what = ("DeleteBackupRequest: Velero deletes the backup AND its data in object "
                "storage" if plural == "backups" else "the Schedule (backups it took stay)")
        body.append(f"{cluster}: ", style="bold")
        body.append(what + "\n")
    body.append("\nNot deleted: ", style="bold yellow")
    body.append("anything restored from these backups.")
    return body
