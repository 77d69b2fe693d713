"""Idle cost: CPU and terminal bytes of the real app with the live status table open, nothing
changing.

A simulator child (2 members, controllers idle: sync every hour, 11-day backups; watch bookmarks
every 30 s as usual) holds Kurator Backup `bench-idle`, whose two member Velero Backups sit
InProgress. `python -m fleettui --kubeconfig K --context kurator-host` runs in an 80x24 pty with
the status screen of that backup open (`b`, Enter); after it has been quiet for a second, the
benchmark reads the terminal for 30 s (10 s with `--quick`) and reports the bytes written and the
process's CPU time (utime + stime of all its threads, from /proc/<pid>/stat; 10 ms ticks).
The anchor, `kubectl get backups.velero.io -n velero -w` on member 1 over the same window,
writes nothing when nothing changes.

Wake-ups are the context switches of each thread (/proc/<pid>/task/*/status) over the window: a
thread that polls shows up here long before its CPU time reaches one tick.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    Figure,
    SimProcess,
    kubectl_watch,
    proc_cpu_seconds,
    proc_switches,
    wait_printed,
)
from benchmarks.latency import start_on_status

NAME = "idle"
DESCRIPTION = "live status table open, nothing changing: CPU seconds and bytes written"

BACKUP = "bench-idle"
SECONDS = 30.0
SECONDS_QUICK = 10.0


def run(quick: bool) -> list[Figure]:
    window = SECONDS_QUICK if quick else SECONDS
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp, \
            SimProcess(Path(tmp), clusters=2) as sim:
        velero = sim.cmd("backup", name=BACKUP, members=[1, 2])["velero"]["1"]
        kw = kubectl_watch(sim.kubeconfig)
        try:
            wait_printed(kw, velero)
            with start_on_status(sim.kubeconfig, BACKUP) as app:
                app.quiet(1.0)
                lines0 = len(kw.lines)
                bytes0, cpu0 = app.bytes_read, proc_cpu_seconds(app.pid)
                switches0 = proc_switches(app.pid)
                started = time.monotonic()
                writes: list[float] = []
                app.on_read = lambda now: writes.append(now - started)
                while (left := started + window - time.monotonic()) > 0:
                    app.pump(min(left, 0.5))
                elapsed = time.monotonic() - started
                cpu = proc_cpu_seconds(app.pid) - cpu0
                switches1 = proc_switches(app.pid)
                written = app.bytes_read - bytes0
                kubectl_lines = len(kw.lines) - lines0
        finally:
            kw.close()
    woke = {tid: n - switches0[tid] for tid, n in switches1.items() if tid in switches0}
    if writes:
        print(f"  idle writes at (s into the window): {[round(w, 2) for w in writes[:20]]}")
    return [
        Figure(f"CPU over {elapsed:.0f} s idle, status screen open", round(cpu, 2), "s", "0",
               cpu == 0),
        Figure("CPU share while idle", round(100 * cpu / elapsed, 2), "%"),
        Figure(f"bytes written over {elapsed:.0f} s idle", written, "bytes", "0", written == 0),
        Figure("terminal writes while idle", len(writes), "reads"),
        Figure("wake-ups, all threads", round(sum(woke.values()) / elapsed, 1), "/s"),
        Figure("wake-ups, busiest thread", round(max(woke.values(), default=0) / elapsed, 1),
               "/s"),
        Figure("threads that woke at all", sum(1 for n in woke.values() if n), "threads"),
        Figure("anchor kubectl get -w: lines written over the same window", kubectl_lines,
               "lines"),
    ]


if __name__ == "__main__":
    import sys

    for f in run("--quick" in sys.argv):
        print(f.line())
