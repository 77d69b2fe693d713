"""The build cache's own rules, without Go: where it lives, the lock between pytest processes,
and the version stamp both binaries get."""

from __future__ import annotations

import fcntl
import time
from pathlib import Path

import pytest

from tests.realapi import build


def test_cache_root_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert build.cache_root() == tmp_path / "fleettui-realapi"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build.cache_root() == tmp_path / "home" / ".cache" / "fleettui-realapi"


def test_a_held_lock_makes_the_second_builder_wait_then_give_up(tmp_path: Path) -> None:
    lock = tmp_path / "build.lock"
    with lock.open("a") as other:  # another process's open file: flock conflicts with it
        fcntl.flock(other, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="still locked"), build.build_lock(lock, 1.0):
            pass
        assert time.monotonic() - started >= 1.0
        fcntl.flock(other, fcntl.LOCK_UN)
    # Free again: taken at once, and held against others while inside.
    with build.build_lock(lock, 1.0), lock.open("a") as probe, pytest.raises(BlockingIOError):
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_both_binaries_are_stamped_with_the_pinned_release(tmp_path: Path) -> None:
    command = build.build_command("go", tmp_path)
    ldflags = command[command.index("-ldflags") + 1]
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert f"-X {package}.gitVersion=v1.36.3" in ldflags
        assert f"-X {package}.gitMinor=36" in ldflags
    assert "-mod=readonly" in command and command[-2:] == [".", "k8s.io/kubernetes/cmd/kubectl"]
    go_mod = (build.SOURCES / "go.mod").read_text()
    assert "\tk8s.io/kubernetes v1.36.3\n" in go_mod  # the stamp must follow the pin
    assert build.build_env()["GOTOOLCHAIN"] == "local"


def fake_go(tmp_path: Path, build_script: str) -> Path:
    """A `go` that answers `go env` and runs `build_script` for `go build` (args in "$@")."""
    go = tmp_path / "bin" / "go"
    go.parent.mkdir()
    go.write_text("#!/bin/sh\n"
                  'if [ "$1" = env ]; then echo go1.26.8; echo linux; echo amd64; exit 0; fi\n'
                  f'echo build >> "{tmp_path}/builds"\n{build_script}\n')
    go.chmod(0o755)
    return go


def test_built_once_then_taken_from_the_cache(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # Writes both binaries into the directory given by `-o DIR/`.
    go = fake_go(tmp_path, 'for a; do [ "$prev" = -o ] && dir="$a"; prev="$a"; done\n'
                           'touch "${dir}realapi" "${dir}kubectl"')
    first = build.ensure_built(str(go))
    assert first.built_now and first.launcher.exists() and first.kubectl.exists()
    assert first.directory.parent == tmp_path / "cache" / "fleettui-realapi"
    second = build.ensure_built(str(go))
    assert not second.built_now and second.directory == first.directory
    assert (tmp_path / "builds").read_text().count("build") == 1


def test_a_failed_build_says_where_and_why(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    go = fake_go(tmp_path, 'echo "main.go:12:2: undefined: app.NewThing" >&2; exit 1')
    with pytest.raises(build.BuildError, match=r"failed \(1\)") as failure:
        build.ensure_built(str(go))
    assert "main.go:12:2: undefined: app.NewThing" in str(failure.value)
    assert not list((tmp_path / "cache" / "fleettui-realapi").glob("*/build.json"))
