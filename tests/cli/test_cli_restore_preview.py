"""`restore create --preview` (issue #14 item 3): per cluster, what the restore would bring
back, from the Velero backup's resource list (a DownloadRequest to the simulator's object
store), narrowed by the restore's filters; the counts are what the simulated backup captured."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fleettui.sim.fleet import SimFleet, SimThread
from tests.cli.cli_helpers import cli
from tests.cli.test_cli_downloads import run_backup
from tests.conftest import start_sim

Done = tuple[SimThread, SimFleet, list[str]]
APPS = ["kurator-backup", "shop", "monitoring"]


@pytest.fixture
def done(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Done]:
    sim, fleet, kubeconfig = start_sim(tmp_path)
    try:
        kcfg = ["--kubeconfig", str(kubeconfig)]
        run_backup(capsys, kcfg, sim, fleet, "apps", "--include-namespaces", ",".join(APPS))
        yield sim, fleet, kcfg
    finally:
        sim.stop()


def captured(fleet: SimFleet, cluster: str, namespaces: list[str]) -> list[str]:
    """The preview lines expected from what the simulated backup put in the bucket."""
    entry = fleet.bucket.get(f"{cluster}-backup-default-apps")
    assert entry is not None
    counts: Counter[tuple[str, str]] = Counter()
    for item in entry.items:
        meta = item["metadata"]
        ns = meta["name"] if item["kind"] == "Namespace" else meta.get("namespace", "")
        if ns in namespaces:
            counts[(ns, item["kind"])] += 1
    by_ns: dict[str, list[str]] = {}
    for (ns, kind), n in sorted(counts.items()):
        by_ns.setdefault(ns, []).append(f"{n} {kind}")
    return [f"  {ns}: " + ", ".join(kinds) for ns, kinds in by_ns.items()] + [
        f"  total: {sum(counts.values())} items"]


def block(err: str, cluster: str) -> list[str]:
    lines = err.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{cluster} (from "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("  ")),
               len(lines))
    return lines[start + 1:end]


def test_preview_counts_what_the_backup_captured(done: Done,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kcfg = done
    code, out, err = cli(capsys, *kcfg, "restore", "create", "back", "--from-backup", "apps",
                         "--dry-run=client", "-o", "yaml", "--preview")
    assert code == 0, err
    assert yaml.safe_load(out)["kind"] == "Restore"  # stdout stays the object alone
    assert "preview of restore back" in err
    for cluster in ("kurator-member1", "kurator-member2"):
        assert block(err, cluster) == captured(fleet, cluster, APPS)
    assert fleet.host.store.find("backup.kurator.dev/restores", "default", "back") is None


def test_the_namespace_filter_narrows_the_preview(done: Done,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, fleet, kcfg = done
    code, _, err = cli(capsys, *kcfg, "restore", "create", "back", "--from-backup", "apps",
                       "--cluster", "kurator-member2", "--include-namespaces", "shop",
                       "--namespace-mapping", "shop:shop-copy", "--dry-run=client",
                       "-o", "yaml", "--preview")
    assert code == 0, err
    expected = captured(fleet, "kurator-member2", ["shop"])
    assert block(err, "kurator-member2") == [
        line.replace("  shop:", "  shop → shop-copy:") for line in expected]
    assert "kurator-member1 (from" not in err


def test_a_label_selector_is_said_not_applied(done: Done,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _, _, kcfg = done
    code, out, err = cli(capsys, *kcfg, "restore", "create", "back", "--from-backup", "apps",
                         "-l", "app=busybox", "--dry-run=client", "--preview")
    assert code == 0, err
    assert "note: the label selector is not applied" in out  # no -o: the preview on stdout
