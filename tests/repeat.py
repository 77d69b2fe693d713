"""Rerun the full suite N times; report the flake rate and the slowest tests.

    .venv/bin/python -m tests.repeat --runs 5 [--serial] [--top 15] [-- EXTRA PYTEST ARGS]

Each run is the README's test command (the same pytest phases as `.ci/run`, with
`--strict-skips`), each phase writing a JUnit XML report into a temporary folder (`--keep DIR`
keeps them). At the end: per run, passed/failed/skipped and wall time; every test that failed
in some runs and passed in others (flaky) or failed in all (broken); the flake rate (runs with
a failure / runs); and the slowest tests by their worst time. Exit status 0 only if every run
passed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The pytest phases of the README's test command (tests/test_repeat.py checks they match it):
# the parallel bulk (4 workers: the tests wait more than they compute), then the timing-sensitive
# tests, one at a time beside the two fault storms.
PHASES: tuple[tuple[str, ...], ...] = (
    ("-n", "4", "--dist", "loadgroup", "-m", "not serial"),
    ("-n", "3", "--dist", "loadgroup", "-m", "serial"),
)
SERIAL: tuple[tuple[str, ...], ...] = ((),)  # --serial: one plain `pytest`, no workers


@dataclass
class Run:
    number: int
    seconds: float = 0.0
    exit_codes: list[int] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # test id -> passed|failed|skipped
    durations: dict[str, float] = field(default_factory=dict)

    @property
    def green(self) -> bool:
        return all(code == 0 for code in self.exit_codes) \
            and "failed" not in self.outcomes.values()


def read_junit(path: Path, run: Run) -> None:
    if not path.is_file():  # pytest died before writing it: the exit code says so
        return
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        # A test that fails in teardown after passing appears twice: keep the failure.
        if run.outcomes.get(test) != "failed":
            run.outcomes[test] = outcome
        run.durations[test] = run.durations.get(test, 0.0) + float(case.get("time") or 0.0)


def run_suite(number: int, folder: Path, extra: list[str],
              phases: tuple[tuple[str, ...], ...] = PHASES) -> Run:
    run = Run(number)
    started = time.monotonic()
    for index, phase in enumerate(phases, 1):
        report = folder / f"run{number}-phase{index}.xml"
        cmd = [sys.executable, "-m", "pytest", *phase, "--strict-skips", "-q",
               "-p", "no:cacheprovider", f"--junitxml={report}", *extra]
        code = subprocess.call(cmd, cwd=REPO, stdout=subprocess.DEVNULL)
        # 5 = no test collected: a phase may legitimately select none with extra args.
        run.exit_codes.append(0 if code == 5 else code)
        read_junit(report, run)
    run.seconds = time.monotonic() - started
    return run


def report(runs: list[Run], top: int) -> str:
    lines = []
    for r in runs:
        counts = {k: sum(1 for v in r.outcomes.values() if v == k)
                  for k in ("passed", "failed", "skipped")}
        lines.append(f"run {r.number}: {'green' if r.green else 'RED'}  "
                     f"passed={counts['passed']} failed={counts['failed']} "
                     f"skipped={counts['skipped']} exit={r.exit_codes}  {r.seconds:.0f}s")
    failures: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for r in runs:
        for test, outcome in r.outcomes.items():
            seen[test] += 1
            failures[test] += outcome == "failed"
    flaky = sorted(t for t, n in failures.items() if 0 < n < seen[t])
    broken = sorted(t for t, n in failures.items() if n and n == seen[t])
    red = sum(not r.green for r in runs)
    walls = [r.seconds for r in runs]
    lines.append(f"\nflake rate: {red}/{len(runs)} runs had a failure "
                 f"({100 * red / len(runs):.0f}%); wall time median "
                 f"{statistics.median(walls):.0f}s max {max(walls):.0f}s")
    lines.append(f"flaky tests (failed in some runs, passed in others): {len(flaky)}")
    lines += [f"  {failures[t]}/{seen[t]}  {t}" for t in flaky]
    lines.append(f"broken tests (failed in every run): {len(broken)}")
    lines += [f"  {t}" for t in broken]
    worst: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        for test, seconds in r.durations.items():
            worst[test].append(seconds)
    slowest = sorted(worst.items(), key=lambda kv: max(kv[1]), reverse=True)[:top]
    lines.append(f"\nslowest {len(slowest)} tests (max / median seconds over the runs):")
    lines += [f"  {max(s):7.1f} {statistics.median(s):7.1f}  {t}" for t, s in slowest]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.repeat", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="how many full runs (default 5)")
    parser.add_argument("--top", type=int, default=15, help="slowest tests listed (default 15)")
    parser.add_argument("--keep", type=Path, help="keep the JUnit XML reports in this folder")
    parser.add_argument("--serial", action="store_true",
                        help="one plain `pytest` per run (no worker processes) instead of the "
                             "test command's two phases")
    parser.add_argument("extra", nargs="*", help="after --: more pytest arguments for each phase")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="fleettui-repeat-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        runs = []
        for number in range(1, args.runs + 1):
            runs.append(run_suite(number, folder, args.extra,
                                  SERIAL if args.serial else PHASES))
            print(report(runs[-1:], 0).splitlines()[0], flush=True)
        print("\n" + report(runs, args.top))
    return 0 if all(r.green for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
