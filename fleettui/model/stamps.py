"""Timestamps as Kubernetes and Velero write them, read once for every model module: RFC 3339
fields, and the `-YYYYMMDDhhmmss` suffix Velero gives a schedule's runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

SUFFIX_RE = re.compile(r"-(\d{14})$")


def parse_stamp(value: object) -> datetime | None:
    """An RFC 3339 value (or a datetime) as an aware datetime; None when absent or unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def suffix_stamp(name: str) -> datetime | None:
    """When a schedule's run was due, from its name's suffix (UTC)."""
    match = SUFFIX_RE.search(name)
    if match is None:
        return None
    d = match.group(1)  # by hand: strptime costs ten times as much, per run, per refresh
    try:
        return datetime(int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]),
                        int(d[12:]), tzinfo=UTC)
    except ValueError:
        return None
