"""Every bad flag of `restore|migrate create`, `velero restore create` and the read verbs is one
line on stderr naming that flag, exit 2, before anything is contacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.cli_helpers import cli

RESTORE = ["restore", "create", "r", "--from-backup", "b", "--dry-run=client"]
MIGRATE = ["migrate", "create", "m", "--fleet", "quickstart", "--from-cluster", "c1",
           "--to-cluster", "c2", "--dry-run=client"]
VELERO = ["velero", "restore", "create", "v", "--from-backup", "b", "--dry-run=client"]
CASES = [  # (argv, the flag the one line must name)
    (["restore", "create", "Bad_Name", "--from-backup", "b", "--dry-run=client"], "NAME"),
    (["restore", "create", "r", "--dry-run=client"], "--from-backup"),
    (["restore", "create", "r", "--from-backup", "Not/A/Name", "--dry-run=client"],
     "--from-backup"),
    ([*RESTORE, "--cluster", "a/b/c"], "--cluster"),
    ([*RESTORE, "--cluster", "kurator-member1"], "--fleet"),
    ([*RESTORE, "--fleet", "Bad Fleet", "--cluster", "kurator-member1"], "--fleet"),
    ([*RESTORE, "--include-namespaces", "NOT OK"], "--include-namespaces"),
    ([*RESTORE, "--exclude-namespaces", "-x"], "--exclude-namespaces"),
    ([*RESTORE, "--include-resources", "Deployments!"], "--include-resources"),
    ([*RESTORE, "--exclude-resources", "a b"], "--exclude-resources"),
    ([*RESTORE, "--selector", "a in ("], "--selector"),
    ([*RESTORE, "--or-selector", "a in ("], "--or-selector"),
    ([*RESTORE, "--selector", "a=b", "--or-selector", "c=d"], "--selector, --or-selector"),
    ([*RESTORE, "--namespace-mapping", "shop"], "--namespace-mapping"),
    ([*RESTORE, "--namespace-mapping", "a:x,b:x"], "--namespace-mapping"),
    ([*RESTORE, "--namespace-mapping", "a:Bad"], "--namespace-mapping"),
    ([*RESTORE, "--restore-status", "Pods!"], "--restore-status"),
    ([*RESTORE, "--timeout", "soon"], "--timeout"),
    ([*RESTORE, "-o", "table"], "--output"),
    ([*RESTORE, "-n", "Bad NS"], "-n/--namespace"),
    (["restore", "create", "r", "--from-backup", "b", "--dry-run=maybe"], "--dry-run"),
    ([*RESTORE, "--preserve-node-ports=yes"], "--preserve-node-ports"),
    ([*RESTORE, "--bogus"], "--bogus"),
    (["migrate", "create", "m", "--fleet", "f", "--to-cluster", "c2", "--dry-run=client"],
     "--from-cluster"),
    ([*MIGRATE, "--from-cluster", "c3"], "--from-cluster"),
    (["migrate", "create", "m", "--fleet", "f", "--from-cluster", "c1", "--dry-run=client"],
     "--to-cluster"),
    ([*MIGRATE, "--to-cluster", "c1"], "--to-cluster"),
    ([*MIGRATE, "--to-cluster", "x//y"], "--to-cluster"),
    (["migrate", "create", "m", "--from-cluster", "c1", "--to-cluster", "c2",
      "--dry-run=client"], "--fleet"),
    ([*MIGRATE, "--namespace-mapping", "a:"], "--namespace-mapping"),
    ([*MIGRATE, "--include-namespaces", "A"], "--include-namespaces"),
    ([*MIGRATE, "--restore-status", "x y"], "--restore-status"),
    (["velero", "restore", "create", "v", "--dry-run=client"], "--from-backup, --from-schedule"),
    ([*VELERO, "--from-schedule", "s"], "--from-backup, --from-schedule"),
    (["velero", "restore", "create", "v", "--from-schedule", "S!", "--dry-run=client"],
     "--from-schedule"),
    ([*VELERO, "--velero-namespace", "Velero"], "--velero-namespace"),
    ([*VELERO, "--namespace-mapping", "x"], "--namespace-mapping"),
    ([*VELERO, "--include-namespaces", "a,*"], "--include-namespaces"),
    (["velero", "restore", "create", "v", "--from-backup", "b", "--context", ","],
     "--context"),
    (["restore", "status", "r", "--until-done"], "--until-done"),
    (["migrate", "status", "m", "-w", "--timeout", "-1s"], "--timeout"),
    (["restore", "list", "-o", "jsonpath={.items[?(@.x)]}"], "--output"),
    (["migrate", "delete", "m", "--dry-run=client"], "--dry-run"),
]


@pytest.mark.parametrize(("argv", "flag"), CASES, ids=[" ".join(a[:2]) + " " + f
                                                         for a, f in CASES])
def test_a_bad_flag_is_one_line_naming_it(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          argv: list[str], flag: str) -> None:
    # The kubeconfig does not exist: a flag is judged before anything is read or contacted.
    code, out, err = cli(capsys, "--kubeconfig", str(tmp_path / "none"), *argv)
    assert (code, out) == (2, ""), err
    line, = err.splitlines()
    assert line.startswith("fleettui: ") and flag in line, line
