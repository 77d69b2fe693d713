"""`fleettui sim --api real`: what it refuses (no Go needed for that), and a run of it as a
process: the lines `fleettui sim` prints, a backup its controllers complete, a clean Ctrl+C."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from fleettui.sim.real_fleet import RealApiUnavailable, binaries
from tests.cli.cli_helpers import Process, cli
from tests.realapi.build import Binaries


@pytest.mark.parametrize(("argv", "message"), [
    (["--clusters", "3"], "--clusters: --api real runs at most 2 members (each real "
                          "kube-apiserver holds about 370 MiB)"),
    (["--token-ttl", "30"], "--api real: --token-ttl applies to the emulator only"),
    (["--unreachable-secret", "kurator-member1"],
     "--api real: --unreachable-secret applies to the emulator only"),
    (["--port", "7443"], "--api real: --port applies to the emulator only"),
])
def test_what_real_servers_do_not_have_is_refused(argv: list[str], message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "sim", "--api", "real", *argv)
    assert (code, out) == (2, "")
    assert err.strip() == f"fleettui: {message}"


def test_without_go_it_says_why(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no go there
    code, _, err = cli(capsys, "sim", "--api", "real", "--clusters", "1")
    assert code == 2
    assert err.strip().startswith("fleettui: --api real: go is not on PATH")
    with pytest.raises(RealApiUnavailable, match="go is not on PATH"):
        binaries()


@pytest.mark.slow
@pytest.mark.timeout(180, func_only=True)
def test_a_run_prints_serves_and_stops_on_ctrl_c(realapi_binaries: Binaries, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    kubeconfig, data = tmp_path / "kubeconfig", tmp_path / "servers"
    proc = Process("sim", "--api", "real", "--clusters", "1", "--sync-interval", "0.5",
                   "--backup-seconds", "0.5", "--write-kubeconfig", str(kubeconfig),
                   "--dir", str(data))
    try:
        proc.wait_for(lambda p: "simulator running; Ctrl+C to stop" in p.out, 120,
                      "the servers up")
        names = [line.split()[0] for line in proc.out[:2]]
        assert names == ["kurator-host", "kurator-member1"]
        assert all(line.split()[1].startswith("https://127.0.0.1:") for line in proc.out[:2])
        assert f"kubeconfig written to {kubeconfig}; try:" in proc.out
        code, out, err = cli(capsys, "--kubeconfig", str(kubeconfig), "backup", "create",
                             "by-cli", "--fleet", "quickstart", "--include-namespaces",
                             "kurator-backup", "--wait")
        assert code == 0, err
        assert "overall: ✓ Completed" in out
        launchers = [json.loads((d / "ready.json").read_text())["pid"]
                     for d in sorted(data.iterdir())]
        proc.proc.send_signal(signal.SIGINT)
        assert proc.finish(90) == 0, proc.err
    finally:
        proc.kill()
    # Its launchers went with it (SIGTERM, etcd closed), leaving their data behind.
    assert not [pid for pid in launchers if Path(f"/proc/{pid}").exists()]
    assert (data / "server1" / "etcd").is_dir()
