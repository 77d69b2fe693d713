"""ruff and mypy are part of the test run, so CI proves the code stays clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_ruff_is_clean() -> None:
    proc = run("ruff", "check", "fleettui", "tests", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_is_clean() -> None:
    proc = run("mypy", "fleettui")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_layers_import_only_downwards() -> None:
    """model imports no Textual/kubernetes; kube no Textual; the simulator no UI or client."""
    rules = {"model": ("textual", "kubernetes", "aiohttp", "fleettui.kube", "fleettui.ui",
                       "fleettui.live", "fleettui.sim", "fleettui.cli"),
             "kube": ("textual", "fleettui.ui", "fleettui.live", "fleettui.sim"),
             "live": ("textual", "fleettui.ui", "fleettui.sim", "fleettui.cli"),
             "sim": ("textual", "kubernetes", "fleettui.ui", "fleettui.kube", "fleettui.live")}
    for package, banned in rules.items():
        for path in (REPO / "fleettui" / package).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                words = line.split()
                if len(words) >= 2 and words[0] in ("import", "from"):
                    module = words[1]
                    assert not module.startswith(banned), f"{path}: {line.strip()}"


def test_ui_does_not_import_the_kubernetes_client_before_the_first_frame() -> None:
    code = ("import sys, fleettui.ui.app, fleettui.cli.main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes'))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
