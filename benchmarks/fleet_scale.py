"""Fleet scale (#12 item 5): 100 and 1,000 members, a shared bucket, 30 kept runs each; member
feeds for what is on screen (live/member_feeds.py) beside today's design before them (every
member watched whole: FLEETTUI_WATCH_ALL=1), measured in the same run against the same
simulator.

The simulator child gets N members, a Kurator scheduled Backup `nightly` whose Velero runs (30
per member, Completed) sit in every member, plus the copies a shared bucket's sync leaves: of
every other member at 100 members (100 x 100 x 30 = 300,000 Velero Backups); at 1,000 members
of the next COPIES_AT_1000 members only (1,000 x 10 x 30 = 300,000: the whole bucket,
1,000 x 1,000 x 30 = 30 million objects, does not fit the simulator; scoped watches never
receive copies, so their figures do not depend on this; today's design receives every copy, so
its figures are a lower bound). A one-time Kurator Backup `bench` on members 1-5 stays
InProgress for the change → screen figures.

Each design runs in a child process of its own (headless Pilot app at 80x24, so RSS, sockets and
threads are the app's alone):
* usable: app start → first frame whose first screenful of member rows shows storage and count;
* RSS (VmRSS) and peak (VmHWM), open sockets (/proc/self/fd), threads, once usable + 2 s;
* key → screen: 40 down arrows from the top (the table scrolls, so the watched members move),
  key sent → first composed frame with the cursor on the next row; sockets again after;
* change → screen: on backup `bench`'s status screen (once it has settled, SCREEN_SETTLE after
  its rows show), a merge patch of member 1's Velero Backup
  (`status.progress.itemsBackedUp`; Velero's Backup CRD has no status subresource) from this
  process → first composed frame showing it (60 writes).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Figure, SimProcess, percentile, prepare_textual_env

NAME = "fleet_scale"
DESCRIPTION = ("100 and 1,000 members, shared bucket, 30 runs each: usable, RSS, sockets, "
               "key and change → screen, member feeds vs watching every member")
RUNS = 30
COPIES_AT_1000 = 10
SIZES: tuple[int, ...] = (100, 1000)
SIZES_QUICK = (100,)
KEYS, CHANGES = 40, 60
USABLE_TIMEOUT = 240.0
SETTLE = 3.0  # s after the last key: feeds scrolled away are closed, new ones opened
SCREEN_SETTLE = 1.0  # s after the status screen shows its rows, before the first timed change
DESIGNS = {"feeds": "member feeds (this design)", "watch-all": "every member watched (before)"}
GOALS = {"usable": 2.0, "rss": 400.0, "sockets": 64, "key_p95": 0.050, "change_p99": 0.050}


# ---- the child: one design, one app ------------------------------------------------------------
def sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue
    return count


def status_kib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return 0.0


async def until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def first_screen_counted(app: Any) -> bool:
    from fleettui.ui.widgets.live_table import LiveTable

    found = app.screen.query("#fleets")
    if not found:
        return False
    table = found.first(LiveTable)
    members = [table.get_row_at(i) for i in range(min(table.row_count, 18))
               if str(table.ordered_rows[i].key.value).startswith("member/")]
    return len(members) >= 10 and all("Available" in str(r[3]) and str(r[5]).isdigit() and
                                      int(str(r[5])) >= RUNS for r in members)


async def child(kubeconfig: str, members: int) -> dict[str, Any]:
    prepare_textual_env()
    from benchmarks.latency import FrameProbe, open_status_pilot
    from fleettui.ui.app import FleetApp
    from fleettui.ui.widgets.live_table import LiveTable

    out: dict[str, Any] = {}
    started = time.monotonic()
    app = FleetApp(kubeconfig, "kurator-host", "default")
    async with app.run_test(size=(80, 24)) as pilot:
        frames = FrameProbe(app)
        frames.expect(lambda: first_screen_counted(app))
        marks: dict[str, Callable[[], bool]] = {
            "connected": lambda: app.session is not None and bool(app.session.mode),
            "rows": lambda: bool(app.screen.query("#fleets")) and app.screen.query_one(
                "#fleets", LiveTable).row_count > 10}

        def passed() -> bool:  # where the time to usable goes
            for mark, check in marks.items():
                if mark not in out and check():
                    out[mark] = time.monotonic() - started
            return frames.seen is not None

        if not await until(passed, USABLE_TIMEOUT):
            out["usable"] = None
            out["rss"], out["sockets"] = status_kib("VmRSS") / 1024, sockets()
            out["threads"] = threading.active_count()
            done(out)
        out["usable"] = (frames.seen or 0) - started
        await asyncio.sleep(2.0)
        out["rss"], out["peak"] = status_kib("VmRSS") / 1024, status_kib("VmHWM") / 1024
        out["sockets"], out["threads"] = sockets(), threading.active_count()
        table = app.screen.query_one("#fleets", LiveTable)
        keys = []
        for _ in range(KEYS):
            target = table.cursor_row + 1
            frames.expect(lambda target=target: table.cursor_row == target)
            t0 = time.monotonic()
            await pilot.press("down")
            if await until(lambda: frames.seen is not None, 2.0):
                keys.append((frames.seen or 0) - t0)
            await asyncio.sleep(0.05)
        out["keys"] = keys
        await asyncio.sleep(SETTLE)
        out["sockets_scrolled"] = sockets()
        out["changes"] = await changes(app, kubeconfig, frames, open_status_pilot)
        await asyncio.sleep(SETTLE)
        out["sockets_status"] = sockets()
        done(out)
    return out


def done(out: dict[str, Any]) -> None:
    """Report and end the child now: the design before reaches its members one after another
    in a worker that an app exit waits for (minutes at 1,000 members)."""
    print(json.dumps(out), flush=True)
    os._exit(0)


async def changes(app: Any, kubeconfig: str, frames: Any, open_status: Any) -> list[float]:
    from fleettui.kube import resources as kc
    from fleettui.kube.client import KubeClient

    table = await open_status(app, "bench", 5)
    # The screen settles first: in its first second it opens its members' feeds and builds its
    # footer, and a change then waits for that (up to 70 ms here); that is the cost of opening
    # the screen, which key → screen counts, not of a change to a backup on screen.
    await asyncio.sleep(SCREEN_SETTLE)
    name = "kurator-member1-backup-default-bench"
    # The writer's own set-up is not the app's latency: it reads the kubeconfig (1,001 contexts)
    # off the app's event loop, and connects (TLS) before the first timed write.
    member = await asyncio.to_thread(KubeClient.from_kubeconfig, kubeconfig, "kurator-member1")
    await asyncio.to_thread(member.get, kc.VELERO_BACKUPS, "velero", name)
    seen = []
    try:
        for i in range(CHANGES):
            value = 100 + i
            frames.expect(lambda v=value: str(table.get_row_at(0)[2]) == f"{v}/999")
            t0 = time.monotonic()
            await asyncio.to_thread(member.merge_patch, kc.VELERO_BACKUPS, "velero", name, {
                "status": {"progress": {"itemsBackedUp": value, "totalItems": 999}}})
            if await until(lambda: frames.seen is not None, 3.0):
                seen.append((frames.seen or 0) - t0)
            await asyncio.sleep(0.03)
    finally:
        member.close()
    return seen


# ---- the parent ---------------------------------------------------------------------------------
def run_child(kubeconfig: Path, members: int, design: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLEETTUI_WATCH_ALL":
           "1" if design == "watch-all" else ""}
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.fleet_scale", "--child",
                               str(kubeconfig), str(members)], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=USABLE_TIMEOUT + 300)
    except subprocess.TimeoutExpired:
        return {"error": f"no answer within {USABLE_TIMEOUT + 300:g} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr or proc.stdout)[-400:]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def figures(members: int, design: str, r: dict[str, Any]) -> list[Figure]:
    label = f"{members} members, {design}:"
    if "error" in r:
        return [Figure(f"{label} failed: {r['error']!r}", 0, "")]
    if r.get("usable") is None:
        return [Figure(f"{label} not usable within {USABLE_TIMEOUT:g} s", USABLE_TIMEOUT, "s",
                       "<= 2", False),
                Figure(f"{label} of which: connected to the host",
                       round(r.get("connected", 0), 2), "s"),
                Figure(f"{label} of which: fleets rows listed", round(r.get("rows", 0), 2), "s"),
                Figure(f"{label} RSS then", round(r["rss"]), "MiB", "<= 400",
                       r["rss"] <= GOALS["rss"]),
                Figure(f"{label} open sockets then", r["sockets"], "sockets", "<= 64",
                       r["sockets"] <= GOALS["sockets"]),
                Figure(f"{label} threads then", r["threads"], "threads")]
    keys, change = r["keys"], r["changes"]
    key95 = percentile(keys, 95) if keys else float("inf")
    ch99 = percentile(change, 99) if change else float("inf")
    return [
        Figure(f"{label} usable (first screenful counted)", round(r["usable"], 2), "s", "<= 2",
               r["usable"] <= GOALS["usable"]),
        Figure(f"{label} of which: connected to the host", round(r.get("connected", 0), 2),
               "s"),
        Figure(f"{label} of which: fleets rows listed", round(r.get("rows", 0), 2), "s"),
        Figure(f"{label} RSS when usable", round(r["rss"]), "MiB", "<= 400",
               r["rss"] <= GOALS["rss"]),
        Figure(f"{label} peak RSS", round(r["peak"]), "MiB"),
        Figure(f"{label} open sockets when usable", r["sockets"], "sockets", "<= 64",
               r["sockets"] <= GOALS["sockets"]),
        Figure(f"{label} open sockets {SETTLE:g} s after scrolling", r["sockets_scrolled"],
               "sockets",
               "<= 64", r["sockets_scrolled"] <= GOALS["sockets"]),
        Figure(f"{label} open sockets on the status screen", r["sockets_status"], "sockets"),
        Figure(f"{label} threads", r["threads"], "threads"),
        Figure(f"{label} key → screen p95 ({len(keys)}/{KEYS} keys)", round(key95 * 1000, 1),
               "ms", "<= 50", key95 <= GOALS["key_p95"] and len(keys) == KEYS),
        Figure(f"{label} change → screen p99 ({len(change)}/{CHANGES} changes)",
               round(ch99 * 1000, 1), "ms", "<= 50",
               ch99 <= GOALS["change_p99"] and len(change) == CHANGES),
        Figure(f"{label} change → screen p50", round(percentile(change, 50) * 1000, 1)
               if change else 0, "ms"),
    ]


def run(quick: bool) -> list[Figure]:
    found: list[Figure] = []
    for members in SIZES_QUICK if quick else SIZES:
        copies = members - 1 if members <= 100 else COPIES_AT_1000
        with tempfile.TemporaryDirectory(prefix="bench-fleet-scale-") as tmp, \
                SimProcess(Path(tmp), clusters=members) as sim:
            seeded = sim.cmd("seed_shared", runs=RUNS, copies=copies, timeout=900)
            print(f"  {members} members: {seeded['objects']:,} Velero Backups "
                  f"({RUNS} runs x {copies + 1} origins each) in {seeded['seconds']:.1f} s")
            sim.cmd("backup", name="bench", members=[1, 2, 3, 4, 5], timeout=120)
            found.append(Figure(f"{members} members: Velero Backups in the members",
                                seeded["objects"], "objects"))
            for design, title in DESIGNS.items():
                print(f"  {members} members, {title}…", flush=True)
                found += figures(members, design, run_child(sim.kubeconfig, members, design))
    return found


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(child(sys.argv[2], int(sys.argv[3])))), flush=True)
    elif sys.argv[1:2] == ["--sizes"]:  # e.g. --sizes 1000
        SIZES = tuple(int(n) for n in sys.argv[2].split(","))
        for f in run(False):
            print(f.line())
    else:
        for f in run("--quick" in sys.argv):
            print(f.line())
