"""A server that is down when the TUI starts: the app says so, keeps trying, and connects on
its own once the server is there (an operator need not restart it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleettui.sim.fleet import SimConfig, SimThread
from fleettui.ui import app as app_module
from fleettui.ui.app import FleetApp
from tests.ui.test_app import SIZE, static_text, table_text, until


async def test_the_app_connects_once_the_server_is_up(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "CONNECT_RETRY_MIN", 0.2)
    monkeypatch.setattr(app_module, "CONNECT_RETRY_MAX", 0.5)
    state, kubeconfig = tmp_path / "state.json", tmp_path / "kubeconfig"
    config = SimConfig(state=state, sync_interval=0.2, bookmark_seconds=1.0)
    first = SimThread(config)
    first.start().write_kubeconfig(kubeconfig)
    first.stop()  # the state keeps its ports, CA and tokens for the next start
    app = FleetApp(str(kubeconfig), "kurator-host", "default")
    again = SimThread(SimConfig(state=state, sync_interval=0.2, bookmark_seconds=1.0))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: "Trying again" in static_text(app, "#empty"),
                        what="the failure and the retry said")
            assert "not connected" in static_text(app, "#connection")
            again.start()
            await until(pilot, lambda: "quickstart" in table_text(app), timeout=20,
                        what="connected on its own")
            assert "kurator mode" in static_text(app, "#connection")
    finally:
        if again.fleet is not None:  # after the app: its watches end with it, not against a
            again.stop()  # dead server
