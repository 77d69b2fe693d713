"""restore.py: Kurator Restore and Migrate objects, the checks Kurator never makes, and which
Velero backup a restore will use in each cluster."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError
from fleettui.model.filters import ResourceFilter
from fleettui.model.kurator import ClusterRef, Destination, KuratorBackup
from fleettui.model.restore import (
    KuratorMigrate,
    KuratorRestore,
    MigratePolicy,
    RestorePolicy,
    build_migrate_manifest,
    build_restore_manifest,
    choose_velero_backup,
    parse_migrate,
    parse_namespace_mapping,
    parse_restore,
    validate_migrate,
    validate_restore,
)

Check = Callable[[str, dict[str, Any]], None]
EXAMPLES = "kurator/examples/backup"
RESTORE_CRD = "kurator/crds/backup.kurator.dev_restores.yaml"
MIGRATE_CRD = "kurator/crds/backup.kurator.dev_migrates.yaml"
M1, M2, M3 = (ClusterRef(f"kurator-member{i}") for i in (1, 2, 3))
FLEET = [M1, M2, M3]


def backup(name: str = "nightly", clusters: list[ClusterRef] | None = None,
           schedule: str | None = None) -> KuratorBackup:
    return KuratorBackup(name=name, destination=Destination("quickstart", clusters or []),
                         schedule=schedule)


def velero(name: str, phase: str, started: str | None = None,
           schedule: str | None = None) -> dict[str, Any]:
    labels = {"velero.io/schedule-name": schedule} if schedule else {}
    status: dict[str, Any] = {"phase": phase}
    if started:
        status["startTimestamp"] = started
    return {"metadata": {"name": name, "namespace": "velero", "labels": labels},
            "status": status}


@pytest.mark.parametrize("example", ["restore-minimal.yaml", "restore-schedule.yaml"])
def test_upstream_restores_round_trip_and_fit_the_crd(shared_dir: Path, crd_validator: Check,
                                                      example: str) -> None:
    obj = yaml.safe_load((shared_dir / EXAMPLES / example).read_text())
    built = build_restore_manifest(parse_restore(obj))
    assert built == obj
    crd_validator(RESTORE_CRD, built)


def test_upstream_migrate_round_trips_and_fits_the_crd(shared_dir: Path,
                                                       crd_validator: Check) -> None:
    obj = yaml.safe_load((shared_dir / EXAMPLES / "migrate-select-labels.yaml").read_text())
    built = build_migrate_manifest(parse_migrate(obj))
    assert built == obj
    crd_validator(MIGRATE_CRD, built)


def test_a_full_restore_policy_fits_the_crd(crd_validator: Check) -> None:
    restore = KuratorRestore(
        name="back", backup_name="nightly", destination=Destination("quickstart", [M2]),
        policy=RestorePolicy(ResourceFilter(included_namespaces=["shop"]), {"shop": "shop-2"},
                             preserve_node_ports=True))
    manifest = build_restore_manifest(restore)
    crd_validator(RESTORE_CRD, manifest)
    assert manifest["spec"]["policy"]["namespaceMapping"] == {"shop": "shop-2"}


def test_a_migrate_always_sends_a_resource_filter(crd_validator: Check) -> None:
    """Kurator dereferences policy.resourceFilter and panics when it is missing."""
    manifest = build_migrate_manifest(KuratorMigrate(
        "move", Destination("quickstart", [M1]), Destination("quickstart", [M2])))
    assert manifest["spec"]["policy"] == {"resourceFilter": {}}
    crd_validator(MIGRATE_CRD, manifest)


def test_a_restore_to_a_cluster_outside_the_backup_is_refused_pointing_at_migrate() -> None:
    restore = KuratorRestore("r", "nightly", destination=Destination("quickstart", [M3]))
    errors, _ = validate_restore(restore, backup(clusters=[M1, M2]), FLEET)
    assert [e.field for e in errors] == ["destination.clusters"]
    assert "kurator-member3" in errors[0].message and "migrate" in errors[0].message


def test_a_backup_of_every_member_covers_every_member() -> None:
    restore = KuratorRestore("r", "nightly", destination=Destination("quickstart", [M3]))
    assert validate_restore(restore, backup(), FLEET)[0] == []


def test_restore_checks_fleet_backup_and_names() -> None:
    other_fleet = KuratorRestore("r", "nightly", destination=Destination("elsewhere", [M1]))
    assert [e.field for e in validate_restore(other_fleet, backup(), FLEET)[0]] == [
        "destination.fleet"]
    missing = validate_restore(KuratorRestore("r", "gone"), None, FLEET)[0]
    assert missing and missing[0].field == "backupName" and "gone" in missing[0].message
    bad_name = validate_restore(KuratorRestore("Bad_Name", "nightly"), backup(), FLEET)[0]
    assert [e.field for e in bad_name] == ["metadata.name"]


def test_namespace_mapping_collisions_and_no_ops() -> None:
    policy = RestorePolicy(namespace_mapping={"a": "x", "b": "x", "c": "c"})
    errors, warnings = validate_restore(KuratorRestore("r", "n", policy=policy), backup())
    assert any('"a" and "b"' in e.message for e in errors)
    assert any('"c" is mapped to itself' in w.message for w in warnings)


def test_scoped_filter_fields_are_said_to_be_dropped() -> None:
    rf = ResourceFilter(included_namespace_scoped_resources=["pods"])
    _, warnings = validate_restore(KuratorRestore("r", "n", policy=RestorePolicy(rf)), backup())
    assert any("drops it" in w.message for w in warnings)


@pytest.mark.parametrize(("sources", "targets", "field"), [
    ([], [M2], "sourceCluster.clusters"),
    ([M1, M2], [M3], "sourceCluster.clusters"),
    ([M1], [], "targetCluster.clusters"),
    ([M1], [M1, M2], "targetCluster.clusters"),
    ([M1], [ClusterRef("stranger")], "targetCluster.clusters"),
])
def test_migrate_needs_one_source_and_other_members_as_targets(
        sources: list[ClusterRef], targets: list[ClusterRef], field: str) -> None:
    migrate = KuratorMigrate("m", Destination("quickstart", sources),
                             Destination("quickstart", targets), policy=MigratePolicy())
    errors, _ = validate_migrate(migrate, FLEET)
    assert field in [e.field for e in errors]


def test_a_good_migrate_passes() -> None:
    migrate = KuratorMigrate("m", Destination("quickstart", [M1]),
                             Destination("quickstart", [M2, M3]))
    assert validate_migrate(migrate, FLEET) == ([], [])


def test_an_immediate_backup_is_used_when_finished() -> None:
    name = "kurator-member1-backup-default-nightly"
    done = choose_velero_backup(backup(), "kurator-member1", [velero(name, "Completed")])
    assert done.usable and done.velero_name == name
    running = choose_velero_backup(backup(), "kurator-member1", [velero(name, "InProgress")])
    assert not running.usable and "InProgress" in running.note
    partial = choose_velero_backup(backup(), "kurator-member1",
                                   [velero(name, "PartiallyFailed")])
    assert partial.usable and "partially" in partial.note
    missing = choose_velero_backup(backup(), "kurator-member1", [])
    assert not missing.usable and name in missing.note


def test_a_schedule_restores_its_newest_completed_run_not_a_newer_partial_one() -> None:
    schedule = "kurator-member1-backup-default-nightly"
    runs = [velero(f"{schedule}-20261101000000", "Completed", "2026-11-01T00:00:00Z", schedule),
            velero(f"{schedule}-20261102000000", "Completed", "2026-11-02T00:00:00Z", schedule),
            velero(f"{schedule}-20261103000000", "PartiallyFailed", "2026-11-03T00:00:00Z",
                   schedule),
            velero(f"{schedule}-nostart", "Completed", None, schedule),
            # The shared bucket: member2's runs are listed in member1 too.
            velero("kurator-member2-backup-default-nightly-20261104000000", "Completed",
                   "2026-11-04T00:00:00Z", "kurator-member2-backup-default-nightly")]
    choice = choose_velero_backup(backup(schedule="0 0 * * *"), "kurator-member1", runs)
    assert choice.usable and choice.velero_name == f"{schedule}-20261102000000"
    assert choice.started is not None and choice.started.day == 2


def test_a_schedule_without_a_completed_run_is_refused_saying_why() -> None:
    schedule = "kurator-member2-backup-default-nightly"
    failing = [velero(f"{schedule}-1", "Failed", "2026-11-01T00:00:00Z", schedule)]
    choice = choose_velero_backup(backup(schedule="0 0 * * *"), "kurator-member2", failing)
    assert not choice.usable and "none of the 1 runs" in choice.note and "Failed" in choice.note
    never = choose_velero_backup(backup(schedule="0 0 * * *"), "kurator-member2", [])
    assert not never.usable and "has not run" in never.note


def test_namespace_mapping_text() -> None:
    assert parse_namespace_mapping("shop:shop-2, db:db-2") == {"shop": "shop-2", "db": "db-2"}
    assert parse_namespace_mapping("") == {}
    for bad in ("shop", "shop:", ":x", "a:b,a:c"):
        with pytest.raises(FieldError):
            parse_namespace_mapping(bad)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_namespace_mapping_text_only_raises_field_errors(text: str) -> None:
    with contextlib.suppress(FieldError):
        parse_namespace_mapping(text)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.text(max_size=5) | st.integers(),
                    lambda inner: st.lists(inner, max_size=3) |
                    st.dictionaries(st.sampled_from(["spec", "policy", "backupName",
                                                     "destination", "namespaceMapping",
                                                     "sourceCluster", "targetCluster",
                                                     "clusters", "metadata", "name"]),
                                    inner, max_size=4), max_leaves=12))
def test_parsers_only_raise_field_errors(obj: object) -> None:
    for parse in (parse_restore, parse_migrate):
        with contextlib.suppress(FieldError):
            parse(obj)
