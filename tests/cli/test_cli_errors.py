"""API errors: 403, 409, 422 and an unreachable server are one clear line and exit 3; a missing
object exits 1 and a kubeconfig or context problem 2, as kubectl; the installed command never
shows a Python traceback."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from fleettui.cli.output import CliError, error_lines
from fleettui.kube.errors import KubeError
from tests.cli.cli_helpers import FLEETTUI, Sim, cli, closed_port_kubeconfig

CREATE = ["backup", "create", "specific-ns", "--fleet", "quickstart",
          "--include-namespaces", "kurator-backup", "--ttl", "720h"]


def test_forbidden_conflict_and_invalid(sim: Sim, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    runner, fleet, kubeconfig = sim
    readonly = tmp_path / "readonly"
    fleet.write_kubeconfig(readonly, readonly=True)
    code, out, err = cli(capsys, "--kubeconfig", str(readonly), *CREATE)
    assert code == 3 and out == ""
    assert err.startswith("fleettui: kurator-host: ") and "forbidden" in err
    assert len(err.splitlines()) == 1

    kcfg = ["--kubeconfig", str(kubeconfig)]
    assert cli(capsys, *kcfg, *CREATE)[0] == 0
    code, _, err = cli(capsys, *kcfg, *CREATE)
    assert code == 3
    assert err.splitlines() == ['fleettui: kurator-host: backups.backup.kurator.dev '
                                '"specific-ns" already exists']

    # The client refuses everything the CRD schema would, so the 422 is injected.
    faults = fleet.host.api.faults
    runner.call(lambda: faults.configure({"error": 422, "count": 1}))
    code, _, err = cli(capsys, *kcfg, "backup", "create", "other", "--fleet", "quickstart")
    assert code == 3 and err.splitlines() == ["fleettui: kurator-host: injected error 422"]

    for verb in ("get", "status", "delete"):  # kubectl: NotFound exits 1
        code, out, err = cli(capsys, *kcfg, "backup", verb, "nope")
        assert (code, out) == (1, ""), (verb, err)
        assert err.splitlines() == ['fleettui: kurator-host: backups.backup.kurator.dev "nope" '
                                    "not found"], verb


def test_422_causes_are_printed_one_per_field() -> None:
    e = KubeError(422, "Invalid", 'Backup.backup.kurator.dev "x" is invalid',
                  [{"field": "spec.destination.fleet", "message": "Required value"},
                   {"field": "spec.schedule", "message": "Invalid value"}], "kurator-host")
    assert error_lines(e) == ['fleettui: kurator-host: Backup.backup.kurator.dev "x" is invalid',
                              "  spec.destination.fleet: Required value",
                              "  spec.schedule: Invalid value"]
    assert error_lines(CliError("--ttl: bad\n--schedule: bad")) == [
        "fleettui: --ttl: bad", "fleettui: --schedule: bad"]


def test_unreachable_server_fails_fast(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    kubeconfig = str(closed_port_kubeconfig(tmp_path / "kc"))
    for argv in (CREATE, ["backup", "list"], ["backup", "status", "x", "--watch"],
                 ["velero", "backup", "create", "v", "--context", "gone"]):
        started = time.monotonic()
        code, _, err = cli(capsys, "--kubeconfig", kubeconfig, *argv)
        assert code == 3, (argv, err)
        assert err.splitlines() == ["fleettui: gone: cannot reach the API server: connection "
                                    "refused"], argv
        assert time.monotonic() - started < 5


def test_config_errors_are_one_line_and_exit_2(sim: Sim, capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    _, _, kubeconfig = sim
    code, _, err = cli(capsys, "--kubeconfig", str(tmp_path / "missing"), "backup", "list")
    assert code == 2 and err.strip() == f"fleettui: --kubeconfig: {tmp_path}/missing: no such file"
    code, _, err = cli(capsys, "--kubeconfig", str(tmp_path), "backup", "list")
    assert code == 2 and err.strip().endswith(f"{tmp_path}: is a directory, not a kubeconfig file")
    code, _, err = cli(capsys, "--kubeconfig", "/dev/null", "backup", "list")
    assert code == 2 and "/dev/null: is not a regular file" in err
    for argv in (["backup", "list"], ["backup", "get", "x"], ["backup", "status", "x", "-w"],
                 ["backup", "delete", "x"], ["backup", "create", "x", "--fleet", "quickstart"],
                 ["velero", "backup", "create", "x"], ["velero", "schedule", "create", "x",
                                                       "--schedule", "@daily"]):
        code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "--context", "nope", *argv)
        assert (code, out) == (2, ""), (argv, err)
        assert len(err.splitlines()) == 1, err
        assert err.startswith("fleettui: --context: no context 'nope'"), err
        assert "kurator-member1" in err
    for argv in (["backup", "list"], ["backup", "create", "x", "--fleet", "quickstart"]):
        code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "--context",
                           "kurator-member1", *argv)  # a plain Velero cluster
        assert code == 3 and err.startswith("fleettui: kurator-member1: the Kurator API is "
                                            "not served here"), err


def test_global_flags_after_the_subcommand(sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    code, out, err = cli(capsys, "backup", "list", "-n", "default", "--kubeconfig",
                         str(kubeconfig), "--context", "kurator-host", "-o", "json")
    assert code == 0, err
    assert '"kind": "List"' in out
    code, _, err = cli(capsys, "--namespace", "default", "backup", "list", "-n", "Bad",
                       "--kubeconfig", str(kubeconfig))
    assert code == 2 and err.startswith("fleettui: -n/--namespace: ")
    code, _, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create", "x",
                       "--fleet", "quickstart", "--readonly")
    assert code == 2 and err.startswith("fleettui: --readonly: refusing to create")


def test_installed_command_never_shows_a_traceback(sim: Sim, tmp_path: Path) -> None:
    _, _, kubeconfig = sim
    gone = str(closed_port_kubeconfig(tmp_path / "gone"))
    cases = [
        (["backup", "create", "x", "--fleet", "quickstart", "--schedule", "0 0 * *",
          "--dry-run=client"], 2, "--schedule"),
        (["backup", "create", "x", "--fleet", "quickstart", "--bogus"], 2, "--bogus"),
        (["backup", "create"], 2, "NAME"),
        (["--kubeconfig", gone, "backup", "list"], 3, "connection refused"),
        (["--kubeconfig", str(tmp_path / "missing"), "backup", "list"], 2, "--kubeconfig"),
        (["--kubeconfig", str(kubeconfig), "backup", "status", "nope"], 1, "not found"),
        (["--kubeconfig", str(kubeconfig), "--context", "nope", "backup", "list"], 2,
         "--context"),
    ]
    procs = [(subprocess.Popen([str(FLEETTUI), *argv], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True), code, word)
             for argv, code, word in cases]
    for proc, code, word in procs:
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == code, (proc.args, err)
        assert "Traceback" not in err and out == ""
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("fleettui: ") and word in lines[0], err


def test_no_kubeconfig_at_all_names_the_paths_tried(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["HOME"] = str(tmp_path)  # no ~/.kube/config there
    listed = {**env, "KUBECONFIG": os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])}
    cases = [(env, ["backup", "list"], "tried ~/.kube/config"),
             (env, ["velero", "backup", "create", "v"], "tried ~/.kube/config"),
             (env, [], "tried ~/.kube/config"),  # the TUI: a line, not an empty screen
             (listed, ["backup", "status", "x", "--watch"],
              f"tried $KUBECONFIG={tmp_path}/a:{tmp_path}/b")]
    for run_env, argv, tried in cases:
        proc = subprocess.run([str(FLEETTUI), *argv], env=run_env, capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert proc.stdout == ""
        [line] = proc.stderr.splitlines()
        assert line.startswith("fleettui: --kubeconfig: no kubeconfig found (") and tried in line
        assert "--kubeconfig FILE" in line and "fleettui demo" in line


WALK = [  # found by running every verb by hand: each is one line naming the flag, exit 2
    (["backup", "nosuchverb"], "argument VERB: invalid choice: 'nosuchverb'"),
    (["nosuchcommand"], "argument COMMAND: invalid choice: 'nosuchcommand'"),
    (["--hung-after", "-5", "backup", "list"], "argument --hung-after: expected a number"),
    (["--hung-after", "x", "backup", "list"], "argument --hung-after: expected a number"),
    (["velero", "backup", "create", "v", "--context", ","], "--context: no context named"),
    (["backup", "create", "x", "--fleet", "q", "--timeout=-1s", "--dry-run"],
     '--timeout: a duration must not be negative (got "-1s")'),
    (["sim", "--clusters", "0"], "--clusters: must be between 1 and 500"),
    (["sim", "--member-outcome", "kurator-member1=Boom"], "--member-outcome: 'Boom'"),
    (["sim", "--member-backup-seconds", "kurator-member1"], "--member-backup-seconds: expected"),
]


@pytest.mark.parametrize(("argv", "message"), WALK, ids=[" ".join(a) for a, _ in WALK])
def test_operator_walk_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 argv: list[str], message: str) -> None:
    code, out, err = cli(capsys, "--kubeconfig", str(tmp_path / "never-read"), *argv)
    assert (code, out) == (2, "")
    [line] = err.splitlines()
    assert line.startswith("fleettui: ") and message in line, line


def test_velero_create_on_a_context_without_velero(sim: Sim,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "velero", "backup", "create",
                         "v", "--context", "kurator-host")
    assert (code, out) == (3, "")
    assert err.splitlines() == ["fleettui: kurator-host: the Velero API (velero.io) is not "
                                "served here; name the contexts where Velero runs with "
                                "--context"]
