"""Bookmarks, periodic compaction (410 on watch and on `continue`) and in-flight 429s."""

from __future__ import annotations

import argparse
import http.client
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fleettui.cli.sim_options import add_sim_options, sim_config
from fleettui.sim.errors import INCONSISTENT_CONTINUE
from fleettui.sim.fleet import SimConfig, SimFleet, SimThread
from tests.conftest import start_sim, wait_for
from tests.sim.test_api import call
from tests.sim.test_watch_and_cli import backup, watch_events

Sim = tuple[SimThread, SimFleet, Path]
PODS = "/api/v1/pods"


def raw_get(fleet: SimFleet, cluster: str, path: str) -> tuple[int, str, dict[str, str]]:
    c = fleet.cluster(cluster)
    conn = http.client.HTTPSConnection("127.0.0.1", c.port, timeout=30,
                                       context=fleet.tls.client_context())
    try:
        conn.request("GET", path,
                     headers={"Authorization": f"Bearer {fleet.config.admin_token}"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode(), dict(resp.getheaders())
    finally:
        conn.close()


def compacted_past(runner: SimThread, fleet: SimFleet, rv: int) -> None:
    store = fleet.members[0].store
    runner.call(lambda: store.create(store.types["velero.io/backups"], backup("after")))
    wait_for(lambda: runner.call(lambda: store.compacted_rv) > rv, timeout=20,
             what="a compaction past the recorded resourceVersion")


def test_defaults_and_flags_describe_a_real_cluster() -> None:
    assert SimConfig().bookmark_seconds == 60.0
    assert (SimConfig().compact_interval, SimConfig().max_inflight, SimConfig().token_ttl) == (
        0.0, 0, 0.0)
    parser = argparse.ArgumentParser()
    add_sim_options(parser)
    config = sim_config(parser.parse_args([
        "--bookmark-interval", "0.5", "--compact-interval", "300", "--max-inflight", "400",
        "--token-ttl", "900", "--unreachable-secrets", "--namespace-user", "shop"]))
    assert (config.bookmark_seconds, config.compact_interval, config.max_inflight,
            config.token_ttl) == (0.5, 300.0, 400, 900.0)
    assert config.unreachable_secrets == ["*"] and config.secret_unreachable("kurator-member7")
    assert config.namespace_users == ["shop"] and "ns-shop" in config.user_tokens()
    assert sim_config(parser.parse_args([]), demo=True).bookmark_seconds == 1.0


def test_watch_from_a_compacted_version_gets_the_410_event(tmp_path: Path) -> None:
    runner, fleet, _ = start_sim(tmp_path, compact_interval=0.3)
    try:
        rv = runner.call(lambda: fleet.members[0].store.rv)
        compacted_past(runner, fleet, rv)
        events = watch_events(fleet, "kurator-member1", f"resourceVersion={rv}", 1)
        assert len(events) == 1 and events[0]["type"] == "ERROR"
        status = events[0]["object"]
        assert re.fullmatch(rf"too old resource version: {rv} \(\d+\)", status["message"])
        assert (status["kind"], status["reason"], status["code"]) == ("Status", "Expired", 410)
        fresh = runner.call(lambda: fleet.members[0].store.rv)
        events = watch_events(fleet, "kurator-member1",
                              f"resourceVersion={fresh}&allowWatchBookmarks=true"
                              "&timeoutSeconds=3", 1)
        assert events and events[0]["type"] != "ERROR"
    finally:
        runner.stop()


def test_continue_older_than_the_compaction_gets_the_410_and_a_way_on(tmp_path: Path) -> None:
    runner, fleet, _ = start_sim(tmp_path, compact_interval=0.3)
    try:
        code, first, _ = call(fleet, "GET", PODS + "?limit=2", cluster="kurator-member1")
        assert code == 200 and first["metadata"]["continue"]
        compacted_past(runner, fleet, int(first["metadata"]["resourceVersion"]))
        code, body, _ = call(fleet, "GET", PODS + "?limit=2&continue="
                             + first["metadata"]["continue"], cluster="kurator-member1")
        assert code == 410
        assert (body["reason"], body["message"]) == ("Expired", INCONSISTENT_CONTINUE)
        code, rest, _ = call(fleet, "GET", PODS + "?continue=" + body["metadata"]["continue"],
                             cluster="kurator-member1")
        assert code == 200
        names = [p["metadata"]["name"] for p in first["items"] + rest["items"]]
        _, whole, _ = call(fleet, "GET", PODS, cluster="kurator-member1")
        assert names == [p["metadata"]["name"] for p in whole["items"]]
    finally:
        runner.stop()


def test_requests_beyond_the_inflight_limit_get_429_but_watches_are_free(
        tmp_path: Path) -> None:
    runner, fleet, _ = start_sim(tmp_path, max_inflight=2)
    try:
        member = fleet.members[0].api
        runner.call(lambda: member.faults.configure({"delay_ms": 1500}))
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: raw_get(fleet, "kurator-member1", PODS),
                                    range(6)))
        codes = sorted(a[0] for a in answers)
        assert codes.count(200) >= 2 and 429 in codes
        for code, body, headers in answers:
            if code == 429:
                assert body == "Too many requests, please try again later.\n"
                assert headers["Retry-After"] == "1"
                assert headers["Content-Type"].startswith("text/plain")
        runner.call(lambda: member.faults.configure({"clear": True}))
        with ThreadPoolExecutor(3) as pool:
            watches = [pool.submit(watch_events, fleet, "kurator-member1",
                                   "timeoutSeconds=3&resourceVersion="
                                   f"{fleet.members[0].store.rv}", 1000) for _ in range(2)]
            wait_for(lambda: runner.call(lambda: len(member.faults.watchers)) == 2,
                     what="two open watches")
            assert raw_get(fleet, "kurator-member1", PODS)[0] == 200
            for w in watches:
                w.result()
        assert json.loads(raw_get(fleet, "kurator-member1", PODS)[1])["kind"] == "PodList"
    finally:
        runner.stop()
