"""Scale: 100 member clusters x 1,000 Velero Backups each (100 x 100 with `--quick`).

What exists at this scale today is the fleets screen: one row per member with its storage location
and its count of Velero Backups, fed by three list+watch threads per member
(`Session.watch_member`, started by the fleets screen for every member of the fleet). There is no
screen yet that lists member Velero Backups themselves, so this measures the fleets screen with
100 members whose watches hold 100,000 (10,000) Velero Backups in all.

A simulator child with N members gets M Completed Velero Backups (~700 bytes of JSON each) in
namespace `velero` of every member. Then
`python -m fleettui --kubeconfig K --context kurator-host` starts in an 80x24 pty:

* first frame: `Fleets` and the table header on screen;
* usable list: the first screenful of member rows all show their count M;
* complete list: after ctrl+end (cursor to the last row), `kurator-memberN` shows M, i.e. every
  member's backups are listed;
* the app's CPU seconds and RSS (VmRSS, and VmHWM, the peak) once complete;
* key → screen while scrolling: ctrl+home, then 60 x down arrow (30 with `--quick`) (one every 100
  ms or when the previous one has been drawn), time from writing the key to the first terminal
  read that changes the screen (text or the cursor row's colour), and bytes written per key;
* the same scrolling while the simulator writes one Velero Backup in every member once a second
  (100 MODIFIED events/s in all, on an object whose change the fleets screen does not show), and
  the app's CPU share meanwhile: the fleets screen at scale with live data.

Anchor: the real `kubectl get backups.velero.io -n velero` once per member (N runs, one after
another, Table output), total wall time and kubectl's peak RSS.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    REAL_MEMBERS,
    Figure,
    Pty,
    SimProcess,
    fleettui_args,
    kubectl_argv,
    percentile,
    proc_cpu_seconds,
    proc_peak_rss_mib,
    proc_rss_mib,
    proc_threads,
    real_api_missing,
    skipped,
    tagged,
)

NAME = "scale"
DESCRIPTION = "100 members x 1,000 Velero Backups: time to a usable fleets list, RSS, scrolling"

MEMBERS = 100
PER_MEMBER = 1000
PER_MEMBER_QUICK = 100
KEYS = 60
KEYS_QUICK = 30
KEY_EVERY = 0.1
LIVE = "live (an event per member per second)"  # while scrolling
GOAL_RSS = 500.0
GOAL_KEY_P95 = 0.100
DOWN, UP, CTRL_HOME, CTRL_END = "\x1b[B", "\x1b[A", "\x1b[1;5H", "\x1b[1;5F"
MEMBER_ROW = re.compile(r"^\s+(kurator-member\d+…?)\s.*\s(\d+|-)\s*$")


def member_counts(app: Pty) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in app.screen.display
            if (m := MEMBER_ROW.match(line))}


def count_of(counts: dict[str, str], name: str) -> str | None:
    """`name`'s count, also when the column cut the name short (`kurator-member1…` at 80
    columns is member 100: the shorter names fit)."""
    if name in counts:
        return counts[name]
    return next((count for shown, count in counts.items() if shown.endswith("…")
                 and name.startswith(shown[:-1]) and len(name) >= len(shown)), None)


def signature(app: Pty) -> tuple[Any, ...]:
    """What a person sees: every line's text and the background of its third cell (the row
    cursor's highlight)."""
    buf = app.screen.buffer
    return tuple((line, buf[y][2].bg) for y, line in enumerate(app.screen.display))


def kubectl_anchor(kubeconfig: Path, members: int, per_member: int) -> tuple[float, float]:
    """(wall seconds for `kubectl get` on every member in turn, kubectl's peak RSS in MiB)."""
    started = time.monotonic()
    peak = 0.0
    for i in range(1, members + 1):
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(kubectl_argv(kubeconfig, f"kurator-member{i}", "get",
                                                 "backups.velero.io", "-n", "velero"),
                                    stdout=subprocess.PIPE, stderr=err)
            assert proc.stdout is not None
            out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)  # this kubectl's own rusage
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.stdout.close()
            peak = max(peak, usage.ru_maxrss / 1024)
            if proc.returncode != 0 or out.count(b"\n") != per_member + 1:
                err.seek(0)
                raise RuntimeError(f"kubectl get on member {i}: {err.read()[:300]!r}")
    return time.monotonic() - started, peak


def scroll(app: Pty, keys: int, rows: int) -> tuple[list[float], list[int], int]:
    """Key → screen latencies, bytes per key, keys that changed nothing within 2 s. A list
    shorter than the keys (`rows`) gets down and up in turn, so every key moves the cursor."""
    app.send(CTRL_HOME)
    app.quiet(0.5)
    latencies: list[float] = []
    sizes: list[int] = []
    missed = 0
    for i in range(keys):
        before = signature(app)
        seen: list[float] = []

        def on_read(now: float, before: tuple[Any, ...] = before,
                    seen: list[float] = seen) -> None:
            if not seen and signature(app) != before:
                seen.append(now)

        app.on_read = on_read
        bytes0 = app.bytes_read
        pressed = app.send(UP if rows <= keys and i % 2 else DOWN)
        while not seen and time.monotonic() < pressed + 2.0:
            app.pump(0.01)
        app.on_read = None
        if seen:
            latencies.append(seen[0] - pressed)
        else:
            missed += 1
        app.quiet(max(0.0, pressed + KEY_EVERY - time.monotonic()), timeout=2)
        sizes.append(app.bytes_read - bytes0)
    return latencies, sizes, missed


def run(quick: bool, api: str = "emulator", members: int = MEMBERS) -> list[Figure]:
    per_member = PER_MEMBER_QUICK if quick else PER_MEMBER
    keys = KEYS_QUICK if quick else KEYS
    total = members * per_member
    last = f"kurator-member{members}"
    live_rate = float(members)  # one event per member per second
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, \
            SimProcess(Path(tmp), clusters=members, api=api) as sim:
        seeded = sim.cmd("seed", per_member=per_member, timeout=600)
        print(f"  seeded {seeded['objects']:,} Velero Backups in {seeded['seconds']:.1f} s")
        kubectl_s, kubectl_rss = kubectl_anchor(sim.kubeconfig, members, per_member)
        with Pty(fleettui_args(sim.kubeconfig)) as app:
            first = app.until(lambda: "Fleets" in app.text() and "FLEET / CLUSTER"
                              in app.text(), 60, "the first frame") - app.started

            def screenful_counted() -> bool:
                counts = member_counts(app)
                return len(counts) >= min(10, members) and all(
                    c == str(per_member) for c in counts.values())

            usable = app.until(screenful_counted, 300, "the first screenful of counts") \
                - app.started
            app.send(CTRL_END)
            complete = app.until(lambda: count_of(member_counts(app), last) == str(per_member), 600,
                                 f"{last}'s count") - app.started
            app.quiet(1.0, timeout=120)
            cpu_load = proc_cpu_seconds(app.pid)
            rss, peak = proc_rss_mib(app.pid), proc_peak_rss_mib(app.pid)
            threads = proc_threads(app.pid)
            latencies, sizes, missed = scroll(app, keys, members + 1)
            # Again, while every member has one backup making progress (one MODIFIED event per
            # member per second, on an object whose change the fleets screen does not show).
            live_seconds = keys * KEY_EVERY * 1.5 + 4
            sim.cmd("storm", members=list(range(1, members + 1)), rate=live_rate,
                    seconds=live_seconds, object="{member}-scale-00000")
            app.quiet(1.0, timeout=3)
            cpu0, live_started = proc_cpu_seconds(app.pid), time.monotonic()
            live_lat, _, live_missed = scroll(app, keys, members + 1)
            live_cpu = (proc_cpu_seconds(app.pid) - cpu0) / (time.monotonic() - live_started)
            sim.cmd("storm_wait", timeout=live_seconds + 60)
    p95 = percentile(latencies, 95)
    live_p95 = percentile(live_lat, 95)
    return [
        Figure("Velero Backups watched (members x per member)", total, "objects"),
        Figure("first frame", round(first * 1000), "ms"),
        Figure("usable list: first screenful of members counted", round(usable, 2), "s"),
        Figure("complete list: the last member counted", round(complete, 2), "s"),
        Figure("anchor: kubectl get on each member in turn", round(kubectl_s, 2), "s"),
        Figure("ratio complete list / kubectl", round(complete / kubectl_s, 2), "x"),
        Figure("app CPU from start to complete and quiet", round(cpu_load, 1), "s"),
        Figure("app RSS when complete", round(rss), "MiB", "<= 500", rss <= GOAL_RSS),
        Figure("app peak RSS (VmHWM)", round(peak), "MiB", "<= 500", peak <= GOAL_RSS),
        Figure("anchor: kubectl peak RSS (one member's list)", round(kubectl_rss), "MiB"),
        Figure("app threads", threads, "threads"),
        Figure("key → screen p50 while scrolling",
               round(percentile(latencies, 50) * 1000, 1), "ms"),
        Figure("key → screen p95 while scrolling", round(p95 * 1000, 1), "ms", "<= 100",
               p95 <= GOAL_KEY_P95 and missed == 0),
        Figure("key → screen max while scrolling", round(max(latencies) * 1000, 1), "ms"),
        Figure("bytes written per key, mean", round(sum(sizes) / len(sizes)), "bytes"),
        Figure("keys that changed nothing on screen within 2 s", missed, "keys", "0",
               missed == 0),
        Figure(f"{LIVE}: key → screen p50",
               round(percentile(live_lat, 50) * 1000, 1), "ms"),
        Figure(f"{LIVE}: key → screen p95", round(live_p95 * 1000, 1),
               "ms", "<= 100", live_p95 <= GOAL_KEY_P95 and live_missed == 0),
        Figure(f"{LIVE}: key → screen max",
               round(max(live_lat) * 1000, 1), "ms"),
        Figure(f"{LIVE}: keys with no change within 2 s", live_missed,
               "keys", "0", live_missed == 0),
        Figure(f"{LIVE}: app CPU", round(100 * live_cpu),
               "% of a core"),
    ]


def run_real(quick: bool) -> list[Figure]:
    """REAL_MEMBERS members with as many Velero Backups each, on real kube-apiservers (each
    holds about 370 MiB: 100 members do not fit) and on the emulator, so the two compare."""
    why = real_api_missing()
    if why:
        return skipped(NAME, why)
    real = run(quick, "real", REAL_MEMBERS)
    twin = run(quick, "emulator", REAL_MEMBERS)
    return tagged(twin, f"emulator, {REAL_MEMBERS} members") + tagged(real, "real")


if __name__ == "__main__":
    import sys

    for f in run("--quick" in sys.argv):
        print(f.line())
