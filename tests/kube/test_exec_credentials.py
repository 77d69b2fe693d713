"""Exec credential plugins as client-go runs them: no terminal once the TUI owns it, stderr
kept for the screen, a timeout, a cache until expiry, and a fresh run after a 401."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fleettui.kube import exec_credentials as ec
from fleettui.kube.client import KubeClient
from fleettui.kube.resources import NAMESPACES
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.store import LiveStore
from tests.conftest import start_sim, wait_for

API = "client.authentication.k8s.io/v1"


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    ec.forget()
    ec.notes.clear()
    ec.terminal_taken()
    yield
    ec.forget()


def plugin(tmp_path: Path, body: str) -> list[str]:
    """A plugin script; it counts its runs in runs.txt beside it."""
    script = tmp_path / "plugin.py"
    script.write_text("import json, sys, time\n"
                      f"open({str(tmp_path / 'runs.txt')!r}, 'a').write('x')\n" + body)
    return [sys.executable, str(script)]


def runs(tmp_path: Path) -> int:
    path = tmp_path / "runs.txt"
    return len(path.read_text()) if path.exists() else 0


def credential(token: str, expires: datetime | None = None) -> str:
    status: dict[str, str] = {"token": token}
    if expires:
        status["expirationTimestamp"] = expires.isoformat().replace("+00:00", "Z")
    answer = {"apiVersion": API, "kind": "ExecCredential", "status": status}
    return f"print({json.dumps(json.dumps(answer))})\n"


def test_no_terminal_stderr_kept_and_cached(tmp_path: Path, capfd: pytest.CaptureFixture[str]
                                            ) -> None:
    args = plugin(tmp_path, "typed = sys.stdin.read()\n"  # closed stdin: returns at once
                            "print('Opening browser for login', file=sys.stderr)\n"
                            + credential("t1"))
    status = ec.run_plugin(args, {}, None, API)
    assert status["token"] == "t1"
    assert capfd.readouterr().err == ""  # nothing reached our terminal
    assert any("Opening browser for login" in n for n in ec.notes)
    assert ec.run_plugin(args, {}, None, API)["token"] == "t1" and runs(tmp_path) == 1
    ec.forget()  # what a 401 does
    ec.run_plugin(args, {}, None, API)
    assert runs(tmp_path) == 2


def test_a_credential_about_to_expire_is_asked_for_again(tmp_path: Path) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=ec.EXPIRY_MARGIN / 2)
    args = plugin(tmp_path, credential("short", soon))
    ec.run_plugin(args, {}, None, API)
    ec.run_plugin(args, {}, None, API)
    assert runs(tmp_path) == 2


def test_a_hanging_plugin_is_killed_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    monkeypatch.setattr(ec, "PLUGIN_TIMEOUT", 1.0)
    args = plugin(tmp_path, "time.sleep(60)\n")
    started = time.monotonic()
    with pytest.raises(ec.PluginError) as caught, ec.loading_for("eks-prod"):
        ec.run_plugin(args, {}, None, API)
    assert time.monotonic() - started < 10
    assert "did not answer within 1 s" in str(caught.value)
    assert "did not answer" in ec.last_failure("eks-prod")
    assert ec.last_failure("gke-dev") == ""  # another cluster's 401 is not explained by it


@pytest.mark.parametrize("body, said", [
    ("print('token expired, run aws sso login', file=sys.stderr); sys.exit(3)\n",
     "failed (exit 3): token expired, run aws sso login"),
    ("print('not json')\n", "not an ExecCredential"),
    ("print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', "
     "'kind': 'ExecCredential', 'status': {'token': 'x'}}))\n", "apiVersion"),
])
def test_a_failing_plugin_explains_the_401_that_follows(tmp_path: Path, body: str, said: str
                                                         ) -> None:
    runner, fleet, _ = start_sim(tmp_path)
    try:
        config = fleet.kubeconfig()
        config["users"] = [{"name": "u", "user": {"exec": {
            "apiVersion": API, "command": sys.executable,
            "args": plugin(tmp_path, body)[1:]}}}]
        for ctx in config["contexts"]:
            ctx["context"]["user"] = "u"
        path = tmp_path / "exec-kubeconfig"
        path.write_text(json.dumps(config))
        client = KubeClient.from_kubeconfig(str(path), None)
        with pytest.raises(Exception) as caught:
            client.list(NAMESPACES)
        assert getattr(caught.value, "code", None) == 401
        assert said in str(caught.value)
        client.close()
    finally:
        runner.stop()


def test_a_watch_keeps_going_across_token_expiries(tmp_path: Path) -> None:
    """Tokens live 3 s (the kubeconfig's static ones too, so the writes go through the
    plugin as well): the plugin is asked again, before expiry or after a 401, and no event
    is lost."""
    runner, fleet, _ = start_sim(tmp_path, token_ttl=3.0)
    path = tmp_path / "exec-kubeconfig"
    fleet.write_exec_kubeconfig(path)
    client = KubeClient.from_kubeconfig(str(path), "kurator-member1")
    store = LiveStore()
    watch = ListWatch(client, NAMESPACES, None, store, WatchSettings(read_timeout=5.0))
    watch.start()
    try:
        admin = KubeClient.from_kubeconfig(str(path), "kurator-member1")
        deadline = time.monotonic() + 7.0  # more than two token lifetimes
        made: list[str] = []
        while time.monotonic() < deadline or len(made) < 3:
            name = f"ns-{len(made)}"
            admin.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                      "metadata": {"name": name}})
            made.append(name)
            wait_for(lambda n=name: store.get("kurator-member1", NAMESPACES, "", n),  # type: ignore[misc]
                     timeout=20, what=f"{name} through the exec-plugin watch: "
                     f"{store.state_of('kurator-member1', NAMESPACES)}")
        admin.close()
    finally:
        watch.stop()
        watch.thread.join(5)
        client.close()
        runner.stop()


def test_the_tui_knows_which_contexts_need_their_plugin_before_it_starts(tmp_path: Path
                                                                          ) -> None:
    from fleettui.cli.kubeconfig import uses_exec_plugin

    runner, fleet, plain = start_sim(tmp_path)
    try:
        exec_path = tmp_path / "exec-kubeconfig"
        fleet.write_exec_kubeconfig(exec_path)
        assert uses_exec_plugin(str(exec_path), None)
        assert uses_exec_plugin(str(exec_path), "kurator-member2")
        assert not uses_exec_plugin(str(plain), None)
        assert not uses_exec_plugin(str(tmp_path / "missing"), None)
    finally:
        runner.stop()
