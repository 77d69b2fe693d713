"""The fleet simulator's own capacity, so client benchmarks can show it is not their bottleneck.

Two measurements against one member cluster of a `SimThread` fleet, with the simulated Kurator
and Velero controllers kept idle (objects live in namespace `bench`, which neither controller
looks at, and their poll intervals are an hour):

* objects served: a paged LIST (limit=500, following `continue`) of 10,000 Velero Backups over
  HTTP from a client thread;
* watch fan-out: 10 watch streams (one thread and one HTTP connection each) from the list's
  resourceVersion while the sim loop rewrites objects as fast as it can; the clock runs from the
  first write until all 10 watchers hold every event, and every watcher must see every
  resourceVersion exactly once, in order.

The clients live in the simulator's process, as in every benchmark and test that uses
`SimThread`, so they share its GIL; they are kept light (no JSON parsing of events, a regex over
whole chunks) and their CPU time is reported next to the sim loop's.

Run alone with `python -m benchmarks.sim_capacity [--quick] [--profile N]`; `--profile` prints
the top N functions of a cProfile of the sim loop thread during the fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import http.client
import io
import json
import pstats
import re
import resource
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from benchmarks.common import Figure

NAME = "sim"
DESCRIPTION = "fleet simulator capacity: paged LIST of 10,000 objects, watch fan-out to 10"

OBJECTS = 10_000
PAGE = 500
WATCHERS = 10
EVENTS = 50_000
EVENTS_QUICK = 10_000
YIELD_EVERY = 200  # updates between `await asyncio.sleep(0)`, so the watch pumps can write
GOAL_DELIVERED = 5_000.0  # events/s, summed over the 10 watchers
IDLE_TIMEOUT = 20.0  # a watcher that hears nothing this long gives up (events were lost)

NS = "bench"
RKEY = "velero.io/backups"
PATH = f"/apis/velero.io/v1/namespaces/{NS}/backups"
RV_RE = re.compile(rb'"resourceVersion":"(\d+)"')
STAMP = "2026-01-01T00:00:00Z"

Obj = dict[str, Any]


def backup(i: int) -> Obj:
    """A finished Velero Backup about the size of the ones Kurator creates (~1 KB of JSON)."""
    return {
        "apiVersion": "velero.io/v1", "kind": "Backup",
        "metadata": {"name": f"bench-{i:05d}", "namespace": NS,
                     "labels": {"app.kubernetes.io/part-of": "fleettui-bench",
                                "kurator.dev/backup-name": f"nightly-{i % 50}",
                                "kurator.dev/cluster-name": "kurator-member1",
                                "velero.io/storage-location": "default"}},
        "spec": {"includedNamespaces": ["kurator-backup"], "storageLocation": "default",
                 "ttl": "720h0m0s", "defaultVolumesToFsBackup": False,
                 "labelSelector": {"matchLabels": {"env": "test"}},
                 "csiSnapshotTimeout": "10m0s", "itemOperationTimeout": "4h0m0s",
                 "hooks": {}, "metadata": {}},
        "status": {"phase": "Completed", "version": 1, "formatVersion": "1.1.0",
                   "startTimestamp": STAMP, "completionTimestamp": STAMP,
                   "expiration": "2026-01-31T00:00:00Z",
                   "progress": {"itemsBackedUp": 12, "totalItems": 12}},
    }


# ---- clients (plain http.client over TLS, in their own threads) --------------------------------
TLS_CONTEXT: list[ssl.SSLContext] = []  # set once the simulator (and its CA) exists
def connect(port: int, token: str, path: str) -> tuple[http.client.HTTPConnection,
                                                       http.client.HTTPResponse]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=IDLE_TIMEOUT,
                                       context=TLS_CONTEXT[0])
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}",
                                       "Accept": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {resp.status}: {resp.read()[:300]!r}")
    return conn, resp


@dataclass
class Listed:
    objects: int
    pages: int
    bytes: int
    seconds: float
    rv: str


def paged_list(port: int, token: str) -> Listed:
    count = pages = size = 0
    rv = ""
    cont = ""
    started = time.perf_counter()
    while True:
        path = f"{PATH}?limit={PAGE}" + (f"&continue={cont}" if cont else "")
        conn, resp = connect(port, token, path)
        body = resp.read()
        conn.close()
        page = json.loads(body)
        pages += 1
        size += len(body)
        count += len(page["items"])
        rv = rv or page["metadata"]["resourceVersion"]
        cont = page["metadata"].get("continue", "")
        if not cont:
            break
    return Listed(count, pages, size, time.perf_counter() - started, rv)


@dataclass
class WatchClient:
    """One watch stream: collects the resourceVersion of every event, stops after `expect`."""

    index: int
    expect: int
    rvs: list[int] = field(default_factory=list)
    lines: int = 0
    first_line: bytes = b""
    done_at: float | None = None
    error: str = ""
    cpu_seconds: float = 0.0
    conn: http.client.HTTPConnection | None = None
    resp: http.client.HTTPResponse | None = None

    def open(self, port: int, token: str, rv: str) -> None:
        # The server registers the watcher before it sends the headers, so once getresponse()
        # returns no event can be missed.
        self.conn, self.resp = connect(port, token, f"{PATH}?watch=1&resourceVersion={rv}")

    def run(self) -> None:
        assert self.resp is not None
        cpu0 = time.thread_time()
        buf = b""
        try:
            while len(self.rvs) < self.expect:
                data = self.resp.read1(1 << 16)
                if not data:
                    self.error = "stream ended"
                    break
                buf += data
                cut = buf.rfind(b"\n") + 1
                if not cut:
                    continue
                chunk, buf = buf[:cut], buf[cut:]
                if not self.first_line:
                    self.first_line = chunk[:chunk.index(b"\n")]
                self.lines += chunk.count(b"\n")
                self.rvs.extend(map(int, RV_RE.findall(chunk)))
            else:
                self.done_at = time.perf_counter()
        except (TimeoutError, OSError, http.client.HTTPException) as e:
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.cpu_seconds = time.thread_time() - cpu0
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                if self.conn.sock is not None:
                    self.conn.sock.shutdown(socket.SHUT_RDWR)
            self.conn.close()

    def check(self, produced: list[int]) -> tuple[int, int]:
        """(events lost, events duplicated or out of order) against the produced RVs."""
        lost = len(set(produced) - set(self.rvs))
        wrong = len(self.rvs) - len(set(self.rvs)) + sum(
            1 for a, b in zip(self.rvs, self.rvs[1:], strict=False) if b <= a)
        return lost, wrong


# ---- the sim side (runs on the simulator's loop) -----------------------------------------------
def seed(store: Any) -> None:
    store.create(store.types["/namespaces"], {"metadata": {"name": NS}})
    rt = store.types[RKEY]
    for i in range(OBJECTS):
        store.create(rt, backup(i))


@dataclass
class Produced:
    started: float
    finished: float
    rvs: list[int]


async def produce(store: Any, events: int) -> Produced:
    """`events` MODIFIED events, as fast as the loop allows: one annotation bump per update."""
    rt = store.types[RKEY]
    names = [f"bench-{i:05d}" for i in range(OBJECTS)]
    rvs: list[int] = []
    started = time.perf_counter()
    for seq in range(events):
        old = store.get(rt, NS, names[seq % OBJECTS])
        new = {**old, "metadata": {**old["metadata"], "annotations": {"bench/seq": str(seq)}}}
        rvs.append(int(store.replace(rt, new)["metadata"]["resourceVersion"]))
        if seq % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)
    return Produced(started, time.perf_counter(), rvs)


def thread_cpu(thread: threading.Thread) -> float:
    assert thread.ident is not None
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


@contextlib.contextmanager
def sim_profile(sim: Any, top: int) -> Iterator[None]:
    """cProfile the sim loop thread (enable/disable must run on that thread)."""
    if top <= 0:
        yield
        return
    prof = cProfile.Profile()
    sim.call(prof.enable)
    try:
        yield
    finally:
        sim.call(prof.disable)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
        print(out.getvalue())


# ---- the benchmark -----------------------------------------------------------------------------
def run(quick: bool, profile_top: int = 0) -> list[Figure]:
    # Imported here so that `--list` and the other benchmarks work even if fleettui does not.
    from fleettui.sim.fleet import SimConfig, SimThread

    events = EVENTS_QUICK if quick else EVENTS
    sim = SimThread(SimConfig(clusters=2, sync_interval=3600, backup_seconds=3600))
    fleet = sim.start()
    TLS_CONTEXT[:] = [fleet.tls.client_context()]
    try:
        member = fleet.members[0]
        store, port, token = member.store, member.port, fleet.config.admin_token
        t0 = time.perf_counter()
        sim.call(lambda: seed(store), timeout=120)
        created = time.perf_counter() - t0

        listed = paged_list(port, token)
        if listed.objects != OBJECTS:
            raise RuntimeError(f"LIST returned {listed.objects} objects, expected {OBJECTS}")

        clients = [WatchClient(i, events) for i in range(WATCHERS)]
        for c in clients:
            c.open(port, token, listed.rv)
        registered = sim.call(lambda: len(store.watchers.get(RKEY, ())))
        if registered != WATCHERS:
            raise RuntimeError(f"{registered} watchers registered, expected {WATCHERS}")
        threads = [threading.Thread(target=c.run, name=f"watch-{c.index}", daemon=True)
                   for c in clients]
        for t in threads:
            t.start()
        sim_cpu0 = thread_cpu(sim.thread)
        with sim_profile(sim, profile_top):
            produced = sim.run(produce(store, events), timeout=300)
            for t in threads:
                t.join(IDLE_TIMEOUT + 60)
        sim_cpu = thread_cpu(sim.thread) - sim_cpu0
    finally:
        sim.stop()

    finished = [c.done_at for c in clients if c.done_at is not None]
    complete = len(finished) == WATCHERS
    end = max(finished) if complete else time.perf_counter()
    elapsed = end - produced.started
    delivered = sum(min(len(c.rvs), events) for c in clients)
    lost = wrong = 0
    for c in clients:
        c_lost, c_wrong = c.check(produced.rvs)
        lost += c_lost
        wrong += c_wrong
    errors = [f"watcher {c.index}: {c.error}" for c in clients if c.error]
    if errors:
        print("\n".join(errors))
    first = json.loads(clients[0].first_line) if clients[0].first_line else {}
    if first.get("type") != "MODIFIED" or first.get("object", {}).get("kind") != "Backup":
        print(f"unexpected first watch event: {clients[0].first_line[:200]!r}")
    rate = delivered / elapsed
    produce_s = produced.finished - produced.started
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    goal = f">= {GOAL_DELIVERED:,.0f} to {WATCHERS} watchers"
    return [
        Figure("seed: objects created in the store", OBJECTS / created, "objects/s"),
        Figure(f"list: {OBJECTS:,} objects, {listed.pages} pages of {PAGE}",
               listed.objects / listed.seconds, "objects/s"),
        Figure("list: total time", listed.seconds, "s"),
        Figure("list: bytes served", listed.bytes / listed.seconds / 2**20, "MiB/s"),
        Figure(f"watch: events delivered, sum over {WATCHERS} watchers", rate, "events/s",
               goal, rate >= GOAL_DELIVERED and complete),
        Figure("watch: events delivered per watcher", rate / WATCHERS, "events/s"),
        Figure(f"watch: events produced ({events:,} updates)", events / produce_s, "events/s"),
        Figure("watch: first write to last delivery", elapsed, "s"),
        Figure("watch: lost events", lost, "events", "0", lost == 0 and complete),
        Figure("watch: duplicate or out-of-order events", wrong, "events", "0", wrong == 0),
        Figure("watch: sim loop CPU / wall", 100 * sim_cpu / elapsed, "%"),
        Figure("watch: client threads CPU / wall",
               100 * sum(c.cpu_seconds for c in clients) / elapsed, "%"),
        Figure("process max RSS", round(rss_mib), "MiB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sim_capacity")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the top N functions of the sim loop during the fan-out")
    args = parser.parse_args()
    for f in run(args.quick, args.profile):
        print(f.line())


if __name__ == "__main__":
    main()
