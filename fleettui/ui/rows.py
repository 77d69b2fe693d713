"""Table rows for each screen, derived from the live store (no Textual widgets, no network)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from fleettui.kube import resources as kc
from fleettui.kube.resources import CREDENTIALS, MISSING, PROBLEMS, SYNCED
from fleettui.live import backends
from fleettui.live.storage import storage_notes
from fleettui.model.status import (
    PHASE_SYMBOLS,
    ClusterRow,
)
from fleettui.model.storage import Location, locations, used_location
from fleettui.model.timefmt import clock, parse_time, took
from fleettui.model.velero import synced_from_bucket

if TYPE_CHECKING:
    from fleettui.live.backends import Backend
    from fleettui.live.session import Session
    from fleettui.live.store import Changes

Obj = dict[str, Any]
Row = tuple[str, Sequence[str | Text]]
STYLES = {"Completed": "green", "Failed": "bold red", "PartiallyFailed": "yellow",
          "Running": "cyan", "Pending": "dim", "Waiting": "blue", "Deleting": "magenta",
          "Scheduled": "blue"}


@dataclass
class View:
    rows: list[Row] = field(default_factory=list)
    message: str = ""


def phase_text(state: str, phase: str = "") -> Text:
    """Symbol + words, so it reads without colour; `phase` (Velero's own) when more precise."""
    symbol = PHASE_SYMBOLS.get(state, "?")
    return Text(f"{symbol} {phase or state}", style=STYLES.get(state, ""), no_wrap=True,
                overflow="ellipsis")


def feed_problem(session: Session, cluster: str, res: kc.Resource) -> str:
    return backends.feed_problem(session.store, cluster, res)


STALE = Text("? stale", style="yellow")  # a value read before the connection broke


def connection_text(session: Session | None, status: str) -> Text:
    """The connection line: the app's status, then the worst connection problem in words
    (a kubeconfig that no longer fits says what to do), so no screen looks current when not."""
    text = Text(status, style="dim")
    if session is None:
        return text
    problems = [p for p in session.store.problems() if p[1] != MISSING]
    if not problems:
        return text
    problems.sort(key=lambda p: (PROBLEMS.index(p[1]), p[0] != session.context))  # host first
    cluster, state, message, since = problems[0]
    symbol = "✗" if state == CREDENTIALS else "⟳"
    text.append(f"\n{symbol} {state}: ", style="bold red" if state == CREDENTIALS else "yellow")
    where = "" if message.startswith(cluster) else f"{cluster}: "
    text.append(f"{where}{message}")
    if since is not None:
        text.append(f" (since {clock(since, datetime.now(UTC))})", style="dim")
    others = sorted({c for c, *_ in problems[1:]} - {cluster})
    if others:
        text.append(f"; also {', '.join(others[:3])}{' …' if len(others) > 3 else ''}",
                    style="dim")
    return text


# ---- fleets ----------------------------------------------------------------------------------
Storage = tuple[Text, str, str]


class StorageCache:
    """Each member's storage cell, recomputed only when that member's feeds changed: scanning
    every member's backups on every flush costs 50 ms at 100 members x 1,000 backups."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, bool, bool], Storage] = {}

    def invalidate(self, changes: Changes) -> None:
        for cluster, _ in changes.feeds | changes.states:
            for error in (False, True):
                for limited in (False, True):
                    self.values.pop((cluster, error, limited), None)

    def get(self, session: Session, cluster: str, now: datetime) -> Storage:
        # an access error, a cap reached, are no feed change
        key = (cluster, cluster in session.member_errors, cluster in session.feeds.limited)
        if key not in self.values:
            self.values[key] = member_storage(session, cluster, now)
        return self.values[key]


def fleet_rows(session: Session, now: datetime, cache: StorageCache | None = None) -> View:
    view = View()
    host = session.context or ""
    cache = cache or StorageCache()
    if session.mode != "kurator":
        return context_rows(session, now, cache)
    problem = feed_problem(session, host, kc.FLEETS) or feed_problem(
        session, host, kc.ATTACHED_CLUSTERS)
    stale = bool(problem) and session.store.has_feed(host, kc.FLEETS)
    fleets = sorted(session.store.objects(host, kc.FLEETS), key=_name)
    attached = {_name(a): a for a in session.store.objects(host, kc.ATTACHED_CLUSTERS)}
    for fleet in fleets:
        refs = (fleet.get("spec") or {}).get("clusters") or []
        phase = str((fleet.get("status") or {}).get("phase") or "Pending")
        view.rows.append((f"fleet/{_name(fleet)}", [
            Text(_name(fleet), style="bold"), f"Fleet · {len(refs)}", STALE if stale else phase,
            plugin_text(fleet), "", ""]))
        for ref in refs:
            view.rows.append(member_row(session, fleet, ref, attached,
                                        cache.get(session, str(ref.get("name", "")), now),
                                        stale))
    members = [str(ref.get("name", "")) for fleet in fleets
               for ref in (fleet.get("spec") or {}).get("clusters") or []]
    notes = access_notes(session, members) + storage_notes(session.store, members, now)
    if stale:  # the connection line above says what is wrong; say what it means here
        since = [t for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS)
                 if (t := session.store.down_since(host, res)) is not None]
        view.message = (f"? stale: what is shown is from {clock(min(since), now)}" if since
                        else "? stale: not current")
    elif problem:
        view.message = f"host {host}: {problem}"
    elif not fleets:
        view.message = (f"No fleets in namespace {session.namespace}. Create a Fleet "
                        "(fleet.kurator.dev) with spec.clusters, or use -n to pick another "
                        "namespace.")
    view.message = "\n".join(filter(None, [view.message, *notes]))
    return view


def access_notes(session: Session, members: list[str]) -> list[str]:
    """How members are reached when it is not through their kubeconfig secret, and why none
    works where none does, under the table: members for whom the same thing happened share
    one line (a fleet of hundreds must not push the table off the screen)."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for cluster in dict.fromkeys(members):
        access = session.access.get(cluster)
        if cluster in session.member_errors:
            said = session.member_errors[cluster]
        elif access is not None and access.route is not None and access.failures:
            said = access.said()
        else:
            continue
        key = (cluster in session.member_errors, _generic(said, cluster))
        groups.setdefault(key, []).append(cluster)
    notes = []
    for (failed, generic), clusters in groups.items():
        first = clusters[0]
        said = session.member_errors[first] if failed else session.access[first].said()
        who = first
        if len(clusters) > 1:  # each member's own name where the first one's stood
            who, said = f"{_some(clusters)}, each", generic.replace("\0", MEMBER)
        notes.append(f"✗ {who}: {said} (retrying; --member-context CLUSTER=CONTEXT names a "
                     "context to use)" if failed else f"{who}: {said}")
    return notes


MEMBER = "<member>"


def _generic(said: str, cluster: str) -> str:
    """`said` with the member's name as \\0 where it stands alone or as a host name's label,
    not inside a longer name or word."""
    return re.sub(rf"(?<![\w-]){re.escape(cluster)}(?![\w-])", "\0", said)


def _some(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def context_rows(session: Session, now: datetime, cache: StorageCache) -> View:
    """Plain Velero mode: the kubeconfig's contexts are the fleet."""
    view = View(message=("Kurator's backup.kurator.dev API is not served here: plain Velero "
                         "mode, every kubeconfig context is a member of one fleet."))
    view.rows.append(("fleet/contexts", [Text("kubeconfig", style="bold"),
                                         f"{len(session.contexts)} contexts", "", "", "", ""]))
    for name in session.contexts:
        storage, last, count = cache.get(session, name, now)
        state = session.store.state_of(name, kc.VELERO_BACKUPS)[0]
        reach = Text("✓ yes", style="green") if state in (SYNCED, MISSING) else Text(
            "✗ " + state, style="red")
        view.rows.append((f"member/contexts/{name}", [f"  {name}", "context", reach, storage,
                                                      last, count]))
    view.message = "\n".join([view.message, *storage_notes(session.store, session.contexts,
                                                             now)])
    return view


def plugin_text(fleet: Obj) -> Text:
    """Kurator installs Velero only when the Fleet has spec.plugin.backup (and only to aws or
    huaweicloud object stores; others crash fleet-manager)."""
    backup = ((fleet.get("spec") or {}).get("plugin") or {}).get("backup")
    if not backup:
        return Text("✗ no plugin", style="red")
    provider = str(((backup.get("storage") or {}).get("location") or {}).get("provider", ""))
    if provider not in ("aws", "huaweicloud"):
        return Text(f"✗ {provider or '?'}", style="red")
    return Text(f"✓ {provider}", style="green")


def member_row(session: Session, fleet: Obj, ref: Obj, attached: dict[str, Obj],
               storage_cells: Storage, stale: bool = False) -> Row:
    name = str(ref.get("name", ""))
    kind = str(ref.get("kind") or "Cluster")
    ac = attached.get(name)
    ready = (ac or {}).get("status", {}).get("ready")
    ready_text = STALE if stale else Text("✓ yes", style="green") if ready else Text(
        "✗ no" if ac else "✗ missing", style="red")
    storage, last, count = storage_cells
    return (f"member/{_name(fleet)}/{name}", [f"  {name}", kind, ready_text, storage, last,
                                              count])


def member_storage(session: Session, cluster: str, now: datetime) -> Storage:
    if cluster in session.member_errors:
        return Text("✗ no access", style="red"), "-", "-"
    if cluster in session.feeds.limited:
        return Text(f"· {session.feeds.limited_note}", style="dim"), "-", "-"
    problem = feed_problem(session, cluster, kc.VELERO_BSLS)
    if not problem and session.store.state_of(cluster, kc.VELERO_BACKUPS)[0] in PROBLEMS:
        # locations are listed now and then, backups watched: their watch sees an outage first
        problem = feed_problem(session, cluster, kc.VELERO_BACKUPS)
    if problem.startswith(MISSING):
        return Text("✗ no Velero", style="red"), "-", "-"
    if problem and not session.store.has_feed(cluster, kc.VELERO_BSLS):
        return Text("⟳ " + problem.split(":")[0], style="yellow"), "-", "-"
    bsls = session.store.objects(cluster, kc.VELERO_BSLS)
    if not bsls:
        return Text("✗ none", style="red"), "-", "-"
    storage = storage_cell(locations(cluster, bsls))
    if problem:
        storage = STALE
    # the member's own: with a shared bucket it also lists every other member's backups
    backups = [b for b in session.store.objects(cluster, kc.VELERO_BACKUPS)
               if not synced_from_bucket(b, cluster)]
    done = [parse_time((b.get("status") or {}).get("completionTimestamp")) for b in backups
            if (b.get("status") or {}).get("phase") == "Completed"]
    last = max((d for d in done if d), default=None)
    return storage, clock(last, now), str(len(backups))


def storage_cell(locs: list[Location]) -> Text:
    """The location backups go to (else every one): Unavailable before ReadOnly, since either
    fails a backup there; the note under the table says which location and why."""
    used = used_location(locs)
    shown = [used] if used is not None else locs
    if any(not loc.available for loc in shown):
        return Text("✗ " + ",".join(sorted({loc.phase for loc in shown if not loc.available})),
                    style="red", no_wrap=True, overflow="ellipsis")
    if any(loc.read_only for loc in shown):
        return Text("! ReadOnly", style="yellow")
    return Text("✓ Available", style="green")


# ---- backups ---------------------------------------------------------------------------------
def backup_list(backend: Backend, now: datetime, text_filter: str = "") -> View:
    """The backups list of either mode: one row per backup with its derived overall."""
    view = View()
    listed = backend.backups(text_filter)
    for b in listed:
        done = sum(1 for r in b.status.rows if r.state == "Completed")
        view.rows.append((b.name, [b.name, f"⏱ {b.schedule}" if b.schedule else "once",
                                   b.where, phase_text(b.status.overall),
                                   f"{done}/{len(b.status.rows)}", clock(b.created, now)]))
    problem = backend.list_problem()
    if problem:
        view.message = f"{problem}"
    elif not listed and text_filter:
        view.message = f"No backup matches “{text_filter}”."
    elif not listed:
        view.message = ("No fleet backups yet." if backend.mode == "kurator" else
                        "No Velero backups in any context yet.")
    return view


# ---- one backup's live status ----------------------------------------------------------------
def cluster_status_row(row: ClusterRow, now: datetime) -> list[str | Text]:
    items = "-" if row.items_total is None else f"{row.items_done or 0}/{row.items_total}"
    problems = Text(f"{row.errors}/{row.warnings}",
                    style="red" if row.errors else "yellow" if row.warnings else "")
    return [row.cluster_name, phase_text(row.state, row.phase_display), items, problems,
            clock(row.started, now), took(row, now), clock(row.expires, now)]


MAX_REASONS = 4


def reason_text(rows_: Sequence[ClusterRow], selected: str | None = None) -> Text:
    """Why each cluster is not Completed, one line each (Text: nothing from a cluster is read
    as markup). Beyond MAX_REASONS lines: the selected cluster's first, failures next."""
    why = [r for r in rows_ if r.reason]
    if len(why) > MAX_REASONS:
        rank = {"Failed": 0, "PartiallyFailed": 1}
        why.sort(key=lambda r: (r.cluster_name != selected, rank.get(r.state, 2)))
    text = Text()
    for r in why[:MAX_REASONS]:
        if text:
            text.append("\n")
        text.append(f"{PHASE_SYMBOLS.get(r.state, '?')} ", style=STYLES.get(r.state, ""))
        text.append(r.cluster_name or r.velero_name, style="bold")
        text.append(f": {r.reason}")
    if len(why) > MAX_REASONS:
        text.append(f"\n… {len(why) - MAX_REASONS} more: move the cursor to a cluster to see "
                    "why", style="dim")
    return text


def copy_note(session: Session, rows_: Sequence[ClusterRow]) -> Text:
    """Rows of members whose own objects are not watched (not reached yet, or beyond the
    cap of open members) show Kurator's copy: say which, and why, never silently."""
    feeds = session.feeds
    if not feeds.active:
        return Text()
    copied = [r.cluster_name for r in rows_ if r.source == "kurator" and
              not feeds.is_open(r.cluster_name)]
    if not copied:
        return Text()
    limited = [c for c in copied if c in feeds.limited]
    more = f" … {len(copied) - MAX_REASONS} more" if len(copied) > MAX_REASONS else ""
    text = Text(f"Kurator's copy, up to 30 s old (the member itself is not read): "
                f"{', '.join(copied[:MAX_REASONS])}{more}", style="dim")
    if limited:
        text.append(f"; {len(limited)} {feeds.limited_note}", style="yellow")
    return text


def run_label(velero_name: str) -> str:
    """A scheduled run's name ends in its UTC time (YYYYMMDDhhmmss): show just that."""
    stamp = velero_name.rsplit("-", 1)[-1]
    if len(stamp) == 14 and stamp.isdigit():
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[8:10]}:{stamp[10:12]}:{stamp[12:]}"
    return velero_name


def run_row(cluster: str, row: ClusterRow, now: datetime) -> list[str | Text]:
    return [cluster, run_label(row.velero_name), phase_text(row.state, row.phase_display),
            f"{row.items_done or 0}/{row.items_total or 0}", clock(row.started, now)]


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")
