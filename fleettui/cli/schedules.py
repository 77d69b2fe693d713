"""`fleettui schedules [-o table|json|yaml]`: every schedule on every cluster with one verdict
(ok, late, failing, stuck, paused, never ran) and why: what `:health` shows."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from fleettui.cli.fleet_state import (
    FleetState,
    add_limit_options,
    add_read_options,
    limits_from,
    read_fleet,
    unreadable_lines,
    where,
)
from fleettui.cli.formats import add_output_option
from fleettui.cli.output import EXIT_OK, dump, say, table
from fleettui.live.health import session_health
from fleettui.model.schedule_health import (
    STRIP_LEGEND,
    HealthLimits,
    ScheduleHealth,
    age_text,
    attempt_text,
    next_text,
    verdict_text,
)

HEADERS = ("SCHEDULE", "CLUSTER", "VERDICT", "LAST ATTEMPT", "GOOD AGE", "NEXT (UTC)",
           "HISTORY", "REASON")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schedules", help="health of every schedule on every cluster",
        description="Every schedule on every cluster: the last attempt (any phase), the age "
                    "of the newest Completed run (the recovery point), the next run, and one "
                    "verdict: ok, late, failing, stuck, paused or never ran, with the reason. "
                    f"History: the last runs, oldest first ({STRIP_LEGEND}).")
    add_output_option(p, ("table", "json", "yaml"), "table", "output format")
    add_limit_options(p)
    add_read_options(p)
    p.set_defaults(func=run)


def health_rows(state: FleetState, limits: HealthLimits, now: datetime
                ) -> list[ScheduleHealth]:
    return session_health(state, now, limits)


def table_row(h: ScheduleHealth) -> list[str]:
    return [h.schedule, h.cluster, verdict_text(h), attempt_text(h), age_text(h.recovery_age),
            next_text(h), h.history or "-", h.reason]


def run(args: argparse.Namespace) -> int:
    limits = limits_from(args)  # bad flags before anything is contacted
    state = read_fleet(args)
    rows = health_rows(state, limits, datetime.now(UTC))
    for line in unreadable_lines(state):
        say(f"# {line}", sys.stderr)
    if args.output.kind != "table":
        say(dump({"mode": state.mode, "lateAfterSeconds": limits.late_after,
                  "stuckAfterSeconds": limits.stuck_after,
                  "items": [h.to_dict() for h in rows]}, args.output.kind))
        return EXIT_OK
    if not rows:
        say(f"No schedules in {where(state)}.", sys.stderr)
        return EXIT_OK
    say(table(HEADERS, [table_row(h) for h in rows]))
    return EXIT_OK
