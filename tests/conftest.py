"""Fixtures shared by every layer's tests."""

from __future__ import annotations

import contextlib
import fnmatch
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimConfig, SimFleet, SimThread

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # only tests/test_fixtures.py reads it, to check the copies
FIXTURES = REPO / "tests" / "fixtures"  # verbatim copies of the files tests need from SHARED


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The upstream files (Kurator, Velero) laid out as in ../shared: the copies in
    tests/fixtures, so that a plain clone runs every test."""
    return FIXTURES


# ---- skips: in CI a skipped test fails unless the allow-list says why it may skip ------------
ALLOWLIST = REPO / "tests" / "skip_allowlist.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--strict-skips", action="store_true",
                     help="a skipped test fails unless tests/skip_allowlist.txt allows it "
                          "(also on when the environment has CI=true)")


def strict_skips(config: pytest.Config) -> bool:
    return bool(config.getoption("--strict-skips")) or os.environ.get("CI", "") == "true"


def skip_allowlist() -> list[tuple[str, str]]:
    """(node id pattern, reason) per line of `pattern | reason`; # starts a comment."""
    entries = []
    for number, line in enumerate(ALLOWLIST.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, _, reason = (part.strip() for part in line.partition("|"))
        if not pattern or not reason:
            raise pytest.UsageError(f"{ALLOWLIST}:{number}: expected 'pattern | reason'")
        entries.append((pattern, reason))
    return entries


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if not report.skipped or hasattr(report, "wasxfail") or not strict_skips(item.config):
        return
    if any(fnmatch.fnmatchcase(report.nodeid, pattern) for pattern, _ in skip_allowlist()):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    report.outcome = "failed"
    report.longrepr = (f"{report.nodeid} skipped ({reason}); with --strict-skips or CI=true a "
                       f"test may skip only if {ALLOWLIST.name} lists it with a reason")


# ---- markers (declared in pyproject.toml): `slow` leaves a test out of the quick loop
# (`-m "not slow"`); `serial` runs it in the phase after the parallel one, for a test that
# measures time or needs a quiet machine, not for one that is merely heavy: there the serial
# tests run one at a time on one worker, beside the two fault storms, which mostly wait;
# `xdist_group(name)` keeps the tests of a module fixture that starts real kube-apiservers on one
# worker of the parallel phase (`--dist loadgroup`), so that the servers start once.

# ---- slow: the tests listed in tests/slow_tests.txt are marked like the ones marked in code --
SLOW_LIST = REPO / "tests" / "slow_tests.txt"


def listed_slow() -> set[str]:
    lines = SLOW_LIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


@pytest.hookimpl(tryfirst=True)  # before -m selects by markers and xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = listed_slow()
    for item in items:
        if item.nodeid.split("[", 1)[0] in slow:
            item.add_marker(pytest.mark.slow)
        # The serial phase's CPU-bound tests run one after another on one worker; only the fault
        # storms (about 9% of a core each: they wait for recoveries) carry groups of their own.
        if item.get_closest_marker("serial") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("serial"))


# ---- what xdist workers report for the end of the run (tests/realapi/conftest.py's lines) -------
_from_workers: list[str] = []


@pytest.hookimpl(optionalhook=True)  # an xdist hook: defined only when xdist is installed
def pytest_testnodedown(node: Any, error: object) -> None:
    _from_workers.extend(getattr(node, "workeroutput", {}).get("realapi_report", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _from_workers:
        terminalreporter.write_line(line)


# ---- isolation: a test leaves no thread, child process or GC setting behind ---------------------
LEAK_GRACE = 3.0  # seconds a thread that is stopping (a watch's last read) may take to end
_reported: set[threading.Thread] = set()  # threads already blamed on an earlier test


def _candidate_children(me: int) -> list[Path]:
    """/proc entries that may be children of `me`: those its threads list as their children
    (the kernel's CONFIG_PROC_CHILDREN), else every process's. Scanning every process costs
    about 5 ms on a busy machine, and the leak check runs twice per test."""
    tasks = Path(f"/proc/{me}/task")
    if not (tasks / str(me) / "children").exists():
        return list(Path("/proc").glob("[0-9]*"))
    pids: set[str] = set()
    for task in tasks.iterdir():
        with contextlib.suppress(OSError):  # that thread ended meanwhile
            pids.update((task / "children").read_text().split())
    return [Path("/proc", pid) for pid in pids]


def child_processes() -> dict[int, str]:
    """Live (not zombie) child processes of this process: pid -> command line. Linux only."""
    me = os.getpid()
    found: dict[int, str] = {}
    for entry in _candidate_children(me):
        try:
            stat = (entry / "stat").read_text()
            # pid (comm) state ppid ...: comm may hold spaces and parentheses
            state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
            if int(ppid) != me or state == "Z":
                continue
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue  # it ended while we looked
        found[int(entry.name)] = cmd.strip()
    return found


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate()
            if t not in before and t not in _reported and t.is_alive()]


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves threads or child processes running; undo its GC settings.

    A thread or process left running keeps working while later tests run: it takes CPU from
    timing-sensitive tests and allocates, collects or freezes objects under tests of the
    garbage collector. A new thread gets LEAK_GRACE seconds to end (watches stop at their next
    read); a child process none, since every test waits for the ones it starts.
    """
    threads = set(threading.enumerate())
    children = set(child_processes()) if Path("/proc/self/stat").exists() else None
    gc_state = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    yield
    problems: list[str] = []
    deadline = time.monotonic() + LEAK_GRACE
    while (leaked := _new_threads(threads)) and time.monotonic() < deadline:
        leaked[0].join(max(0.0, deadline - time.monotonic()))
    if leaked:
        _reported.update(leaked)
        problems.append("threads still running: "
                        + ", ".join(f"{t.name} (daemon={t.daemon})" for t in leaked))
    if children is not None:
        extra = {pid: cmd for pid, cmd in child_processes().items() if pid not in children}
        for pid in extra:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # so the next tests do not inherit it
        if extra:
            problems.append("child processes still running (killed): "
                            + ", ".join(f"{pid} {cmd[:80]!r}" for pid, cmd in extra.items()))
    enabled, threshold, frozen = gc_state
    if gc.get_freeze_count() != frozen and frozen == 0:
        gc.unfreeze()
    if gc.get_threshold() != threshold:
        gc.set_threshold(*threshold)
    if gc.isenabled() != enabled:
        (gc.enable if enabled else gc.disable)()
    if problems:
        pytest.fail(f"{request.node.nodeid} leaked: " + "; ".join(problems), pytrace=False)


def start_sim(tmp_path: Path, **overrides: object) -> tuple[SimThread, SimFleet, Path]:
    settings: dict[str, object] = {"sync_interval": 0.2, "backup_seconds": 0.5,
                                   "speed": 1.0, "bookmark_seconds": 1.0}
    settings.update(overrides)
    sim = SimThread(SimConfig(**settings))  # type: ignore[arg-type]
    fleet = sim.start()
    kubeconfig = tmp_path / "kubeconfig"
    fleet.write_kubeconfig(kubeconfig)
    return sim, fleet, kubeconfig


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[tuple[SimThread, SimFleet, Path]]:
    """A running simulator with fast controllers, and a kubeconfig for it."""
    running = start_sim(tmp_path)
    try:
        yield running
    finally:
        running[0].stop()


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
