"""Fixtures for the tests against a real kube-apiserver: the binaries (built once, cached) and a
running server prepared for fleettui.

The server is started by a module-scoped fixture: it is set up before the function-scoped leak
check of tests/conftest.py takes its list of child processes, so the check does not blame the
tests for it, and it is stopped (SIGTERM, waited for) when the module's tests are done.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.realapi.build import Binaries, BuildError, ensure_built, go_binary
from tests.realapi.server import RealServer, rss_mib, start_servers, stop_servers

_report: list[str] = []  # printed at the end of the session (pytest_terminal_summary)


@pytest.fixture(scope="session")
def realapi_binaries() -> Binaries:
    go = go_binary()
    if go is None:
        pytest.skip("go is not on PATH: the real kube-apiserver and kubectl are built from "
                    "Go modules (realapi/go.mod); install Go 1.26 to run these tests")
    try:
        binaries = ensure_built(go)
    except BuildError as e:
        pytest.fail(str(e), pytrace=False)
    how = "built now" if binaries.built_now else "from the cache"
    _report.append(f"realapi binaries {how} in {binaries.directory} (that build: "
                   f"{binaries.wall_seconds:.0f} s wall, {binaries.cpu_seconds:.0f} s user+sys)")
    return binaries


@pytest.fixture(scope="module")
def real_server(realapi_binaries: Binaries, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[RealServer]:
    [server] = start_servers(realapi_binaries, tmp_path_factory.mktemp("realapi"))
    _report.append(f"real kube-apiserver {server.url}: ready in "
                   f"{server.info['startup_seconds']:.1f} s, RSS "
                   f"{rss_mib(server.proc.pid):.0f} MiB after CRDs and RBAC")
    try:
        yield server
    finally:
        stop_servers([server])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _report:
        terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker, hand the report to the main process (tests/conftest.py prints it):
    a worker's own terminal summary is never shown."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["realapi_report"] = _report
