"""`backup list`, `get`, `status` (one shot) and `delete` against the simulator."""

from __future__ import annotations

import json

import pytest
import yaml

from fleettui.kube import client as kc
from fleettui.kube.client import KubeClient
from fleettui.kube.errors import KubeError
from tests.cli.cli_helpers import Sim, cli, wait_for

SPECIFIC_NS = ["backup", "create", "specific-ns", "--fleet", "quickstart",
               "--include-namespaces", "kurator-backup", "--ttl", "720h"]
SCHEDULED = ["backup", "create", "nightly", "--fleet", "quickstart", "--cluster",
             "kurator-member2", "--selector", "env=test", "--schedule", "0 0 * * *"]


def test_list_get_status_delete(sim: Sim, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kubeconfig = sim
    kcfg = ["--kubeconfig", str(kubeconfig)]
    code, _, err = cli(capsys, *kcfg, "backup", "list")
    assert code == 0 and "No fleet backups in namespace default" in err
    assert cli(capsys, *kcfg, *SPECIFIC_NS, "--wait")[0] == 0
    assert cli(capsys, *kcfg, *SCHEDULED)[0] == 0

    code, out, _ = cli(capsys, *kcfg, "backup", "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "TYPE", "FLEET", "OVERALL", "DONE", "AGE"]
    assert rows[0].split()[:8] == ["nightly", "cron", "0", "0", "*", "*", "*", "quickstart"]
    assert "⟳ Scheduled" in rows[0] and "0/1" in rows[0]
    assert rows[1].split()[:5] == ["specific-ns", "once", "quickstart", "✓", "Completed"]
    assert "2/2" in rows[1]
    code, out, _ = cli(capsys, *kcfg, "backup", "list", "-o", "yaml")
    assert [i["metadata"]["name"] for i in yaml.safe_load(out)["items"]] == ["nightly",
                                                                            "specific-ns"]

    code, out, _ = cli(capsys, *kcfg, "backup", "get", "specific-ns", "-o", "json")
    obj = json.loads(out)
    assert code == 0 and obj["spec"]["destination"] == {"fleet": "quickstart"}
    code, out, _ = cli(capsys, *kcfg, "backup", "get", "specific-ns")
    assert code == 0 and "✓ Completed" in out.splitlines()[1]

    code, out, _ = cli(capsys, *kcfg, "backup", "status", "specific-ns")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["CLUSTER", "PHASE", "ITEMS"]
    assert [line.split()[0] for line in lines[1:3]] == ["kurator-member1", "kurator-member2"]
    assert all("✓ Completed" in line for line in lines[1:3])
    assert lines[3].startswith("overall: ✓ Completed — 2/2 clusters completed")
    code, out, _ = cli(capsys, *kcfg, "backup", "status", "nightly", "-o", "jsonl")
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["cluster"] == "kurator-member2" and row["state"] == "Waiting"
    assert row["overall"] == "Scheduled"

    host = KubeClient.from_kubeconfig(str(kubeconfig), "kurator-host")
    code, out, _ = cli(capsys, *kcfg, "backup", "delete", "specific-ns", "--dry-run=server")
    assert code == 0 and out.splitlines()[0] == ('backup.backup.kurator.dev "specific-ns" '
                                                 "deleted (server dry run)")
    host.get(kc.KURATOR_BACKUPS, "default", "specific-ns")  # still there
    code, out, _ = cli(capsys, *kcfg, "backup", "delete", "specific-ns")
    assert code == 0
    assert "  kurator-member1: backup.velero.io/kurator-member1-backup-default-specific-ns" in out
    assert "NOT deleted: the backup data in the object storage bucket" in out
    code, out, _ = cli(capsys, *kcfg, "backup", "delete", "nightly")
    assert "  kurator-member2: schedule.velero.io/kurator-member2-backup-default-nightly" in out
    assert "NOT deleted: the Velero Backups the schedules already made" in out

    def gone() -> bool:
        try:
            host.get(kc.KURATOR_BACKUPS, "default", "specific-ns")
        except KubeError as e:
            return e.code == 404
        return False

    wait_for(gone, what="the finalizer to let go")
    code, _, err = cli(capsys, *kcfg, "backup", "delete", "specific-ns")
    assert code == 1 and "not found" in err  # kubectl: NotFound exits 1
