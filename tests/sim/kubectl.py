"""Running the real kubectl against the simulator."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="the real kubectl is not installed")


def kubectl(kubeconfig: Path, *args: str, context: str = "kurator-host", check: bool = True,
            stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    cache = kubeconfig.parent / "kube-cache"  # ports are reused between tests
    cmd = [KUBECTL, "--kubeconfig", str(kubeconfig), "--context", context,
           "--cache-dir", str(cache), *args]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc
