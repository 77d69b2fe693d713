"""The simulator's object store: an S3-like HTTP server on 127.0.0.1 behind the fleet's one
backup storage location, serving what Velero uploads (logs, results, resource lists, gzipped)
through presigned URLs that expire.

Keys follow Velero's bucket layout (velero pkg/persistence/object_store_layout.go):
`backups/NAME/NAME-logs.gz`, `…-results.gz`, `…-resource-list.json.gz`, and
`restores/NAME/restore-NAME-logs.gz` and so on. A URL carries `X-Amz-Date`, `X-Amz-Expires` and
a signature over both and the key; a GET after its expiry gets S3's 403 `Request has expired`,
a key never uploaded gets S3's 404 `NoSuchKey`, as a real bucket answers.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from fleettui.sim import velero_artifacts as art
from fleettui.sim.listen import bound_socket

Obj = dict[str, Any]
BUCKET = "velero"
AMZ_DATE = "%Y%m%dT%H%M%SZ"

# DownloadRequest target kind → the file's name in the layout, for backups and restores.
BACKUP_FILES = {"BackupLog": "logs.gz", "BackupResults": "results.gz",
                "BackupResourceList": "resource-list.json.gz", "BackupContents": "tar.gz"}
RESTORE_FILES = {"RestoreLog": "logs.gz", "RestoreResults": "results.gz",
                 "RestoreResourceList": "resource-list.json.gz"}


def object_key(kind: str, name: str) -> str:
    """Where Velero keeps the file a DownloadRequest of `kind` for `name` asks for."""
    if kind in RESTORE_FILES:
        return f"restores/{name}/restore-{name}-{RESTORE_FILES[kind]}"
    suffix = BACKUP_FILES.get(kind, kind.lower() + ".json.gz")
    return f"backups/{name}/{name}-{suffix}"


def _gz_json(data: object) -> bytes:
    return gzip.compress(json.dumps(data, indent=None).encode(), mtime=0)


def _gz_lines(lines: list[str]) -> bytes:
    return gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=6, mtime=0)


class ObjectStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.secret = secrets.token_bytes(16)
        self.port = 0
        self.runner: web.AppRunner | None = None
        self.gets: list[tuple[str, int]] = []  # (key, status) of every GET, for tests

    # ---- server ------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_get("/{bucket}/{key:.+}", self.handle_get)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                    shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.SockSite(self.runner, await bound_socket(port))
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _signature(self, key: str, date: str, expires: int) -> str:
        return hmac.new(self.secret, f"{key}\n{date}\n{expires}".encode(),
                        hashlib.sha256).hexdigest()

    def presign(self, key: str, ttl: float, now: datetime | None = None) -> str:
        """A GET URL for `key`, valid `ttl` seconds from `now` (S3 SigV4's query form)."""
        date = (now or datetime.now(UTC)).strftime(AMZ_DATE)
        expires = int(ttl)
        query = urlencode({"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Date": date,
                           "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host",
                           "X-Amz-Signature": self._signature(key, date, expires)})
        return f"{self.url}/{BUCKET}/{quote(key)}?{query}"

    async def handle_get(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        status, body = self._answer(request.match_info["bucket"], key, request.query)
        self.gets.append((key, status))
        if status != 200:
            return web.Response(status=status, body=body, content_type="application/xml")
        return web.Response(body=body, content_type="application/octet-stream")

    def _answer(self, bucket: str, key: str, query: Any) -> tuple[int, bytes]:
        date, expires = str(query.get("X-Amz-Date", "")), str(query.get("X-Amz-Expires", ""))
        try:
            signed = datetime.strptime(date, AMZ_DATE).replace(tzinfo=UTC)
            ttl = int(expires)
        except ValueError:
            return 403, _s3_error("AccessDenied", "Query-string authentication requires the "
                                  "Signature, Expires and Credential parameters", key)
        if not hmac.compare_digest(str(query.get("X-Amz-Signature", "")),
                                   self._signature(key, date, ttl)) or bucket != BUCKET:
            return 403, _s3_error("SignatureDoesNotMatch", "The request signature we "
                                  "calculated does not match the signature you provided.", key)
        if datetime.now(UTC) > signed + timedelta(seconds=ttl):
            return 403, _s3_error("AccessDenied", "Request has expired", key)
        if key not in self.objects:
            return 404, _s3_error("NoSuchKey", "The specified key does not exist.", key)
        return 200, self.objects[key]

    # ---- what Velero uploads -----------------------------------------------------------
    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def put_log(self, kind: str, name: str, lines: list[str]) -> None:
        self.put(object_key(kind, name), _gz_lines(lines))

    def backup_finished(self, backup: Obj, items: list[Obj]) -> None:
        """Upload a finished backup's log, results and resource list (velero
        pkg/controller/backup_controller.go, persistBackup)."""
        name = str(backup["metadata"]["name"])
        results = art.backup_results(backup, items)
        self.put_log("BackupLog", name, art.backup_log(backup, items, results))
        self.put(object_key("BackupResults", name), _gz_json(results))
        if (backup.get("status") or {}).get("phase") != "Failed":  # no tarball, no list
            self.put(object_key("BackupResourceList", name), _gz_json(art.resource_list(items)))

    def restore_finished(self, restore: Obj, items: list[Obj], existed: list[Obj],
                         failure: str = "") -> None:
        name = str(restore["metadata"]["name"])
        self.put_log("RestoreLog", name, art.restore_log(restore, items, existed, failure))
        self.put(object_key("RestoreResults", name),
                 _gz_json(art.restore_results(restore, existed, failure)))
        skipped = {f"{art.gvk_of(o)} {art.item_name(o)}": "skipped" for o in existed}
        self.put(object_key("RestoreResourceList", name),
                 _gz_json(art.resource_list(items, skipped)))

    def remove_backup(self, name: str) -> None:
        """A DeleteBackupRequest removes the backup's whole folder."""
        for key in [k for k in self.objects if k.startswith(f"backups/{name}/")]:
            del self.objects[key]

    def dump(self) -> dict[str, str]:
        return {k: base64.b64encode(v).decode() for k, v in self.objects.items()}

    def load(self, data: dict[str, str]) -> None:
        self.objects = {k: base64.b64decode(v) for k, v in data.items()}


def _s3_error(code: str, message: str, key: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message><Key>{key}</Key><BucketName>{BUCKET}</BucketName>"
            f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>").encode()
