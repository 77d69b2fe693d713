"""The CLI reaches members by the same routes as the TUI, says which, and marks what it took
from Kurator's copy when a member cannot be read (`source` in jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.cli_helpers import cli
from tests.conftest import start_sim, wait_for

M1, M2 = "kurator-member1", "kurator-member2"


def test_status_from_kurators_copy_when_a_member_cannot_be_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner, fleet, kubeconfig = start_sim(tmp_path, unreachable_secrets=[M2])
    try:
        kcfg = ["--kubeconfig", str(kubeconfig)]
        code, _, err = cli(capsys, *kcfg, "backup", "create", "both", "--fleet", "quickstart",
                           "--wait", "--timeout", "60s")
        assert code == 0, err  # member2 through the context named like it
        code, _, err = cli(capsys, *kcfg, "backup", "status", "both")
        assert code == 0
        assert f"# {M2}: via context {M2} (the kubeconfig secret of {M2}: cannot reach" in err

        config = fleet.kubeconfig()
        config["contexts"] = [c for c in config["contexts"] if c["name"] != M2]
        host_only = tmp_path / "no-member2"
        host_only.write_text(yaml.safe_dump(config))

        def events() -> dict[str, dict[str, object]]:
            code, out, err = cli(capsys, "--kubeconfig", str(host_only), "backup", "status",
                                 "both", "-o", "jsonl")
            assert code == 0, err
            assert f"{M2}: no access: the kubeconfig secret of {M2}: " in err
            return {e["cluster"]: e for e in map(json.loads, out.splitlines())}

        # Kurator copies member2's status within its sync period
        seen = wait_for(lambda: (e := events())[M2]["phase"] == "Completed" and e,
                        what="member2's status from Kurator's copy")
        assert seen[M1]["source"] == "member" and seen[M2]["source"] == "kurator"
        code, out, _ = cli(capsys, "--kubeconfig", str(host_only), "backup", "status", "both")
        assert f"{M2}: Kurator's copy, up to 30 s old: the member itself was not read" in out
        code, out, err = cli(capsys, "--kubeconfig", str(host_only), "backup", "status", "both",
                             "--watch", "--until-done", "--timeout", "30s")
        assert code == 0, err
        assert f"# no access: the kubeconfig secret of {M2}: cannot reach" in err
        assert "no access: no access" not in err
        assert f"{M1}: Kurator's copy" not in out
    finally:
        runner.stop()
