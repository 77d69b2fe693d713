"""`fleettui storage [-o table|json|yaml]`: every member's Velero BackupStorageLocations: phase,
access mode, last validation and its age, and Velero's message.

Exit codes, for cron jobs and monitoring on the bastion as `check` is: 0 when the location each
member's backups go to (its default) is Available and ReadWrite; 1 when one is Unavailable or
ReadOnly, or a member has none or cannot be read (backups there would end FailedValidation or
not run at all); an extra location that is not the default never fails the command, it is only
listed. 2 for bad input and 3 when the host or kubeconfig cannot be read at all, as elsewhere.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from fleettui.cli.fleet_state import (
    FleetState,
    add_read_options,
    read_fleet,
    unreadable_lines,
    where,
)
from fleettui.cli.formats import add_output_option
from fleettui.cli.output import EXIT_FAILED, EXIT_OK, dump, say, table
from fleettui.live.storage import fleet_locations
from fleettui.model.schedule_health import age_text
from fleettui.model.storage import Location, reason, used_location

HEADERS = ("CLUSTER", "LOCATION", "DEFAULT", "PHASE", "ACCESS", "LAST VALIDATED", "AGE",
           "MESSAGE")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "storage", help="every member's backup storage locations and whether backups can go "
                        "there",
        description="Each member's Velero BackupStorageLocations: phase (Available or "
                    "Unavailable), access mode (ReadWrite or ReadOnly), when Velero last "
                    "validated it and Velero's message. Exits 1 naming each member whose "
                    "default location is Unavailable or ReadOnly (backups there end "
                    "FailedValidation), has none, or cannot be read.")
    add_output_option(p, ("table", "json", "yaml"), "table", "output format")
    add_read_options(p)
    p.set_defaults(func=run)


def problems(state: FleetState, found: dict[str, list[Location]], now: datetime) -> list[str]:
    """One line per member backups cannot go to, and why."""
    lines = []
    for cluster in state.members:
        if cluster in state.member_errors:
            lines.append(f"{cluster}: cannot be read: {state.member_errors[cluster]}")
            continue
        locs = found.get(cluster, [])
        used = used_location(locs)
        if used is None:
            lines.append(f"{cluster}: no default backup storage location "
                         f"({len(locs)} location(s) listed)")
        elif not used.available or used.read_only:
            lines.append(reason(used, now))
    return lines


def table_row(loc: Location, now: datetime) -> list[str]:
    validated = ("-" if loc.last_validated is None else
                 loc.last_validated.strftime("%Y-%m-%d %H:%M:%S"))
    return [loc.cluster, loc.name, "yes" if loc.default else "", loc.phase, loc.access_mode,
            validated, age_text(loc.validated_age(now)), loc.message or "-"]


def run(args: argparse.Namespace) -> int:
    state = read_fleet(args, storage=True)
    now = datetime.now(UTC)
    found = fleet_locations(state.store, [c for c in state.members
                                          if c not in state.member_errors])
    bad = problems(state, found, now)
    every = [loc for c in state.members for loc in found.get(c, [])]
    if args.output.kind != "table":
        say(dump({"mode": state.mode, "items": [loc.to_dict(now) for loc in every],
                  "problems": bad,
                  "unreadable": dict(sorted(state.member_errors.items()))}, args.output.kind))
        return EXIT_FAILED if bad else EXIT_OK
    for line in unreadable_lines(state):
        say(f"# {line}", sys.stderr)
    if not state.members:
        say(f"No members in {where(state)}.", sys.stderr)
        return EXIT_OK
    if every:
        say(table(HEADERS, [table_row(loc, now) for loc in every]))
    for line in bad:
        say(line, sys.stderr)
    return EXIT_FAILED if bad else EXIT_OK
