"""Terminal bytes the real app writes per status change (80x24, 256 colours, no mouse).

Same set-up as `latency`: a simulator child whose controllers are idle, Kurator Backup
`bench-bytes` on two members, `python -m fleettui --kubeconfig K --context kurator-host` in a
pty with the status screen open (`b`, Enter). Each change rewrites one value,
`status.progress.itemsBackedUp` of member 1's Velero Backup, so what must change on screen is the
ITEMS cell of one table row (plus the same number in the summary line above the table). After each
change the benchmark reads until the terminal has been silent for 150 ms (over four frame
intervals) and counts the bytes; it also decodes the cursor-positioning sequences
(`ESC [ row ; col H`) to count the screen rows rewritten and the frames that rewrote all 24
rows (full repaints).

The anchor is `kubectl get backups.velero.io -n velero -w` with the same custom columns, whose
output per change is one line.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, SimProcess, percentile
from benchmarks.latency import TOTAL, backup_watched_by_kubectl, kubectl_line, start_on_status

NAME = "bytes"
DESCRIPTION = "terminal bytes written per single-cell status change at 80x24 (pty)"

BACKUP = "bench-bytes"
CHANGES = 50
SILENCE = 0.15
GOAL_BYTES = 1024
CUP = re.compile(rb"\x1b\[(\d+);(\d+)H")


def rows_written(data: bytes) -> tuple[int, int]:
    """(distinct screen rows addressed, frames that addressed all 24 rows) in a capture.

    Textual positions the cursor at the start of every line segment it rewrites; a full repaint
    addresses rows 1..24 in order, so a run 1, 2, ..., 24 is counted as one full frame.
    """
    rows = [int(m.group(1)) for m in CUP.finditer(data)]
    full = run = 0
    for r in rows:
        run = run + 1 if r == run + 1 else (1 if r == 1 else 0)
        if run == 24:
            full += 1
            run = 0
    return len(set(rows)), full


def run(quick: bool) -> list[Figure]:
    sizes: list[int] = []
    rows: list[int] = []
    fulls = 0
    kubectl_bytes: list[int] = []
    with tempfile.TemporaryDirectory(prefix="bench-bytes-") as tmp, \
            SimProcess(Path(tmp), clusters=2) as sim:
        velero, kw = backup_watched_by_kubectl(sim, BACKUP)
        try:
            with start_on_status(sim.kubeconfig, BACKUP) as app:
                app.quiet(1.0)
                pattern = re.compile(r"kurator-member1\s+\S+ InProgress\s+(\d+)/")
                line_at = len(kw.lines)
                for value in range(100, 100 + CHANGES):
                    app.capture = bytearray()
                    sim.cmd("set", member=1, name=velero, items=value, total=TOTAL)
                    def shown(v: int = value) -> bool:
                        return any((m := pattern.search(line)) is not None
                                   and m.group(1) == str(v) for line in app.screen.display)

                    app.until(shown, 5, f"value {value} on screen")
                    app.quiet(SILENCE)
                    data = bytes(app.capture)
                    app.capture = None
                    sizes.append(len(data))
                    distinct, full = rows_written(data)
                    rows.append(distinct)
                    fulls += full
                    got = kw.wait_for(kubectl_line(velero, value), line_at, 5)
                    if got is not None:
                        kubectl_bytes.append(len(kw.lines[got[0]][1].encode()) + 1)
                        line_at = got[0] + 1
                    time.sleep(0.05)
        finally:
            kw.close()
    avg = sum(sizes) / len(sizes)
    anchor = sum(kubectl_bytes) / max(1, len(kubectl_bytes))
    return [
        Figure(f"bytes per change, mean of {len(sizes)}", round(avg), "bytes", "<= 1,024",
               avg <= GOAL_BYTES),
        Figure("bytes per change, p50", percentile(sizes, 50), "bytes"),
        Figure("bytes per change, max", max(sizes), "bytes"),
        Figure("anchor kubectl get -w: bytes per change", round(anchor), "bytes"),
        Figure("ratio fleettui / kubectl", round(avg / anchor, 1), "x"),
        Figure("screen rows rewritten per change, p50", percentile(rows, 50), "rows",
               "few (1 table row + summary)"),
        Figure("full 24-row repaints per change", round(fulls / len(sizes), 2), "frames",
               "0", fulls == 0),
    ]


if __name__ == "__main__":
    import sys

    for f in run("--quick" in sys.argv):
        print(f.line())
