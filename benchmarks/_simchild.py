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
  round-robin at `rate` events/s for `seconds` (values rise by one per write);
  `storm_wait` waits for it and replies what was produced and each object's final value.
* `values members name`: the current `itemsBackedUp` of those objects.
* `seed per_member`: create `per_member` Completed Velero Backups in namespace `velero` of every
  member (the simulated Velero leaves finished backups alone).
* `seed_shared runs copies`: a Kurator scheduled Backup `nightly` on the host, and in every
  member `runs` Completed runs of its Velero Schedule (labelled as Velero labels them) plus, as
  a shared bucket's sync leaves them, copies of the runs of the `copies` members after it
  (`copies` = members - 1: the whole bucket). Objects are put straight into the stores (no
  watch events: no client is connected yet) and share their spec and status, so members² x
  runs objects fit (fleet_scale.py).
* `cpu`: this process's CPU seconds.

End of input (the parent went away) stops the simulator and the process.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
import time
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


class Child:
    def __init__(self, sim: SimThread, fleet: SimFleet) -> None:
        self.sim = sim
        self.fleet = fleet
        self.storm_task: asyncio.Future[Obj] | None = None

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
        old = store.get(rt, "velero", name)
        new = copy.deepcopy(old)
        new["status"].setdefault("progress", {}).update(itemsBackedUp=items, totalItems=total)
        new["metadata"].pop("resourceVersion", None)
        t = time.monotonic()
        store.replace(rt, new, status=True)
        return t

    async def storm(self, members: list[int], rate: float, seconds: float, name: str,
                    obj: str = "") -> Obj:
        """`rate` writes/s for `seconds`, in 10 ms ticks, catching up if a tick runs late.

        The objects are the members' Velero Backups of Kurator Backup `name`, or the Velero
        Backup named `obj` in every member."""
        stores = [(m, self.store(m)) for m in members]
        names = {m: obj or velero_name(m, name) for m in members}
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
                old = store.get(rt, "velero", names[m])
                status = copy.deepcopy(old["status"])
                status.setdefault("progress", {})["itemsBackedUp"] = values[m]
                store.replace(rt, {**old, "status": status}, status=True)
                produced += 1
            await asyncio.sleep(max(0.0, started + (produced / rate) - time.monotonic()))
        return {"produced": produced, "seconds": time.monotonic() - started,
                "final": {str(m): v for m, v in values.items()}}

    def start_storm(self, members: list[int], rate: float, seconds: float, name: str,
                    obj: str = "") -> Obj:
        self.storm_task = asyncio.ensure_future(self.storm(members, rate, seconds, name, obj))
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
        for i, member in enumerate(self.fleet.members, start=1):
            store = member.store
            rt = store.types[VELERO_BACKUPS]
            for j in range(per_member):
                store.create(rt, {
                    "apiVersion": "velero.io/v1", "kind": "Backup",
                    "metadata": {"name": f"scale-{j:05d}", "namespace": "velero",
                                 "labels": {"kurator.dev/backup-name": f"nightly-{j % 50}",
                                            "kurator.dev/cluster-name": member_name(i),
                                            "velero.io/storage-location": "default"}},
                    "spec": {"includedNamespaces": ["kurator-backup"],
                             "storageLocation": "default", "ttl": "720h0m0s"},
                    "status": {"phase": "Completed", "version": 1, "formatVersion": "1.1.0",
                               "startTimestamp": STAMP, "completionTimestamp": STAMP,
                               "expiration": "2026-01-31T00:00:00Z",
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
            return {"t": self.set_items(cmd["member"], cmd["name"], cmd["items"], cmd["total"])}
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._simchild")
    parser.add_argument("--clusters", type=int, default=2)
    parser.add_argument("--sync-interval", type=float, default=3600.0)
    parser.add_argument("--backup-seconds", type=float, default=1e6)
    parser.add_argument("--bookmark-seconds", type=float, default=30.0)
    parser.add_argument("--window", type=int, default=20000)
    parser.add_argument("--kubeconfig", type=Path, required=True)
    args = parser.parse_args()
    sim = SimThread(SimConfig(clusters=args.clusters, sync_interval=args.sync_interval,
                              backup_seconds=args.backup_seconds, speed=1.0,
                              bookmark_seconds=args.bookmark_seconds, window=args.window))
    fleet = sim.start()
    try:
        fleet.write_kubeconfig(args.kubeconfig)
        child = Child(sim, fleet)
        print(json.dumps({"ready": True, "ports": [c.port for c in fleet.clusters]}), flush=True)
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
