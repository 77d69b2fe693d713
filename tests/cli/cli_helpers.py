"""Helpers for the CLI tests: run `main` in-process, or the installed `fleettui` as a process."""

from __future__ import annotations

import contextlib
import functools
import json
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import fleettui.cli.main as cli_main
from fleettui.cli.main import main
from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import start_sim, wait_for

Sim = tuple[SimThread, SimFleet, Path]
FLEETTUI = Path(sys.executable).parent / "fleettui"
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
# Terminal phases come last; a cluster's phases must never go back down this order.
PHASE_RANK = {"Pending": 0, "New": 1, "Queued": 2, "ReadyToStart": 2, "InProgress": 3,
              "WaitingForPluginOperations": 4, "Finalizing": 5, "Completed": 6}


_BUILD_PARSER = cli_main.build_parser
_built_once = functools.cache(_BUILD_PARSER)


@contextlib.contextmanager
def one_parser() -> Iterator[None]:
    """main() builds its whole parser (40 subcommands) on every call, about 35 ms, most of a
    command that is refused or needs no server; a test process calls it thousands of times, so
    it builds it once and reuses it: parsing never changes a parser. (`Process`, the CLI as a
    process, builds its own as a user's command does.)"""
    cli_main.build_parser = _built_once
    try:
        yield
    finally:
        cli_main.build_parser = _BUILD_PARSER


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        with one_parser():
            code = main(list(argv))
    except SystemExit as e:  # argparse's own errors (and --help)
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def mixed_fleet(tmp_path: Path) -> Sim:
    """A simulator where member1's backups end PartiallyFailed almost at once and member2's
    run for 4 s and end Failed: a watch sees one final and one running member for seconds."""
    return start_sim(tmp_path, member_backup_seconds={"kurator-member1": 0.2,
                                                      "kurator-member2": 4.0},
                     member_outcome={"kurator-member1": "PartiallyFailed",
                                     "kurator-member2": "Failed"})


def closed_port_kubeconfig(path: Path) -> Path:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}]}))
    return path


class Process:
    """`fleettui ARGS` as a child process, its stdout and stderr lines collected as they come."""

    def __init__(self, *argv: str) -> None:
        self.proc = subprocess.Popen([str(FLEETTUI), *argv], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out: list[str] = []
        self.err: list[str] = []
        self._q: queue.Queue[tuple[str, str]] = queue.Queue()
        self._pumps = [threading.Thread(target=self._pump, args=(name, stream), daemon=True)
                       for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr))]
        for pump in self._pumps:
            pump.start()

    def _pump(self, name: str, stream: Any) -> None:
        for line in stream:
            self._q.put((name, line.rstrip("\n")))

    def poll(self) -> None:
        while True:
            try:
                name, line = self._q.get_nowait()
            except queue.Empty:
                return
            (self.out if name == "out" else self.err).append(line)

    def events(self) -> list[dict[str, Any]]:
        self.poll()
        return [json.loads(line) for line in self.out if line.strip()]

    def wait_for(self, check: Callable[[Process], Any], timeout: float = 20.0,
                 what: str = "output") -> Any:
        def probe() -> Any:
            self.poll()
            return check(self)
        try:
            return wait_for(probe, timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}; stdout={self.out} stderr={self.err}") from None

    def finish(self, timeout: float = 30.0) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.poll()
            raise AssertionError(f"still running; stdout={self.out} stderr={self.err}") from None
        for pump in self._pumps:
            pump.join(5)
        self.poll()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def phases_by_cluster(events: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    seq: dict[str, list[tuple[str, int]]] = {}
    for ev in events:
        seq.setdefault(ev["cluster"], []).append((ev["phase"], ev["items_done"] or 0))
    return seq


def assert_monotonic(seq: dict[str, list[tuple[str, int]]]) -> None:
    for cluster, phases in seq.items():
        ranks = [(PHASE_RANK[p], items) for p, items in phases]
        assert ranks == sorted(ranks), f"{cluster} went backwards: {phases}"
        assert phases[-1][0] == "Completed", f"{cluster} did not end Completed: {phases}"
