"""Start real kube-apiservers (realapi/ launcher processes), prepare them for fleettui (Kurator
and Velero CRDs, RBAC for the test users), run the built kubectl against them, stop them."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fleettui.sim.realapi_build import REPO, Binaries

# The simulator's copies of the Kurator and Velero CRDs (the same files as tests/fixtures).
CRD_FILES = sorted((Path(__file__).parent / "crds").glob("*.yaml"))
RBAC = REPO / "realapi" / "rbac.yaml"
USERS = ("admin", "readonly", "viewer", "namespace-user")  # realapi/files.go
USER_NAMESPACE = "team-a"  # the namespace-user's namespace, in realapi/rbac.yaml
START_TIMEOUT = 180.0  # no published start time; 2 busy cores
STOP_TIMEOUT = 60.0


class ServerError(RuntimeError):
    pass


@dataclass
class RealServer:
    """One launcher process: a kube-apiserver and its embedded etcd."""

    proc: subprocess.Popen[bytes]
    dir: Path
    kubectl_binary: Path
    info: dict[str, Any] = field(default_factory=dict)
    terminated: bool = False

    @property
    def log(self) -> Path:
        return self.dir / "apiserver.log"

    @property
    def audit_log(self) -> Path:
        return Path(self.info["audit_log"])

    @property
    def url(self) -> str:
        return str(self.info["server"])

    def kubeconfig(self, user: str = "admin") -> Path:
        return Path(self.info["kubeconfigs"][user])

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def kubectl(self, *args: str, user: str = "admin", check: bool = True,
                stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """The built kubectl as `user`; a fresh discovery cache per server (ports get reused)."""
        cmd = [str(self.kubectl_binary), "--kubeconfig", str(self.kubeconfig(user)),
               "--cache-dir", str(self.dir / "kube-cache"), *args]
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} as {user} failed "
                                 f"({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def get_json(self, *args: str, user: str = "admin") -> Any:
        return json.loads(self.kubectl("get", *args, "-o", "json", user=user).stdout)

    def token(self, user: str) -> str:
        config = json.loads(self.kubeconfig(user).read_text())  # the launcher writes JSON
        return str(config["users"][0]["user"]["token"])

    def request(self, method: str, path: str, body: Any = None, user: str = "admin"
                ) -> tuple[int, Any]:
        """One HTTPS request as `user`: (status, decoded JSON body), errors included."""
        context = ssl.create_default_context(cafile=self.info["ca_cert"])
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token(user)}", "Content-Type": "application/json",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, context=context, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def audit_events(self) -> list[dict[str, Any]]:
        lines = self.audit_log.read_text().splitlines() if self.audit_log.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    def terminate(self) -> None:
        """SIGTERM, once: a second signal makes kube-apiserver exit(1) at once
        (apiserver pkg/server/signal.go), skipping the launcher's etcd shutdown."""
        if self.proc.poll() is None and not self.terminated:
            self.terminated = True
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (the API server drains, then the launcher closes etcd); SIGKILL past timeout."""
        if self.proc.poll() is None:
            self.terminate()
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                raise ServerError(f"launcher {self.proc.pid} ignored SIGTERM for {timeout:.0f} s "
                                  f"(killed); log tail:\n{self.log_tail()}") from None
        return self.proc.returncode


def launch(binaries: Binaries, directory: Path, extra_args: Sequence[str] = (),
           compaction: str = "1m", launcher_args: Sequence[str] = ()) -> RealServer:
    """Start a launcher without waiting for it (see wait_ready); `extra_args` go to
    kube-apiserver, `launcher_args` (e.g. --port) to the launcher."""
    directory.mkdir(parents=True, exist_ok=True)
    # A restart in the same directory: wait_ready must not take the last run's file for ours.
    (directory / "ready.json").unlink(missing_ok=True)
    argv = [str(binaries.launcher), "--dir", str(directory),
            f"--etcd-compaction-interval={compaction}", *launcher_args, "--", *extra_args]
    with (directory / "launcher.out").open("wb") as out, \
            (directory / "apiserver.log").open("wb") as err:
        # Its own session: a Ctrl+C meant for us must not reach it too (a second signal makes
        # kube-apiserver exit at once, see terminate), we stop it ourselves.
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    return RealServer(proc=proc, dir=directory, kubectl_binary=binaries.kubectl)


def wait_ready(server: RealServer, timeout: float = START_TIMEOUT) -> RealServer:
    """Until the launcher wrote ready.json (its /readyz answered 200) or it exited."""
    ready = server.dir / "ready.json"
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if server.proc.poll() is not None:
            raise ServerError(f"launcher exited with {server.proc.returncode} before ready; "
                              f"log tail:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            server.stop()
            raise ServerError(f"not ready after {timeout:.0f} s; log tail:\n{server.log_tail()}")
        time.sleep(0.1)
    server.info = json.loads(ready.read_text())
    return server


def start_servers(binaries: Binaries, parent: Path, count: int = 1,
                  extra_args: Sequence[str] = (), compaction: str = "1m") -> list[RealServer]:
    """`count` servers started side by side, each ready and prepared for fleettui; on any
    failure the ones started are stopped again."""
    servers = [launch(binaries, parent / f"server{i}", extra_args, compaction)
               for i in range(count)]
    try:
        for server in servers:
            prepare(wait_ready(server))
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: Sequence[RealServer]) -> None:
    for server in servers:
        server.terminate()  # all drain at once
    errors = []
    for server in servers:
        try:
            code = server.stop()
        except ServerError as e:
            errors.append(str(e))
            continue
        if code != 0:  # a clean SIGTERM shutdown exits 0
            errors.append(f"launcher {server.proc.pid} exited with {code}; log tail:\n"
                          f"{server.log_tail()}")
    if errors:
        raise ServerError("; ".join(errors))


def prepare(server: RealServer) -> None:
    """The Kurator and Velero CRDs (server-side apply: their schemas are too big for the
    last-applied annotation), Established, then RBAC for the test users."""
    args = ["apply", "--server-side", "--field-manager=fleettui-tests"]
    for crd in CRD_FILES:
        args += ["-f", str(crd)]
    server.kubectl(*args)
    names = [f"crd/{_crd_name(path)}" for path in CRD_FILES]
    server.kubectl("wait", "--for=condition=Established", "--timeout=60s", *names, timeout=90)
    server.kubectl("apply", "--server-side", "--field-manager=fleettui-tests", "-f", str(RBAC))


def _crd_name(path: Path) -> str:
    return str(yaml.safe_load(path.read_text())["metadata"]["name"])


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
