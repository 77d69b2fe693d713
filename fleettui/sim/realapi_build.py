"""Build the real kube-apiserver launcher (realapi/) and kubectl once, into a cache directory
(for the tests in tests/realapi and for `fleettui sim --api real`).

Both come from realapi/go.mod's module graph (k8s.io/kubernetes v1.36.3), so the tests never
depend on whatever kubectl a machine has. The cache is keyed by a hash of realapi/'s sources, the
Go version and the build command; a file lock makes concurrent pytest processes wait for one
build instead of running two. Only Go modules are downloaded (from the module proxy, by `go`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # a checkout: realapi/ is not packaged
SOURCES = REPO / "realapi"
KUBE_VERSION = ("v1.36.3", "1", "36")  # realapi/go.mod pins k8s.io/kubernetes v1.36.3
BUILD_TIMEOUT = 3600.0  # a cold build on 2 busy cores takes tens of minutes; CI allows 90
LOCK_TIMEOUT = BUILD_TIMEOUT + 60  # another process may be running the same cold build
KEEP_BUILDS = 3  # binaries of other source versions kept (about 200 MB each)


def version_ldflags() -> str:
    """What kubernetes hack/lib/version.sh stamps, so /version and `kubectl version` tell the
    truth (unstamped both say v0.0.0-master and kubectl warns about a version skew)."""
    git_version, major, minor = KUBE_VERSION
    flags = []
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        flags += [f"-X {package}.gitVersion={git_version}", f"-X {package}.gitMajor={major}",
                  f"-X {package}.gitMinor={minor}"]
    return " ".join(flags)


def build_command(go: str, out_dir: Path) -> list[str]:
    # -o DIR/ with two main packages writes DIR/realapi and DIR/kubectl.
    return [go, "build", "-mod=readonly", "-trimpath", "-ldflags", version_ldflags(),
            "-o", f"{out_dir}{os.sep}", ".", "k8s.io/kubernetes/cmd/kubectl"]


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    # A go directive above the installed Go fails loudly instead of fetching a toolchain;
    # no cgo, as upstream builds both binaries (kubernetes hack/lib/golang.sh).
    env.update(GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS="-mod=readonly",
               GOCACHE=str(cache_root() / "gocache"))
    return env


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fleettui-realapi"


def go_binary() -> str | None:
    return shutil.which("go")


def go_version(go: str) -> str:
    proc = subprocess.run([go, "env", "GOVERSION", "GOOS", "GOARCH"], capture_output=True,
                          text=True, timeout=60, env=build_env(), check=True)
    return " ".join(proc.stdout.split())


def source_hash(go: str) -> str:
    digest = hashlib.sha256()
    digest.update(go_version(go).encode())
    digest.update(" ".join(build_command("go", Path("out"))).encode())
    for path in sorted(SOURCES.rglob("*")):
        if path.is_file() and path.suffix in {".go", ".mod", ".sum", ".yaml"}:
            digest.update(str(path.relative_to(SOURCES)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Binaries:
    launcher: Path
    kubectl: Path
    directory: Path
    built_now: bool  # False: taken from the cache
    wall_seconds: float  # of the build that made them (recorded in build.json)
    cpu_seconds: float  # user + sys of that build's processes


@contextmanager
def build_lock(path: Path, timeout: float) -> Iterator[None]:
    """An exclusive flock, polled with a deadline so a stuck holder cannot hang the tests."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{path} still locked after {timeout:.0f} s") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class BuildError(RuntimeError):
    pass


def ensure_built(go: str) -> Binaries:
    """The binaries for realapi/'s current sources: from the cache, or built now."""
    root = cache_root()
    target = root / source_hash(go)
    with build_lock(root / "build.lock", LOCK_TIMEOUT):
        built_now = not (target / "build.json").exists()
        if built_now:
            _build_into(go, target)
            _prune(root, keep=target)
    record = json.loads((target / "build.json").read_text())
    return Binaries(launcher=target / "realapi", kubectl=target / "kubectl", directory=target,
                    built_now=built_now, wall_seconds=record["wall_seconds"],
                    cpu_seconds=record["cpu_seconds"])


def _build_into(go: str, target: Path) -> None:
    staging = target.with_name(target.name + f".building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    log = staging / "build.log"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with log.open("w") as out:
        try:
            proc = subprocess.run(build_command(go, staging), cwd=SOURCES, env=build_env(),
                                  stdout=out, stderr=subprocess.STDOUT,
                                  timeout=BUILD_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise BuildError(f"go build ran over {BUILD_TIMEOUT:.0f} s; log: {log}") from None
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise BuildError(f"go build in {SOURCES} failed ({proc.returncode}) after {wall:.0f} s; "
                         f"log {log}:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    (staging / "build.json").write_text(json.dumps({
        "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "go": go_version(go),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _prune(root: Path, keep: Path) -> None:
    """Drop binaries of older source versions beyond KEEP_BUILDS (the Go cache stays)."""
    builds = sorted((p for p in root.iterdir() if (p / "build.json").exists() and p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP_BUILDS:]:
        shutil.rmtree(old, ignore_errors=True)
