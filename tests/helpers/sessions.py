"""Sessions filled by hand (no cluster, no clock): a Kurator fleet and a plain Velero fleet
whose content is deterministic, for the backends, the screens and their snapshots."""

from __future__ import annotations

from typing import Any

from fleettui.kube import resources as kc
from fleettui.live.session import Session

HOST = "kurator-host"
LONG = "kurator-member-eu-west-1-production"
MEMBERS = ["kurator-member1", "kurator-member2", LONG]
DAY = "2026-01-02T10:"  # a fixed past day: cells show the date, whatever the time now


def _meta(name: str, namespace: str = "default", **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "creationTimestamp": DAY + "00:00Z", **extra}


def _velero_status(phase: str, **extra: Any) -> dict[str, Any]:
    return {"phase": phase, "startTimestamp": DAY + "00:00Z",
            "completionTimestamp": DAY + "01:30Z", "expiration": "2026-02-01T10:00:00Z",
            "progress": {"totalItems": 12, "itemsBackedUp": 12 if phase == "Completed" else 7},
            **extra}


OUTCOMES = {  # member -> the Velero status of its run of every backup
    "kurator-member1": _velero_status("Completed"),
    "kurator-member2": _velero_status("PartiallyFailed", errors=2, warnings=1),
    LONG: _velero_status("FailedValidation", validationErrors=[
        "[bold red]backup storage location \"default\" is unavailable"]),
}


def kurator_session() -> Session:
    s = Session(None, HOST, "default", mode="kurator")
    store = s.store
    fleet = {"metadata": _meta("quickstart"), "status": {"phase": "Ready"},
             "spec": {"clusters": [{"name": m, "kind": "AttachedCluster"} for m in MEMBERS],
                      "plugin": {"backup": {"storage": {"location": {"provider": "aws"}}}}}}
    store.replace(HOST, kc.FLEETS, [fleet])
    store.replace(HOST, kc.ATTACHED_CLUSTERS, [
        {"metadata": _meta(m), "status": {"ready": m != LONG}} for m in MEMBERS])
    backups = []
    for name, clusters in (("nightly-shop", MEMBERS), ("all-good", MEMBERS[:1]),
                           ("partial-run-with-a-rather-long-name", MEMBERS[1:2])):
        details = [{"clusterName": m, "clusterKind": "AttachedCluster",
                    "backupNameInCluster": f"{m}-backup-default-{name}",
                    "backupStatusInCluster": OUTCOMES[m]} for m in clusters]
        backups.append({"metadata": _meta(name), "status": {"backupDetails": details},
                        "spec": {"destination": {"fleet": "quickstart", "clusters": [
                            {"name": m, "kind": "AttachedCluster"} for m in clusters]}}})
    store.replace(HOST, kc.KURATOR_BACKUPS, backups)
    for res in (kc.FLEETS, kc.ATTACHED_CLUSTERS, kc.KURATOR_BACKUPS):
        store.state(HOST, res, kc.SYNCED, "")
    for m in MEMBERS:
        phase = "Unavailable" if m == LONG else "Available"
        store.replace(m, kc.VELERO_BSLS, [{"metadata": _meta("default", "velero"),
                                           "status": {"phase": phase}}])
        store.replace(m, kc.VELERO_BACKUPS, [])
        for res in (kc.VELERO_BSLS, kc.VELERO_BACKUPS, kc.VELERO_SCHEDULES):
            store.state(m, res, kc.SYNCED, "")
    return s


def velero_session() -> Session:
    """Plain Velero mode: contexts are the fleet; backup 'nightly' failed in two of them."""
    contexts = ["kurator-member1", "kurator-member2", "kurator-member3"]
    s = Session(None, contexts[0], "default", mode="velero", contexts=contexts)
    statuses = [_velero_status("Completed"),
                _velero_status("Failed", failureReason="[red]rpc error: bucket gone"),
                {"phase": "FailedValidation", "validationErrors": ["bad [b]ttl[/b]"]}]
    for ctx, status in zip(contexts, statuses, strict=True):
        s.store.replace(ctx, kc.VELERO_BACKUPS, [{"kind": "Backup", "status": status,
                                                 "metadata": _meta("nightly", "velero")}])
        s.store.replace(ctx, kc.VELERO_BSLS, [{"metadata": _meta("default", "velero"),
                                               "status": {"phase": "Available"}}])
        s.store.replace(ctx, kc.VELERO_SCHEDULES, [])
        for res in (kc.VELERO_BSLS, kc.VELERO_BACKUPS, kc.VELERO_SCHEDULES):
            s.store.state(ctx, res, kc.SYNCED, "")
    return s
