"""The restore form (`r` on a backup or schedule): a Kurator Restore without writing YAML.

Only the clusters the backup covered can be ticked (the others are listed with the reason:
Kurator would retry a restore there forever); before anything is sent the form shows, per
cluster, which Velero backup will be used, and refuses where there is none (a schedule with no
Completed run, an unfinished backup), naming the cluster: Kurator would stop without a word.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from fleettui.kube import resources as kc
from fleettui.model.errors import FieldError
from fleettui.model.kurator import ClusterRef, KuratorBackup, parse_backup
from fleettui.model.names import unique_name
from fleettui.model.restore import BackupChoice, backup_clusters, restore_targets
from fleettui.model.restore_form import (
    RESTORE_FIELDS,
    RestoreForm,
    RestoreFormResult,
    build_restore,
    restore_field,
)
from fleettui.model.restore_preview import preview, preview_lines, restore_filter
from fleettui.ui.screens.recovery_form import RecoveryFormScreen
from fleettui.ui.widgets.toggles import Checklist


class RestoreFormScreen(RecoveryFormScreen):
    FIELDS = RESTORE_FIELDS
    KIND = "restore"

    def __init__(self, backup_name: str) -> None:
        super().__init__()
        self.backup_name = backup_name
        self.TITLE_TEXT = f"Restore from backup {backup_name}"
        self.backup: KuratorBackup | None = None
        self.members: list[ClusterRef] = []
        self.covered: list[str] = []
        self.choices: list[BackupChoice] = []
        # (cluster, Velero backup) → its resource list, or why it cannot be read; each is
        # fetched once, in a worker, and narrowed again here as the filters change
        self.resource_lists: dict[tuple[str, str], Any] = {}
        self.closing = threading.Event()

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="form") as scroll:
            scroll.can_focus = False  # tab goes from field to field
            yield from self.text_field("name", unique_name("restore", datetime.now(UTC)))
            yield Static("", id="source")
            yield Label("Clusters (space toggles; only those the backup covered)",
                        classes="section")
            yield Checklist(id="clusters")
            yield from self.error_box("clusters")
            yield Static("", id="choices")
            yield Static("", id="comes-back")
            yield from self.compose_filters()
            yield from self.compose_options()
            yield from self.compose_tail()
            yield from self.error_box("backup")
            yield from self.error_box("fleet")
            yield from self.error_box("form")
        yield from self.compose_outcome()

    # ---- from the live store -------------------------------------------------------------------
    def fill(self) -> None:
        from fleettui.live.recoveries import fleet_members

        session = self.session
        obj = None if session is None else session.store.get(
            session.context or "", kc.KURATOR_BACKUPS, session.namespace, self.backup_name)
        try:
            self.backup = None if obj is None else parse_backup(obj)
        except FieldError as e:
            self._show("source", Text(f"✗ backup {self.backup_name} cannot be read: {e}",
                                     style="bold red"))
            return
        if self.backup is None or session is None:
            self._show("source", Text(f"✗ no backup {self.backup_name} (deleted?)",
                                     style="bold red"))
            return
        self.members = fleet_members(session, self.backup.destination.fleet)
        self.covered = [c.name for c in backup_clusters(self.backup, self.members)]
        what = (f"scheduled backup {self.backup_name} ({self.backup.schedule}): each cluster's "
                "newest Completed run" if self.backup.scheduled else
                f"one-time backup {self.backup_name}")
        self._show("source", Text(f"From {what}; fleet {self.backup.destination.fleet}",
                                 style="dim"))
        clusters = self.query_one("#clusters", SelectionList)
        clusters.add_options([Selection(Text(c), c, True, id=c) for c in self.covered])
        clusters.add_options([
            Selection(Text(f"{m.name}  — not in this backup: use a migrate (m) to copy "
                           "there", style="dim"), m.name, False, id=m.name, disabled=True)
            for m in self.members if m.name not in self.covered])
        if clusters.option_count:
            clusters.highlighted = 0  # else space toggles nothing until an arrow key is pressed
        self.load_suggestions(self.covered)
        self.load_locations(self.covered)

    def refresh_view(self) -> None:
        if self.is_mounted and self.result is not None:
            self.revalidate()  # the Velero backups chosen move with the members' feeds

    # ---- the object --------------------------------------------------------------------------
    def form(self) -> RestoreForm:
        chosen = list(self.query_one("#clusters", SelectionList).selected)
        return RestoreForm(
            **self.selection_text(), backup_name=self.backup_name, backup=self.backup,
            backup_known=True, fleet_clusters=self.members,
            clusters=None if sorted(chosen) == sorted(self.covered) else chosen)

    def draft(self) -> RestoreFormResult:
        return build_restore(self.form())

    def field_for(self, path: str) -> str:
        return restore_field(path)

    def extra_checks(self, result: RestoreFormResult) -> None:
        """Which Velero backup each target will restore from; none usable refuses."""
        from fleettui.live.recoveries import backup_choices, not_ready
        from fleettui.model.storage import RESTORE

        session = self.session
        if session is None or self.backup is None or result.restore is None:
            self._show("choices", Text(""))
            self.choices = []
            return
        targets = [c.name for c in restore_targets(result.restore, self.backup, self.members)
                   if c.name in self.covered]
        self.choices = backup_choices(session, self.backup, targets)
        self._show("choices", choices_text(self.choices, not_ready(session)))
        storage = self.storage_warning(targets, RESTORE)
        if storage:
            result.warnings.setdefault("clusters", storage)
        self._show_comes_back(result)
        refused = [c for c in self.choices if not c.usable]
        if refused:
            result.errors.setdefault("clusters", "no usable Velero backup in " + ", ".join(
                c.cluster for c in refused) + ": untick it, or wait for a completed run")


    # ---- what would come back (#14 item 3) -----------------------------------------------------
    def _show_comes_back(self, result: RestoreFormResult) -> None:
        usable = [c for c in self.choices if c.usable]
        if self.fleet_app.readonly:
            from fleettui.live.downloads import READONLY_NOTE

            self._show("comes-back", Text(f"What would come back is not read: {READONLY_NOTE}",
                                          style="dim") if usable else Text(""))
            return
        wanted = [(c.cluster, c.velero_name) for c in usable
                  if (c.cluster, c.velero_name) not in self.resource_lists]
        for key in wanted:
            self.resource_lists[key] = None  # asked for: fetched once
        if wanted:
            self.fetch_resource_lists(wanted)
        self._show("comes-back", comes_back_text(
            [(c.cluster, self.resource_lists.get((c.cluster, c.velero_name))) for c in usable],
            restore_filter(result.manifest)))

    def fetch_resource_lists(self, keys: list[tuple[str, str]]) -> None:
        for key in keys:  # one worker each: a member that never answers holds up no other
            self.run_worker(lambda k=key: self._fetch_resource_list(k), thread=True,
                            group="resource-lists", exit_on_error=False)

    def _fetch_resource_list(self, key: tuple[str, str]) -> None:
        from fleettui.kube.downloads import Cancelled
        from fleettui.kube.errors import KubeError
        from fleettui.live.downloads import session_resource_list

        session = self.session
        if session is None:
            return
        try:
            found: Any = session_resource_list(session, *key, cancelled=self.closing.is_set)
        except KubeError as e:
            found = e  # said in place of the counts
        except Cancelled:
            return
        if not self.closing.is_set():
            self.app.call_from_thread(self._got_resource_list, key, found)

    def on_unmount(self) -> None:
        self.closing.set()  # a fetch still waiting for Velero stops at its next poll

    def _got_resource_list(self, key: tuple[str, str], found: Any) -> None:
        self.resource_lists[key] = found
        if self.is_mounted and self.result is not None:
            self._show_comes_back(self.result)


def comes_back_text(lists: list[tuple[str, Any]], wanted: dict[str, Any]) -> Text:
    """Per cluster, what the restore would bring back: its Velero backup's resource list
    narrowed by the filters (per namespace: kinds and counts), or why it is not known."""
    from fleettui.kube.errors import KubeError

    if not lists:
        return Text("")
    text = Text("What would come back (the backup's resource list, narrowed by the filters):",
                style="bold")
    notes: list[str] = []
    for cluster, found in lists:
        text.append("\n")
        text.append(cluster, style="bold")
        if found is None:
            text.append(": reading the resource list from Velero…", style="dim")
        elif isinstance(found, KubeError):
            text.append(f": ✗ {found.message}", style="red")
        else:
            got = preview(found, wanted)
            notes = got.notes
            body = preview_lines(got)[:-len(got.notes) or None]
            text.append(": " + "; ".join(body))
    for note in notes:
        text.append(f"\nnote: {note}", style="yellow")
    return text


def choices_text(choices: list[BackupChoice], not_ready: set[str]) -> Text:
    """One line per cluster: the Velero backup it will restore from (name, start, phase), or
    why there is none. Text, not markup: every name comes from a cluster."""
    text = Text("Velero backup each cluster will restore from:\n", style="bold")
    for c in choices:
        text.append("✓ " if c.usable and not c.note else "! " if c.usable else "✗ ",
                    style="green" if c.usable and not c.note else "yellow" if c.usable
                    else "bold red")
        text.append(c.cluster, style="bold")
        if c.usable:
            when = f"{c.started:%Y-%m-%d %H:%M} UTC" if c.started else "start unknown"
            text.append(f": {c.velero_name} ({c.phase}, {when})")
            if c.note:
                text.append(f"; {c.note}")
        else:
            text.append(f": {c.note}")
        if c.cluster in not_ready:
            text.append(" (cluster not ready: Kurator waits for it)", style="yellow")
        text.append("\n")
    text.rstrip()
    return text

