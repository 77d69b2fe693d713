"""Cold start: process start → first frame of the fleets screen, beside `kubectl get` wall time.

Against an already-running simulator child (2 members, one Kurator Backup), each run starts
`python -m fleettui --kubeconfig K --context kurator-host` in a fresh 80x24 pty and reads the
terminal until the pyte screen shows the title `Fleets` and the table header `FLEET / CLUSTER`
(the first frame), then until the `quickstart` fleet row (the first frame with data from the
host), then ends the process (SIGTERM). Python's `.pyc` files are warm (one unmeasured run
first), as they are for anyone who has started the app before.

The anchor is the wall time of `kubectl get backups.backup.kurator.dev` (Table output) against
the same host, with a warm discovery cache, from process start to exit.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, Pty, SimProcess, fleettui_args, kubectl_argv, percentile

NAME = "cold_start"
DESCRIPTION = "process start → first frame of the fleets screen (pty) vs kubectl get wall time"

RUNS = 10
RUNS_QUICK = 5
GOAL_P95 = 0.5


def one_start(kubeconfig: Path) -> tuple[float, float]:
    """(seconds to the first frame, seconds to the fleet row) of one app start."""
    with Pty(fleettui_args(kubeconfig)) as app:
        first = app.until(lambda: "Fleets" in app.text() and "FLEET / CLUSTER" in app.text(),
                          30, "the first frame") - app.started
        data = app.until(lambda: "quickstart" in app.text(), 30, "the fleet row") - app.started
    return first, data


def kubectl_get(kubeconfig: Path) -> float:
    argv = kubectl_argv(kubeconfig, "kurator-host", "get", "backups.backup.kurator.dev")
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    if proc.returncode != 0 or "bench-cold" not in proc.stdout:
        raise RuntimeError(f"kubectl get failed: {proc.stdout}{proc.stderr}")
    return elapsed


def run(quick: bool) -> list[Figure]:
    runs = RUNS_QUICK if quick else RUNS
    firsts: list[float] = []
    datas: list[float] = []
    kubectl: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp, \
            SimProcess(Path(tmp), clusters=2) as sim:
        sim.cmd("backup", name="bench-cold", members=[1, 2])
        one_start(sim.kubeconfig)  # warm .pyc and page cache, not measured
        kubectl_get(sim.kubeconfig)  # warm kubectl's discovery cache, not measured
        for _ in range(runs):
            first, data = one_start(sim.kubeconfig)
            firsts.append(first)
            datas.append(data)
            kubectl.append(kubectl_get(sim.kubeconfig))
    p50, p95 = percentile(firsts, 50), percentile(firsts, 95)
    k50, k95 = percentile(kubectl, 50), percentile(kubectl, 95)
    return [
        Figure(f"first frame p50 ({runs} runs)", round(p50 * 1000), "ms"),
        Figure("first frame p95", round(p95 * 1000), "ms", "<= 500", p95 <= GOAL_P95),
        Figure("first frame with the host's data (fleet row) p50",
               round(percentile(datas, 50) * 1000), "ms"),
        Figure("first frame with the host's data (fleet row) p95",
               round(percentile(datas, 95) * 1000), "ms"),
        Figure("anchor kubectl get backups.backup.kurator.dev p50", round(k50 * 1000), "ms"),
        Figure("anchor kubectl get backups.backup.kurator.dev p95", round(k95 * 1000), "ms"),
        Figure("ratio first frame / kubectl, p95", round(p95 / k95, 1), "x"),
        Figure("ratio frame with data / kubectl, p95",
               round(percentile(datas, 95) / k95, 1), "x"),
    ]


if __name__ == "__main__":
    import sys

    for f in run("--quick" in sys.argv):
        print(f.line())
