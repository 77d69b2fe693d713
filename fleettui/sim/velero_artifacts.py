"""What a simulated Velero uploads beside a backup's tarball: its log, its results and its
resource list, in Velero's formats, so that a client reads them as it would a real bucket's.

* the log: logrus text lines, `time="…" level=info msg="…" backup=velero/NAME logSource="…"`,
  as the backup controller writes them (velero pkg/controller/backup_controller.go,
  pkg/backup/backup.go, pkg/backup/item_collector.go);
* the results: `{"errors": {"velero": [], "cluster": [], "namespaces": {ns: []}},
  "warnings": {…}}` (velero pkg/util/results/results.go), one message per error and warning
  the Backup's status counts;
* the resource list: `{"v1/Pod": ["ns/name", …], "v1/Namespace": ["name"]}`, what the backup
  captured (velero pkg/backup/backup.go, getResourceList).

Restores get the same three (velero pkg/restore/restore.go), the list marking each item
`(created)` or `(skipped)`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from fleettui.model.timefmt import parse_time

Obj = dict[str, Any]
Results = dict[str, Any]


def empty_results() -> Results:
    return {"errors": {}, "warnings": {}}


def _add(results: Results, which: str, scope: str, message: str, namespace: str = "") -> None:
    part = results[which]
    if scope == "namespaces":
        part.setdefault("namespaces", {}).setdefault(namespace, []).append(message)
    else:
        part.setdefault(scope, []).append(message)


def gvk_of(obj: Obj) -> str:
    return f"{obj.get('apiVersion', 'v1')}/{obj.get('kind', '')}"


def item_name(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{ns}/{meta.get('name', '')}" if ns else str(meta.get("name", ""))


def resource_list(items: Iterable[Obj], marks: dict[str, str] | None = None
                  ) -> dict[str, list[str]]:
    """GVK → sorted item names; `marks` (item name → created/skipped) for a restore's list."""
    found: dict[str, list[str]] = {}
    for obj in items:
        name = item_name(obj)
        if marks is not None:
            name = f"{name}({marks.get(f'{gvk_of(obj)} {name}', 'created')})"
        found.setdefault(gvk_of(obj), []).append(name)
    return {gvk: sorted(names) for gvk, names in sorted(found.items())}


def _error_targets(items: list[Obj]) -> list[Obj]:
    """The items simulated failures land on: pods first (volumes, hooks), then anything."""
    pods = [o for o in items if o.get("kind") == "Pod"]
    others = [o for o in items if o.get("kind") not in ("Pod", "Namespace")]
    return pods + others or items


def backup_results(backup: Obj, items: list[Obj]) -> Results:
    """As many per-item errors and warnings as the Backup's status counts."""
    status = backup.get("status") or {}
    results = empty_results()
    errors, warnings = int(status.get("errors") or 0), int(status.get("warnings") or 0)
    if status.get("phase") == "Failed" and errors:
        _add(results, "errors", "velero", str(status.get("failureReason") or "backup failed"))
        errors -= 1
    targets = _error_targets(items)
    for i in range(errors):
        _add_backup_problem(results, "errors", targets, i)
    for i in range(warnings):
        _add_backup_problem(results, "warnings", targets, i + errors)
    return results


def _add_backup_problem(results: Results, which: str, targets: list[Obj], i: int) -> None:
    if not targets:
        _add(results, which, "velero", "simulated problem with no item to blame")
        return
    obj = targets[i % len(targets)]
    meta = obj.get("metadata") or {}
    ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    if which == "errors":
        message = (f"error executing custom action (groupResource=pods, namespace={ns}, "
                   f"name={name}): rpc error: code = Unknown desc = pod volume backup of "
                   f"{ns}/{name} volume data failed: simulated failure (#{i + 1})"
                   if obj.get("kind") == "Pod" else
                   f"error backing up item {gvk_of(obj)} {item_name(obj)}: simulated "
                   f"failure (#{i + 1})")
    else:
        message = (f"volume data in pod {ns}/{name} is not backed up: no volume snapshot "
                   f"location and file system backup is off (#{i + 1})")
    if ns:
        _add(results, which, "namespaces", message, ns)
    else:
        _add(results, which, "cluster", message)


def restore_results(restore: Obj, existed: list[Obj], failure: str = "") -> Results:
    results = empty_results()
    for obj in existed:
        meta = obj.get("metadata") or {}
        message = (f"could not restore, {obj.get('kind')} \"{meta.get('name')}\" already "
                   "exists. Warning: the in-cluster version is different than the backed-up "
                   "version")
        ns = str(meta.get("namespace") or "")
        _add(results, "warnings", "namespaces" if ns else "cluster", message, ns)
    if failure:
        _add(results, "errors", "velero", failure)
    return results


class LogWriter:
    """Lines in logrus's text format, time moving from `start` towards `end`."""

    def __init__(self, subject: str, start: datetime, end: datetime, expected: int) -> None:
        self.subject = subject  # 'backup=velero/NAME' or 'restore=velero/NAME'
        self.start = start
        self.step = max(end - start, timedelta(0)) / max(1, expected)
        self.lines: list[str] = []

    def line(self, level: str, msg: str, source: str, **fields: str) -> None:
        when = self.start + self.step * len(self.lines)
        extra = "".join(f" {k}={_quote(v)}" for k, v in sorted(fields.items()))
        self.lines.append(f'time="{when.strftime("%Y-%m-%dT%H:%M:%SZ")}" level={level} '
                          f'msg={json.dumps(msg)} {self.subject}{extra} '
                          f'logSource="{source}"')


def _quote(value: str) -> str:
    """logrus quotes a value only when it needs it."""
    if value and all(c.isalnum() or c in "-._/:" for c in value):
        return value
    return json.dumps(value)


def backup_log(backup: Obj, items: list[Obj], results: Results) -> list[str]:
    meta, spec, status = backup["metadata"], backup.get("spec") or {}, backup.get("status") or {}
    start = parse_time(status.get("startTimestamp"))
    end = parse_time(status.get("completionTimestamp")) or start
    log = LogWriter(f"backup={meta.get('namespace', 'velero')}/{meta['name']}",
                    start or datetime.now().astimezone(), end or datetime.now().astimezone(),
                    2 * len(items) + 20)
    ctl, bk, coll = ("pkg/controller/backup_controller.go", "pkg/backup/backup.go",
                     "pkg/backup/item_collector.go")
    log.line("info", "Setting up backup temp file", f"{ctl}:663")
    log.line("info", "Setting up plugin manager", f"{ctl}:670")
    log.line("info", "Getting backup item actions", f"{ctl}:674")
    log.line("info", "Setting up backup store to check for backup existence", f"{ctl}:680")
    log.line("info", "Writing backup version file", f"{bk}:303")
    log.line("info", "Including namespaces: " + ", ".join(
        spec.get("includedNamespaces") or ["*"]), f"{bk}:309")
    log.line("info", "Excluding namespaces: " + (", ".join(
        spec.get("excludedNamespaces") or []) or "<none>"), f"{bk}:310")
    log.line("info", "Including resources: " + ", ".join(
        spec.get("includedResources") or ["*"]), "pkg/util/collections/includes_excludes.go:506")
    log.line("info", "Excluding resources: " + (", ".join(
        spec.get("excludedResources") or []) or "<none>"),
        "pkg/util/collections/includes_excludes.go:507")
    log.line("info", "Backing up all volumes using pod volume backup: false", f"{bk}:317")
    for gvk in resource_list(items):
        group = gvk.rsplit("/", 1)[0]
        log.line("info", "Getting items for resource", f"{coll}:266", group=group,
                 resource=gvk.rsplit("/", 1)[1].lower() + "s")
    log.line("info", f"Collected {len(items)} items matching the backup spec from the "
             "Kubernetes API (actual number of items backed up may be more or less depending "
             "on velero.io/exclude-from-backup annotation, plugins returning additional "
             "related items to back up, etc.)", f"{bk}:489", progress="")
    failed = _failed_items(results)
    for n, obj in enumerate(items, start=1):
        m = obj.get("metadata") or {}
        where = {"name": str(m.get("name", "")), "namespace": str(m.get("namespace", "")),
                 "resource": str(obj.get("kind", "")).lower() + "s"}
        log.line("info", "Processing item", f"{bk}:546", progress="", **where)
        log.line("info", "Backing up item", "pkg/backup/item_backupper.go:179", **where)
        for message in failed.get(item_name(obj), []):
            log.line("error", "Error backing up item", f"{bk}:553", error=message, **where)
        log.line("info", f"Backed up {n} items out of an estimated total of {len(items)} "
                 "(estimate will change throughout the backup)", f"{bk}:598", progress="",
                 **where)
    for message in results["warnings"].get("cluster", []) + [
            w for ws in (results["warnings"].get("namespaces") or {}).values() for w in ws]:
        log.line("warning", message, "pkg/backup/item_backupper.go:447")
    for message in results["errors"].get("velero", []):
        log.line("error", message, f"{ctl}:789")
    log.line("info", f"Backed up a total of {len(items)} items", f"{bk}:626", progress="")
    return log.lines


def _failed_items(results: Results) -> dict[str, list[str]]:
    """Item name → its error messages (the simulated messages name the item)."""
    found: dict[str, list[str]] = {}
    for ns, messages in (results["errors"].get("namespaces") or {}).items():
        for message in messages:
            name = message.split("name=", 1)[1].split(")", 1)[0] if "name=" in message else ""
            found.setdefault(f"{ns}/{name}", []).append(message)
    return found


def restore_log(restore: Obj, items: list[Obj], existed: list[Obj], failure: str) -> list[str]:
    meta, spec, status = restore["metadata"], restore.get("spec") or {}, restore.get("status") or {}
    start = parse_time(status.get("startTimestamp")) or datetime.now().astimezone()
    end = parse_time(status.get("completionTimestamp")) or start
    log = LogWriter(f"restore={meta.get('namespace', 'velero')}/{meta['name']}", start, end,
                    len(items) + 10)
    ctl, rs = "pkg/controller/restore_controller.go", "pkg/restore/restore.go"
    log.line("info", "starting restore", f"{ctl}:545")
    log.line("info", f"Starting restore of backup velero/{spec.get('backupName', '')}",
             f"{rs}:467")
    if failure:
        log.line("error", failure, f"{ctl}:563")
        return log.lines
    skipped = {item_name(o) for o in existed}
    for obj in items:
        m = obj.get("metadata") or {}
        name = item_name(obj)
        log.line("info", f"Restoring resource '{str(obj.get('kind', '')).lower()}s' into "
                 f"namespace '{m.get('namespace', '')}'", f"{rs}:2418")
        if name in skipped:
            log.line("warning", f"could not restore, {obj.get('kind')} \"{m.get('name')}\" "
                     "already exists. Warning: the in-cluster version is different than the "
                     "backed-up version", f"{rs}:1621")
        else:
            log.line("info", f"Attempting to restore {obj.get('kind')}: {m.get('name')}",
                     f"{rs}:1579")
    log.line("info", "restore completed", f"{ctl}:620")
    return log.lines


