"""The fleet simulator in a child process, driven over stdin/stdout with one JSON object a line.

Client benchmarks run the simulator here rather than in a `SimThread` of their own process, so
the app under test (a Pilot app in the benchmark process, or a real `fleettui` in a pty) never
shares a GIL with the simulator, as it never does against real clusters. `SimProcess` in
`common.py` is the parent side. Every reply carries `time.monotonic()` stamps, which on Linux are
comparable between processes (CLOCK_MONOTONIC).

Commands (`{"op": ...}`), each answered by one line:

* `backup name members`: create Kurator Backup `name` on the host (fleet `quickstart`,
  `members` as its destination clusters), then wait until the simulated Kurator has created each
  member's Velero Backup and the simulated Velero has set it InProgress (with `backup_seconds`
  very large it then stays there); replies the Velero object names.
* `set member name items total`: write `status.progress` of that member Velero Backup (a /status
  update, one MODIFIED event); replies `t`, the monotonic time just before the write.
* `storm members rate seconds name [object]`: start writing `itemsBackedUp` of the members'
  Velero Backups of Kurator Backup `name` (or of the Velero Backup called `object` in each)
  round-robin at `rate` events/s for `seconds` (values rise by one per write; `{member}` in
  `object` stands for the member's name);
  `storm_wait` waits for it and replies what was produced and each object's final value.
* `values members name`: the current `itemsBackedUp` of those objects.
* `seed per_member`: create `per_member` Completed Velero Backups `<member>-scale-NNNNN` in
  namespace `velero` of every member (the simulated Velero leaves finished backups alone).
* `seed_shared runs copies`: a Kurator scheduled Backup `nightly` on the host, and in every
  member `runs` Completed runs of its Velero Schedule (labelled as Velero labels them) plus, as
  a shared bucket's sync leaves them, copies of the runs of the `copies` members after it
  (`copies` = members - 1: the whole bucket). Objects are put straight into the stores (no
  watch events: no client is connected yet) and share their spec and status, so members² x
  runs objects fit (fleet_scale.py).
* `cpu`: this process's CPU seconds.

End of input (the parent went away) stops the simulator and the process.

With `--api real` the fleet is real kube-apiservers (`fleettui/sim/real_fleet.py`, at most 2
members, the realapi/ binaries taken from the cache) and the same controllers run as their API
clients; every command above except `seed_shared` then writes through the API (one HTTP request
per write, on the simulator's loop).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fleettui.sim.fleet import SimConfig, SimFleet, SimThread
from fleettui.sim.world import member_name

Obj = dict[str, Any]
VELERO_BACKUPS = "velero.io/backups"
KURATOR_BACKUPS = "backup.kurator.dev/backups"
STAMP = "2026-01-01T00:00:00Z"
RUN_STATUS = {"phase": "Completed", "version": 1, "formatVersion": "1.1.0",
              "startTimestamp": STAMP, "completionTimestamp": STAMP,
              "expiration": "2026-01-31T00:00:00Z",
              "progress": {"itemsBackedUp": 12, "totalItems": 12}}


def velero_name(member: int, backup: str) -> str:
    return f"{member_name(member)}-backup-default-{backup}"


def target(member: int, backup: str, obj: str) -> str:
    """The object a storm writes in `member`: `obj` (`{member}` is the member's name), else
    the member's Velero Backup of Kurator Backup `backup`."""
    return obj.format(member=member_name(member)) if obj else velero_name(member, backup)


def find(store: Any, rkey: str, namespace: str, name: str) -> Obj:
    """An object of either store (the emulator's ClusterStore or a real server's ApiStore)."""
    obj: Obj | None = store.find(rkey, namespace, name)
    if obj is None:
        raise RuntimeError(f"{store.name}: no {rkey} {namespace}/{name}")
    return obj


class Child:
    def __init__(self, sim: SimThread, fleet: Any) -> None:
        self.sim = sim
        self.fleet = fleet
        self.storm_task: asyncio.Future[Obj] | None = None
        self.real = not isinstance(fleet, SimFleet)

    def store(self, member: int) -> Any:
        return self.fleet.members[member - 1].store

    # ---- commands (run on the simulator's loop) ------------------------------------------------
    async def backup(self, name: str, members: list[int]) -> Obj:
        host = self.fleet.host.store
        host.create(host.types[KURATOR_BACKUPS], {
            "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"destination": {"fleet": "quickstart", "clusters": [
                {"kind": "AttachedCluster", "name": member_name(m)} for m in members]},
                "policy": {"resourceFilter": {"includedNamespaces": ["kurator-backup"]},
                           "ttl": "720h"}}})
        deadline = time.monotonic() + 30
        names = {m: velero_name(m, name) for m in members}
        while time.monotonic() < deadline:
            phases = [((self.store(m).find(VELERO_BACKUPS, "velero", n) or {}).get("status")
                       or {}).get("phase") for m, n in names.items()]
            if all(p == "InProgress" for p in phases):
                return {"velero": {str(m): n for m, n in names.items()}}
            await asyncio.sleep(0.02)
        raise RuntimeError(f"member Velero Backups of {name} never reached InProgress")

    def set_items(self, member: int, name: str, items: int, total: int) -> float:
        store = self.store(member)
        rt = store.types[VELERO_BACKUPS]
        old = find(store, VELERO_BACKUPS, "velero", name)
        new = copy.deepcopy(old)
        new["status"].setdefault("progress", {}).update(itemsBackedUp=items, totalItems=total)
        if not self.real:  # kube-apiserver takes no unconditional update of
            new["metadata"].pop("resourceVersion", None)  # a custom resource; the cache is fresh
        t = time.monotonic()
        store.replace(rt, new, status=True)
        return t

    async def storm(self, members: list[int], rate: float, seconds: float, name: str,
                    obj: str = "") -> Obj:
        """`rate` writes/s for `seconds`, in 10 ms ticks, catching up if a tick runs late.

        The objects are the members' Velero Backups of Kurator Backup `name`, or the Velero
        Backup named `obj` in every member."""
        stores = [(m, self.store(m)) for m in members]
        names = {m: target(m, name, obj) for m in members}
        values = {m: int(((self.store(m).find(VELERO_BACKUPS, "velero", names[m]) or {})
                          .get("status") or {}).get("progress", {}).get("itemsBackedUp") or 0)
                  for m in members}
        produced = 0
        started = time.monotonic()
        tick = 0.01
        seq = 0
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= seconds:
                break
            due = min(int(rate * (elapsed + tick)), int(rate * seconds)) - produced
            for _ in range(max(0, due)):
                m, store = stores[seq % len(stores)]
                seq += 1
                values[m] += 1
                rt = store.types[VELERO_BACKUPS]
                old = find(store, VELERO_BACKUPS, "velero", names[m])
                status = copy.deepcopy(old["status"])
                status.setdefault("progress", {})["itemsBackedUp"] = values[m]
                store.replace(rt, {**old, "status": status}, status=True)
                produced += 1
            await asyncio.sleep(max(0.0, started + (produced / rate) - time.monotonic()))
        return {"produced": produced, "seconds": time.monotonic() - started,
                "final": {str(m): v for m, v in values.items()}}

    async def storm_threads(self, members: list[int], rate: float, seconds: float, name: str,
                            obj: str = "") -> Obj:
        """The storm on real servers: one writer thread per member, each at its share of
        `rate`, merge-patching over HTTP (a write there is a round trip of milliseconds, so
        one writer on the loop would cap the load far lower; one thread per object keeps each
        object's values in order)."""
        started = time.monotonic()
        first = {m: int(((find(self.store(m), VELERO_BACKUPS, "velero", target(
            m, name, obj)).get("status") or {}).get("progress") or {}).get("itemsBackedUp") or 0)
            for m in members}
        done = await asyncio.gather(*(asyncio.to_thread(
            self._write_series, m, target(m, name, obj), first[m],
            rate / len(members), seconds) for m in members))
        final = {str(m): first[m] + n for m, n in zip(members, done, strict=True)}
        return {"produced": sum(done), "seconds": time.monotonic() - started, "final": final}

    def _write_series(self, member: int, name: str, value: int, rate: float,
                      seconds: float) -> int:
        from fleettui.kube.resources import VELERO_BACKUPS as RES

        client = self.store(member).client
        started = time.monotonic()
        written = 0
        while (elapsed := time.monotonic() - started) < seconds:
            if written >= rate * elapsed:
                time.sleep(min(0.01, written / rate - elapsed))
                continue
            written += 1
            client.merge_patch(RES, "velero", name, {
                "status": {"progress": {"itemsBackedUp": value + written}}})
        return written

    def start_storm(self, members: list[int], rate: float, seconds: float, name: str,
                    obj: str = "") -> Obj:
        storm = self.storm_threads if self.real else self.storm
        self.storm_task = asyncio.ensure_future(storm(members, rate, seconds, name, obj))
        return {"t": time.monotonic()}

    async def storm_wait(self) -> Obj:
        assert self.storm_task is not None
        return await self.storm_task

    def values(self, members: list[int], name: str) -> Obj:
        out = {}
        for m in members:
            obj = self.store(m).find(VELERO_BACKUPS, "velero", velero_name(m, name)) or {}
            out[str(m)] = ((obj.get("status") or {}).get("progress") or {}).get("itemsBackedUp")
        return {"values": out}

    async def seed(self, per_member: int) -> Obj:
        started = time.monotonic()
        # Named and stamped as the member's own (model/velero.py synced_from_bucket: a Kurator
        # object not named after its cluster, or created long after it started, is a copy).
        for i, member in enumerate(self.fleet.members, start=1):
            store = member.store
            rt = store.types[VELERO_BACKUPS]
            for j in range(per_member):
                # Stamped at its own creation: over HTTP a seed takes seconds (SYNC_SLACK: 5).
                now = datetime.now(UTC)
                stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
                expires = (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
                store.create(rt, {
                    "apiVersion": "velero.io/v1", "kind": "Backup",
                    "metadata": {"name": f"{member_name(i)}-scale-{j:05d}",
                                 "namespace": "velero",
                                 "labels": {"kurator.dev/backup-name": f"nightly-{j % 50}",
                                            "kurator.dev/cluster-name": member_name(i),
                                            "velero.io/storage-location": "default"}},
                    "spec": {"includedNamespaces": ["kurator-backup"],
                             "storageLocation": "default", "ttl": "720h0m0s"},
                    "status": {"phase": "Completed", "version": 1, "formatVersion": "1.1.0",
                               "startTimestamp": stamp, "completionTimestamp": stamp,
                               "expiration": expires,
                               "progress": {"itemsBackedUp": 12, "totalItems": 12}}})
            await asyncio.sleep(0)  # let the simulated Velero drain its queue meanwhile
        return {"objects": per_member * len(self.fleet.members),
                "seconds": time.monotonic() - started}

    async def seed_shared(self, runs: int, copies: int) -> Obj:
        started = time.monotonic()
        host = self.fleet.host.store
        host.create(host.types[KURATOR_BACKUPS], {
            "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": "nightly", "namespace": "default"},
            "spec": {"schedule": "0 2 * * *", "destination": {"fleet": "quickstart"},
                     "policy": {"resourceFilter": {"includedNamespaces": ["kurator-backup"]}}}})
        spec = {"includedNamespaces": ["kurator-backup"], "storageLocation": "default",
                "ttl": "720h0m0s"}
        members = len(self.fleet.members)
        made = 0
        for i, member in enumerate(self.fleet.members, start=1):
            store = member.store
            objs = store.objects[VELERO_BACKUPS]
            for origin in [i, *((i + k - 1) % members + 1 for k in range(1, copies + 1))]:
                schedule = velero_name(origin, "nightly")
                labels = {"kurator.dev/backup-name": "nightly",
                          "velero.io/schedule-name": schedule,
                          "velero.io/storage-location": "default"}
                for j in range(runs):
                    name = f"{schedule}-202601{j // 24 + 1:02d}{j % 24:02d}0000"
                    objs[("velero", name)] = {
                        "apiVersion": "velero.io/v1", "kind": "Backup", "spec": spec,
                        "metadata": {"name": name, "namespace": "velero", "labels": labels,
                                     "uid": f"{i}-{origin}-{j}", "creationTimestamp": STAMP,
                                     "resourceVersion": str(store._next_rv())},
                        "status": RUN_STATUS}
                    made += 1
            await asyncio.sleep(0)
        return {"objects": made, "seconds": time.monotonic() - started}

    async def dispatch(self, cmd: Obj) -> Obj:
        op = cmd["op"]
        if op == "backup":
            return await self.backup(cmd["name"], cmd["members"])
        if op == "set":
            t = self.set_items(cmd["member"], cmd["name"], cmd["items"], cmd["total"])
            return {"t": t, "done": time.monotonic()}  # done: the write answered
        if op == "storm":
            return self.start_storm(cmd["members"], cmd["rate"], cmd["seconds"],
                                    cmd.get("name", ""), cmd.get("object", ""))
        if op == "storm_wait":
            return await self.storm_wait()
        if op == "values":
            return self.values(cmd["members"], cmd["name"])
        if op == "seed":
            return await self.seed(cmd["per_member"])
        if op == "seed_shared":
            return await self.seed_shared(cmd["runs"], cmd["copies"])
        if op == "cpu":
            return {"cpu": time.process_time()}
        raise ValueError(f"unknown op {op!r}")


def start(config: SimConfig, api: str, directory: Path) -> tuple[SimThread, Any]:
    if api == "emulator":
        sim = SimThread(config)
        return sim, sim.start()
    from fleettui.sim.real_fleet import RealFleetThread, binaries

    real = RealFleetThread(config, binaries(), directory)  # the parent checked the cache
    return real, real.start_real()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._simchild")
    parser.add_argument("--clusters", type=int, default=2)
    parser.add_argument("--sync-interval", type=float, default=3600.0)
    parser.add_argument("--backup-seconds", type=float, default=1e6)
    parser.add_argument("--bookmark-seconds", type=float, default=30.0)
    parser.add_argument("--window", type=int, default=20000)
    parser.add_argument("--kubeconfig", type=Path, required=True)
    parser.add_argument("--api", choices=("emulator", "real"), default="emulator")
    args = parser.parse_args()
    config = SimConfig(clusters=args.clusters, sync_interval=args.sync_interval,
                       backup_seconds=args.backup_seconds, speed=1.0,
                       bookmark_seconds=args.bookmark_seconds, window=args.window)
    sim, fleet = start(config, args.api, args.kubeconfig.parent / "servers")
    try:
        fleet.write_kubeconfig(args.kubeconfig)
        child = Child(sim, fleet)
        # Real servers: their launchers' pids, so a benchmark can count their CPU too.
        pids = [c.server.proc.pid for c in fleet.clusters] if args.api == "real" else []
        print(json.dumps({"ready": True, "urls": [c.url for c in fleet.clusters],
                          "pids": pids}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            cmd = json.loads(line)
            if cmd.get("op") == "stop":
                break
            try:
                reply = sim.run(child.dispatch(cmd), timeout=float(cmd.get("timeout", 600)))
            except Exception as e:  # reported to the parent, which raises it
                reply = {"error": f"{type(e).__name__}: {e}"}
            print(json.dumps(reply), flush=True)
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
