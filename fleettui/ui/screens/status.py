"""One fleet backup, live: the derived overall phase and a row per target cluster."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fleettui.kube import resources as kc
from fleettui.model.cron import describe, next_runs
from fleettui.model.errors import FieldError
from fleettui.model.status import FleetBackupStatus
from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen, set_text
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

COLUMNS = [Column("CLUSTER", 15, NAME, least=15, most=48), Column("PHASE", 18, PHASE),
           Column("ITEMS", 7), Column("ERR/WARN", 8, drop=2), Column("STARTED", 8, drop=3),
           Column("TOOK", 5, drop=4), Column("EXPIRES", 8, drop=5)]
RUN_COLUMNS = [Column("CLUSTER", 16, NAME, least=12, most=48), Column("RUN (UTC)", 19),
               Column("PHASE", 18, PHASE), Column("ITEMS", 7, drop=1),
               Column("STARTED", 8, drop=2)]


class StatusScreen(LiveScreen):
    DEFAULT_CSS = """
    StatusScreen #reasons { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("y", "yaml", "YAML", id="yaml"),
        Binding("d,ctrl+d", "delete", "Delete", id="delete"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.backup_name = name
        self.TITLE_TEXT = f"Backup {name}"

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="overall")
        yield Static("", id="summary")
        yield from self.compose_table(COLUMNS, "clusters")
        yield Static("", id="reasons")
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
        host = session.context or ""
        overall = self.query_one("#overall", Static)
        now = datetime.now(UTC)
        if session.mode != "kurator":
            st = rows.velero_status(session, self.backup_name)
            problem = next((p for r in st.rows
                            if (p := rows.feed_problem(session, r.cluster_name,
                                                       kc.VELERO_BACKUPS))), "")
            obj: dict[str, object] = {"spec": {}}
        else:
            found = session.store.get(host, kc.KURATOR_BACKUPS, session.namespace,
                                      self.backup_name)
            if found is None:
                set_text(overall, Text(f"✗ {self.backup_name} no longer exists",
                                       style="bold red"))
                return
            obj = found
            st = rows.backup_status(session, found)
            problem = rows.feed_problem(session, host, kc.KURATOR_BACKUPS)
        head = rows.phase_text(st.overall)
        head.stylize("bold")
        if problem:
            # the connection line says why; here only that this is not current
            head.append(f"   ⟳ {problem.split(':')[0]}: last known state", style="yellow")
        set_text(overall, head)
        set_text(self.query_one("#summary", Static), st.headline)
        table = self.query_one("#clusters", LiveTable)
        table.sync([(r.cluster_name, rows.cluster_status_row(r, now)) for r in st.rows])
        reasons = self.query_one("#reasons", Static)
        text = rows.reason_text(st.rows, table.selected_key)
        set_text(reasons, text)
        reasons.display = bool(text)
        if session.mode == "kurator":
            self._show_schedule(obj, st, now)
        else:
            self._show_runs(st, now)

    def _show_schedule(self, obj: dict[str, object], st: FleetBackupStatus,
                       now: datetime) -> None:
        spec = obj.get("spec") or {}
        assert isinstance(spec, dict)
        cron = str(spec.get("schedule") or "")
        box = self.query_one("#schedule", Static)
        runs_table = self.query_one("#runs", LiveTable)
        box.display = runs_table.display = bool(cron)
        self.query_one("#runs-hidden").display = bool(cron and runs_table.hidden)
        if not cron:
            return
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

    def _show_runs(self, st: FleetBackupStatus, now: datetime) -> None:
        runs_table = self.query_one("#runs", LiveTable)
        runs_table.display = st.scheduled
        self.query_one("#runs-hidden").display = bool(st.scheduled and runs_table.hidden)
        self.query_one("#schedule", Static).display = False
        runs_table.sync([(f"{c}/{r.velero_name}", rows.run_row(c, r, now))
                         for c, history in st.runs.items() for r in history])

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_view()  # the selected cluster's reason comes first when there are many

    def action_yaml(self) -> None:
        self.fleet_app.show_yaml(self.backup_name)

    def action_delete(self) -> None:
        self.fleet_app.confirm_delete(self.backup_name)
