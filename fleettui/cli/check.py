"""`fleettui check [--max-age 26h]`: for cron jobs and monitoring on the bastion.

Exit 0 with a one-line summary when every schedule on every cluster has a Completed run (a good
recovery point) younger than --max-age. Otherwise exit 1 and one line per (cluster, schedule)
whose newest good recovery point is older or missing, naming the cluster and saying why; a
member that cannot be read is such a line too (nothing can vouch for it). No schedule at all is
a failure: nothing is protected.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from fleettui.cli.fleet_state import (
    DEFAULT_MAX_AGE,
    add_limit_options,
    add_read_options,
    limits_from,
    read_fleet,
    unreadable_lines,
    where,
)
from fleettui.cli.options import duration_seconds
from fleettui.cli.output import EXIT_FAILED, EXIT_OK, say, usage
from fleettui.live.health import session_health
from fleettui.model.schedule_health import ScheduleHealth, age_text


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check", help="exit 1 naming each cluster whose newest good backup is too old",
        description="For cron jobs and monitoring: exit 0 and one summary line when every "
                    "schedule on every cluster has a Completed run younger than --max-age; "
                    "else exit 1 and one line per cluster and schedule that has none (or "
                    "cannot be read).")
    p.add_argument("--max-age", default=DEFAULT_MAX_AGE, metavar="DURATION",
                   help=f"oldest acceptable recovery point (default {DEFAULT_MAX_AGE}: a daily "
                        "schedule plus two hours)")
    add_limit_options(p)
    add_read_options(p)
    p.set_defaults(func=run)


def stale(rows: list[ScheduleHealth], max_age: float) -> list[ScheduleHealth]:
    return [h for h in rows if h.recovery_age is None or h.recovery_age > max_age]


def stale_line(h: ScheduleHealth, max_age: float) -> str:
    age = ("has no good recovery point" if h.recovery_age is None else
           f"newest good recovery point is {age_text(h.recovery_age)} old")
    return (f"{h.cluster}: schedule {h.schedule}: {age} (limit {age_text(max_age)}); "
            f"{h.verdict}: {h.reason}")


def run(args: argparse.Namespace) -> int:
    max_age = duration_seconds(args.max_age, "--max-age")
    if not max_age:
        raise usage("--max-age", f"expected a duration above 0, e.g. {DEFAULT_MAX_AGE}")
    limits = limits_from(args)
    state = read_fleet(args)
    rows = session_health(state, datetime.now(UTC), limits)
    bad = [stale_line(h, max_age) for h in stale(rows, max_age)]
    bad += unreadable_lines(state)
    if not rows and not bad:
        bad.append(f"no schedules in {where(state)}: nothing is protected")
    for line in bad:
        say(line)
    if bad:
        return EXIT_FAILED
    oldest = max(rows, key=lambda h: h.recovery_age or 0.0)
    clusters = len({h.cluster for h in rows})
    say(f"ok: {len(rows)} schedule(s) on {clusters} cluster(s), every newest good recovery "
        f"point within {age_text(max_age)} (oldest {age_text(oldest.recovery_age)}: "
        f"{oldest.schedule} on {oldest.cluster})")
    return EXIT_OK
