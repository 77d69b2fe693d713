"""A server that comes back with a new CA and new tokens (re-installed: the simulator restarted
without --state) on the same ports (issue #10): the app re-reads the kubeconfig and recovers on
its own; while the kubeconfig does not fit, it says so plainly and shows no stale data as
current."""

from __future__ import annotations

import socket
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from fleettui.kube import resources as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.errors import KubeError
from fleettui.sim.fleet import SimConfig, SimFleet, SimThread
from fleettui.ui.app import FleetApp
from tests.ui.test_app import SIZE, static_text, table_text, until


def free_ports(count: int) -> int:
    """A base port with `count` consecutive free ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            held = []
            for port in range(base, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
        return base
    raise AssertionError("no free port range")


def start(port: int) -> tuple[SimThread, SimFleet]:
    runner = SimThread(SimConfig(port=port, sync_interval=0.2, backup_seconds=0.5,
                                 bookmark_seconds=1.0))
    return runner, runner.start()


def fully_shown(app: FleetApp, selector: str) -> bool:
    """The box is as tall as its text wrapped at its width: nothing is cut."""
    box = app.screen.query_one(selector, Static)
    width = box.content_size.width
    lines = len(Text(str(box.render())).wrap(app.console, width))
    return width > 0 and box.content_size.height == lines


async def test_new_ca_and_token_then_rewritten_kubeconfig_recovers(tmp_path: Path) -> None:
    port = free_ports(3)
    kubeconfig = tmp_path / "kubeconfig"
    first, fleet = start(port)
    fleet.write_kubeconfig(kubeconfig)
    second = None
    app = FleetApp(str(kubeconfig), "kurator-host", "default")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: table_text(app).count("Available") == 2, what="up")
            first.stop()
            second, fleet2 = start(port)  # same ports, new CA and tokens, no state
            await until(pilot, lambda: f"not signed by the CA in {kubeconfig}" in static_text(
                app, "#connection"), timeout=20, what="the CA problem said")
            line = static_text(app, "#connection")
            assert str(kubeconfig) in line and "fleettui re-reads it" in line
            await until(pilot, lambda: fully_shown(app, "#connection"), what="laid out whole")
            await until(pilot, lambda: "✓ yes" not in table_text(app) and "✓ Available" not in
                        table_text(app), timeout=20, what="stale data no longer shown as current")
            assert "? stale" in table_text(app)
            fleet2.write_kubeconfig(kubeconfig)  # the operator fixes the kubeconfig
            await until(pilot, lambda: table_text(app).count("✓ Available") == 2 and
                        "✓ yes" in table_text(app), timeout=30, what="recovered")
            await until(pilot, lambda: "\n" not in static_text(app, "#connection"),
                        what="connection line clear")
    finally:
        first.stop()
        if second is not None:
            second.stop()


async def test_a_kubeconfig_that_stays_wrong_is_said_plainly_at_80x24(tmp_path: Path) -> None:
    port = free_ports(3)
    kubeconfig = tmp_path / "kubeconfig"
    first, fleet = start(port)
    fleet.write_kubeconfig(kubeconfig)
    second = None
    app = FleetApp(str(kubeconfig), "kurator-host", "default")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: table_text(app).count("Available") == 2, what="up")
            first.stop()
            second, _ = start(port)
            await until(pilot, lambda: f"✗ credentials: kurator-host: the server's certificate "
                        f"is not signed by the CA in {kubeconfig}" in static_text(
                            app, "#connection"), timeout=20, what="the problem said")
            await until(pilot, lambda: fully_shown(app, "#connection"), what="laid out whole")
            assert "fix " + str(kubeconfig) in static_text(app, "#connection")
            await until(pilot, lambda: "? stale" in table_text(app) and "✓ yes" not in
                        table_text(app), timeout=20, what="stale data marked")
            assert "what is shown is from" in static_text(app, "#empty")
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_client_names_the_kubeconfig_and_reload_picks_up_a_new_one(tmp_path: Path) -> None:
    port = free_ports(3)
    kubeconfig = tmp_path / "kubeconfig"
    first, fleet = start(port)
    fleet.write_kubeconfig(kubeconfig)
    client = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    second = None
    try:
        client.list(kc.FLEETS, "default")
        first.stop()
        second, fleet2 = start(port)
        try:
            client.list(kc.FLEETS, "default")
            raise AssertionError("the old CA was accepted")
        except KubeError as e:
            assert e.credentials and str(kubeconfig) in e.message
        assert client.reload(client.generation) is False  # same file: nothing to retry
        fleet2.write_kubeconfig(kubeconfig)
        assert client.reload(client.generation) is True
        assert client.list(kc.FLEETS, "default")["items"]
        # a token that is no longer accepted: 401, said as such
        fleet2.write_kubeconfig(kubeconfig)
        text = kubeconfig.read_text().replace(fleet2.config.admin_token, "admin-rotated")
        kubeconfig.write_text(text)
        assert client.reload(client.generation) is True
        try:
            client.list(kc.FLEETS, "default")
            raise AssertionError("a wrong token was accepted")
        except KubeError as e:
            assert e.code == 401 and e.credentials and "token rejected" in e.message
    finally:
        client.close()
        first.stop()
        if second is not None:
            second.stop()
