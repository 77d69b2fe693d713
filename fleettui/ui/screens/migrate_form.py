"""The migrate form (`m`): copy one member's workloads to others with a Kurator Migrate (Kurator
backs up the source, then restores that backup in each target).

One source (Kurator picks one at random or crashes with more), targets that are not the source,
the filters, ordered resources and namespace mapping; built by model.restore_form as the CLI's
`fleettui migrate create` builds it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Select, SelectionList
from textual.widgets.selection_list import Selection

from fleettui.model.kurator import ClusterRef
from fleettui.model.names import unique_name
from fleettui.model.restore_form import (
    MIGRATE_FIELDS,
    MigrateForm,
    RestoreFormResult,
    build_migrate,
    migrate_field,
)
from fleettui.ui.screens.recovery_form import RecoveryFormScreen
from fleettui.ui.widgets.toggles import Checklist


class MigrateFormScreen(RecoveryFormScreen):
    FIELDS = MIGRATE_FIELDS
    KIND = "migrate"
    TITLE_TEXT = "Migrate: copy one cluster's workloads to others"
    FILTER_HEADING = "What to copy (Kurator backs it up in the source, then restores it)"
    HINTS = {"include_namespaces": "comma-separated; empty = all"}

    def __init__(self, fleet: str = "", source: str = "") -> None:
        super().__init__()
        self.fleet = fleet
        self.source = source
        self.members: list[ClusterRef] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="form") as scroll:
            scroll.can_focus = False
            yield from self.text_field("name", unique_name("migrate", datetime.now(UTC)))
            with Horizontal(classes="row"):
                yield Label("Fleet", classes="field-label")
                yield Select[str]([], id="fleet", prompt="choose a fleet", allow_blank=True)
            yield from self.error_box("fleet")
            with Horizontal(classes="row"):
                yield Label("From cluster", classes="field-label")
                yield Select[str]([], id="source", prompt="the one source", allow_blank=True)
            yield from self.error_box("source")
            yield Label("To clusters (space toggles)", classes="section")
            yield Checklist(id="targets")
            yield from self.error_box("targets")
            yield from self.compose_filters()
            yield from self.text_field("ordered_resources")
            yield from self.compose_options()
            yield from self.compose_tail()
            yield from self.error_box("form")
        yield from self.compose_outcome()

    def fill(self) -> None:
        from fleettui.live.recoveries import fleet_names

        session = self.session
        fleets = fleet_names(session) if session is not None else []
        select = self.query_one("#fleet", Select)
        select.set_options([(Text(f), f) for f in fleets])
        wanted = self.fleet if self.fleet in fleets else fleets[0] if fleets else ""
        if wanted:
            select.value = wanted
            self._fill_members(wanted)

    def refresh_view(self) -> None:
        if self.is_mounted and self.result is not None and \
                self.query_one("#fleet", Select).is_blank():
            self.fill()  # connected after the form opened

    @on(Select.Changed, "#fleet")
    def fleet_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.BLANK and str(event.value) != self.fleet:
            self._fill_members(str(event.value))
        self.revalidate()

    def _fill_members(self, fleet: str) -> None:
        from fleettui.live.recoveries import fleet_members

        if self.session is None:
            return
        self.fleet = fleet
        self.members = fleet_members(self.session, fleet)
        self.load_locations([m.name for m in self.members])
        names = [m.name for m in self.members]
        source = self.query_one("#source", Select)
        source.set_options([(Text(n), n) for n in names])
        if self.source in names:
            source.value = self.source
        self._fill_targets()

    @on(Select.Changed, "#source")
    def source_changed(self, event: Select.Changed) -> None:
        self.source = "" if event.value is Select.BLANK else str(event.value)
        self.touched.add("source")
        self._fill_targets()
        self.load_suggestions([self.source] if self.source else [])
        self.revalidate()

    def _fill_targets(self) -> None:
        """Every member but the source; ticks kept across a change of source."""
        targets = self.query_one("#targets", SelectionList)
        ticked = set(targets.selected)
        targets.clear_options()
        targets.add_options([Selection(Text(m.name), m.name, m.name in ticked)
                             for m in self.members if m.name != self.source])
        if targets.option_count:
            targets.highlighted = 0  # else space toggles nothing until an arrow key is pressed

    def form(self) -> MigrateForm:
        return MigrateForm(**self.selection_text(), fleet=self.fleet,
                           fleet_clusters=self.members, source=self.source,
                           targets=list(self.query_one("#targets", SelectionList).selected),
                           ordered_resources=self.value("ordered_resources"))

    def draft(self) -> RestoreFormResult:
        return build_migrate(self.form())

    def field_for(self, path: str) -> str:
        return migrate_field(path)

    def extra_checks(self, result: RestoreFormResult) -> None:
        """The source backs up (a ReadOnly or Unavailable location fails it), the targets
        restore (an Unavailable one cannot read the backup): warned, not refused."""
        from fleettui.model.storage import BACKUP, RESTORE

        source = self.storage_warning([self.source] if self.source else [], BACKUP)
        targets = self.storage_warning(self.query_one("#targets", SelectionList).selected,
                                       RESTORE)
        if source:
            result.warnings.setdefault("source", source)
        if targets:
            result.warnings.setdefault("targets", targets)

    def other_choices(self) -> tuple[object, ...]:
        return (self.fleet, self.source)
