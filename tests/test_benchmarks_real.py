"""`python -m benchmarks --real`: real-server figures sit beside the emulator's, and without the
realapi binaries each benchmark says why it has none (no server is started here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import latency, scale, storm
from benchmarks.__main__ import main
from benchmarks.common import Figure, beside, tagged


def test_each_real_figure_follows_its_emulator_twin() -> None:
    emulated = [Figure("a", 1, "ms"), Figure("b", 2, "ms")]
    others = tagged([Figure("b", 5, "ms"), Figure("a", 4, "ms"), Figure("c (n=3)", 6, "x")],
                    "real")
    twins = tagged([Figure("a", 3, "ms")], "emulator, 2 members")
    names = [f.name for f in beside(emulated, twins + others)]
    assert names == ["a", "a [emulator, 2 members]", "a [real]", "b", "b [real]",
                     "c (n=3) [real]"]


@pytest.mark.parametrize("module", [latency, storm, scale])
def test_without_go_a_real_run_is_skipped_saying_why(
        module: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no go there
    assert module.run_real(True) == []
    assert capsys.readouterr().out.strip() == (
        f"{module.NAME} [real] skipped: go is not on PATH (the real kube-apiserver is built "
        "from realapi/ with Go)")


def test_the_list_says_which_benchmarks_also_run_on_real_servers(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    real = sorted(line.split(":")[0] for line in lines if line.endswith("(also --real)"))
    assert real == ["latency", "scale", "storm"]


def test_the_member_cut_short_at_80_columns_is_found() -> None:
    counts = {"kurator-member99": "7", "kurator-member1…": "9"}
    assert scale.count_of(counts, "kurator-member100") == "9"
    assert scale.count_of(counts, "kurator-member99") == "7"
    assert scale.count_of({"kurator-member2": "1"}, "kurator-member20") is None
