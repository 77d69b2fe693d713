"""The fleets screen's storage notes: members with the same problem share one line, the time
is the clock's (a live screen), a long message is cut; a member that is fine has none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fleettui.kube import resources as kc
from fleettui.live.storage import MESSAGE_MOST, form_warning, storage_notes
from fleettui.live.store import LiveStore
from fleettui.model.storage import BACKUP
from fleettui.model.timefmt import clock

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CHECKED = datetime(2026, 3, 1, 11, 59, 30, tzinfo=UTC)


def bsl(phase: str, mode: str = "ReadWrite", message: str = "") -> dict[str, Any]:
    return {"metadata": {"name": "default", "namespace": "velero"},
            "spec": {"default": True, "accessMode": mode},
            "status": {"phase": phase, "message": message,
                       "lastValidationTime": CHECKED.strftime("%Y-%m-%dT%H:%M:%SZ")}}


def test_members_with_the_same_problem_share_a_line() -> None:
    store = LiveStore()
    denied = "403 AccessDenied " + "x" * 300
    members = {f"m{i}": bsl("Unavailable", message=denied) for i in range(5)}
    members["ro"] = bsl("Available", "ReadOnly")
    members["ok"] = bsl("Available")
    for cluster, obj in members.items():
        store.replace(cluster, kc.VELERO_BSLS, [obj])
    notes = storage_notes(store, [*members, "never-read"], NOW)
    assert len(notes) == 2
    down, ro = notes
    assert down.startswith("✗ m0, m1, m2 and 2 more: location default is Unavailable; "
                           f"validated {clock(CHECKED, NOW)}; 403 AccessDenied xxx")
    assert down.endswith("…") and len(down.split("; ")[-1]) == MESSAGE_MOST
    assert ro.startswith("! ro: location default is Available ReadOnly")
    assert "ok" not in " ".join(notes)
    assert form_warning(store, ["ok", "ro", "never-read"], BACKUP) == (
        "storage: ro (default is ReadOnly): backups there end FailedValidation")
