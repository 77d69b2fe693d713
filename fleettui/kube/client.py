"""A thin, generic REST client over the official `kubernetes` client's auth and transport.

The official client does kubeconfig parsing, credentials (tokens, certificates, exec plugins) and
TLS; above that we speak plain JSON to resource paths, which works for every kind we touch
(Kurator and Velero CRDs as well as core types) without generated model classes. Calls block:
the UI runs them in worker threads, never on its event loop.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import urllib3
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.config.config_exception import ConfigException

from fleettui.kube import exec_credentials
from fleettui.kube.errors import UNTRUSTED, KubeError, from_status_body, unreachable
from fleettui.kube.resources import (
    ATTACHED_CLUSTERS,
    FLEETS,
    KURATOR_BACKUPS,
    KURATOR_RESTORES,
    NAMESPACES,
    PODS,
    SECRETS,
    VELERO_BACKUPS,
    VELERO_BSLS,
    VELERO_DELETE_REQUESTS,
    VELERO_SCHEDULES,
    Resource,
)

__all__ = [
    "ATTACHED_CLUSTERS", "FLEETS", "KURATOR_BACKUPS", "KURATOR_RESTORES", "NAMESPACES", "PODS",
    "SECRETS", "VELERO_BACKUPS", "VELERO_BSLS", "VELERO_DELETE_REQUESTS", "VELERO_SCHEDULES",
    "KubeClient", "Resource", "list_contexts",
]
Obj = dict[str, Any]
CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 20.0
MAX_THROTTLED = 5  # retries of a request the server throttled (429)
THROTTLE_WAIT_MAX = 10.0  # s: the longest Retry-After honoured before one retry


_contexts_read: dict[tuple[str, int, int], tuple[list[str], str | None]] = {}
_contexts_lock = threading.Lock()


def list_contexts(kubeconfig: str | None = None) -> tuple[list[str], str | None]:
    """Context names and the current one; raises KubeError on a missing or broken file.
    A named file is parsed once per version (size and mtime): reaching each member asks, and
    parsing a kubeconfig of 1,000 contexts takes seconds."""
    key = None
    if kubeconfig:
        with contextlib.suppress(OSError):
            st = os.stat(kubeconfig)
            key = (kubeconfig, st.st_mtime_ns, st.st_size)
    with _contexts_lock:  # members reached in parallel: one parses, the others wait for it
        seen = _contexts_read.get(key) if key is not None else None
        if seen is not None:
            return list(seen[0]), seen[1]
        data = _parsed_file(kubeconfig) if kubeconfig else None
        if data is not None:
            current = data.get("current-context")
            return [str(c.get("name")) for c in data["contexts"]], str(current) if current else None
        try:
            contexts, current = k8s_config.list_kube_config_contexts(config_file=kubeconfig)
        except (ConfigException, OSError, TypeError, ValueError, yaml.YAMLError) as e:
            raise KubeError(0, "Config", f"cannot read kubeconfig: {e}") from e
        found = [c["name"] for c in contexts], (current or {}).get("name")
        if key is not None:
            _contexts_read.clear()  # only the newest version of one file is worth keeping
            _contexts_read[key] = found
    return list(found[0]), found[1]


_parsed: dict[tuple[str, int, int], dict[str, Any] | None] = {}
_parsed_lock = threading.Lock()


def _parsed_file(path: str) -> dict[str, Any] | None:
    """One kubeconfig file as parsed YAML, once per version (libyaml where installed: a file
    of 1,001 contexts takes PyYAML's pure-Python parser seconds); None when it is not one
    plain file of the usual shape (the kubernetes client's reader then says what is wrong)."""
    if os.pathsep in path:
        return None
    try:
        st = os.stat(os.path.expanduser(path))
    except OSError:
        return None
    key = (path, st.st_mtime_ns, st.st_size)
    with _parsed_lock:
        if key not in _parsed:
            import yaml

            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            try:
                with open(os.path.expanduser(path), encoding="utf-8") as f:
                    data = yaml.load(f, Loader=loader)  # a safe loader, C or Python
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                data = None
            usual = isinstance(data, dict) and all(
                isinstance(data.get(k), list) and all(isinstance(e, dict) for e in data[k])
                for k in ("contexts", "clusters", "users"))
            _parsed.clear()  # the newest version of one file is what is read again
            _parsed[key] = data if usual else None
        return _parsed[key]


def _context_config(path: str, context: str | None) -> dict[str, Any] | None:
    """The part of a kubeconfig file one context needs (itself, its cluster, its user), for
    the client's loader to read at once; None: let the loader read the file (and say why)."""
    data = _parsed_file(path)
    if data is None:
        return None
    name = context or data.get("current-context")

    def named(kind: str, wanted: object) -> list[dict[str, Any]]:
        return [copy.deepcopy(e) for e in data[kind] if e.get("name") == wanted][:1]

    contexts = named("contexts", name)
    if not contexts or not isinstance(contexts[0].get("context"), dict):
        return None
    ref = contexts[0]["context"]
    return {"apiVersion": "v1", "kind": "Config", "current-context": name,
            "contexts": contexts, "clusters": named("clusters", ref.get("cluster")),
            "users": named("users", ref.get("user")), "preferences": {}}


def context_servers(kubeconfig: str | None = None) -> dict[str, str]:
    """Each context's server URL, read as plain YAML from the kubeconfig file(s)."""
    import yaml

    paths = [kubeconfig] if kubeconfig else [
        p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p] or ["~/.kube/config"]
    clusters: dict[str, str] = {}
    contexts: dict[str, str] = {}
    for path in paths:
        data = _parsed_file(path)
        if data is None:
            try:
                with open(os.path.expanduser(path), encoding="utf-8") as f:
                    data = yaml.safe_load(f)
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                continue
        if not isinstance(data, dict):
            continue
        for c in data.get("clusters") or []:
            if isinstance(c, dict) and isinstance(c.get("cluster"), dict):
                clusters.setdefault(str(c.get("name")), str(c["cluster"].get("server") or ""))
        for c in data.get("contexts") or []:
            if isinstance(c, dict) and isinstance(c.get("context"), dict):
                contexts.setdefault(str(c.get("name")), str(c["context"].get("cluster") or ""))
    return {name: clusters[cluster] for name, cluster in contexts.items() if cluster in clusters}


Loader = Callable[[], k8s_client.Configuration]


class KubeClient:
    """One cluster (one kubeconfig context).

    `source` names where its credentials come from (a kubeconfig path, a Secret), for messages;
    `loader` re-reads them: after the server's CA or the user's token changed (a re-installed
    server, a rotated kubeconfig) `reload` swaps in a client built from what is there now."""

    def __init__(self, api: k8s_client.ApiClient, name: str, source: str = "the kubeconfig",
                 loader: Loader | None = None) -> None:
        self.api = api
        self.name = name
        self.source = source
        self.loader = loader
        self.generation = 0  # bumped by each reload that changed something
        self._fingerprint = _fingerprint(api.configuration)
        self._reload_lock = threading.Lock()

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str | None = None,
                        context: str | None = None) -> KubeClient:
        path = os.path.expanduser(kubeconfig or os.environ.get("KUBECONFIG", "").split(
            os.pathsep)[0] or "~/.kube/config")

        def load() -> k8s_client.Configuration:
            cfg = k8s_client.Configuration()
            small = _context_config(kubeconfig, context) if kubeconfig else None
            try:
                with exec_credentials.loading_for(context or ""):
                    if small is not None:  # one file: read once, not once per client
                        k8s_config.kube_config.KubeConfigLoader(
                            config_dict=small, active_context=small["current-context"],
                            config_base_path=os.path.dirname(os.path.abspath(path)),
                            temp_file_path=credentials_dir()).load_and_set(cfg)
                    else:
                        k8s_config.load_kube_config(
                            config_file=kubeconfig, context=context, client_configuration=cfg,
                            persist_config=False, temp_file_path=credentials_dir())
            except (ConfigException, OSError, TypeError, ValueError, yaml.YAMLError) as e:
                raise KubeError(0, "Config", f"cannot load kubeconfig context {context}: {e}",
                                [], context or "") from e
            return cfg

        return cls(_api_client(load()), context or "", path, load)

    @classmethod
    def from_kubeconfig_text(cls, text: str, name: str,
                             reread: Callable[[], str] | None = None) -> KubeClient:
        """A client from a kubeconfig held in a Secret (AttachedCluster credentials);
        `reread` fetches the Secret's text again for a reload."""
        source = f"the kubeconfig secret of {name}"
        loader = (lambda: _config_from_text(reread(), name)) if reread else None
        return cls(_api_client(_config_from_text(text, name)), name, source, loader)

    def close(self) -> None:
        """Close every connection now (in use: when its request ends). The kubernetes client's
        own close only forgets its pools (urllib3 2's PoolManager.clear closes none), and a
        forgotten pool's sockets stay open until the pool is garbage (never, once frozen)."""
        _close_api(self.api)

    def drop_idle(self) -> None:
        """Close the pooled connections not in use (a streaming watch keeps its own): a
        one-off list must not leave an idle socket per member open. The pools stay usable."""
        for pool in _pools(self.api):
            _close_idle(pool)

    def reload(self, seen: int) -> bool:
        """Re-read the credentials after a failure seen at generation `seen`; True when the
        client now differs (a new CA, token or server: worth retrying at once). Raises KubeError
        when they cannot be read."""
        if self.loader is None:
            return False
        with self._reload_lock:
            if self.generation != seen:
                return True  # another watch on this client reloaded it meanwhile
            exec_credentials.forget()  # a plugin's token was refused: ask the plugin again
            cfg = self.loader()
            fingerprint = _fingerprint(cfg)
            if fingerprint == self._fingerprint:
                return False
            old, self.api = self.api, _api_client(cfg)
            self._fingerprint = fingerprint
            self.generation += 1
        _close_api(old)
        return True

    # ---- raw requests ------------------------------------------------------------------
    def open(self, method: str, path: str, query: list[tuple[str, str]] | None = None,
             body: Any = None, content_type: str = "application/json",
             timeout: float | tuple[float, float] = (CONNECT_TIMEOUT, REQUEST_TIMEOUT),
             accept: str = "application/json") -> urllib3.BaseHTTPResponse:
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            m, url, hdrs, data, post = self.api.param_serialize(
                method, path, query_params=query or [], header_params=headers, body=body,
                auth_settings=["BearerToken"])
            resp = self.api.call_api(m, url, header_params=hdrs, body=data, post_params=post,
                                     _request_timeout=timeout)
        except urllib3.exceptions.HTTPError as e:
            raise self._unreachable(str(e), _short(e)) from e
        except k8s_client.ApiException as e:  # the client wraps urllib3's SSLError so
            raise self._unreachable(str(e.reason), _short(e.reason)) from e
        raw: urllib3.BaseHTTPResponse = resp.response
        return raw

    def _unreachable(self, text: str, short: str) -> KubeError:
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return KubeError(0, UNTRUSTED, f"the server's certificate is not signed by the CA "
                             f"in {self.source} (server re-installed?)", [], self.name)
        return unreachable(self.name, short)

    def refused(self, status: int, data: Any, headers: Any = None) -> KubeError:
        e = from_status_body(status, data, self.name)
        e.retry_after = _retry_after(headers)
        if status == 401:
            plugin = exec_credentials.last_failure(self.name)
            e.message = (f"unauthorized (401): {plugin}" if plugin else
                         f"token rejected (401 Unauthorized): the credentials in {self.source} "
                         "are not accepted (token expired or rotated, or the server re-installed?)")
        return e

    def request(self, method: str, path: str, query: list[tuple[str, str]] | None = None,
                body: Any = None, content_type: str = "application/json") -> Obj:
        for attempt in range(MAX_THROTTLED + 1):
            resp = self.open(method, path, query, body, content_type)
            try:
                data = resp.data
            except urllib3.exceptions.HTTPError as e:
                raise unreachable(self.name, _short(e)) from e
            if resp.status != 429 or attempt == MAX_THROTTLED:
                break
            # API priority and fairness asks us to come back: as client-go does (it retries
            # up to 10 times), wait what Retry-After says, within reason
            time.sleep(min(THROTTLE_WAIT_MAX, _retry_after(resp.headers) or 1.0))
        if not 200 <= resp.status < 300:
            raise self.refused(resp.status, data, resp.headers)
        try:
            result: Obj = json.loads(data)
        except ValueError as e:
            raise KubeError(resp.status, "BadResponse",
                            f"the server sent something that is not JSON: {e}", [],
                            self.name) from e
        return _drop_managed_fields(result)

    # ---- verbs -------------------------------------------------------------------------
    def get(self, res: Resource, namespace: str | None, name: str) -> Obj:
        return self.request("GET", res.path(namespace, name))

    def list(self, res: Resource, namespace: str | None = None, selector: str = "",
             limit: int = 500) -> Obj:
        """All pages of a list, with the resourceVersion of the first page."""
        query = [("limit", str(limit))]
        if selector:
            query.append(("labelSelector", selector))
        first = self.request("GET", res.path(namespace), query)
        items = list(first.get("items") or [])
        cont = (first.get("metadata") or {}).get("continue")
        while cont:
            page = self.request("GET", res.path(namespace), [*query, ("continue", cont)])
            items += page.get("items") or []
            cont = (page.get("metadata") or {}).get("continue")
        first["items"] = items
        return first

    def create(self, res: Resource, obj: Obj, dry_run: bool = False) -> Obj:
        namespace = (obj.get("metadata") or {}).get("namespace")
        query = [("fieldValidation", "Strict")]
        if dry_run:
            query.append(("dryRun", "All"))
        return self.request("POST", res.path(namespace), query, obj)

    def delete(self, res: Resource, namespace: str | None, name: str,
               dry_run: bool = False) -> Obj:
        query = [("dryRun", "All")] if dry_run else []
        return self.request("DELETE", res.path(namespace, name), query)

    def merge_patch(self, res: Resource, namespace: str | None, name: str, patch: Obj,
                    dry_run: bool = False) -> Obj:
        return self.request("PATCH", res.path(namespace, name),
                            [("dryRun", "All")] if dry_run else [], patch,
                            "application/merge-patch+json")

    def watch_lines(self, res: Resource, namespace: str | None, rv: str, timeout: float,
                    read_timeout: float, selector: str = "",
                    opened: Callable[[urllib3.BaseHTTPResponse], None] | None = None,
                    ) -> Iterator[Obj]:
        """Raw watch events from `rv`; raises KubeError on HTTP errors or a dead stream.
        `opened` gets the response, so a watcher can shut its socket to stop a blocked read."""
        query = [("watch", "1"), ("resourceVersion", rv), ("allowWatchBookmarks", "true"),
                 ("timeoutSeconds", str(int(timeout)))]
        if selector:
            query.append(("labelSelector", selector))
        resp = self.open("GET", res.path(namespace), query,
                         timeout=(CONNECT_TIMEOUT, read_timeout))
        if opened is not None:
            opened(resp)
        try:
            if resp.status != 200:
                raise self.refused(resp.status, resp.data, resp.headers)
            yield from _json_lines(resp, self.name)
        finally:
            resp.release_conn()


def _close_api(api: k8s_client.ApiClient) -> None:
    pools = _pools(api)
    api.close()
    for pool in pools:
        pool.close()


def _pools(api: k8s_client.ApiClient) -> list[urllib3.HTTPConnectionPool]:
    manager = getattr(getattr(api, "rest_client", None), "pool_manager", None)
    if not isinstance(manager, urllib3.PoolManager):
        return []
    found = []
    for key in list(manager.pools.keys()):
        with contextlib.suppress(KeyError):  # evicted meanwhile
            found.append(manager.pools[key])
    return found


def _close_idle(pool: urllib3.HTTPConnectionPool) -> None:
    """Close the connections waiting in the pool's queue; their slots stay (as None, what
    urllib3 keeps for a connection not made yet), so the pool works on as before."""
    waiting = pool.pool
    if waiting is None:  # closed
        return
    taken = 0
    while True:
        try:
            conn = waiting.get(block=False)
        except queue.Empty:
            break
        taken += 1
        if conn is not None:
            conn.close()
    for _ in range(taken):
        try:
            waiting.put(None, block=False)
        except queue.Full:  # a connection came back meanwhile and took the slot
            break


def _retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (API priority and fairness sends it with 429)."""
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except (TypeError, ValueError):
        return None  # an HTTP date: rare from an API server; the backoff applies


def _drop_managed_fields(obj: Obj) -> Obj:
    """What kubectl hides by default (--show-managed-fields=false): the server's field-ownership
    bookkeeping, often more than half of an object's bytes, kept by no one here."""
    for item in [obj, *(obj.get("items") or [])]:
        meta = item.get("metadata") if isinstance(item, dict) else None
        if isinstance(meta, dict):
            meta.pop("managedFields", None)
    return obj


def _config_from_text(text: str, name: str) -> k8s_client.Configuration:
    import yaml

    try:
        data = yaml.safe_load(text)
        cfg = k8s_client.Configuration()
        loader = k8s_config.kube_config.KubeConfigLoader(config_dict=data,
                                                         temp_file_path=credentials_dir())
        with exec_credentials.loading_for(name):
            loader.load_and_set(cfg)
    except (ConfigException, yaml.YAMLError, TypeError, ValueError, KeyError) as e:
        raise KubeError(0, "Config", f"the kubeconfig secret of {name} is invalid: {e}", [],
                        name) from e
    return cfg


_credentials_dir: list[str] = []


def credentials_dir() -> str:
    """Where the kubernetes client writes the certificates and keys that kubeconfigs and
    Secrets hold inline (its TLS code wants files): a private directory in memory (/dev/shm)
    rather than on disk, removed at exit; the system's temporary directory only where there is
    no /dev/shm."""
    if not _credentials_dir:
        import atexit
        import shutil
        import tempfile

        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        path = tempfile.mkdtemp(prefix="fleettui-credentials-", dir=base)  # mode 0700
        atexit.register(shutil.rmtree, path, True)
        _credentials_dir.append(path)
    return _credentials_dir[0]


def _fingerprint(cfg: k8s_client.Configuration) -> tuple[object, ...]:
    """What a reload must change to be worth a retry: server, credentials and CA (the files
    the client writes for inline data are read, their names change on every load)."""
    def read(path: object) -> bytes:
        try:
            with open(str(path), "rb") as f:
                return f.read()
        except (OSError, TypeError):
            return b""

    return (cfg.host, repr(sorted(cfg.api_key.items())), read(cfg.ssl_ca_cert),
            read(cfg.cert_file), read(cfg.key_file), cfg.verify_ssl, cfg.username)


exec_credentials.install()


def _api_client(cfg: k8s_client.Configuration) -> k8s_client.ApiClient:
    cfg.retries = False  # our own backoff decides when to retry, not urllib3's
    cfg.connection_pool_maxsize = 32  # one connection per watch thread, and some to spare
    return k8s_client.ApiClient(cfg)


def _json_lines(resp: urllib3.BaseHTTPResponse, cluster: str) -> Iterator[Obj]:
    buf = b""
    try:
        for chunk in resp.stream(amt=None, decode_content=False):
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    event = json.loads(line)
                    if isinstance(event, dict) and isinstance(event.get("object"), dict):
                        _drop_managed_fields(event["object"])
                    yield event
    except (urllib3.exceptions.HTTPError, OSError) as e:
        raise unreachable(cluster, f"watch stream broke: {_short(e)}") from e
    except ValueError as e:
        raise KubeError(200, "BadResponse", f"malformed watch event: {e}", [], cluster) from e


_PLAIN = (("Connection refused", "connection refused"), ("timed out", "timed out"),
          ("RemoteDisconnected", "the server closed the connection"),
          ("Connection aborted", "the connection was aborted"),
          ("Connection reset", "the connection was reset"),
          ("Name or service not known", "unknown host name"),
          ("CERTIFICATE_VERIFY_FAILED", "the server's TLS certificate is not trusted"))


def _short(e: object) -> str:
    """urllib3's nested exception text, said plainly."""
    text = str(e)
    for needle, plain in _PLAIN:
        if needle.lower() in text.lower():
            return plain
    return text.split(": ", 1)[-1][:200].replace("\n", " ")
