"""velero.py: plain Velero Backups and Schedules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError
from fleettui.model.filters import ResourceFilter
from fleettui.model.velero import (
    VeleroBackupSpec,
    build_velero_backup,
    build_velero_schedule,
    parse_velero_backup,
    parse_velero_schedule,
    validate_velero_backup,
    validate_velero_schedule,
)

FUZZ = settings(max_examples=300, deadline=None)
BACKUP_CRD = "velero/velero.io_backups.yaml"
SCHEDULE_CRD = "velero/velero.io_schedules.yaml"
Check = Callable[[str, dict[str, Any]], None]

FULL = VeleroBackupSpec(
    resource_filter=ResourceFilter(included_namespaces=["app-*"], excluded_resources=["secrets"],
                                   label_selector={"matchLabels": {"app": "web"}}),
    storage_location="default", snapshot_volumes=False, default_volumes_to_fs_backup=True,
    ttl="72h", ordered_resources={"pods": "app/p1,app/p2"}, labels={"team": "ops"})


def test_minimal_backup_has_no_status_and_no_defaults(crd_validator: Check) -> None:
    obj = build_velero_backup("nightly-20240101000000", VeleroBackupSpec())
    assert obj == {"apiVersion": "velero.io/v1", "kind": "Backup",
                   "metadata": {"name": "nightly-20240101000000", "namespace": "velero"},
                   "spec": {}}
    crd_validator(BACKUP_CRD, obj)


def test_full_backup(crd_validator: Check) -> None:
    obj = build_velero_backup("b1", FULL, namespace="backup-system")
    assert obj["metadata"] == {"name": "b1", "namespace": "backup-system",
                               "labels": {"team": "ops"}}
    assert obj["spec"] == {"includedNamespaces": ["app-*"], "excludedResources": ["secrets"],
                           "labelSelector": {"matchLabels": {"app": "web"}},
                           "storageLocation": "default", "snapshotVolumes": False,
                           "defaultVolumesToFsBackup": True, "ttl": "72h",
                           "orderedResources": {"pods": "app/p1,app/p2"}}
    assert "status" not in obj
    crd_validator(BACKUP_CRD, obj)
    parsed = parse_velero_backup(obj)
    assert build_velero_backup(parsed.name, parsed.spec, parsed.namespace) == obj


def test_schedule(crd_validator: Check) -> None:
    obj = build_velero_schedule("daily", "@daily", FULL)
    assert obj["spec"]["schedule"] == "@daily"
    assert "paused" not in obj["spec"]
    assert obj["spec"]["template"] == FULL.to_dict()
    crd_validator(SCHEDULE_CRD, obj)
    paused = build_velero_schedule("daily", "0 1 * * *", VeleroBackupSpec(), paused=True)
    assert paused["spec"] == {"schedule": "0 1 * * *", "template": {}, "paused": True}
    crd_validator(SCHEDULE_CRD, paused)
    parsed = parse_velero_schedule(obj)
    assert (parsed.name, parsed.schedule, parsed.paused) == ("daily", "@daily", False)
    assert build_velero_schedule(parsed.name, parsed.schedule, parsed.spec) == obj


def test_parse_keeps_unmodelled_spec_fields_and_status() -> None:
    obj = {"apiVersion": "velero.io/v1", "kind": "Backup",
           "metadata": {"name": "b", "namespace": "velero", "uid": "1"},
           "spec": {"hooks": {}, "csiSnapshotTimeout": "10m", "ttl": "720h0m0s"},
           "status": {"phase": "Completed"}}
    parsed = parse_velero_backup(obj)
    assert parsed.spec.extra == {"hooks": {}, "csiSnapshotTimeout": "10m"}
    assert parsed.extra == {"status": {"phase": "Completed"}, "metadata": {"uid": "1"}}
    assert build_velero_backup("b", parsed.spec)["spec"] == obj["spec"]


def test_parse_rejects_wrong_objects() -> None:
    with pytest.raises(FieldError):
        parse_velero_backup({"apiVersion": "velero.io/v1", "kind": "Schedule"})
    with pytest.raises(FieldError):
        parse_velero_backup({"spec": {"ttl": 5}})
    with pytest.raises(FieldError):
        parse_velero_schedule({"spec": {"schedule": ["x"]}})


def test_validate_backup() -> None:
    assert validate_velero_backup("nightly", FULL) == ([], [])
    bad = VeleroBackupSpec(resource_filter=ResourceFilter(
        included_resources=["pods"], included_cluster_scoped_resources=["*"]),
        ttl="7d", storage_location="Default", labels={"-x": "y"})
    fields = {e.field for e in validate_velero_backup("Nightly", bad)[0]}
    assert fields == {"metadata.name", "spec", "spec.ttl", "spec.storageLocation",
                      "metadata.labels[-x]"}
    long_name = "b" * 70
    errors, warnings = validate_velero_backup(long_name, VeleroBackupSpec())
    assert errors == [] and "63" in warnings[0].message


def test_validate_schedule_accepts_descriptors() -> None:
    spec = VeleroBackupSpec(ttl="240h")
    assert validate_velero_schedule("daily", "@daily", spec) == ([], [])
    assert validate_velero_schedule("tz", "CRON_TZ=Europe/Berlin 0 3 * * *", spec)[0] == []
    errors, _ = validate_velero_schedule("s" * 64, "0 0 * * 0 0", spec)
    assert {e.field for e in errors} == {"metadata.name", "spec.schedule"}
    _, warnings = validate_velero_schedule("often", "@every 1m", VeleroBackupSpec())
    assert {w.field for w in warnings} == {"spec.schedule", "spec.template.ttl"}


def test_crd_checker_is_not_vacuous(crd_validator: Check) -> None:
    obj = build_velero_backup("b", VeleroBackupSpec(extra={"includeNamespaces": ["typo"]}))
    with pytest.raises(AssertionError):
        crd_validator(BACKUP_CRD, obj)
    with pytest.raises(AssertionError):
        crd_validator(BACKUP_CRD, {"apiVersion": "velero.io/v1", "kind": "Backup",
                                   "spec": {"includedNamespaces": "one"}})


@FUZZ
@given(st.text(), st.text(), st.text(), st.lists(st.text(max_size=10), max_size=3))
def test_validators_only_yield_field_errors(name: str, schedule: str, ttl: str,
                                            namespaces: list[str]) -> None:
    spec = VeleroBackupSpec(resource_filter=ResourceFilter(included_namespaces=namespaces),
                            ttl=ttl, storage_location=name, labels={name: ttl})
    for errors, _ in (validate_velero_backup(name, spec),
                      validate_velero_schedule(name, schedule, spec)):
        assert all(isinstance(e, FieldError) for e in errors)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=6),
                     lambda inner: st.lists(inner, max_size=3) |
                     st.dictionaries(st.sampled_from(["ttl", "schedule", "template", "paused",
                                                      "labels", "name", "includedNamespaces",
                                                      "storageLocation", "x"]),
                                     inner, max_size=4), max_leaves=10)


@FUZZ
@given(st.dictionaries(st.sampled_from(["apiVersion", "kind", "metadata", "spec"]), _json,
                       max_size=4))
def test_parsers_only_raise_field_error(obj: dict[str, Any]) -> None:
    for parse in (parse_velero_backup, parse_velero_schedule):
        try:
            parse(obj)
        except FieldError as err:
            assert err.message
