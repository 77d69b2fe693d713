"""Sessions with schedules and their runs on a fixed clock, for the health and coverage screens
and for the TUI/CLI agreement tests: every verdict appears, and strings carry markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fleettui.kube import resources as kc
from fleettui.live.session import Session
from tests.helpers.sessions import HOST, LONG, MEMBERS, kurator_session, velero_session

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LABEL = "velero.io/schedule-name"
MARKUP_REASON = "[bold red]bucket gone[/bold red]"
# member -> (phase of the daily 00:00 run on each day); days missing were missed
PLAN = {
    "kurator-member1": {d: "Completed" for d in range(22, 29)},
    "kurator-member2": {**{d: "Completed" for d in range(22, 26)}, 26: "PartiallyFailed",
                        27: "Failed", 28: "Failed"},
    LONG: {d: "Completed" for d in (22, 23, 24, 25)},
}


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def velero_run(schedule: str, day: int, phase: str) -> dict[str, Any]:
    at = datetime(2026, 11, day, tzinfo=UTC)
    status: dict[str, Any] = {"phase": phase, "startTimestamp": iso(at),
                              "completionTimestamp": iso(at + timedelta(minutes=2))}
    if phase == "Failed":
        status["failureReason"] = MARKUP_REASON
    if phase == "PartiallyFailed":
        status["errors"] = 2
    return {"kind": "Backup", "metadata": {"name": f"{schedule}-{at:%Y%m%d%H%M%S}",
                                           "namespace": "velero", "creationTimestamp": iso(at),
                                           "labels": {LABEL: schedule}}, "status": status}


def velero_schedule(name: str, cron: str = "0 0 * * *", paused: bool = False,
                    template: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"schedule": cron, "template": template or {}}
    if paused:
        spec["paused"] = True
    return {"kind": "Schedule", "metadata": {"name": name, "namespace": "velero",
                                             "creationTimestamp": "2026-11-01T00:00:00Z"},
            "spec": spec, "status": {"phase": "Enabled"}}


def kurator_scheduled(name: str, cron: str = "0 0 * * *",
                      policy: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"schedule": cron, "destination": {"fleet": "quickstart", "clusters": [
        {"name": m, "kind": "AttachedCluster"} for m in MEMBERS]}}
    if policy:
        spec["policy"] = policy
    return {"metadata": {"name": name, "namespace": "default",
                         "creationTimestamp": "2026-11-01T00:00:00Z"},
            "spec": spec, "status": {"backupDetails": []}}


def kurator_health_session() -> Session:
    """Scheduled backup `nightly` on three members: ok, failing (markup in the reason), late;
    `weekly` paused on member1 only (the others have no Velero Schedule yet: never ran)."""
    s = kurator_session()
    backups = s.store.objects(HOST, kc.KURATOR_BACKUPS)
    backups += [kurator_scheduled("nightly"), kurator_scheduled("weekly", "0 3 * * 0")]
    s.store.replace(HOST, kc.KURATOR_BACKUPS, backups)
    for member, plan in PLAN.items():
        nightly = f"{member}-backup-default-nightly"
        scheds = [velero_schedule(nightly)]
        if member == "kurator-member1":
            scheds.append(velero_schedule(f"{member}-backup-default-weekly", "0 3 * * 0",
                                          paused=True))
        s.store.replace(member, kc.VELERO_SCHEDULES, scheds)
        s.store.replace(member, kc.VELERO_BACKUPS,
                        [velero_run(nightly, d, phase) for d, phase in plan.items()])
    return s


def velero_health_session() -> Session:
    """Plain Velero mode: schedule `daily` in each context, failing in kurator-member2."""
    s = velero_session()
    for ctx in s.contexts:
        s.store.replace(ctx, kc.VELERO_SCHEDULES, [velero_schedule("daily")])
        phases = PLAN["kurator-member2"] if ctx == "kurator-member2" else \
            PLAN["kurator-member1"]
        s.store.replace(ctx, kc.VELERO_BACKUPS,
                        [velero_run("daily", d, p) for d, p in phases.items()])
    return s
