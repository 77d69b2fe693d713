"""The backup form: build a fleet backup or schedule without writing YAML.

Everything is checked as it is typed (errors beside their field), the YAML preview is built by
the same code that builds what is sent, a server dry-run runs before the real create, and a
failed submit keeps every field as typed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import yaml
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from fleettui.kube import resources as kc
from fleettui.kube.resources import MISSING
from fleettui.model.backup_form import (
    FIELDS,
    BackupForm,
    FormResult,
    add_to_selector,
    build,
    form_field,
    label_requirement,
    parse_labels,
    split_list,
)
from fleettui.model.cron import describe, next_runs, validate_cron
from fleettui.model.durations import humanize, parse_duration
from fleettui.model.errors import FieldError
from fleettui.model.filters import namespaces_not_found
from fleettui.model.kurator import ClusterRef
from fleettui.model.names import unique_name
from fleettui.model.selectors import render_selector
from fleettui.model.velero_form import VeleroForm, VeleroFormResult, build_velero, velero_form_field
from fleettui.ui.screens.form_screen import FormScreen
from fleettui.ui.widgets.form_input import FormInput
from fleettui.ui.widgets.selector_builder import SelectorBuilder
from fleettui.ui.widgets.suggest import ListSuggester
from fleettui.ui.widgets.toggles import Checklist, Choice

if TYPE_CHECKING:
    from fleettui.kube.errors import KubeError
    from fleettui.live.session import Session

TEXT_FIELDS = {
    "name": ("Name", "lowercase letters, digits and '-'"),
    "include_namespaces": ("Include namespaces", "comma-separated; empty = all"),
    "exclude_namespaces": ("Exclude namespaces", "comma-separated"),
    "labels": ("Label filter", "e.g. env=test,tier in (web,db),!legacy — OR between groups"),
    "include_resources": ("Include resources", "e.g. deployments,configmaps; empty = all"),
    "exclude_resources": ("Exclude resources", "comma-separated"),
    "ttl": ("Keep for (TTL)", "Go duration, e.g. 720h (30 days), 1h30m"),
    "schedule": ("Cron schedule", "5 fields, UTC: minute hour day-of-month month day-of-week"),
}


WARNED_FIELDS = ("schedule", "ttl", "name", "include_namespaces", "clusters")
LIST_FIELDS = {"include_namespaces", "exclude_namespaces", "include_resources",
               "exclude_resources"}


class BackupFormScreen(FormScreen):
    TITLE_TEXT = "New fleet backup"

    def __init__(self, include_namespaces: str = "", clusters: list[str] | None = None
                 ) -> None:
        """`include_namespaces` and `clusters` start the form filled in (e.g. from an
        unprotected namespace on `:coverage`); the fleet is then the one holding them."""
        super().__init__()
        self.prefill_namespaces = include_namespaces
        self.prefill_clusters = clusters
        self.touched: set[str] = set()
        self.submitted = False
        self.server_errors: dict[str, str] = {}
        self.suggesters = {"include_namespaces": ListSuggester(),
                           "exclude_namespaces": ListSuggester(), "labels": ListSuggester()}
        self.fleet_members: list[ClusterRef] = []
        self.busy = False
        self.preview_yaml = ""  # exactly what a submit sends, as YAML
        self.chosen_by_user = False  # a fleet or cluster choice made with the keyboard
        self.namespaces_by_cluster: dict[str, set[str]] = {}  # read from the chosen members
        self._revalidate_pending = False

    # ---- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="form") as scroll:
            scroll.can_focus = False  # tab goes from field to field, not to the scroller
            yield from self._text_field("name", unique_name("backup", datetime.now(UTC)))
            with Horizontal(classes="row", id="fleet-row"):
                yield Label("Fleet", classes="field-label")
                yield Select[str]([], id="fleet", prompt="choose a fleet", allow_blank=True)
            yield Static("", id="fleet-error", classes="error")
            yield Label("Clusters (space toggles; all checked = every ready cluster)",
                        classes="section")
            yield Checklist(id="clusters")
            yield Static("", id="clusters-error", classes="error")
            yield from self._text_field("include_namespaces", self.prefill_namespaces)
            for name in ("exclude_namespaces", "labels"):
                yield from self._text_field(name)
            with Horizontal(classes="row"):
                yield Label("  build", classes="field-label")
                yield SelectorBuilder(id="label-builder")
            for name in ("include_resources", "exclude_resources"):
                yield from self._text_field(name)
            yield from self._text_field("ttl", "720h")
            with Horizontal(classes="row"):
                yield Label("When", classes="field-label")
                with RadioSet(id="when"):
                    yield Choice("Once, now", value=True, id="once")
                    yield Choice("On a cron schedule", id="scheduled")
            yield from self._text_field("schedule", "0 0 * * *")
            yield Label("YAML that will be sent", classes="section")
            yield Static("", id="preview")
        # The outcome of the last submit, docked above the footer: always on screen.
        yield Static("", id="form-error")
        yield from self.compose_footer()

    def _text_field(self, name: str, value: str = "") -> ComposeResult:
        label, hint = TEXT_FIELDS[name]
        with Horizontal(classes="row", id=f"{name}-row"):
            yield Label(label, classes="field-label")
            yield FormInput(value=value, placeholder=hint, id=name,
                            suggester=self.suggesters.get(name), list_field=name in LIST_FIELDS)
        yield Static("", id=f"{name}-error", classes="error")
        yield Static("", id=f"{name}-hint", classes="hint")

    @property
    def velero(self) -> bool:
        """Plain Velero mode: Velero objects go straight into each chosen context."""
        return self.session is not None and self.session.mode == "velero"

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#schedule-row").display = False
        if self.velero:
            self._fill_contexts()
        else:
            self._fill_fleets()
        self.revalidate()
        self._initial = self._typed()

    # ---- data from the live store ---------------------------------------------------------
    def _fill_fleets(self) -> None:
        session = self.session
        if session is None:
            return
        fleets = sorted(str(f["metadata"]["name"]) for f in
                        session.store.objects(session.context or "", kc.FLEETS))
        select = self.query_one("#fleet", Select)
        select.set_options([(f, f) for f in fleets])
        if fleets and select.is_blank():
            select.value = self._prefilled_fleet(session) or fleets[0]

    def _fill_contexts(self) -> None:
        session = self.session
        assert session is not None
        self.query_one("#fleet-row").display = False
        self.query_one("#title", Static).update(Text("New Velero backup (plain Velero mode)",
                                                     style="bold"))
        clusters = self.query_one("#clusters", SelectionList)
        clusters.add_options([
            (ctx, ctx, session.store.state_of(ctx, kc.VELERO_BACKUPS)[0] != MISSING
             and self._chosen(ctx)) for ctx in session.contexts])
        self.load_suggestions(list(session.contexts))
        self.load_locations(list(session.contexts))

    def _chosen(self, cluster: str) -> bool:
        return self.prefill_clusters is None or cluster in self.prefill_clusters

    def _prefilled_fleet(self, session: Session) -> str:
        """The first fleet that holds every prefilled cluster ("" when none was given)."""
        if not self.prefill_clusters:
            return ""
        for fleet in sorted(session.store.objects(session.context or "", kc.FLEETS),
                            key=lambda f: str(f["metadata"]["name"])):
            names = {str(c.get("name")) for c in (fleet.get("spec") or {}).get("clusters") or []
                     if isinstance(c, dict)}
            if set(self.prefill_clusters) <= names:
                return str(fleet["metadata"]["name"])
        return ""

    def refresh_view(self) -> None:
        if not self.is_mounted or self.velero:
            return
        if self.query_one("#fleet", Select).is_blank():
            self._fill_fleets()

    @on(Select.Changed, "#fleet")
    def fleet_changed(self, event: Select.Changed) -> None:
        session = self.session
        self.chosen_by_user |= event.select.has_focus_within
        if session is None or event.value is Select.BLANK:
            return
        fleet = session.store.get(session.context or "", kc.FLEETS, session.namespace,
                                  str(event.value))
        refs = ((fleet or {}).get("spec") or {}).get("clusters") or []
        self.fleet_members = [ClusterRef(name=str(r.get("name", "")), kind=str(r.get("kind") or ""))
                              for r in refs]
        clusters = self.query_one("#clusters", SelectionList)
        clusters.clear_options()
        clusters.add_options([(f"{c.name}  ({c.kind or 'Cluster'})", c.name, self._chosen(c.name))
                              for c in self.fleet_members])
        self.load_suggestions([c.name for c in self.fleet_members])
        self.load_locations([c.name for c in self.fleet_members])
        self.revalidate()

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def load_suggestions(self, clusters: list[str]) -> None:
        """Namespaces and label keys/values of the chosen members, for completion."""
        from fleettui.live.suggestions import member_suggestions

        session = self.session
        if session is not None:
            self.app.call_from_thread(self._set_suggestions,
                                      *member_suggestions(session, clusters))

    def _set_suggestions(self, by_cluster: dict[str, set[str]],
                         labels: dict[str, set[str]]) -> None:
        self.namespaces_by_cluster = by_cluster
        ns = sorted(set().union(*by_cluster.values())) if by_cluster else []
        for name in ("include_namespaces", "exclude_namespaces"):
            self.suggesters[name].values = ns
        self._show("include_namespaces-hint", Text(
            "known: " + ", ".join(ns) + " (→ completes)", style="dim"))
        self.suggesters["labels"].values = sorted(f"{k}={v}" for k, vs in labels.items()
                                                  for v in vs)
        self.query_one(SelectorBuilder).suggest(labels)
        self.revalidate()

    @on(SelectorBuilder.Add)
    def add_requirement(self, event: SelectorBuilder.Add) -> None:
        box = self.query_one("#labels", Input)
        try:
            requirement = label_requirement(event.key, event.operator, event.values)
        except FieldError as e:
            self.touched.add("labels")
            self.server_errors["labels"] = e.message  # shown beside the filter until edited
            self.revalidate()
            return
        box.value = add_to_selector(box.value, requirement, event.new_group)

    # ---- validation as you type -----------------------------------------------------------
    @on(Input.Changed)
    def input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.touched.add(event.input.id)
            self.server_errors.pop(event.input.id, None)
        if not self._revalidate_pending:  # once for a burst of keys, not once a key
            self._revalidate_pending = True
            self.call_later(self._revalidate_once)

    def _revalidate_once(self) -> None:
        self._revalidate_pending = False
        self.revalidate()

    @on(SelectionList.SelectedChanged)
    def clusters_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.touched.add("clusters")
        self.chosen_by_user |= event.selection_list.has_focus
        self.revalidate()

    @on(RadioSet.Changed)
    def when_changed(self, event: RadioSet.Changed) -> None:
        self.query_one("#schedule-row").display = self.scheduled
        self.revalidate()

    @property
    def scheduled(self) -> bool:
        return self.query_one("#scheduled", RadioButton).value

    def form(self) -> BackupForm:
        session = self.session

        def value(name: str) -> str:
            return self.query_one(f"#{name}", Input).value

        fleet = self.query_one("#fleet", Select).value
        chosen = list(self.query_one("#clusters", SelectionList).selected)
        every = [c.name for c in self.fleet_members]
        return BackupForm(
            name=value("name"), namespace=session.namespace if session else "default",
            fleet="" if fleet is Select.BLANK else str(fleet),
            fleet_clusters=self.fleet_members,
            clusters=None if sorted(chosen) == sorted(every) else chosen,
            include_namespaces=value("include_namespaces"),
            exclude_namespaces=value("exclude_namespaces"), labels=value("labels"),
            include_resources=value("include_resources"),
            exclude_resources=value("exclude_resources"), ttl=value("ttl"),
            schedule=value("schedule") if self.scheduled else None)

    def velero_form(self) -> VeleroForm:
        form = self.form()
        session = self.session
        return VeleroForm(name=form.name,
                          namespace=session.velero_namespace if session else "velero",
                          include_namespaces=form.include_namespaces,
                          exclude_namespaces=form.exclude_namespaces, labels=form.labels,
                          include_resources=form.include_resources,
                          exclude_resources=form.exclude_resources, ttl=form.ttl,
                          schedule=form.schedule if self.scheduled else None)

    def draft(self) -> FormResult | VeleroFormResult:
        if not self.velero:
            return build(self.form())
        result = build_velero(self.velero_form())
        if not self.query_one("#clusters", SelectionList).selected:
            result.errors["clusters"] = "choose at least one context"
        return result

    def revalidate(self) -> FormResult | VeleroFormResult:
        result = self.draft()
        errors = {**result.errors, **self.server_errors}
        missing = namespaces_not_found(split_list(self.query_one("#include_namespaces",
                                                                  Input).value),
                                       self.namespaces_by_cluster)
        if missing:
            result.warnings.setdefault("include_namespaces", missing)
        if self._name_taken(self.query_one("#name", Input).value.strip()):
            result.warnings.setdefault("name", "a backup with this name exists already: the "
                                       "server will refuse it (409)")
        storage = self._storage_warning()
        if storage:  # a warning, not a refusal: the location may come back before the run
            result.warnings.setdefault("clusters", storage)
        for name in (*FIELDS,):
            shown = errors.get(name, "") if (self.submitted or name in self.touched or
                                             name in self.server_errors) else ""
            text = Text("✗ " + shown, style="bold red") if shown else Text(
                "! " + result.warnings[name], style="yellow") if name in result.warnings \
                and name in WARNED_FIELDS else Text("")
            self._show(f"{name}-error", text)
        self._hints(result)
        preview = yaml.safe_dump(result.manifest, sort_keys=False, allow_unicode=True)
        if preview != self.preview_yaml:
            self.preview_yaml = preview
            self.query_one("#preview", Static).update(Syntax(preview, "yaml", theme="ansi_dark"))
        return result

    def _storage_warning(self) -> str:
        """Ticked clusters whose backup location is Unavailable or ReadOnly."""
        from fleettui.model.storage import BACKUP

        return self.storage_warning(self.query_one("#clusters", SelectionList).selected, BACKUP)

    def _name_taken(self, name: str) -> bool:
        session = self.session
        if session is None or self.velero or not name:
            return False
        return session.store.get(session.context or "", kc.KURATOR_BACKUPS, session.namespace,
                                 name) is not None

    def _hints(self, result: FormResult | VeleroFormResult) -> None:
        ttl = self.query_one("#ttl", Input).value.strip()
        try:
            hint = humanize(parse_duration(ttl)) if ttl else "Velero's default: 30 days"
        except FieldError:
            hint = ""
        self._show("ttl-hint", Text(hint, style="dim"))
        try:
            single, alternatives = parse_labels(self.query_one("#labels", Input).value)
        except FieldError:
            single, alternatives = None, []
        groups = [single] if single else alternatives
        lines = [f"{'matches' if i == 0 else '     or'}: {render_selector(g)}"
                 for i, g in enumerate(groups)]
        self._show("labels-hint", Text("\n".join(lines) or "no label filter: every object",
                                       style="dim"))
        self._show("schedule-hint", self._schedule_hint())

    def _schedule_hint(self) -> Text:
        if not self.scheduled:
            return Text("")
        cron = self.query_one("#schedule", Input).value.strip()
        try:
            validate_cron(cron, allow_descriptors=self.velero)  # Kurator: 5 fields only
            runs = next_runs(cron, 5, start=datetime.now(UTC))
            text = describe(cron)
        except FieldError:
            return Text("")
        lines = [f"{text} (UTC). Next runs:"]
        lines += [f"  {t:%a %Y-%m-%d %H:%M} UTC  ·  {t.astimezone():%H:%M %Z} local" for t in runs]
        return Text("\n".join(lines), style="dim")

    # ---- submit ----------------------------------------------------------------------------
    def _submit(self, dry_run_only: bool) -> None:
        if self.busy:
            self.say("… still waiting for the server's answer to the last submit", "dim")
            return
        self.submitted = True
        result = self.revalidate()
        if not result.ok:
            self._point_at_errors(result.errors)
            return
        self.busy = True
        targets = self.targets()
        self.say(f"… {'server dry-run' if dry_run_only else 'creating'} on "
                 f"{', '.join(targets)}", "dim")
        self.send(result.manifest, targets, dry_run_only)

    def targets(self) -> list[str]:
        """Where a submit goes: the host (Kurator), or each chosen context (plain Velero)."""
        if self.velero:
            return list(self.query_one("#clusters", SelectionList).selected)
        session = self.session
        return [(session.context or "current context") if session else "the cluster"]

    def _point_at_errors(self, errors: dict[str, str]) -> None:
        names = [TEXT_FIELDS.get(f, (f.capitalize(), ""))[0] for f in FIELDS if f in errors]
        names += [f for f in errors if f not in FIELDS]
        self.say(f"✗ nothing sent: fix {', '.join(names)} (marked above)", "bold red")
        first = next((f for f in FIELDS if f in errors), None)
        widget = self.query(f"#{first}") if first else None
        if widget:
            widget.first().focus()

    @work(thread=True, exclusive=True, group="submit", exit_on_error=False)
    def send(self, manifest: dict[str, object], targets: list[str], dry_run_only: bool) -> None:
        from fleettui.kube.errors import KubeError
        from fleettui.live.backends import SubmitError

        name = str(manifest["metadata"]["name"])  # type: ignore[index]
        created: list[str] = []
        try:
            if self.session is None:
                raise KubeError(0, "NotConnected", "not connected to the cluster yet")
            created = self.session.backend.submit(manifest, targets, dry_run_only)
        except Exception as e:  # a bug too must not leave the form waiting forever
            cause = e.error if isinstance(e, SubmitError) else e
            created = e.created if isinstance(e, SubmitError) else []
            error = cause if isinstance(cause, KubeError) else KubeError(0, "Error", repr(cause))
            self.app.call_from_thread(self._failed, error, created)
            return
        self.app.call_from_thread(self._sent, name, dry_run_only, created)

    def _failed(self, e: object, created: list[str]) -> None:
        from fleettui.kube.errors import KubeError

        self.busy = False
        assert isinstance(e, KubeError)
        self.server_errors = {}
        to_field = velero_form_field if self.velero else form_field
        for path, message in e.field_errors().items():
            self.server_errors.setdefault(to_field(path), message)
        if e.code == 409:
            self.server_errors["name"] = "this name is taken: choose another"
        self.revalidate()
        self.say(refusal(e, created), "bold red")

    def _sent(self, name: str, dry_run_only: bool, created: list[str]) -> None:
        self.busy = False
        where = ", ".join(self.targets())
        if dry_run_only:
            self.say(f"✓ {where} accepts this {self._kind()} (server dry-run: nothing "
                     "created; ctrl+s creates it)", "bold green")
            return
        self.app.pop_screen()
        self.fleet_app.open_status(name)
        self.app.notify(f"Created {self._kind()} {name} on {', '.join(created)}",
                        title="Created", markup=False)

    def _kind(self) -> str:
        return "schedule" if self.scheduled else "backup"

    # ---- leaving -------------------------------------------------------------------------
    def _typed(self) -> tuple[object, ...]:
        values = tuple(box.value for box in self.query("#form Input").results(Input))
        return (*values, self.scheduled, self.chosen_by_user)


def refusal(e: KubeError, created: list[str]) -> str:
    """One or two lines: who refused, the HTTP code and reason, the server's words, what to
    do; and where something was already created when a later create failed."""
    where = f"{e.cluster}: " if e.cluster else ""
    code = f"{e.code} {e.reason}: " if e.code and f"({e.code}" not in e.message else ""
    text = f"✗ {where}{code}{e.message}"
    hint = _WHAT_NOW.get(e.code, "")
    if hint:
        text += f" ({hint})"
    if created:
        text += f"\n! already created on {', '.join(created)}: delete it there or retry"
    return text + " · nothing you typed was lost"


_WHAT_NOW = {0: "check the connection, then ctrl+s again",
             409: "change Name", 422: "see the fields marked above",
             429: "the server is busy: try again", 500: "the server failed: try again",
             503: "the server is unavailable: try again"}
