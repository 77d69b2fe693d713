"""Run benchmarks: `python -m benchmarks [NAME ...] [--quick] [--real] [--list]`.

Every module of this package that defines `NAME`, `DESCRIPTION` and `run(quick) -> list[Figure]`
is a benchmark; one that also defines `run_real(quick) -> list[Figure]` measures the same on real
kube-apiservers with `--real` (figures named `... [real]`, each printed beside the emulator's).
Missed goals are reported, not failed: the exit code is 0 unless a benchmark
crashes (1) or the command line is wrong (2).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import benchmarks
from benchmarks.common import Figure, beside, table

NOT_BENCHMARKS = {"__main__", "common"}


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Callable[[bool], list[Figure]]
    run_real: Callable[[bool], list[Figure]] | None = None


def discover() -> dict[str, Benchmark]:
    found: dict[str, Benchmark] = {}
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if info.name in NOT_BENCHMARKS or info.name.startswith("_"):
            continue
        module: ModuleType = importlib.import_module(f"benchmarks.{info.name}")
        name, desc, run = (getattr(module, a, None) for a in ("NAME", "DESCRIPTION", "run"))
        real = getattr(module, "run_real", None)
        if isinstance(name, str) and isinstance(desc, str) and callable(run):
            found[name] = Benchmark(name, desc, run, real if callable(real) else None)
    return found


def run_real(b: Benchmark, quick: bool, crashed: list[str]) -> list[Figure]:
    assert b.run_real is not None
    print(f"-- {b.name} on real kube-apiservers", flush=True)
    try:
        real = b.run_real(quick)
    except Exception:  # the emulator's figures stand
        traceback.print_exc()
        crashed.append(f"{b.name} [real]")
        return []
    for f in real:
        print(f.line(), flush=True)
    return real


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (all)")
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke run")
    parser.add_argument("--real", action="store_true",
                        help="also on real kube-apiservers, where a benchmark can (latency, "
                             "storm, scale; minutes more; needs the realapi/ binaries built)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    available = discover()
    if args.list:
        for b in available.values():
            print(f"{b.name}: {b.description}{' (also --real)' if b.run_real else ''}")
        return 0
    unknown = [n for n in args.names if n not in available]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; "
                     f"available: {', '.join(available) or 'none'}")
    chosen = [available[n] for n in dict.fromkeys(args.names)] or list(available.values())
    rows: list[tuple[str, Figure]] = []
    crashed: list[str] = []
    for b in chosen:
        print(f"== {b.name}: {b.description}{' (quick)' if args.quick else ''}", flush=True)
        started = time.perf_counter()
        try:
            figures = b.run(args.quick)
        except Exception:  # report the crash, run the other benchmarks
            traceback.print_exc()
            crashed.append(b.name)
            continue
        for f in figures:
            print(f.line(), flush=True)
        if args.real and b.run_real is not None:
            figures = beside(figures, run_real(b, args.quick, crashed))
        rows += [(b.name, f) for f in figures]
        print(f"({b.name} took {time.perf_counter() - started:.1f} s)", flush=True)
    if rows:
        print()
        print(table(rows))
    if crashed:
        print(f"\ncrashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
