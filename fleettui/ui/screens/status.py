"""One fleet backup, live: the derived overall phase and a row per target cluster."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fleettui.live.downloads import (
    LOGGED_PHASES,
    READONLY_NOTE,
    ResultsCache,
    not_logged_reason,
    session_log,
)
from fleettui.live.member_feeds import STATUS
from fleettui.model.cron import describe, next_runs
from fleettui.model.errors import FieldError
from fleettui.model.status import FAILED, PARTIALLY_FAILED, ClusterRow, FleetBackupStatus
from fleettui.model.velero_results import ERROR, ResultLine
from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen, set_text
from fleettui.ui.screens.log_viewer import LogViewerScreen
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

if TYPE_CHECKING:
    from fleettui.live.session import Session

COLUMNS = [Column("CLUSTER", 15, NAME, least=15, most=48), Column("PHASE", 18, PHASE),
           Column("ITEMS", 7), Column("ERR/WARN", 8, drop=2), Column("STARTED", 8, drop=3),
           Column("TOOK", 5, drop=4), Column("EXPIRES", 8, drop=5)]
RUN_COLUMNS = [Column("CLUSTER", 16, NAME, least=12, most=48), Column("RUN (UTC)", 19),
               Column("PHASE", 18, PHASE), Column("ITEMS", 7, drop=1),
               Column("STARTED", 8, drop=2)]


class StatusScreen(LiveScreen):
    DEFAULT_CSS = """
    StatusScreen #reasons { height: auto; padding: 0 1; }
    StatusScreen #results { height: auto; max-height: 8; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("y", "yaml", "YAML", id="yaml"),
        Binding("d,ctrl+d", "delete", "Delete", id="delete"),
        Binding("l", "logs", "Log", id="logs"),
    ]
    MAX_RESULT_LINES = 6

    def __init__(self, name: str) -> None:
        super().__init__()
        self.backup_name = name
        self.TITLE_TEXT = f"Backup {name}"
        self.results = ResultsCache()  # per (cluster, run, phase): fetched when selected

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="overall")
        yield Static("", id="summary")
        yield from self.compose_table(COLUMNS, "clusters")
        yield Static("", id="reasons")
        yield Static("", id="results")
        yield Static("", id="schedule")
        yield from self.compose_table(RUN_COLUMNS, "runs")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#overall").styles.height = "auto"  # a long problem wraps, not cut
        super().on_mount()

    def refresh_view(self) -> None:
        session = self.session
        if session is None:
            return
        overall = self.query_one("#overall", Static)
        now = datetime.now(UTC)
        found = session.backend.backup(self.backup_name, now)
        if found is None:
            set_text(overall, Text(f"✗ {self.backup_name} no longer exists", style="bold red"))
            return
        st = found.status
        self.want_members([r.cluster_name for r in st.rows], (STATUS,))
        head = rows.phase_text(st.overall)
        head.stylize("bold")
        if found.problem:
            # the connection line says why; here only that this is not current
            head.append(f"   ⟳ {found.problem.split(':')[0]}: last known state",
                        style="yellow")
        set_text(overall, head)
        set_text(self.query_one("#summary", Static), st.headline)
        table = self.query_one("#clusters", LiveTable)
        table.sync([(r.cluster_name, rows.cluster_status_row(r, now)) for r in st.rows])
        reasons = self.query_one("#reasons", Static)
        text = rows.reason_text(st.rows, table.selected_key)
        copied = rows.copy_note(session, st.rows)
        if copied:
            text = Text("\n").join([t for t in (text, copied) if t])
        set_text(reasons, text)
        reasons.display = bool(text)
        self._show_results(self._selected_row(st))
        self._show_schedule(found.schedule, st, now)

    def _show_schedule(self, cron: str, st: FleetBackupStatus, now: datetime) -> None:
        """A schedule's line and its runs (either mode); nothing for a one-time backup."""
        box = self.query_one("#schedule", Static)
        runs_table = self.query_one("#runs", LiveTable)
        scheduled = bool(cron) or st.scheduled
        box.display = bool(cron)
        runs_table.display = scheduled
        self.query_one("#runs-hidden").display = bool(scheduled and runs_table.hidden)
        if cron:
            line = self._schedule_line(cron, now)
            speed = self.fleet_app.schedule_speed
            if speed != 1 and not line.startswith("✗"):
                line += f" (the demo's simulator fires it {speed:g}x faster)"
            set_text(box, line)
        runs_table.sync([(f"{c}/{r.velero_name}", rows.run_row(c, r, now))
                         for c, history in st.runs.items() for r in history])

    _schedule_cache: tuple[str, datetime | None, str] = ("", None, "")

    def _schedule_line(self, cron: str, now: datetime) -> str:
        """The schedule explained with its next runs; recomputed only when the cron changes or
        its next run has passed (cron parsing and wording cost more than the rest of a flush)."""
        expr, valid_until, text = self._schedule_cache
        if expr == cron and (valid_until is None or now < valid_until):
            return text
        try:
            upcoming = next_runs(cron, 3, start=now)
            text = f"⏱ {cron} — {describe(cron)}; next: " + ", ".join(
                t.strftime("%Y-%m-%d %H:%M UTC") for t in upcoming)
            valid_until = upcoming[0] if upcoming else None
        except FieldError as e:
            text, valid_until = f"✗ schedule {cron!r} is invalid: {e.message}", None
        self._schedule_cache = (cron, valid_until, text)
        return text

    # ---- Velero's files of the selected cluster's run (live/downloads.py) ----------------
    def _selected_row(self, st: FleetBackupStatus | None = None) -> ClusterRow | None:
        if st is None:
            session = self.session
            found = session.backend.backup(self.backup_name) if session else None
            st = found.status if found else None
        key = self.query_one("#clusters", LiveTable).selected_key
        return next((r for r in st.rows if r.cluster_name == key), None) if st else None

    def _show_results(self, row: ClusterRow | None) -> None:
        """The per-item errors and warnings of the selected run when it did not complete,
        fetched once per (cluster, run, phase) in a worker, never on every refresh."""
        box = self.query_one("#results", Static)
        wanted = (row is not None and row.state in (FAILED, PARTIALLY_FAILED)
                  and row.phase in LOGGED_PHASES and row.velero_name != "")
        box.display = wanted
        if not wanted or row is None:
            return
        if self.fleet_app.readonly:
            set_text(box, Text(f"per-item results not read: {READONLY_NOTE}", style="dim"))
            return
        key = (row.cluster_name, row.velero_name, row.phase)
        found = self.results.get(key)
        if found is None:
            if self.results.claim(key) and self.session is not None:
                session = self.session
                self.run_worker(lambda: self._fetch_results(session, key), thread=True,
                                group="results")
            set_text(box, Text(f"reading Velero's results of {row.velero_name}…",
                               style="dim"))
            return
        set_text(box, self._results_text(row, found))

    def _fetch_results(self, session: Session, key: tuple[str, str, str]) -> None:
        self.results.fetch(session, key, cancelled=lambda: not self.ready)  # stops on close
        if self.ready:
            self.app.call_from_thread(self.refresh_view)

    def _results_text(self, row: ClusterRow, found: list[ResultLine] | str) -> Text:
        text = Text(f"{row.cluster_name}, Velero's results of {row.velero_name}:",
                    style="bold")
        if isinstance(found, str):
            text.append(f"\n✗ cannot read them: {found}", style="red")
            return text
        for line in found[:self.MAX_RESULT_LINES]:
            text.append("\n")
            text.append(f"{line.level} ", style="red" if line.level == ERROR else "yellow")
            text.append(f"{line.scope}: {line.message}")
        more = len(found) - self.MAX_RESULT_LINES
        if more > 0:
            text.append(f"\n… {more} more (fleettui backup results {self.backup_name})",
                        style="dim")
        if not found:
            text.append("\nno per-item errors or warnings recorded", style="dim")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logs" and self.fleet_app.readonly:
            return False  # a DownloadRequest is a write
        return super().check_action(action, parameters)

    def action_logs(self) -> None:
        row, session = self._selected_row(), self.session
        if row is None or session is None or not row.velero_name:
            self.notify("no Velero run on this row yet", severity="warning")
            return
        why = not_logged_reason(f"{row.velero_name} in {row.cluster_name}", row.phase)
        if why:
            self.notify(why, severity="warning", markup=False)
            return
        cluster, name = row.cluster_name, row.velero_name
        self.app.push_screen(LogViewerScreen(
            f"Velero log of {name} in {cluster}",
            lambda cancelled: session_log(session, cluster, name, cancelled=cancelled)))

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_view()  # the selected cluster's reason comes first when there are many

    def action_yaml(self) -> None:
        self.fleet_app.show_yaml(self.backup_name)

    def action_delete(self) -> None:
        self.fleet_app.confirm_delete(self.backup_name)
