"""Reading and changing the simulated members directly, for the restore and migrate tests:
what the CLI restores must really be there again."""

from __future__ import annotations

import copy
from typing import Any

from fleettui.sim.fleet import SimFleet, SimThread
from fleettui.sim.types import PODS

M1, M2 = "kurator-member1", "kurator-member2"
MEMBERS = f"{M1},{M2}"
APP_NS = "kurator-backup"


def find(runner: SimThread, fleet: SimFleet, cluster: str, rkey: str, ns: str, name: str
         ) -> dict[str, Any] | None:
    store = fleet.cluster(cluster).store
    return runner.call(lambda: copy.deepcopy(store.find(rkey, ns, name)))


def delete_pod(runner: SimThread, fleet: SimFleet, cluster: str, name: str,
               ns: str = APP_NS) -> None:
    store = fleet.cluster(cluster).store
    runner.call(lambda: store.delete(store.types[PODS.key], ns, name))
    assert find(runner, fleet, cluster, PODS.key, ns, name) is None


def pod(runner: SimThread, fleet: SimFleet, cluster: str, name: str, ns: str = APP_NS
        ) -> dict[str, Any] | None:
    return find(runner, fleet, cluster, PODS.key, ns, name)


def creates(fleet: SimFleet, plural: str, start: int = 0) -> list[dict[str, Any]]:
    """API creates (dry runs included) of `plural` since audit entry `start`."""
    return [a for a in fleet.audit[start:]
            if a["verb"] == "create" and a["path"].endswith(f"/{plural}")]
