"""A member removed from its fleet is no longer watched: its watches end and its objects leave
the screen (#12: members removed from a fleet stayed watched)."""

from __future__ import annotations

from pathlib import Path

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from fleettui.sim.fleet import SimFleet, SimThread
from tests.ui.test_app import SIZE, make_app, table_text, until

Sim = tuple[SimThread, SimFleet, Path]
M2 = "kurator-member2"


async def test_a_member_removed_from_the_fleet_stops_being_watched(sim: Sim) -> None:
    _, _, kubeconfig = sim
    app = make_app(kubeconfig)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None and app.session.store.has_feed(
            M2, kc.VELERO_BACKUPS), what="member2 watched")
        session = app.session
        assert session is not None
        host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
        try:
            fleet = host.get(kc.FLEETS, "default", "quickstart")
            kept = [c for c in fleet["spec"]["clusters"] if c["name"] != M2]
            host.merge_patch(kc.FLEETS, "default", "quickstart", {"spec": {"clusters": kept}})
        finally:
            host.close()
        await until(pilot, lambda: not any(w.client.name == M2 for w in session.watches)
                    and not session.store.has_feed(M2, kc.VELERO_BACKUPS),
                    what="member2's watches gone")
        await until(pilot, lambda: M2 not in table_text(app), what="member2 off the screen")
        assert "kurator-member1" in table_text(app)
        assert M2 not in session.members
