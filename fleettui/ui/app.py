"""The Textual application: screens, key map, and the bridge from watch threads to frames.

The first frame is painted before the kubernetes client is even imported: connecting happens in
a worker thread. Watch threads only mark the live store dirty; the app then takes all pending
changes at most once per frame interval and hands them to the visible screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive

from fleettui.ui import textual_compat
from fleettui.ui.commands import FleetCommands
from fleettui.ui.frames import FrameBudget, paint_now
from fleettui.ui.gc_pauses import GcPolicy
from fleettui.ui.key_order import RETRY, KeyHandled, KeyOrder, typed_into_field
from fleettui.ui.screens.backups import BackupsScreen
from fleettui.ui.screens.fleets import FleetsScreen
from fleettui.ui.screens.help import HelpScreen

if TYPE_CHECKING:
    from fleettui.live.delete_plans import DeletePlan
    from fleettui.live.session import Session
    from fleettui.live.store import Changes

CONNECT_RETRY_MIN = 2.0  # seconds between connection attempts while there is none
CONNECT_RETRY_MAX = 30.0
EXIT_WAIT = 1.0  # seconds the watch threads get to end at exit (a signal must exit in 2.5)
FRAMES_PER_SECOND = 30  # store flushes (and so repaints) in a sustained stream of changes
FRAME_BURST = 3  # flushes that may follow each other at once after a quiet spell


def styles_path() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "styles" / "app.tcss", here.parent / "styles" / "app.tcss"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("styles/app.tcss is missing from the installation")


class StoreChanged(Message):
    """The live store has changes to show (posted from watch threads)."""


class FleetApp(App[int]):
    CSS_PATH = str(styles_path())
    TITLE = "fleettui"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help"),
        # Declaring the palette here stops Textual adding its ctrl+p: both keys are listed.
        Binding("colon", "command_palette", "Jump", id="jump"),
        Binding("ctrl+p", "command_palette", "Jump", show=False, id="palette"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]
    MODES = {"fleets": FleetsScreen, "backups": BackupsScreen}
    COMMANDS = App.COMMANDS | {FleetCommands}
    DEFAULT_MODE = "fleets"
    status = reactive("connecting…")

    def __init__(self, kubeconfig: str | None, context: str | None, namespace: str,
                 readonly: bool = False, hung_after: float = 75.0,
                 velero_namespace: str = "velero",
                 member_contexts: dict[str, str] | None = None) -> None:
        super().__init__(driver_class=quiet_driver())
        self.member_contexts = member_contexts or {}  # --member-context CLUSTER=CONTEXT
        self.hung_after = hung_after  # a watch silent this long (no bookmark either) is dead
        self.velero_namespace = velero_namespace  # plain Velero mode's (OADP: openshift-adp)
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
        self.readonly = readonly
        self.session: Session | None = None
        self.connect_error = ""
        self._flush_pending = False
        self._frames = FrameBudget(FRAMES_PER_SECOND, FRAME_BURST)
        self._members_requested: set[str] = set()
        self.gc_policy: GcPolicy | None = None  # set by a process that runs only this app
        self.schedule_speed = 1.0  # `demo`: the simulator fires schedules this much faster
        self._keys = KeyOrder(self)
        self._stopping = threading.Event()  # set at exit: ends the connect retries

    # ---- keys in the order typed (see key_order.py) ----------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._keys.hold(event)
            await self._release_keys()
            return
        await super().on_event(event)

    async def _release_keys(self) -> None:
        keys = self._keys
        while keys.held:
            if keys.waiting():
                if not keys.retry_pending:
                    keys.retry_pending = True
                    self.set_timer(RETRY, self._retry_keys)
                return
            event = keys.held.popleft()
            target = self.focused or self.screen
            await super().on_event(event)
            if not typed_into_field(event, target):
                keys.sent(event, target)

    async def _retry_keys(self) -> None:
        self._keys.retry_pending = False
        await self._release_keys()

    async def on_key_handled(self, marker: KeyHandled) -> None:
        self._keys.handled(marker)
        await self._release_keys()

    def on_mount(self) -> None:
        self.connect()
        self._install_signal_handlers()
        if self.gc_policy is not None:
            self.call_after_refresh(self.gc_policy.start)  # after the first frame

    def _install_signal_handlers(self) -> None:
        # Textual handles no SIGHUP: a dropped SSH session must still restore the terminal.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.exit, 0)

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def connect(self) -> None:
        """Connect, and keep trying with a capped backoff while the server is down or the
        kubeconfig does not work yet (both can be fixed while the app is open)."""
        from fleettui.kube.errors import KubeError

        wait = CONNECT_RETRY_MIN
        while not self._stopping.is_set():
            try:
                session = self._open_session()
            except KubeError as e:
                self.call_from_thread(self._connect_failed, str(e), wait)
                self._stopping.wait(wait)
                wait = min(CONNECT_RETRY_MAX, wait * 2)
                continue
            if self._stopping.is_set():  # the app ended while connecting
                session.close()
                return
            self.session = session
            self.call_from_thread(self._connected, session.mode)
            return

    def _open_session(self) -> Session:
        from fleettui.kube.client import list_contexts
        from fleettui.kube.watch import WatchSettings
        from fleettui.live.session import Session

        if self.context is None:  # named, so every message says which cluster spoke
            self.context = list_contexts(self.kubeconfig)[1]
        session = Session(self.kubeconfig, self.context, self.namespace,
                          velero_namespace=self.velero_namespace,
                          settings=WatchSettings(read_timeout=self.hung_after),
                          member_contexts=self.member_contexts)
        session.store.on_dirty = self._store_dirty
        try:
            session.connect()
        except BaseException:
            session.close()  # watches it may have started must not outlive the attempt
            raise
        return session

    def _connected(self, mode: str) -> None:
        readonly = " · read-only" if self.readonly else ""
        self.status = f"{self.context or 'current context'} · {mode} mode{readonly}"
        self.flush()

    def _connect_failed(self, message: str, retry_in: float) -> None:
        first = not self.connect_error
        self.connect_error = f"{message}\n\nTrying again every {retry_in:g} s or so; q quits."
        self.status = "not connected"
        if first:  # once, not at every retry
            self.notify(message, title="Cannot connect", severity="error", timeout=15,
                        markup=False)

    def _store_dirty(self) -> None:
        """Called from watch threads on the store's clean → dirty transition. post_message is
        Textual's thread-safe route and does not wait for the UI (call_from_thread would): the
        watch thread goes back to reading. A closing app drops the message."""
        self.post_message(StoreChanged())

    def on_store_changed(self, _: StoreChanged) -> None:
        if self.screen_stack:  # not while screens are being removed at exit
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        """Flush and paint at once while the frame budget allows (after a quiet spell, always);
        in an event storm, as often as it allows."""
        if self._flush_pending:
            return
        self._flush_pending = True
        wait = self._frames.delay()
        if wait <= 0:
            self._flush_and_paint()
        else:
            self.set_timer(wait, self._flush_and_paint)

    def _flush_and_paint(self) -> None:
        self._frames.spend()
        self.flush()
        if textual_compat.PAINT_NOW:
            paint_now(self)  # else Textual paints it on its next refresh

    def flush(self) -> None:
        self._flush_pending = False
        if self.session is None:
            return
        changes = self.session.store.take_changes()
        self._watch_new_members(changes)
        with self.batch_update():
            for screen in self.screen_stack:
                apply = getattr(screen, "apply_changes", None)
                if apply is not None:
                    apply(changes)
        if self.gc_policy is not None:
            self.gc_policy.after_flush()

    def _watch_new_members(self, changes: Changes) -> None:
        """Members removed from every fleet stop being watched. Which members are watched is
        up to the screens (`session.feeds.want`: what they show); the runs watches follow the
        Kurator schedules aimed at each member. With FLEETTUI_WATCH_ALL=1 (the design before,
        kept for the scale benchmarks) every member is watched whole as soon as it is known."""
        from fleettui.kube.resources import ATTACHED_CLUSTERS, FLEETS, KURATOR_BACKUPS
        from fleettui.live.store import feed_of

        session = self.session
        if session is None or session.mode != "kurator":
            return
        host = session.context or ""
        if not changes.feeds & {feed_of(host, r) for r in (FLEETS, ATTACHED_CLUSTERS,
                                                           KURATOR_BACKUPS)}:
            return
        members = {str(ref.get("name", "")) for fleet in session.store.objects(host, FLEETS)
                   for ref in (fleet.get("spec") or {}).get("clusters") or []} - {""}
        session.feeds.refresh_schedules()
        new = sorted(members - self._members_requested)
        self._members_requested.update(new)
        if new and session.watch_all:
            self.watch_members(new)
        gone = sorted(self._members_requested - members)
        if gone and session.store.has_feed(host, FLEETS):
            self._members_requested.difference_update(gone)
            self.unwatch_members(gone)

    @work(thread=True, group="members", exit_on_error=False)
    def watch_members(self, members: list[str]) -> None:
        session = self.session
        if session is not None:
            for cluster in members:
                session.watch_member(cluster)

    @work(thread=True, group="members", exit_on_error=False)
    def unwatch_members(self, members: list[str]) -> None:
        session = self.session
        if session is not None:
            for cluster in members:
                session.feeds.forget(cluster)
                session.unwatch_member(cluster)

    # ---- actions -------------------------------------------------------------------------
    MUTATING_ACTIONS = frozenset({"new_backup", "delete", "submit", "dry_run", "new_restore",
                                  "new_migrate", "pause_resume", "run_now"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # --readonly removes every mutating action from keys, footer, help and palette.
        return not (self.readonly and action in self.MUTATING_ACTIONS)

    async def action_quit(self) -> None:
        """q and ctrl+c ask first where leaving would lose typing (a second ctrl+c quits)."""
        guard = getattr(self.screen, "guard_leave", None)
        if guard is None or not guard(self.exit):
            self.exit()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))

    def action_new_backup(self) -> None:
        if self.readonly:
            return
        from fleettui.ui.screens.backup_form import BackupFormScreen

        self.push_screen(BackupFormScreen())

    def backup_names(self) -> list[str]:
        """Names in the backups view (Kurator backups, or Velero objects by name)."""
        return [] if self.session is None else [b.name for b in self.session.backend.backups()]

    def open_status(self, name: str) -> None:
        from fleettui.ui.screens.status import StatusScreen

        self.push_screen(StatusScreen(name))

    def show_yaml(self, name: str) -> None:
        import yaml

        from fleettui.ui.screens.yaml_view import YamlScreen

        if self.session is None:
            return
        found = self.session.backend.objects_named(name)
        if found:
            text = "\n---\n".join(
                f"# {cluster}\n" + yaml.safe_dump(obj, sort_keys=False, allow_unicode=True)
                for cluster, _, obj in found)
            self.push_screen(YamlScreen(f"{name} ({len(found)} object(s))", text))

    def confirm_delete(self, name: str) -> None:
        if self.readonly or self.session is None:
            return
        from fleettui.ui.screens.confirm import ConfirmScreen, plan_text

        plan = self.session.backend.delete_plan(name)
        if plan is None:
            self.notify(f"{name} is gone already", title=f"Delete {name}", severity="warning",
                        markup=False)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.delete_backup(plan)

        self.push_screen(ConfirmScreen(f"Delete {name}?", plan_text(plan)), done)

    def schedule_op(self, op: str | None, name: str, clusters: list[str] | None = None) -> None:
        """`p` (op None: pause or resume) and `R` (run-now) on a schedule, after a dialog."""
        if self.readonly or self.session is None:
            return
        from fleettui.ui.schedule_actions import ask

        ask(self, self.session, op, name, clusters or [])

    @work(thread=True, group="mutate", exit_on_error=False)
    def delete_backup(self, plan: DeletePlan) -> None:
        if self.session is None or self.readonly:
            return
        result = self.session.backend.delete(plan)
        lines = [f"{r.cluster}: {'✓' if r.ok else '✗'} {r.message}" for r in result.results]
        self.call_from_thread(self.notify, "\n".join(lines), title=f"Delete {plan.name}",
                              severity="information" if result.ok else "error", timeout=10,
                              markup=False)  # cluster names and server messages, verbatim

    def on_unmount(self) -> None:
        self._stopping.set()
        if self.session is not None:
            self.session.close(wait=EXIT_WAIT)


def quiet_driver() -> Any:
    """On Linux a driver that does not wake while idle (when this Textual allows); elsewhere
    Textual's choice."""
    import sys

    if sys.platform.startswith("linux") and not os.environ.get("TEXTUAL_DRIVER") and \
            textual_compat.QUIET_DRIVER:
        from fleettui.ui.quiet_driver import QuietLinuxDriver

        return QuietLinuxDriver
    return None


def run_app(kubeconfig: str | None, context: str | None, namespace: str,
            readonly: bool = False, hung_after: float = 75.0, schedule_speed: float = 1.0,
            velero_namespace: str = "velero", member_contexts: dict[str, str] | None = None
            ) -> int:
    app = FleetApp(kubeconfig, context, namespace, readonly, hung_after, velero_namespace,
                   member_contexts)
    app.gc_policy = GcPolicy()
    app.schedule_speed = schedule_speed
    result = app.run(mouse=False)
    return result or 0
