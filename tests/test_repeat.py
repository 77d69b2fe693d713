"""The test tooling tells the truth: .ci/run is the README's test command, `python -m
tests.repeat` runs that command's phases, and its report counts flaky and broken tests."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.repeat import PHASES, Run, read_junit, report

REPO = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    intro = "Install and run the tests"
    block = text[text.index(intro):].split("```sh\n", 1)[1].split("\n```", 1)[0]
    return block.strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    setup = ("#", "set ", "cd ", "export ")
    commands = [line for line in ci.splitlines() if line and not line.startswith(setup)]
    assert commands == [readme_test_command()]


def test_repeat_runs_the_phases_of_the_readme_command() -> None:
    pytest_runs = [shlex.split(step.split(" -m pytest", 1)[1])
                   for step in readme_test_command().split(" && ") if " -m pytest" in step]
    assert [tuple(args) for args in pytest_runs] == list(PHASES)


def test_junit_outcomes_and_a_teardown_failure(tmp_path: Path) -> None:
    xml = tmp_path / "r.xml"
    xml.write_text("""<testsuites><testsuite>
      <testcase classname="tests.a" name="ok" time="1.5"/>
      <testcase classname="tests.a" name="skip" time="0"><skipped message="x"/></testcase>
      <testcase classname="tests.a" name="bad" time="2"><failure message="x"/></testcase>
      <testcase classname="tests.a" name="leak" time="1"/>
      <testcase classname="tests.a" name="leak" time="3"><error message="leaked"/></testcase>
    </testsuite></testsuites>""")
    run = Run(1)
    read_junit(xml, run)
    assert run.outcomes == {"tests.a::ok": "passed", "tests.a::skip": "skipped",
                            "tests.a::bad": "failed", "tests.a::leak": "failed"}
    assert run.durations["tests.a::leak"] == 4.0
    assert not run.green


def test_report_tells_flaky_from_broken_and_lists_the_slowest() -> None:
    one = Run(1, 100.0, [0, 0], {"t::flaky": "passed", "t::broken": "failed", "t::ok": "passed"},
              {"t::flaky": 1.0, "t::broken": 9.0, "t::ok": 0.1})
    two = Run(2, 120.0, [1, 0], {"t::flaky": "failed", "t::broken": "failed", "t::ok": "passed"},
              {"t::flaky": 3.0, "t::broken": 8.0, "t::ok": 0.2})
    three = Run(3, 110.0, [0, 0], {"t::ok": "passed"}, {"t::ok": 0.1})
    text = report([one, two, three], top=2)
    assert "flake rate: 2/3 runs had a failure (67%)" in text
    assert "flaky tests (failed in some runs, passed in others): 1\n  1/2  t::flaky" in text
    assert "broken tests (failed in every run): 1\n  t::broken" in text
    slowest = text.split("slowest 2 tests")[1].splitlines()[1:]
    assert [line.split()[-1] for line in slowest] == ["t::broken", "t::flaky"]
    assert three.green and not two.green


def test_every_listed_slow_test_exists() -> None:
    from tests.conftest import listed_slow

    for entry in sorted(listed_slow()):
        path, _, name = entry.partition("::")
        source = (REPO / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"tests/slow_tests.txt: {entry} is gone"
