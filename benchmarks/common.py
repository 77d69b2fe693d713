"""What every benchmark module shares: the `Figure` it reports and how figures are printed."""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import pty
import queue
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured number. `ok` is None for information-only figures (no goal)."""

    name: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        if self.ok is None:
            return "INFO"
        return "PASS" if self.ok else "MISS"

    def line(self) -> str:
        goal = f"goal: {self.goal}, " if self.goal else ""
        return f"{self.name}: {format_value(self.value)} {self.unit} ({goal}{self.verdict})"


def format_value(value: float) -> str:
    """Thousands separators for big numbers, three significant digits for small ones."""
    if not math.isfinite(value):
        return "n/a"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def table(rows: list[tuple[str, Figure]]) -> str:
    """A compact fixed-width table of (benchmark name, figure) rows."""
    head = ("benchmark", "figure", "value", "unit", "goal", "result")
    cells = [head] + [(bench, f.name, format_value(f.value), f.unit, f.goal or "-", f.verdict)
                      for bench, f in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    right = {2}  # numbers align right

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), rule, *(fmt(r) for r in cells[1:])])


# ---- shared by the client benchmarks (latency, idle, bytes, cold start, storm, scale) -----------
# Everything below talks only to 127.0.0.1: the simulator listens there and writes kubeconfigs
# that point there; nothing here reads ~/.kube.

ROOT = Path(__file__).resolve().parents[1]
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
HOST_CONTEXT = "kurator-host"


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a live process (all its threads), from /proc (no psutil here)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of stat(5)


def proc_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * PAGE_SIZE / 2**20


def proc_switches(pid: int) -> dict[int, int]:
    """Context switches (voluntary + involuntary) of each thread: how often each woke up."""
    out: dict[int, int] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError), \
                open(f"/proc/{pid}/task/{tid}/status", encoding="ascii") as f:
            out[int(tid)] = sum(int(line.split()[1]) for line in f
                                if line.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")))
    return out


def proc_peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return math.nan


def proc_threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def terminal_env(cols: int, rows: int) -> dict[str, str]:
    """A 256-colour xterm as seen over SSH (no COLORTERM forwarded), size fixed."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLORTERM", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM", "KUBECONFIG")}
    env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows), LANG="C.UTF-8",
               PYTHONPATH=str(ROOT))
    return env


REAL_START_TIMEOUT = 300.0
REAL_STOP_TIMEOUT = 150.0
REAL_MEMBERS = 2  # each real kube-apiserver holds about 370 MiB


def real_api_missing() -> str:
    """Why the real-server figures cannot be measured here ("" when they can): the realapi/
    binaries must be in the cache already; a benchmark never starts their cold build
    (~17 min on 2 cores; the first run of tests/realapi makes it)."""
    from fleettui.sim.realapi_build import SOURCES, cache_root, go_binary, source_hash

    go = go_binary()
    if go is None:
        return "go is not on PATH (the real kube-apiserver is built from realapi/ with Go)"
    if not (SOURCES / "go.mod").exists():
        return f"{SOURCES} is missing"
    target = cache_root() / source_hash(go)
    if not (target / "build.json").exists():
        return (f"the realapi binaries are not built yet ({target}); run "
                "`.venv/bin/python -m pytest tests/realapi -x` once to build them")
    return ""


def tagged(figures: list[Figure], tag: str) -> list[Figure]:
    """The figures of another run of the same benchmark, named `<name> [tag]`."""
    return [replace(f, name=f"{f.name} [{tag}]") for f in figures]


def beside(figures: list[Figure], others: list[Figure]) -> list[Figure]:
    """`others` (tagged) each right after the figure of the same name, the rest at the end."""
    out = list(figures)
    for other in others:
        base = other.name.rsplit(" [", 1)[0]
        at = max((i for i, f in enumerate(out) if f.name.rsplit(" [", 1)[0] == base),
                 default=len(out) - 1)
        out.insert(at + 1, other)
    return out


def skipped(name: str, why: str) -> list[Figure]:
    print(f"  {name} [real] skipped: {why}", flush=True)
    return []


class SimProcess:
    """The fleet simulator in a child process (`benchmarks/_simchild.py`), one JSON line each way.

    The app under test never shares a GIL with the simulator this way, as against real clusters.
    """

    def __init__(self, workdir: Path, clusters: int = 2, *, sync_interval: float = 3600.0,
                 backup_seconds: float = 1e6, bookmark_seconds: float = 30.0,
                 window: int = 20000, api: str = "emulator") -> None:
        self.workdir = workdir
        self.api = api
        self.kubeconfig = workdir / "kubeconfig"
        self.log = open(workdir / "sim.log", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._simchild", "--clusters", str(clusters),
             "--sync-interval", str(sync_interval), "--backup-seconds", str(backup_seconds),
             "--bookmark-seconds", str(bookmark_seconds), "--window", str(window),
             "--kubeconfig", str(self.kubeconfig), "--api", api],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.replies: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True, name="simchild-reader")
        self.reader.start()
        # Real servers: 3 launchers ready, CRDs and RBAC applied, world seeded over HTTP.
        self.ready = self._reply(60 if api == "emulator" else REAL_START_TIMEOUT)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.replies.put(line)
        self.replies.put("")

    def _reply(self, timeout: float) -> dict[str, Any]:
        try:
            line = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"simulator child silent for {timeout:.0f} s") from None
        if not line:
            raise RuntimeError("simulator child exited; see " + str(self.workdir / "sim.log"))
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"simulator child: {reply['error']}")
        return reply

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cmd(self, op: str, timeout: float = 60.0, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, "timeout": timeout, **args}) + "\n")
        self.proc.stdin.flush()
        return self._reply(timeout + 5)

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.proc.stdin is not None
            self.proc.stdin.write('{"op": "stop"}\n')
            self.proc.stdin.close()
        try:
            # Real servers drain and close etcd on SIGTERM, a few seconds each.
            self.proc.wait(15 if self.api == "emulator" else REAL_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def fleettui_args(kubeconfig: Path) -> list[str]:
    return [sys.executable, "-m", "fleettui", "--kubeconfig", str(kubeconfig),
            "--context", HOST_CONTEXT]


class Pty:
    """A process in a pseudo-terminal whose screen is emulated by pyte (like tests/e2e).

    `bytes_read` counts every byte the process wrote to the terminal; `on_read` (if set) is
    called after each chunk is fed to the screen with the monotonic time the chunk was read.
    """

    def __init__(self, argv: Sequence[str], cols: int = 80, rows: int = 24,
                 env: dict[str, str] | None = None) -> None:
        import pyte

        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.monotonic()
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave,
                                     env=env or terminal_env(cols, rows), cwd=ROOT,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.bytes_read = 0
        self.last_read = 0.0
        self.on_read: Callable[[float], None] | None = None
        self.capture: bytearray | None = None  # when set, every byte read is appended

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pump(self, timeout: float = 0.05) -> int:
        """Read what is there (waiting up to `timeout` for the first chunk); bytes read."""
        got = 0
        while True:
            ready, _, _ = select.select([self.master], [], [], timeout)
            if not ready:
                return got
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return got
            if not data:
                return got
            now = time.monotonic()
            self.bytes_read += len(data)
            self.last_read = now
            got += len(data)
            if self.capture is not None:
                self.capture += data
            self.stream.feed(data)
            if self.on_read is not None:
                self.on_read(now)
            timeout = 0

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def until(self, check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> float:
        """Pump until `check()`; returns the time of the read that made it true."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}; screen:\n{self.text()}")
            if self.proc.poll() is not None:
                self.pump(0.05)
                raise RuntimeError(f"app exited ({self.proc.returncode}) waiting for {what}; "
                                   f"screen:\n{self.text()}")
            self.pump(0.05)
        return self.last_read

    def quiet(self, silence: float = 0.3, timeout: float = 10.0) -> None:
        """Pump until nothing has been written for `silence` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pump(silence):
                return

    def send(self, data: str) -> float:
        t = time.monotonic()
        os.write(self.master, data.encode())
        return t

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> Pty:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def kubectl_argv(kubeconfig: Path, context: str, *args: str) -> list[str]:
    cache = kubeconfig.parent / "kube-cache"  # per run: simulator ports are reused
    return [KUBECTL, "--kubeconfig", str(kubeconfig), "--context", context,
            "--cache-dir", str(cache), *args]


class LineReader:
    """A process whose stdout lines are collected with the monotonic time each arrived.

    kubectl writes each watch line with one unbuffered write(2), so a pipe adds no delay. The
    time is taken by a stamping process of its own (`_stamp_lines.py`) on the pipe: a thread of
    this process would take it only when it gets the GIL back, late by whatever the Pilot app in
    this process was doing then.
    """

    def __init__(self, argv: Sequence[str]) -> None:
        self.proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=ROOT)
        self.stamper = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._stamp_lines"], stdin=self.proc.stdout,
            stdout=subprocess.PIPE, cwd=ROOT)
        assert self.proc.stdout is not None
        self.proc.stdout.close()  # the stamper holds the read end now
        self.lines: list[tuple[float, str]] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True, name="line-reader")
        self.thread.start()

    def _read(self) -> None:
        assert self.stamper.stdout is not None
        for raw in self.stamper.stdout:
            stamp, _, line = raw.rstrip(b"\n").partition(b" ")
            with self.cond:
                self.lines.append((float(stamp), line.decode(errors="replace")))
                self.cond.notify_all()

    def wait_for(self, check: Callable[[str], bool], start: int = 0,
                 timeout: float = 10.0) -> tuple[int, float] | None:
        """The index and time of the first line from `start` on that passes `check`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.lines):
                    if check(self.lines[i][1]):
                        return i, self.lines[i][0]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cond.wait(left)

    def close(self) -> None:
        for proc in (self.proc, self.stamper):  # the stamper ends when kubectl's pipe closes
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.thread.join(2)


def kubectl_watch(kubeconfig: Path, member: int = 1) -> LineReader:
    """`kubectl get -w` of a member's Velero Backups, one `NAME ITEMS` line per event."""
    return LineReader(kubectl_argv(
        kubeconfig, f"kurator-member{member}", "get", "backups.velero.io", "-n", "velero", "-w",
        "-o", "custom-columns=NAME:.metadata.name,ITEMS:.status.progress.itemsBackedUp"))


def wait_printed(kw: LineReader, name: str, timeout: float = 30) -> None:
    """Until `kw` has printed `name`'s line; RuntimeError (and `kw` closed) if it never does."""
    if kw.wait_for(lambda line: line.startswith(name), timeout=timeout) is None:
        kw.close()
        raise RuntimeError(f"kubectl get -w printed no line for {name}")


def prepare_textual_env() -> None:
    """What `fleettui` sets before Textual is imported (`cli/terminal.py`), for Pilot runs."""
    from fleettui.cli.terminal import textual_env

    textual_env()


def fmt_ms(values: Sequence[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f}"
            f" ms, max {max(values) * 1000:.1f} ms, n={len(values)}") if values else "n=0"
