"""Times for display. Absolute where possible: a relative "5m ago" goes stale on an idle
screen, and refreshing it would repaint (and send bytes over SSH) every minute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fleettui.model.stamps import parse_stamp
from fleettui.model.status import ClusterRow


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp from an object, or None."""
    return parse_stamp(value) if isinstance(value, str) else None


def clock(t: datetime | None, now: datetime) -> str:
    """Local time today, else the date."""
    if t is None:
        return "-"
    local = t.astimezone()
    return f"{local:%H:%M:%S}" if local.date() == now.astimezone().date() else f"{local:%b %d}"


def took(row: ClusterRow, now: datetime) -> str:
    if row.started is None:
        return "-"
    seconds = int(((row.completed or now) - row.started).total_seconds())
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def created_age(obj: dict[str, Any], now: datetime) -> str:
    """kubectl's AGE, for one-shot CLI output (never shown on a live screen)."""
    then = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
    if then is None:
        return "-"
    s = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size * 2 or (unit == "m" and s >= 60):
            return f"{s // size}{unit}"
    return f"{s}s"
