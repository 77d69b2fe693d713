"""The oldest `kubernetes` client pyproject.toml allows still works: its wheel is fetched and
put ahead of the installed one in a subprocess that lists, watches and creates against the
simulator (what a CI job at the floor would run; kubernetes 31-36 lacked param_serialize and
every request failed)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import start_sim

REPO = Path(__file__).resolve().parents[1]
SMOKE = """
import sys, kubernetes
from fleettui.kube.client import KubeClient
from fleettui.kube.resources import NAMESPACES, VELERO_BACKUPS
from fleettui.kube.watch import ListWatch, WatchSettings
from fleettui.live.store import LiveStore
assert kubernetes.__version__ == sys.argv[2], kubernetes.__version__
client = KubeClient.from_kubeconfig(sys.argv[1], "kurator-member1")
assert client.list(NAMESPACES)["items"]
store = LiveStore()
watch = ListWatch(client, VELERO_BACKUPS, "velero", store, WatchSettings(read_timeout=5)).start()
client.create(VELERO_BACKUPS, {"apiVersion": "velero.io/v1", "kind": "Backup",
                               "metadata": {"name": "floor", "namespace": "velero"}})
import time
deadline = time.monotonic() + 20
while store.get("kurator-member1", VELERO_BACKUPS, "velero", "floor") is None:
    assert time.monotonic() < deadline, "the watch never saw the backup"
    time.sleep(0.05)
watch.stop(); watch.thread.join(5); client.close()
print("ok", kubernetes.__version__)
"""


def floor() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if re.match(r"kubernetes\b", d))
    found = re.search(r">=\s*([0-9.]+)", spec)
    assert found, spec
    version = found.group(1)
    return version if version.count(".") == 2 else version + ".0" * (2 - version.count("."))


@pytest.mark.slow
def test_the_oldest_allowed_kubernetes_client_works(tmp_path: Path) -> None:
    version = floor()
    got = subprocess.run([sys.executable, "-m", "pip", "download", f"kubernetes=={version}",
                          "--no-deps", "-q", "-d", str(tmp_path / "wheel")],
                         capture_output=True, text=True, timeout=300)
    assert got.returncode == 0, got.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    runner, _, kubeconfig = start_sim(tmp_path)
    try:
        proc = subprocess.run([sys.executable, "-c", SMOKE, str(kubeconfig), version],
                              cwd=REPO, env={"PYTHONPATH": f"{site}:{REPO}", "PATH": "/usr/bin"},
                              capture_output=True, text=True, timeout=120)
    finally:
        runner.stop()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == f"ok {version}"
