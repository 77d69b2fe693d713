"""What the restore and migrate forms share: the second resource filter (with the backup form's
selector builder), namespace mapping, preserve node ports, restore status, the YAML preview,
errors beside fields as you type, ctrl+t / ctrl+s with the outcome bar, and the question before
a changed form is thrown away.

Objects are built by model.restore_form, as `fleettui restore|migrate create` builds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, SelectionList, Static

from fleettui.live.member_feeds import RESTORES, STATUS
from fleettui.model.backup_form import add_to_selector, label_requirement
from fleettui.model.errors import FieldError
from fleettui.model.restore_form import RestoreFormResult
from fleettui.ui.screens.backup_form import LIST_FIELDS as BACKUP_LISTS
from fleettui.ui.screens.backup_form import TEXT_FIELDS as BACKUP_FIELDS
from fleettui.ui.screens.backup_form import refusal
from fleettui.ui.screens.form_screen import FormScreen
from fleettui.ui.widgets.form_input import FormInput
from fleettui.ui.widgets.selector_builder import SelectorBuilder
from fleettui.ui.widgets.suggest import ListSuggester
from fleettui.ui.widgets.toggles import Checklist

if TYPE_CHECKING:
    from fleettui.kube.errors import KubeError

# The backup form's fields and hints, and what only a restore has.
TEXT_FIELDS = {
    **BACKUP_FIELDS,
    "include_namespaces": ("Include namespaces", "comma-separated; empty = all in the backup"),
    "ordered_resources": ("Ordered resources", "pods=ns/a,ns/b;persistentvolumes=pv1"),
    "namespace_mapping": ("Namespace mapping", "old:new,old2:new2"),
    "restore_status": ("Restore status of", "resources whose .status comes back too"),
}
LIST_FIELDS = BACKUP_LISTS | {"namespace_mapping", "restore_status"}
PRESERVE_NODE_PORTS = "preserve_node_ports"


class RecoveryFormScreen(FormScreen):
    DEFAULT_CSS = """
    RecoveryFormScreen #options { height: auto; border: none; }
    RecoveryFormScreen #targets { height: auto; max-height: 8; border: none; }
    RecoveryFormScreen #choices, RecoveryFormScreen #source { height: auto; }
    """
    FIELDS: tuple[str, ...] = ()  # form fields in screen order (model.restore_form)
    KIND = ""  # restore | migrate
    FILTER_HEADING = "What to restore (within what the backup holds)"
    HINTS: dict[str, str] = {}  # placeholders that differ from TEXT_FIELDS'

    def __init__(self) -> None:
        super().__init__()
        self.touched: set[str] = set()
        self.submitted = False
        self.busy = False
        self.server_errors: dict[str, str] = {}
        self.preview_yaml = ""  # exactly what a submit sends, as YAML
        self.result: RestoreFormResult | None = None
        self._pending = False
        self.suggesters = {"include_namespaces": ListSuggester(),
                           "exclude_namespaces": ListSuggester()}

    # ---- layout ----------------------------------------------------------------------------
    def text_field(self, name: str, value: str = "") -> ComposeResult:
        label, hint = TEXT_FIELDS[name]
        hint = self.HINTS.get(name, hint)
        with Horizontal(classes="row", id=f"{name}-row"):
            yield Label(label, classes="field-label")
            yield FormInput(value=value, placeholder=hint, id=name,
                            suggester=self.suggesters.get(name), list_field=name in LIST_FIELDS)
        yield Static("", id=f"{name}-error", classes="error")

    def error_box(self, name: str) -> ComposeResult:
        yield Static("", id=error_id(name), classes="error")

    def compose_filters(self) -> ComposeResult:
        yield Label(self.FILTER_HEADING, classes="section")
        for name in ("include_namespaces", "exclude_namespaces", "labels"):
            yield from self.text_field(name)
        with Horizontal(classes="row"):
            yield Label("  build", classes="field-label")
            yield SelectorBuilder(id="label-builder")
        for name in ("include_resources", "exclude_resources"):
            yield from self.text_field(name)

    def compose_options(self) -> ComposeResult:
        yield from self.text_field("namespace_mapping")
        yield Checklist((Text("Preserve node ports (services keep their nodePort)"),
                         PRESERVE_NODE_PORTS), id="options")
        yield from self.text_field("restore_status")

    def compose_tail(self) -> ComposeResult:
        yield Label("YAML that will be sent", classes="section")
        yield Static("", id="preview")

    def compose_outcome(self) -> ComposeResult:
        yield Static("", id="form-error")  # the last submit's outcome, always on screen
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()
        # which backup each cluster would use is read from the members' own objects
        self.want_members([m.name for m in getattr(self, "members", [])], (STATUS, RESTORES))
        self.revalidate()
        self._initial = self._typed()

    def fill(self) -> None:
        """Fill choices from the live store (subclasses)."""

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def load_suggestions(self, clusters: list[str]) -> None:
        """Namespaces and pod labels of `clusters`, for completion (the backup form's)."""
        from fleettui.live.suggestions import member_suggestions

        session = self.session
        if session is not None and clusters:
            self.app.call_from_thread(self._set_suggestions,
                                      *member_suggestions(session, clusters))

    def _set_suggestions(self, by_cluster: dict[str, set[str]],
                         labels: dict[str, set[str]]) -> None:
        known = sorted(set().union(*by_cluster.values())) if by_cluster else []
        for name in ("include_namespaces", "exclude_namespaces"):
            self.suggesters[name].values = known
        self.query_one(SelectorBuilder).suggest(labels)

    # ---- values ----------------------------------------------------------------------------
    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def selection_text(self) -> dict[str, Any]:
        """The fields every restore form shares, as model.restore_form names them."""
        ticked = PRESERVE_NODE_PORTS in self.query_one("#options", SelectionList).selected
        return {name: self.value(name) for name in (
            "include_namespaces", "exclude_namespaces", "labels", "include_resources",
            "exclude_resources", "namespace_mapping", "restore_status")} | {
            "name": self.value("name"),
            "namespace": self.session.namespace if self.session else "default",
            "preserve_node_ports": True if ticked else None}

    def draft(self) -> RestoreFormResult:
        raise NotImplementedError

    def extra_checks(self, result: RestoreFormResult) -> None:
        """Checks the builder cannot make (they need the live store); subclasses."""

    # ---- as you type -------------------------------------------------------------------------
    @on(Input.Changed)
    def input_changed(self, event: Input.Changed) -> None:
        if event.input.id and not event.input.id.startswith("lb-"):
            self.touched.add(event.input.id)
            self.server_errors.pop(event.input.id, None)
        if not self._pending:  # once for a burst of keys
            self._pending = True
            self.call_later(self._revalidate_once)

    def _revalidate_once(self) -> None:
        self._pending = False
        self.revalidate()

    @on(SelectionList.SelectedChanged)
    def selection_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        if event.selection_list.id:
            self.touched.add(event.selection_list.id)
        self.revalidate()

    @on(SelectorBuilder.Add)
    def add_requirement(self, event: SelectorBuilder.Add) -> None:
        box = self.query_one("#labels", Input)
        try:
            requirement = label_requirement(event.key, event.operator, event.values)
        except FieldError as e:
            self.touched.add("labels")
            self.server_errors["labels"] = e.message  # beside the filter until edited
            self.revalidate()
            return
        box.value = add_to_selector(box.value, requirement, event.new_group)

    def revalidate(self) -> RestoreFormResult:
        result = self.draft()
        self.extra_checks(result)
        errors = {**result.errors, **self.server_errors}
        for name in (*self.FIELDS, "form"):
            shown = errors.get(name, "") if (self.submitted or name in self.touched
                                             or name in self.server_errors) else ""
            warning = result.warnings.get(name, "")
            self._show(error_id(name), Text("✗ " + shown, style="bold red") if shown else
                      Text("! " + warning, style="yellow") if warning else Text(""))
        preview = yaml.safe_dump(result.manifest, sort_keys=False, allow_unicode=True)
        if preview != self.preview_yaml:
            self.preview_yaml = preview
            self.query_one("#preview", Static).update(Syntax(preview, "yaml", theme="ansi_dark"))
        self.result = result
        return result

    # ---- submit ------------------------------------------------------------------------------
    def _submit(self, dry_run_only: bool) -> None:
        if self.busy:
            self.say("… still waiting for the server's answer to the last submit", "dim")
            return
        self.submitted = True
        result = self.revalidate()
        errors = {**result.errors, **self.server_errors}
        if errors:
            self._point_at_errors(errors)
            return
        self.busy = True
        where = self.session.context if self.session else "the host"
        self.say(f"… {'server dry-run' if dry_run_only else 'creating'} on {where}", "dim")
        self.send(result.manifest, dry_run_only)

    def _point_at_errors(self, errors: dict[str, str]) -> None:
        fields = [f for f in (*self.FIELDS, "form") if f in errors]
        names = [TEXT_FIELDS.get(f, (f.replace("_", " ").capitalize(), ""))[0] for f in fields]
        self.say(f"✗ nothing sent: fix {', '.join(names)} (marked above)", "bold red")
        found = self.query(f"#{fields[0]}") if fields else None
        if found:
            found.first().focus()

    @work(thread=True, exclusive=True, group="submit", exit_on_error=False)
    def send(self, manifest: dict[str, Any], dry_run_only: bool) -> None:
        from fleettui.kube.errors import KubeError
        from fleettui.live.backends import SubmitError
        from fleettui.live.recoveries import submit_recovery

        try:
            if self.session is None:
                raise KubeError(0, "NotConnected", "not connected to the cluster yet")
            submit_recovery(self.session, manifest, dry_run_only)
        except Exception as e:  # a bug too must not leave the form waiting forever
            cause = e.error if isinstance(e, SubmitError) else e
            error = cause if isinstance(cause, KubeError) else KubeError(0, "Error", repr(cause))
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._sent, str(manifest["metadata"]["name"]), dry_run_only)

    def field_for(self, path: str) -> str:
        raise NotImplementedError

    def _failed(self, e: KubeError) -> None:
        self.busy = False
        self.server_errors = {}
        for path, message in e.field_errors().items():
            self.server_errors.setdefault(self.field_for(path), message)
        if e.code == 409:
            self.server_errors["name"] = "this name is taken: choose another"
        self.revalidate()
        self.say(refusal(e, []), "bold red")

    def _sent(self, name: str, dry_run_only: bool) -> None:
        from fleettui.ui.screens.recovery_status import RecoveryStatusScreen

        self.busy = False
        where = self.session.context if self.session else "the host"
        if dry_run_only:
            self.say(f"✓ {where} accepts this {self.KIND} (server dry-run: nothing created; "
                     "ctrl+s creates it)", "bold green")
            return
        self.app.pop_screen()
        self.app.push_screen(RecoveryStatusScreen(self.KIND.capitalize(), name))
        self.app.notify(f"Created {self.KIND} {name} on {where}", title="Created",
                        markup=False)

    # ---- leaving ---------------------------------------------------------------------------
    def _typed(self) -> tuple[object, ...]:
        values = tuple(box.value for box in self.query("#form Input").results(Input))
        ticks = tuple(tuple(sorted(s.selected)) for s in self.query(SelectionList)
                      .results(SelectionList))
        return (*values, *ticks, *self.other_choices())

    def other_choices(self) -> tuple[object, ...]:
        return ()


def error_id(field: str) -> str:
    """The box beside a field; the whole object's ("form") must not be the outcome bar."""
    return "spec-error" if field == "form" else f"{field}-error"
