"""One restore or migrate, live: the overall phase and a row per cluster (for a migrate, the
source's backup row, then a restore row per target), with a phase that has not moved on for
longer than a stated limit called out in words."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fleettui.model.status import ClusterRow, FleetBackupStatus
from fleettui.ui import rows
from fleettui.ui.screens.base import LiveScreen, set_text
from fleettui.ui.widgets.live_table import NAME, PHASE, Column, LiveTable

_CLUSTER = Column("CLUSTER", 15, NAME, least=15, most=48)
_REST = [Column("PHASE", 18, PHASE), Column("ITEMS", 7), Column("ERR/WARN", 8, drop=2),
         Column("STARTED", 8, drop=3), Column("TOOK", 5, drop=4)]
RESTORE_COLUMNS = [_CLUSTER, *_REST]
MIGRATE_COLUMNS = [_CLUSTER, Column("ROLE", 7, drop=1), *_REST]  # source backup, target restore


class RecoveryStatusScreen(LiveScreen):
    DEFAULT_CSS = """
    RecoveryStatusScreen #reasons, RecoveryStatusScreen #stuck { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("y", "yaml", "YAML", id="yaml"),
        Binding("d,ctrl+d", "delete", "Delete", id="delete"),
        Binding("l", "logs", "Log", id="logs"),
    ]

    def __init__(self, kind: str, name: str, stuck_after: float | None = None) -> None:
        from fleettui.live.recoveries import STUCK_AFTER

        super().__init__()
        self.kind = kind  # Restore | Migrate
        self.recovery_name = name
        self.stuck_after = STUCK_AFTER if stuck_after is None else stuck_after
        self.TITLE_TEXT = f"{kind} {name}"
        self._watching = False

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static("", id="overall")
        yield Static("", id="summary")
        yield from self.compose_table(
            MIGRATE_COLUMNS if self.kind == "Migrate" else RESTORE_COLUMNS, "clusters")
        yield Static("", id="reasons")
        yield Static("", id="stuck")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#overall").styles.height = "auto"
        super().on_mount()

    def refresh_view(self) -> None:
        from fleettui.live.recoveries import recovery, recovery_status, stuck_notes

        session = self.session
        if session is None:
            return
        start_feeds(self)
        overall = self.query_one("#overall", Static)
        obj = recovery(session, self.kind, self.recovery_name)
        if obj is None:
            set_text(overall, Text(f"… {self.kind.lower()} {self.recovery_name}: not seen yet, "
                                   "or deleted", style="yellow"))
            return
        now = datetime.now(UTC)
        st = recovery_status(session, self.kind, obj, now)
        head = rows.phase_text(st.overall)
        head.stylize("bold")
        set_text(overall, head)
        set_text(self.query_one("#summary", Static), st.headline)
        table = self.query_one("#clusters", LiveTable)
        table.sync(self._rows(st, now))
        self._note("#reasons", rows.reason_text(st.rows, table.selected_key))
        notes = stuck_notes(st, {**obj, "kind": self.kind}, now, self.stuck_after)
        self._note("#stuck", Text("\n".join(f"⚠ {n}" for n in notes), style="bold yellow"))

    _shown: dict[str, ClusterRow] = {}  # table key → its row, for `l`

    def _rows(self, st: FleetBackupStatus, now: datetime) -> list[tuple[str, list[str | Text]]]:
        out = []
        self._shown = {}
        for i, r in enumerate(st.rows):
            cells = rows.cluster_status_row(r, now)[:6]  # no EXPIRES: a restore keeps nothing
            if self.kind == "Migrate":
                role = "backup" if i == 0 else "restore"  # the source comes first
                cells.insert(1, role)
                out.append((f"{role}/{r.cluster_name}", cells))
            else:
                out.append((r.cluster_name, cells))
            self._shown[out[-1][0]] = r
        return out

    def _note(self, selector: str, text: Text) -> None:
        box = self.query_one(selector, Static)
        set_text(box, text)
        box.display = bool(text)

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_view()

    def action_yaml(self) -> None:
        show_yaml(self, self.kind, self.recovery_name)

    def action_delete(self) -> None:
        confirm_delete(self, self.kind, self.recovery_name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logs" and self.fleet_app.readonly:
            return False  # a DownloadRequest is a write
        return super().check_action(action, parameters)

    def action_logs(self) -> None:
        """The selected row's Velero log (a migrate's source row: its backup's)."""
        from fleettui.live.downloads import not_logged_reason, session_log
        from fleettui.ui.screens.log_viewer import LogViewerScreen

        row = self._shown.get(self.query_one("#clusters", LiveTable).selected_key or "")
        session = self.session
        if row is None or session is None or not row.velero_name:
            self.notify("no Velero run on this row yet", severity="warning")
            return
        why = not_logged_reason(f"{row.velero_name} in {row.cluster_name}", row.phase)
        if why:
            self.notify(why, severity="warning", markup=False)
            return
        cluster, name, restore = row.cluster_name, row.velero_name, row.velero_kind == "restore"
        self.app.push_screen(LogViewerScreen(
            f"Velero log of {name} in {cluster}",
            lambda cancelled: session_log(session, cluster, name, restore, cancelled)))


def start_feeds(screen: LiveScreen) -> None:
    """Restores and migrates are watched once a screen shows them: asked once per screen
    (watch_recoveries starts only what is not watched yet, members new since included)."""
    from fleettui.live.recoveries import watch_recoveries

    session = screen.session
    if session is None or getattr(screen, "_feeds_asked", False):
        return
    screen._feeds_asked = True  # type: ignore[attr-defined]
    owner = screen.feed_owner  # released when the screen goes (LiveScreen.on_unmount)
    screen.run_worker(lambda: watch_recoveries(session, owner), thread=True, group="recovery-feeds",
                      exit_on_error=False)


def show_yaml(screen: LiveScreen, kind: str, name: str) -> None:
    import yaml

    from fleettui.live.recoveries import recovery_objects
    from fleettui.ui.screens.yaml_view import YamlScreen

    session = screen.session
    found = [] if session is None else recovery_objects(session, kind, name)
    if found:
        text = "\n---\n".join(f"# {cluster}\n" + yaml.safe_dump(obj, sort_keys=False,
                                                                allow_unicode=True)
                              for cluster, obj in found)
        screen.app.push_screen(YamlScreen(f"{kind} {name} ({len(found)} object(s))", text))


def confirm_delete(screen: LiveScreen, kind: str, name: str) -> None:
    """The backups' dialog: what is sent, what Kurator then deletes, what is NOT deleted."""
    from fleettui.live.recoveries import delete_plan
    from fleettui.ui.screens.confirm import ConfirmScreen, plan_text

    session = screen.session
    if session is None or screen.fleet_app.readonly:
        return
    plan = delete_plan(session, kind, name)
    if plan is None:
        screen.app.notify(f"{name} is gone already", title=f"Delete {name}",
                          severity="warning", markup=False)
        return

    def done(yes: bool | None) -> None:
        if yes:
            screen.run_worker(lambda: _delete(screen, kind, plan), thread=True,
                              group="mutate", exit_on_error=False)

    screen.app.push_screen(ConfirmScreen(f"Delete {kind.lower()} {name}?", plan_text(plan)),
                           done)


def _delete(screen: LiveScreen, kind: str, plan: object) -> None:
    from fleettui.live.delete_plans import DeletePlan
    from fleettui.live.recoveries import delete_recovery

    session = screen.session
    if session is None or screen.fleet_app.readonly or not isinstance(plan, DeletePlan):
        return
    result = delete_recovery(session, plan)
    lines = [f"{r.cluster}: {'✓' if r.ok else '✗'} {r.message}" for r in result.results]
    screen.app.call_from_thread(screen.app.notify, "\n".join(lines),
                                title=f"Delete {kind.lower()} {plan.name}",
                                severity="information" if result.ok else "error", timeout=10,
                                markup=False)  # server words: never markup
