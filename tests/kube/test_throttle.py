"""A request the server throttles (429 + Retry-After, API priority and fairness) is retried as
client-go retries it, so a one-shot command does not fail on a busy server; a server that keeps
throttling is still said plainly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fleettui.kube.client import MAX_THROTTLED, KubeClient
from fleettui.kube.errors import KubeError
from fleettui.kube.resources import NAMESPACES
from tests.conftest import start_sim


def test_throttled_requests_are_retried_then_given_up(tmp_path: Path) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path)
    faults = fleet.members[0].api.faults
    client = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-member1")
    try:
        runner.call(lambda: faults.configure({"error": 429, "count": 2}))
        started = time.monotonic()
        names = {n["metadata"]["name"] for n in client.list(NAMESPACES)["items"]}
        assert "velero" in names
        assert time.monotonic() - started >= 1.5  # it waited as Retry-After: 1 asked, twice
        runner.call(lambda: faults.configure({"error": 429, "count": MAX_THROTTLED + 1}))
        with pytest.raises(KubeError) as caught:
            client.list(NAMESPACES)
        assert caught.value.code == 429 and "Too many requests" in caught.value.message
    finally:
        client.close()
        runner.stop()
