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
