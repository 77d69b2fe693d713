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
    """The package strictly, and the tests a little less strictly (pyproject.toml)."""
    proc = run("mypy", "--explicit-package-bases", "fleettui", "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ui_does_not_import_the_kubernetes_client_before_the_first_frame() -> None:
    code = ("import sys, fleettui.ui.app, fleettui.cli.main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes'))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
