"""A location's health in words and what it means for a backup or a restore sent there."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fleettui.model.storage import (
    BACKUP,
    RESTORE,
    location,
    locations,
    reason,
    target_problems,
    used_location,
    warning_text,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def bsl(name: str, phase: str | None = "Available", mode: str | None = None,
        default: bool = False, message: str = "", validated: str = "") -> dict[str, Any]:
    spec: dict[str, Any] = {"provider": "aws", "objectStorage": {"bucket": "b"}}
    if mode:
        spec["accessMode"] = mode
    if default:
        spec["default"] = True
    status: dict[str, Any] = {}
    if phase:
        status["phase"] = phase
    if message:
        status["message"] = message
    if validated:
        status["lastValidationTime"] = validated
    return {"metadata": {"name": name, "namespace": "velero"}, "spec": spec, "status": status}


def test_unknown_phase_reads_as_unavailable_and_mode_defaults_to_read_write() -> None:
    loc = location("c1", bsl("default", phase=None))
    assert (loc.phase, loc.access_mode, loc.available) == ("Unavailable", "ReadWrite", False)
    assert loc.blocks(BACKUP) == loc.blocks(RESTORE) == "default is Unavailable"


def test_read_only_blocks_backups_but_not_restores() -> None:
    loc = location("c1", bsl("default", mode="ReadOnly", validated="2026-03-01T11:58:00Z"))
    assert loc.blocks(BACKUP) == "default is ReadOnly" and loc.blocks(RESTORE) == ""
    assert reason(loc, NOW) == ("c1: location default is Available ReadOnly (backups there end "
                                "FailedValidation; restores work); validated 2m ago")


def test_the_default_location_is_the_one_marked_else_the_one_named_default() -> None:
    marked = locations("c1", [bsl("default", "Unavailable"), bsl("main", default=True)])
    assert [loc.name for loc in marked] == ["main", "default"]  # the default first
    used = used_location(marked)
    assert used is not None and used.name == "main"
    named = used_location(locations("c1", [bsl("other"), bsl("default")]))
    assert named is not None and named.name == "default"
    assert used_location(locations("c1", [bsl("other")])) is None


def test_target_problems_name_each_unfit_target_and_skip_unknown_ones() -> None:
    by_cluster = {
        "ok": locations("ok", [bsl("default")]),
        "ro": locations("ro", [bsl("default", mode="ReadOnly")]),
        "down": locations("down", [bsl("default", "Unavailable", message="403 [b]x[/b]")]),
        "odd": locations("odd", [bsl("other")]),
    }
    targets = ["ok", "ro", "down", "odd", "not-read"]
    assert target_problems(by_cluster, targets, BACKUP) == {
        "ro": "default is ReadOnly", "down": "default is Unavailable",
        "odd": "no default location"}
    assert target_problems(by_cluster, targets, RESTORE) == {
        "down": "default is Unavailable", "odd": "no default location"}
    assert warning_text({"ro": "default is ReadOnly"}, BACKUP) == (
        "storage: ro (default is ReadOnly): backups there end FailedValidation")
    assert warning_text({}, BACKUP) == ""
    down = by_cluster["down"][0]
    assert reason(down, NOW) == "down: location default is Unavailable; never validated; " \
                                "403 [b]x[/b]"
    assert down.to_dict(NOW)["lastValidationAgeSeconds"] is None
