"""Members reached the way operators' setups allow: the AttachedCluster secret, the user's own
context for the member (by name or by the secret's server), or --member-context; each route's
failure said, and a member no route reaches tried again later."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.watch import WatchSettings
from fleettui.live.session import Session
from fleettui.sim.auth import VIEWER
from fleettui.sim.fleet import SimFleet
from fleettui.ui import rows
from tests.conftest import start_sim, wait_for

FAST = WatchSettings(read_timeout=5.0)
M1, M2, HOST = "kurator-member1", "kurator-member2", "kurator-host"


def write(path: Path, config: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(config))
    return str(path)


def session(kubeconfig: str, **kw: Any) -> Session:
    s = Session(kubeconfig, HOST, "default", settings=FAST, **kw)
    assert s.connect() == "kurator"
    return s


def watched(s: Session, cluster: str) -> bool:
    return s.store.has_feed(cluster, kc.VELERO_BACKUPS)


def test_unreachable_secrets_fall_back_to_the_users_context(tmp_path: Path) -> None:
    runner, _, kubeconfig = start_sim(tmp_path, unreachable_secrets=["*"])
    s = session(str(kubeconfig))
    try:
        for cluster in (M1, M2):
            s.watch_member(cluster)
            access = s.access[cluster]
            assert access.route is not None and access.route.detail == f"context {cluster}"
            said = access.said()
            assert said.startswith(f"via context {cluster} (the kubeconfig secret of "
                                   f"{cluster}: ") and "unknown host name" in said
            wait_for(lambda c=cluster: watched(s, c), what=f"{cluster}'s backups watched")  # type: ignore[misc]
        # one line for members that share their story, naming them all
        (note,) = rows.access_notes(s, [M1, M2])
        assert note.startswith(f"{M1}, {M2}, each: via context <member> (the kubeconfig "
                               "secret of <member>: ")
    finally:
        s.close(wait=5)
        runner.stop()


def test_a_viewer_who_cannot_read_secrets_still_sees_members(tmp_path: Path) -> None:
    runner, fleet, _ = start_sim(tmp_path)
    viewer = write(tmp_path / "viewer", fleet.kubeconfig(user=VIEWER))
    s = session(viewer)
    try:
        s.watch_member(M1)
        access = s.access[M1]
        assert access.route is not None and access.route.how == "context"
        assert "forbidden" in access.failures[0][1] and "secrets" in access.failures[0][1]
        wait_for(lambda: watched(s, M1), what="member1 watched as the viewer")
    finally:
        s.close(wait=5)
        runner.stop()


def test_member_context_wins_and_a_context_with_the_secrets_server_is_found(
        tmp_path: Path) -> None:
    runner, fleet, _ = start_sim(tmp_path)
    config = fleet.kubeconfig()
    renamed = {M1: "eu-west", M2: "eu-north"}  # the operator's names, not Kurator's
    for section in ("clusters", "contexts"):
        for entry in config[section]:
            entry["name"] = renamed.get(entry["name"], entry["name"])
    for entry in config["contexts"]:
        entry["context"]["cluster"] = renamed.get(entry["context"]["cluster"],
                                                  entry["context"]["cluster"])
    path = write(tmp_path / "renamed", config)
    spoil_secret_token(fleet, tmp_path, M2)
    s = session(path, member_contexts={M1: "eu-west"})
    try:
        s.watch_member(M1)
        assert s.access[M1].said() == "via --member-context kurator-member1=eu-west"
        s.watch_member(M2)  # its secret's token is refused; eu-north has the same server
        access = s.access[M2]
        assert access.route is not None and access.route.detail == "context eu-north"
        assert "401" in access.failures[0][1]
        for cluster in (M1, M2):
            wait_for(lambda c=cluster: watched(s, c), what=f"{cluster} watched")  # type: ignore[misc]
    finally:
        s.close(wait=5)
        runner.stop()


def spoil_secret_token(fleet: SimFleet, tmp_path: Path, cluster: str) -> None:
    host = KubeClient.from_kubeconfig(write(tmp_path / "admin", fleet.kubeconfig()), HOST)
    try:
        attached = host.get(kc.ATTACHED_CLUSTERS, "default", cluster)
        ref = attached["spec"]["kubeconfig"]
        secret = host.get(kc.SECRETS, "default", ref["name"])
        key = ref.get("key") or "value"
        inner = yaml.safe_load(base64.b64decode(secret["data"][key]))
        for user in inner["users"]:
            user["user"] = {"token": "no-longer-valid"}
        secret["data"][key] = base64.b64encode(yaml.safe_dump(inner).encode()).decode()
        host.request("PUT", kc.SECRETS.path("default", ref["name"]), body=secret)
    finally:
        host.close()


def test_no_route_says_every_reason_and_tries_again(tmp_path: Path) -> None:
    runner, fleet, _ = start_sim(tmp_path, unreachable_secrets=[M1])
    config = fleet.kubeconfig()
    config["contexts"] = [c for c in config["contexts"] if c["name"] == HOST]
    s = session(write(tmp_path / "host-only", config))
    try:
        s.watch_member(M1)
        assert s.member_errors[M1].startswith("no access: the kubeconfig secret of "
                                              "kurator-member1: ")
        assert s._retry is not None and M1 in s._retry.due  # tried again, on a backoff
        (note,) = rows.access_notes(s, [M1])
        assert note.startswith("✗ kurator-member1: no access") and "--member-context" in note
        s.watch_member(M2)
        assert M2 not in s.member_errors and s.access[M2].said() == \
            "via the kubeconfig secret of kurator-member2"
    finally:
        s.close(wait=5)
        runner.stop()
    assert s._retry is not None and not s._retry.thread.is_alive()
