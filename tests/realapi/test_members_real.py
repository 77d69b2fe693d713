"""fleettui on a fleet of three real API servers (a Kurator host and two members reached
through their AttachedClusters' kubeconfig secrets): the namespace check, status rows from the
members' own Velero Backups, and the restore check of each member's Velero backup."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.cli.cli_helpers import cli
from tests.realapi.build import Binaries
from tests.realapi.fleet import MEMBERS, attach_members, install_velero, kurator_velero_backup
from tests.realapi.server import RealServer, start_servers, stop_servers

# One fleet of three servers for the module, on one xdist worker (xdist_group); nothing here
# is timed.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realapi-members"),
              pytest.mark.timeout(120, func_only=True)]
M1, M2 = MEMBERS


@pytest.fixture(scope="module")
def real_fleet(realapi_binaries: Binaries, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[dict[str, RealServer]]:
    host, *members = start_servers(realapi_binaries, tmp_path_factory.mktemp("realfleet"), 3)
    try:
        by_name = dict(zip(MEMBERS, members, strict=True))
        attach_members(host, by_name)
        for member in members:
            install_velero(member)
        yield {"host": host, **by_name}
    finally:
        stop_servers([host, *members])


def host_args(fleet: dict[str, RealServer]) -> list[str]:
    return ["--kubeconfig", str(fleet["host"].kubeconfig())]


def test_included_namespaces_are_checked_on_the_real_members(
        real_fleet: dict[str, RealServer], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, *host_args(real_fleet), "backup", "create", "ns-check",
                         "--fleet", "quickstart", "--include-namespaces", "kurator-backup,nope",
                         "--dry-run=server")
    assert code == 0 and out.strip() == ("backup.backup.kurator.dev/ns-check created "
                                         "(server dry run)")
    assert err.strip() == ('fleettui: warning: --include-namespaces: namespace "nope" exists on '
                           "none of the 2 member clusters; the backup will not contain it "
                           "(a typo?)")


def status_rows(fleet: dict[str, RealServer], capsys: pytest.CaptureFixture[str],
                backup: str) -> list[dict[str, object]]:
    code, out, err = cli(capsys, *host_args(fleet), "backup", "status", backup, "-o", "jsonl")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_status_and_restore_read_each_members_velero_backup(
        real_fleet: dict[str, RealServer], capsys: pytest.CaptureFixture[str]) -> None:
    """Kurator's status copy stays empty (no controller): what fleettui shows comes from the
    members' own Velero Backups, written there as Kurator and Velero would."""
    name = "from-members"
    assert cli(capsys, *host_args(real_fleet), "backup", "create", name, "--fleet",
               "quickstart", "--include-namespaces", "kurator-backup")[0] == 0
    kurator_velero_backup(real_fleet[M1], M1, name, "Completed", 10)
    kurator_velero_backup(real_fleet[M2], M2, name, "InProgress", 4)
    rows = status_rows(real_fleet, capsys, name)
    assert [(r["cluster"], r["phase"], r["items_done"], r["source"]) for r in rows] == [
        (M1, "Completed", 10, "member"), (M2, "InProgress", 4, "member")]
    assert {r["overall"] for r in rows} == {"Running"}

    restore = ["restore", "create", "back", "--from-backup", name, "--dry-run=server"]
    code, _, err = cli(capsys, *host_args(real_fleet), *restore)
    assert code == 2
    assert err.strip() == (f"fleettui: --from-backup: {M2}: {M2}-backup-default-{name} is "
                           "InProgress: Velero can restore only a finished backup")

    kurator_velero_backup(real_fleet[M2], M2, name, "Completed", 10)
    assert {r["overall"] for r in status_rows(real_fleet, capsys, name)} == {"Completed"}
    code, out, err = cli(capsys, *host_args(real_fleet), *restore)
    assert code == 0, err
    assert out.strip() == "restore.backup.kurator.dev/back created (server dry run)"
    assert err.splitlines() == [f"# {m}: restores from Velero backup {m}-backup-default-{name}"
                                for m in MEMBERS]
