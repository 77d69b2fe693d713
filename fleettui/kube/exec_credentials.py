"""Exec credential plugins (aws eks get-token, gke-gcloud-auth-plugin, kubelogin) run the way
client-go runs them, not the way the kubernetes package does.

The package runs a plugin with our terminal as its stdin and stderr whenever stdout is a TTY,
with no timeout and no cache: inside the TUI a plugin could print over the screen or wait
forever on a prompt nobody sees, and every client re-ran it. Here (client-go
plugin/pkg/client/auth/exec/exec.go is the model):
- while the terminal is free (before the TUI starts) a plugin may talk to the user, as with
  kubectl; once the TUI owns it (`terminal_taken`), stdin is closed, stderr is captured and
  kept for the screen (`notes`), and a plugin that does not answer in PLUGIN_TIMEOUT is killed;
- a credential is cached until shortly before its expirationTimestamp, and forgotten when the
  server rejects it (`forget`, on a 401), so the next load runs the plugin again;
- a plugin's failure is kept for the client it ran for (`last_failure`) to explain the 401
  that follows it, instead of the package's log line on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

PLUGIN_TIMEOUT = 30.0  # a non-interactive plugin gets this long (kubectl waits forever)
INTERACTIVE_TIMEOUT = 300.0  # a login in a browser, before the TUI starts
EXPIRY_MARGIN = 30.0  # refresh this many seconds before a credential expires

_lock = threading.Lock()
_cache: dict[str, tuple[dict[str, Any], float]] = {}  # key → (status, expires at, monotonic)
_terminal_taken = threading.Event()
notes: deque[str] = deque(maxlen=20)  # what plugins and the package said while the TUI ran
_failures: dict[str, tuple[float, str]] = {}  # client name → when and why its plugin failed
_loading = threading.local()  # the client whose credentials this thread is loading


class PluginError(Exception):
    pass


def terminal_taken() -> None:
    """From now on no plugin may read from or write to the terminal."""
    _terminal_taken.set()


def forget() -> None:
    """Drop cached credentials: the server rejected one, so ask the plugins again."""
    with _lock:
        _cache.clear()


@contextmanager
def loading_for(client: str) -> Iterator[None]:
    """Plugins run meanwhile (in this thread) run for `client`: their failure is its own."""
    before = getattr(_loading, "client", "")
    _loading.client = client
    try:
        yield
    finally:
        _loading.client = before


def last_failure(client: str, within: float = 600.0) -> str:
    """Why `client`'s plugin last failed, if it did in the last `within` seconds, or ""."""
    with _lock:
        when, text = _failures.get(client, (0.0, ""))
    return text if text and time.monotonic() - when < within else ""


def _failed(text: str) -> PluginError:
    with _lock:
        _failures[getattr(_loading, "client", "")] = (time.monotonic(), text)
    notes.append(text)
    return PluginError(text)


def _cache_key(args: list[str], env: dict[str, str], cluster: object) -> str:
    return json.dumps([args, sorted(env.items()), cluster], default=str)


def _expires_in(status: dict[str, Any]) -> float:
    stamp = status.get("expirationTimestamp")
    if not stamp:
        return float("inf")  # no expiry: valid until the server says otherwise
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return when.timestamp() - time.time()


def run_plugin(args: list[str], env: dict[str, str], cwd: str | None, api_version: str,
               cluster: object = None, extra_env: dict[str, str] | None = None
               ) -> dict[str, Any]:
    """The plugin's ExecCredential status (token or client certificate), cached."""
    key = _cache_key(args, extra_env or {}, cluster)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[1] - time.monotonic() > EXPIRY_MARGIN:
            return cached[0]
    interactive = not _terminal_taken.is_set() and sys.stdin.isatty() and sys.stdout.isatty()
    spec: dict[str, Any] = {"interactive": interactive}
    if cluster is not None:
        spec["cluster"] = cluster
    run_env = {**env, "KUBERNETES_EXEC_INFO": json.dumps(
        {"apiVersion": api_version, "kind": "ExecCredential", "spec": spec})}
    name = args[0]
    try:
        proc = subprocess.run(
            args, env=run_env, cwd=cwd, stdout=subprocess.PIPE,
            stderr=None if interactive else subprocess.PIPE,
            stdin=None if interactive else subprocess.DEVNULL, text=True,
            timeout=INTERACTIVE_TIMEOUT if interactive else PLUGIN_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise _failed(f"credential plugin {name} did not answer within {e.timeout:g} s (is it "
                      "waiting for a login? run `kubectl get ns` once in a shell)") from e
    except OSError as e:
        raise _failed(f"credential plugin {name} could not be started: {e.strerror or e}") from e
    said = (proc.stderr or "").strip() if not interactive else ""
    if said:
        notes.append(f"{name}: {said[-500:]}")
    if proc.returncode != 0:
        raise _failed(f"credential plugin {name} failed (exit {proc.returncode})"
                      + (f": {said[-300:]}" if said else ""))
    status = _status(proc.stdout, name, api_version)
    with _lock:
        _cache[key] = (status, time.monotonic() + _expires_in(status))
    return status


def _status(stdout: str, name: str, api_version: str) -> dict[str, Any]:
    try:
        data = json.loads(stdout)
    except ValueError as e:
        raise _failed(f"credential plugin {name} printed something that is not an "
                      f"ExecCredential: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("status"), dict):
        raise _failed(f"credential plugin {name} printed no ExecCredential status")
    if data.get("apiVersion") != api_version:
        raise _failed(f"credential plugin {name} answered with apiVersion "
                      f"{data.get('apiVersion')!r}, the kubeconfig asks for {api_version!r}")
    status: dict[str, Any] = data["status"]
    if "token" not in status and "clientCertificateData" not in status:
        raise _failed(f"credential plugin {name} gave neither a token nor a certificate")
    return status


class _KeepLogs(logging.Handler):
    """The kubernetes package logs a plugin's failure with logging.error, which would land on
    the TUI's screen: keep such lines for the screen instead."""

    def emit(self, record: logging.LogRecord) -> None:
        notes.append(record.getMessage()[:500])


def install() -> None:
    """Route the kubernetes package's exec plugin runs through `run_plugin` (once)."""
    from kubernetes.config import exec_provider

    provider = exec_provider.ExecProvider
    if getattr(provider, "_fleettui", False):
        return

    def run(self: Any, previous_response: object = None) -> dict[str, Any]:
        cluster = self.cluster.value if getattr(self, "cluster", None) is not None else None
        extra = {k: v for k, v in self.env.items() if os.environ.get(k) != v}
        try:
            return run_plugin(self.args, self.env, self.cwd, self.api_version, cluster, extra)
        except PluginError as e:
            from kubernetes.config.config_exception import ConfigException

            raise ConfigException(str(e)) from e

    setattr(provider, "run", run)  # noqa: B010 - patching the package's class on purpose
    setattr(provider, "_fleettui", True)  # noqa: B010
    root = logging.getLogger()
    if not any(isinstance(h, _KeepLogs) for h in root.handlers):
        root.addHandler(_KeepLogs(logging.WARNING))
