"""Velero's files in object storage (logs, results, resource lists), fetched as the velero CLI
does (velero pkg/cmd/util/downloadrequest/downloadrequest.go): create a DownloadRequest
`<name>-<uuid>`, wait until Velero writes a presigned URL into its status, GET that URL and
gunzip the body.

Every way this goes wrong ends, within the limits given, in one KubeError whose message says
which: Velero never processed the request, the URL answers 404 (nothing was uploaded), the URL
had expired, Velero set another phase (Failed), or the object store could not be reached.
Calls block: the UI runs them in worker threads.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import urllib3

from fleettui.kube.errors import KubeError
from fleettui.kube.resources import VELERO_DOWNLOAD_REQUESTS
from fleettui.model.timefmt import parse_time

if TYPE_CHECKING:
    from fleettui.kube.client import KubeClient

BACKUP_LOG = "BackupLog"
BACKUP_RESULTS = "BackupResults"
BACKUP_RESOURCE_LIST = "BackupResourceList"
RESTORE_LOG = "RestoreLog"
RESTORE_RESULTS = "RestoreResults"
RESTORE_RESOURCE_LIST = "RestoreResourceList"
WHAT = {BACKUP_LOG: "the log of backup", BACKUP_RESULTS: "the results of backup",
        BACKUP_RESOURCE_LIST: "the resource list of backup", RESTORE_LOG: "the log of restore",
        RESTORE_RESULTS: "the results of restore",
        RESTORE_RESOURCE_LIST: "the resource list of restore"}
MAX_NAME = 253 - 37  # the request is `<target>-<uuid>`, a name of at most 253 characters


@dataclass(frozen=True)
class Limits:
    """The velero CLI waits 1 min for a log's URL and 30 s for describe's; we wait 30 s for
    either, and give the GET its own limit (connect + whole body)."""

    processed_within: float = 30.0
    fetch_within: float = 60.0
    poll_min: float = 0.05
    poll_max: float = 0.5


DEFAULT = Limits()


class Cancelled(Exception):
    """The caller stopped waiting (a screen closed)."""


def fetch_file(client: KubeClient, namespace: str, kind: str, name: str,
               limits: Limits = DEFAULT, cancelled: Callable[[], bool] = lambda: False
               ) -> bytes:
    """The file `kind` of Backup/Restore `name`, unzipped; KubeError saying what failed."""
    what = f"{WHAT.get(kind, kind)} {name}"
    request = _create(client, namespace, kind, name, what)
    req_name = str(request["metadata"]["name"])
    try:
        url, expiration = _wait_for_url(client, namespace, req_name, what, limits, cancelled)
        body = _get(url, expiration, what, limits.fetch_within, client.name)
    finally:
        _forget(client, namespace, req_name)
    return _gunzip(body, what, client.name)


def fetch_json(client: KubeClient, namespace: str, kind: str, name: str,
               limits: Limits = DEFAULT, cancelled: Callable[[], bool] = lambda: False
               ) -> Any:
    data = fetch_file(client, namespace, kind, name, limits, cancelled)
    try:
        return json.loads(data)
    except ValueError as e:
        raise KubeError(0, "BadDownload", f"{WHAT.get(kind, kind)} {name} is not JSON: {e}",
                        [], client.name) from e


def request_manifest(namespace: str, kind: str, name: str) -> dict[str, Any]:
    return {"apiVersion": VELERO_DOWNLOAD_REQUESTS.api_version, "kind": "DownloadRequest",
            "metadata": {"name": f"{name[:MAX_NAME]}-{uuid.uuid4()}", "namespace": namespace},
            "spec": {"target": {"kind": kind, "name": name}}}


def _create(client: KubeClient, namespace: str, kind: str, name: str, what: str
            ) -> dict[str, Any]:
    try:
        return client.create(VELERO_DOWNLOAD_REQUESTS, request_manifest(namespace, kind, name))
    except KubeError as e:
        e.message = f"cannot ask Velero for {what}: {e.message}"
        raise


def _wait_for_url(client: KubeClient, namespace: str, req_name: str, what: str, limits: Limits,
                  cancelled: Callable[[], bool]) -> tuple[str, datetime | None]:
    deadline = time.monotonic() + limits.processed_within
    pause = limits.poll_min
    while True:
        if cancelled():
            raise Cancelled()
        left = deadline - time.monotonic()
        if left <= 0:
            raise KubeError(504, "DownloadNotProcessed", (
                f"Velero did not process the DownloadRequest for {what} within "
                f"{limits.processed_within:g}s (is Velero running here, and its backup storage "
                "location available?)"), [], client.name)
        status = _status(client, namespace, req_name, min(left, 5.0)) or {}
        phase = str(status.get("phase") or "")
        url = str(status.get("downloadURL") or "")
        if url:
            return url, parse_time(status.get("expiration"))
        if phase not in ("", "New", "Processed"):
            raise KubeError(500, "DownloadFailed", (
                f"Velero set the DownloadRequest for {what} to phase {phase} without a "
                "download URL (see the velero server's log)"), [], client.name)
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(limits.poll_max, pause * 2)


def _status(client: KubeClient, namespace: str, req_name: str, timeout: float
            ) -> dict[str, Any] | None:
    """The request's status; None when this one poll failed (the next one may not)."""
    path = VELERO_DOWNLOAD_REQUESTS.path(namespace, req_name)
    try:
        resp = client.open("GET", path, timeout=(min(timeout, 5.0), timeout))
        data = resp.data
    except (KubeError, urllib3.exceptions.HTTPError):
        return None
    if resp.status == 404:
        raise KubeError(404, "DownloadDeleted", f"DownloadRequest {req_name} was deleted "
                        "before Velero processed it", [], client.name)
    if not 200 <= resp.status < 300:
        raise client.refused(resp.status, data, resp.headers)
    try:
        status = json.loads(data).get("status") or {}
    except (ValueError, AttributeError):
        return None
    return status if isinstance(status, dict) else None


def _get(url: str, expiration: datetime | None, what: str, within: float, cluster: str
         ) -> bytes:
    where = urlsplit(url)
    key = where.path.lstrip("/")
    if expiration is not None and expiration < datetime.now(UTC):
        raise _expired(what, expiration, cluster)
    deadline = time.monotonic() + within
    http = urllib3.PoolManager(retries=False)
    try:
        resp = http.request("GET", url, preload_content=False,
                            timeout=urllib3.Timeout(connect=min(5.0, within), read=within))
        chunks = []
        for chunk in resp.stream(1 << 16):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise KubeError(504, "DownloadTooSlow", (
                    f"{what}: the object store at {where.netloc} did not send it all within "
                    f"{within:g}s"), [], cluster)
        body = b"".join(chunks)
    except urllib3.exceptions.HTTPError as e:
        raise KubeError(0, "ObjectStoreUnreachable", (
            f"cannot fetch {what} from the object store at {where.netloc}: {_short(e)} (the URL "
            "Velero signs must be reachable from here: see publicUrl in the storage "
            "location's config)"), [], cluster) from e
    finally:
        http.clear()
    if resp.status == 404:
        raise KubeError(404, "NothingUploaded", (
            f"{what}: nothing was uploaded (the object store has no {key}): the run may not "
            "have finished, or its upload failed"), [], cluster)
    if resp.status in (400, 403) and b"xpire" in body:
        raise _expired(what, _url_expiry(url), cluster)
    if resp.status != 200:
        raise KubeError(resp.status, "DownloadRefused", (
            f"the object store refused {what} (HTTP {resp.status}): "
            f"{body[:300].decode(errors='replace').strip()}"), [], cluster)
    return body


def _expired(what: str, expiration: datetime | None, cluster: str) -> KubeError:
    when = f" at {expiration.strftime('%H:%M:%S UTC')}" if expiration else ""
    return KubeError(410, "DownloadURLExpired", (
        f"the download URL for {what} had expired{when} before it was fetched (check this "
        "machine's clock against the object store's; try again)"), [], cluster)


def _url_expiry(url: str) -> datetime | None:
    """When a presigned URL runs out: S3's X-Amz-Date + X-Amz-Expires, GCS's Expires."""
    query = parse_qs(urlsplit(url).query)
    try:
        if "X-Amz-Date" in query:
            signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
            return signed.replace(tzinfo=UTC) + timedelta(
                seconds=int(query.get("X-Amz-Expires", ["0"])[0]))
        if "Expires" in query:
            return datetime.fromtimestamp(int(query["Expires"][0]), UTC)
    except (ValueError, IndexError):
        return None
    return None


def _gunzip(body: bytes, what: str, cluster: str) -> bytes:
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as e:
        raise KubeError(0, "BadDownload", f"{what} is not gzip data: {e}", [], cluster) from e


def _forget(client: KubeClient, namespace: str, req_name: str) -> None:
    """Delete the request once used, as the velero CLI did before v1.4 (its controller deletes
    any left over when it expires, so a refusal here costs nothing)."""
    try:
        resp = client.open("DELETE", VELERO_DOWNLOAD_REQUESTS.path(namespace, req_name),
                           timeout=(2.0, 3.0))
        resp.release_conn()
    except (KubeError, urllib3.exceptions.HTTPError):
        pass




def _short(e: Exception) -> str:
    text = str(getattr(e, "reason", "") or e)
    return text.rsplit(": ", 1)[-1][:200] or type(e).__name__
