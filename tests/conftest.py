"""Fixtures shared by every layer's tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimConfig, SimFleet, SimThread

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"fixtures folder {SHARED} is missing")
    return SHARED


def start_sim(tmp_path: Path, **overrides: object) -> tuple[SimThread, SimFleet, Path]:
    settings: dict[str, object] = {"sync_interval": 0.2, "backup_seconds": 0.5,
                                   "speed": 1.0, "bookmark_seconds": 1.0}
    settings.update(overrides)
    sim = SimThread(SimConfig(**settings))  # type: ignore[arg-type]
    fleet = sim.start()
    kubeconfig = tmp_path / "kubeconfig"
    fleet.write_kubeconfig(kubeconfig)
    return sim, fleet, kubeconfig


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[tuple[SimThread, SimFleet, Path]]:
    """A running simulator with fast controllers, and a kubeconfig for it."""
    running = start_sim(tmp_path)
    try:
        yield running
    finally:
        running[0].stop()


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
