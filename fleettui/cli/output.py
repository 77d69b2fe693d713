"""Plain-text output of the scriptable CLI: exit codes, one-line errors, YAML/JSON, tables, and
the change printer that `status --watch` and `--wait` stream through.

Rules: data goes to stdout, everything about the run (errors, warnings, watch state lines that
start with ``#``) to stderr; an error is one line ``fleettui: <field or cluster>: <message>``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn, TextIO

import yaml

from fleettui.kube.errors import KubeError
from fleettui.kube.resources import PROBLEMS, SYNCED, Resource
from fleettui.live.delete_plans import DeletePlan, DeleteResult, plan_lines
from fleettui.live.store import LiveStore
from fleettui.model.restore import BackupChoice
from fleettui.model.status import PHASE_SYMBOLS, ClusterRow

EXIT_OK = 0
EXIT_FAILED = 1  # --wait / --until-done: a backup failed or partially failed, or a timeout
EXIT_NOT_FOUND = 1  # the object named does not exist (kubectl's NotFound exit code)
EXIT_USAGE = 2  # bad input, a missing kubeconfig or an unknown context: one line naming the flag
EXIT_API = 3  # the API server refused or could not be reached
EXIT_INTERNAL = 70  # a bug in fleettui (EX_SOFTWARE); still one line, never a traceback
PROG = "fleettui"

Obj = dict[str, Any]


class CliError(Exception):
    """A user-facing failure: printed as one line, mapped to an exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def usage(flag: str, message: str) -> CliError:
    return CliError(f"{flag}: {message}", EXIT_USAGE)


class CliParser(argparse.ArgumentParser):
    """argparse with kubectl-like errors: one line on stderr and exit 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()
        where = f"{command}: " if command else ""
        self.exit(EXIT_USAGE, f"{PROG}: {where}{message} (see: {self.prog} --help)\n")


def say(text: str, out: TextIO | None = None) -> None:
    """One write per line, flushed: lines stay whole when read from another thread or a pipe."""
    stream = out or sys.stdout
    stream.write(text + "\n")
    stream.flush()


def warn(text: str) -> None:
    say(f"{PROG}: {text}", sys.stderr)


def error_lines(e: KubeError | CliError) -> list[str]:
    if isinstance(e, CliError):
        return [f"{PROG}: {line}" for line in e.message.splitlines()]
    lines = [f"{PROG}: {e}"]
    for cause in e.causes:
        where = cause.get("field") or cause.get("reason") or "object"
        lines.append(f"  {where}: {cause.get('message', '')}")
    return lines


def print_error(e: KubeError | CliError) -> None:
    for line in error_lines(e):
        say(line, sys.stderr)


def report_delete(result: DeleteResult, plan: DeletePlan, kind_name: str, dry_run: bool,
                  per_cluster: bool = False) -> int:
    """What was deleted where (`per_cluster`: a line per context, else kubectl's one line),
    then what the controllers delete and what stays: the plan the TUI's dialog shows. One
    refused step alone is raised, so its exit code is the API's."""
    failed = [r for r in result.results if not r.ok]
    if len(result.results) == 1 and failed and failed[0].error is not None:
        raise failed[0].error
    suffix = " (server dry run)" if dry_run else ""
    if not per_cluster:
        say(f'{kind_name} "{plan.name}" deleted{suffix}')
    for r in result.results:
        if r.ok and per_cluster:
            say(f"{r.cluster}: {r.message}{suffix}")
        elif not r.ok:
            say(f"{PROG}: {r.cluster}: {r.message}", sys.stderr)
    for line in plan_lines(plan):
        say(line)
    return EXIT_API if failed else EXIT_OK


def print_choices(choices: Iterable[BackupChoice]) -> None:
    """Which backup a restore takes in each cluster (a schedule's newest Completed run)."""
    for c in choices:
        caution = f" ({c.note})" if c.note else ""
        say(f"# {c.cluster}: restores from Velero backup {c.velero_name}{caution}", sys.stderr)


# ---- objects ---------------------------------------------------------------------------------
def as_list(items: Sequence[Obj]) -> Obj:
    return {"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {}}


def dump(obj: Any, fmt: str) -> str:
    """`obj` as YAML (keys in the object's own order) or indented JSON, no trailing newline."""
    if fmt == "json":
        return json.dumps(obj, indent=2, ensure_ascii=False)
    return yaml.safe_dump(obj, sort_keys=False, allow_unicode=True).rstrip("\n")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Left-aligned columns separated by 3 spaces, as kubectl prints them."""
    body = [list(headers), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in body) for i in range(len(headers))]
    return "\n".join("   ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
                     for r in body)


def phase_word(state: str, phase: str = "") -> str:
    return f"{PHASE_SYMBOLS.get(state, '?')} {phase or state}"


def reason_lines(rows: Iterable[ClusterRow]) -> list[str]:
    """`CLUSTER: reason` under a status table, for every row that is not Completed, and
    where the figures are Kurator's copy rather than the member's own object."""
    lines = []
    for r in rows:
        said = [r.reason] if r.reason else []
        if r.source == "kurator":
            said.append(KURATOR_COPY)
        if said:
            lines.append(f"{r.cluster_name or r.velero_name}: {'; '.join(said)}")
    return lines


def items_text(row: ClusterRow) -> str:
    return "-" if row.items_total is None else f"{row.items_done or 0}/{row.items_total}"


# ---- streaming changes -----------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC)


# Where a row's figures come from: the member's own Velero object, or Kurator's copy of it
# (status.backupDetails, refreshed every 30 s while unfinished; used when the member cannot
# be read, and for finished runs Kurator already recorded).
SOURCES = {"velero": "member", "kurator": "kurator"}
KURATOR_COPY = "Kurator's copy, up to 30 s old: the member itself was not read"


@dataclass
class ChangePrinter:
    """Prints a line per cluster whenever its (phase, items done, errors, warnings) changes.

    ``table``: ``HH:MM:SS  CLUSTER  PHASE  ITEMS  ERRORS/WARNINGS`` plus an overall line when
    the overall state changes; ``jsonl``: one JSON object per change. State lines (``# ...``)
    go to stderr, each printed once per change of state.
    """

    name: str
    fmt: str = "table"
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    seen: dict[str, tuple[str, int | None, int, int]] = field(default_factory=dict)
    overall: str = ""
    notes: dict[str, str] = field(default_factory=dict)

    def rows(self, rows: Sequence[ClusterRow], overall: str) -> int:
        printed = 0
        now = _now()
        for row in rows:
            cluster = row.cluster_name or row.velero_name
            if not cluster:
                continue
            phase = row.phase_display or row.state
            key = (phase, row.items_done, row.errors, row.warnings)
            if self.seen.get(cluster) == key:
                continue
            self.seen[cluster] = key
            printed += 1
            if self.fmt == "jsonl":
                say(json.dumps({
                    "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "backup": self.name,
                    "cluster": cluster, "phase": phase, "state": row.state,
                    "items_done": row.items_done, "items_total": row.items_total,
                    "errors": row.errors, "warnings": row.warnings, "reason": row.reason,
                    "source": SOURCES.get(row.source, ""), "overall": overall}), self.out)
            else:
                why = f"  — {row.reason}" if row.reason else ""
                if row.source == "kurator":
                    why += f"  [{KURATOR_COPY}]"
                say(f"{now.astimezone():%H:%M:%S}  {cluster:<20} {phase_word(row.state, phase):<20}"
                    f" {items_text(row):>9} items  {row.errors} errors  {row.warnings} warnings"
                    f"{why}", self.out)
        if overall != self.overall:
            self.overall = overall
            if self.fmt != "jsonl" and rows:
                say(f"{now.astimezone():%H:%M:%S}  overall: {phase_word(overall)}", self.out)
        return printed

    def note(self, key: str, text: str) -> None:
        """A state line for `key` (a feed); "" means fine. Printed only when it changes."""
        before = self.notes.get(key, "")
        if text == before:
            return
        self.notes[key] = text
        if text:
            say(f"# {text}", self.err)
        elif before:
            say(f"# watching again: {key}", self.err)

    def feed_notes(self, store: LiveStore, feeds: Iterable[tuple[str, Resource]]) -> None:
        for cluster, res in feeds:
            state, message = store.state_of(cluster, res)
            key = f"{cluster}: {res.plural}.{res.group}"
            if state in PROBLEMS:  # credentials: says what happened and what to do
                self.note(key, f"{state}: {cluster}: {res.plural}.{res.group}: {message}")
            elif state == SYNCED:
                self.note(key, "")
