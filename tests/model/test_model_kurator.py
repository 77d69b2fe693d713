"""kurator.py: Backup manifests, parsing, validation and the Velero objects Kurator derives."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.errors import FieldError
from fleettui.model.filters import ResourceFilter
from fleettui.model.kurator import (
    BackupPolicy,
    ClusterRef,
    Destination,
    KuratorBackup,
    build_backup_manifest,
    clone_backup,
    parse_backup,
    validate_backup,
)
from fleettui.sim.kurator_objects import velero_migrate_backup_for, velero_objects_for

FUZZ = settings(max_examples=300, deadline=None)
KURATOR_CRD = "kurator/crds/backup.kurator.dev_backups.yaml"
VELERO_BACKUP_CRD = "velero/velero.io_backups.yaml"
VELERO_SCHEDULE_CRD = "velero/velero.io_schedules.yaml"
GOLDEN = "kurator/controller-testdata/velero-objects/backup"
FLEET = [ClusterRef("kurator-member1"), ClusterRef("kurator-member2")]

Check = Callable[[str, dict[str, Any]], None]

SPECIFIC_NS = KuratorBackup(
    name="specific-ns", destination=Destination(fleet="quickstart"),
    policy=BackupPolicy(ResourceFilter(included_namespaces=["kurator-backup"]), ttl="720h"))
SCHEDULE_MATCHLABELS = KuratorBackup(
    name="schedule-matchlabels",
    destination=Destination("quickstart", [ClusterRef("kurator-member2", "AttachedCluster")]),
    policy=BackupPolicy(ResourceFilter(label_selector={"matchLabels": {"env": "test"}}),
                        ttl="240h"),
    schedule="0 0 * * *")


def _upstream_applied(shared_dir: Path) -> dict[str, dict[str, Any]]:
    """The objects of the upstream walkthrough, from kubectl's last-applied annotation."""
    text = (shared_dir / "docs" / "kurator-unified-backup-upstream.md").read_text()
    objects = {}
    for line in re.findall(r'^\s*(\{"apiVersion":"backup\.kurator\.dev.*\})\s*$', text, re.M):
        obj = json.loads(line)
        obj["metadata"].pop("annotations", None)
        objects[obj["metadata"]["name"]] = obj
    return objects


def test_upstream_objects_are_reproduced_exactly(shared_dir: Path) -> None:
    upstream = _upstream_applied(shared_dir)
    assert build_backup_manifest(SPECIFIC_NS) == upstream["specific-ns"]
    assert build_backup_manifest(SCHEDULE_MATCHLABELS) == upstream["schedule-matchlabels"]
    assert build_backup_manifest(SPECIFIC_NS) == {
        "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
        "metadata": {"name": "specific-ns", "namespace": "default"},
        "spec": {"destination": {"fleet": "quickstart"},
                 "policy": {"resourceFilter": {"includedNamespaces": ["kurator-backup"]},
                            "ttl": "720h"}}}


@pytest.mark.parametrize("name", ["backup-minimal", "backup-schedule", "backup-select-labels"])
def test_upstream_example_files_round_trip(shared_dir: Path, crd_validator: Check,
                                           name: str) -> None:
    obj = yaml.safe_load((shared_dir / "kurator/examples/backup" / f"{name}.yaml").read_text())
    built = build_backup_manifest(parse_backup(obj))
    assert built == obj
    crd_validator(KURATOR_CRD, built)


def test_parse_then_build_keeps_unknown_fields_and_status(shared_dir: Path) -> None:
    folder = shared_dir / "kurator/examples/status-samples-from-docs"
    for path in folder.glob("backup-*.yaml"):
        obj = yaml.safe_load(path.read_text())
        assert build_backup_manifest(parse_backup(copy.deepcopy(obj))) == obj
    obj = build_backup_manifest(SPECIFIC_NS)
    obj["spec"]["futureField"] = 1
    obj["spec"]["destination"]["clusters"] = [{"kind": "AttachedCluster", "name": "m1",
                                               "namespace": "default"}]
    obj["spec"]["policy"]["resourceFilter"]["futureFilter"] = ["x"]
    obj["metadata"]["labels"] = {"team": "a"}
    assert build_backup_manifest(parse_backup(obj)) == obj


def test_policy_always_carries_resource_filter(crd_validator: Check) -> None:
    backup = KuratorBackup(name="ttl-only", destination=Destination("quickstart"),
                           policy=BackupPolicy(ttl="24h"))
    manifest = build_backup_manifest(backup)
    assert manifest["spec"]["policy"] == {"resourceFilter": {}, "ttl": "24h"}
    crd_validator(KURATOR_CRD, manifest)


def test_ttl_is_kept_as_typed() -> None:
    backup = KuratorBackup(name="x", destination=Destination("q"), policy=BackupPolicy(ttl="1.5h"))
    assert build_backup_manifest(backup)["spec"]["policy"]["ttl"] == "1.5h"


def test_cluster_without_kind_is_emitted_without_kind() -> None:
    dest = Destination("q", [ClusterRef("c1", kind="")])
    assert dest.to_dict() == {"fleet": "q", "clusters": [{"name": "c1"}]}


def test_clone_drops_server_fields(shared_dir: Path) -> None:
    path = shared_dir / "kurator/examples/status-samples-from-docs/backup-select-labels.status.yaml"
    clone = clone_backup(parse_backup(yaml.safe_load(path.read_text())), "select-labels-2")
    assert build_backup_manifest(clone) == {
        "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
        "metadata": {"name": "select-labels-2", "namespace": "default"},
        "spec": {"destination": {"fleet": "quickstart"},
                 "policy": {"resourceFilter": {"labelSelector": {
                     "matchLabels": {"app": "busybox"}}}, "ttl": "720h"}}}


def test_parse_rejects_other_kinds_and_bad_types() -> None:
    with pytest.raises(FieldError):
        parse_backup({"apiVersion": "velero.io/v1", "kind": "Backup"})
    with pytest.raises(FieldError):
        parse_backup({"spec": {"destination": {"fleet": 3}}})
    with pytest.raises(FieldError):
        parse_backup({"spec": {"destination": {"fleet": "q"}, "policy": {"ttl": 5}}})


# --- validation -----------------------------------------------------------------------------


def _fields(backup: KuratorBackup, fleet: list[ClusterRef] | None = FLEET) -> set[str]:
    return {e.field for e in validate_backup(backup, fleet)[0]}


def test_upstream_objects_are_valid() -> None:
    for backup in (SPECIFIC_NS, SCHEDULE_MATCHLABELS):
        assert validate_backup(backup, FLEET)[0] == []
    # Every member ready (or readiness unknown): "all clusters" needs no warning.
    assert validate_backup(SPECIFIC_NS, FLEET)[1] == []
    assert validate_backup(SPECIFIC_NS, FLEET, [])[1] == []
    assert validate_backup(SCHEDULE_MATCHLABELS, FLEET)[1] == []


def test_all_clusters_warns_only_when_a_member_is_not_ready() -> None:
    [warning] = validate_backup(SPECIFIC_NS, FLEET, ["kurator-member2"])[1]
    assert warning.field == "destination.clusters"
    assert "kurator-member2 is not ready and will be skipped" in warning.message
    # Listed clusters are what Kurator backs up: an unlisted one not ready is no news.
    assert validate_backup(SCHEDULE_MATCHLABELS, FLEET, ["kurator-member1"])[1] == []


def test_a_listed_cluster_not_ready_stops_the_whole_backup() -> None:
    """Kurator leaves unready clusters out of the fleet's map: naming one fails the backup
    ("not recorded in the fleet"), retried with nothing in the status."""
    [warning] = validate_backup(SCHEDULE_MATCHLABELS, FLEET, ["kurator-member2"])[1]
    assert warning.field == "destination.clusters"
    assert warning.message == ("kurator-member2 is not ready: Kurator backs up none of the "
                               "listed clusters until it is (it retries without a word in the "
                               "status)")


def test_names_fleet_and_namespace() -> None:
    backup = KuratorBackup(name="Nightly_1", namespace="Default", destination=Destination(""))
    assert _fields(backup) >= {"metadata.name", "metadata.namespace", "destination.fleet"}


def test_clusters_not_in_fleet_kind_mismatch_and_duplicates() -> None:
    backup = KuratorBackup(name="b", destination=Destination("quickstart", [
        ClusterRef("kurator-member3"), ClusterRef("kurator-member1", kind="Cluster"),
        ClusterRef("kurator-member2"), ClusterRef("kurator-member2"), ClusterRef("")]))
    errors = {e.field: e.message for e in validate_backup(backup, FLEET)[0]}
    assert 'not in fleet "quickstart"' in errors["destination.clusters[0].name"]
    assert 'use kind "AttachedCluster"' in errors["destination.clusters[1].kind"]
    assert "listed twice" in errors["destination.clusters[3]"]
    assert "required" in errors["destination.clusters[4].name"]
    assert "destination.clusters[0].name" not in _fields(backup, None)


def test_ttl_schedule_and_filter_errors() -> None:
    backup = KuratorBackup(name="b", destination=Destination("quickstart"),
                           policy=BackupPolicy(ResourceFilter(
                               included_namespaces=["x"], excluded_namespaces=["x"]),
                               ttl="30d", ordered_resources={"Pods": "a"}),
                           schedule="@daily")
    assert _fields(backup) == {"policy.ttl", "schedule",
                               "policy.resourceFilter.excludedNamespaces[0]",
                               "policy.orderedResources[Pods]"}
    negative = KuratorBackup(name="b", destination=Destination("q"), policy=BackupPolicy(ttl="-1h"))
    assert "must not be negative" in validate_backup(negative)[0][0].message
    six = KuratorBackup(name="b", destination=Destination("q"), schedule="0 0 0 * * *")
    assert "expected exactly 5 fields" in validate_backup(six)[0][0].message


def test_warnings_for_long_names_frequency_and_zero_ttl() -> None:
    backup = KuratorBackup(name="a-very-long-scheduled-backup-name-x",
                           destination=Destination("quickstart"),
                           policy=BackupPolicy(ttl="0"), schedule="* * * * *")
    errors, warnings = validate_backup(backup, FLEET)
    assert errors == []
    messages = " | ".join(w.message for w in warnings)
    assert "kurator-member1" in messages and "kurator-member2" in messages
    assert "velero.io/schedule-name" in messages
    assert "more often than every 5 minutes" in messages
    assert "Velero's default retention" in messages


# --- Velero objects ---------------------------------------------------------------------------


def _golden(shared_dir: Path, name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((shared_dir / GOLDEN / f"{name}.yaml").read_text()))


def test_include_ns_golden(shared_dir: Path, crd_validator: Check) -> None:
    backup = KuratorBackup(name="include-ns", destination=Destination("quickstart"),
                           policy=BackupPolicy(ResourceFilter(included_namespaces=["kurator-backup"]),
                                               ttl="720h"))
    velero = velero_objects_for(build_backup_manifest(backup), "kurator-member1")
    assert velero == _golden(shared_dir, "include-ns")
    crd_validator(VELERO_BACKUP_CRD, velero)


def test_schedule_golden(shared_dir: Path, crd_validator: Check) -> None:
    backup = KuratorBackup(name="schedule", destination=Destination("quickstart"),
                           policy=BackupPolicy(ResourceFilter(included_namespaces=["kurator-backup"]),
                                               ttl="720h"),
                           schedule="0 0 * * *")
    velero = velero_objects_for(build_backup_manifest(backup), "kurator-member1")
    assert velero == _golden(shared_dir, "schedule")
    crd_validator(VELERO_SCHEDULE_CRD, velero)


def test_migrate_label_selector_golden(shared_dir: Path, crd_validator: Check) -> None:
    migrate = {
        "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Migrate",
        "metadata": {"name": "label-selector", "namespace": "default"},
        "spec": {"sourceCluster": {"fleet": "quickstart", "clusters": [
            {"kind": "AttachedCluster", "name": "kurator-member2"}]},
            "targetCluster": {"fleet": "quickstart", "clusters": [
                {"kind": "AttachedCluster", "name": "kurator-member1"}]},
            "policy": {"resourceFilter": {"labelSelector": {"matchLabels": {"app": "busybox2"}}}}},
    }
    velero = velero_migrate_backup_for(migrate, ttl="240h")
    assert velero == _golden(shared_dir, "label-selector")
    crd_validator(VELERO_BACKUP_CRD, velero)
    assert velero_migrate_backup_for(migrate)["spec"]["ttl"] == "0s"


def test_no_policy_gives_zero_spec_and_minimal_mode() -> None:
    obj = build_backup_manifest(KuratorBackup(name="minimal", destination=Destination("q")))
    assert velero_objects_for(obj, "m1")["spec"] == {
        "csiSnapshotTimeout": "0s", "hooks": {}, "itemOperationTimeout": "0s", "metadata": {},
        "ttl": "0s"}
    minimal = velero_objects_for(obj, "m1", go_zero_values=False)
    assert minimal == {"apiVersion": "velero.io/v1", "kind": "Backup",
                       "metadata": {"name": "m1-backup-default-minimal", "namespace": "velero",
                                    "labels": {"kurator.dev/backup-name": "minimal",
                                               "fleet.kurator.dev/fleet-name": "q",
                                               "fleet.kurator.dev/plugin": "backup"}},
                       "spec": {}}


def test_all_filter_fields_are_copied(crd_validator: Check) -> None:
    rf = ResourceFilter(included_namespaces=["a"], excluded_namespaces=["b"],
                        included_cluster_scoped_resources=["*"],
                        excluded_namespace_scoped_resources=["secrets"],
                        or_label_selectors=[{"matchLabels": {"x": "y"}}],
                        extra={"unknownToGo": True})
    backup = KuratorBackup(name="all", destination=Destination("q"),
                           policy=BackupPolicy(rf, ttl="1.5h", ordered_resources={"pods": "a/p"}))
    spec = velero_objects_for(build_backup_manifest(backup), "m1", go_zero_values=False)["spec"]
    assert spec == {"includedNamespaces": ["a"], "excludedNamespaces": ["b"],
                    "includedClusterScopedResources": ["*"],
                    "excludedNamespaceScopedResources": ["secrets"],
                    "orLabelSelectors": [{"matchLabels": {"x": "y"}}], "ttl": "1h30m0s",
                    "orderedResources": {"pods": "a/p"}}
    crd_validator(VELERO_BACKUP_CRD, velero_objects_for(build_backup_manifest(backup), "m1"))


def test_policy_without_resource_filter_is_refused_like_the_controller_crash() -> None:
    obj = {"kind": "Backup", "metadata": {"name": "b"},
           "spec": {"destination": {"fleet": "q"}, "policy": {"ttl": "1h"}}}
    with pytest.raises(FieldError) as caught:
        velero_objects_for(obj, "m1")
    assert caught.value.field == "policy.resourceFilter"


# --- CRD conformance and robustness -----------------------------------------------------------

_label = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?", fullmatch=True)
_backups = st.builds(
    KuratorBackup,
    name=_label,
    destination=st.builds(Destination, fleet=_label, clusters=st.lists(
        st.builds(ClusterRef, name=_label, kind=st.sampled_from(["AttachedCluster", "Cluster",
                                                                   ""])), max_size=3)),
    namespace=_label,
    policy=st.none() | st.builds(
        BackupPolicy,
        resource_filter=st.builds(ResourceFilter, included_namespaces=st.lists(_label, max_size=2),
                                  include_cluster_resources=st.none() | st.booleans(),
                                  label_selector=st.none() | st.just({"matchLabels": {"a": "b"}})),
        ttl=st.none() | st.sampled_from(["720h", "1h30m", "0", "90s"]),
        ordered_resources=st.dictionaries(st.just("pods"), st.just("ns/p"), max_size=1)),
    schedule=st.none() | st.sampled_from(["0 0 * * *", "*/5 * * * *", ""]),
)


@settings(max_examples=100, deadline=None)
@given(_backups)
def test_built_manifests_match_the_crds(crd_validator: Check, backup: KuratorBackup) -> None:
    manifest = build_backup_manifest(backup)
    crd_validator(KURATOR_CRD, manifest)
    assert build_backup_manifest(parse_backup(manifest)) == manifest
    velero = velero_objects_for(manifest, "member")
    crd_validator(VELERO_SCHEDULE_CRD if backup.schedule else VELERO_BACKUP_CRD, velero)
    errors, _ = validate_backup(backup)
    assert all(isinstance(e, FieldError) for e in errors)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=6),
                     lambda inner: st.lists(inner, max_size=3) |
                     st.dictionaries(st.sampled_from(["name", "fleet", "clusters", "policy",
                                                      "resourceFilter", "ttl", "kind",
                                                      "schedule", "destination", "x"]),
                                     inner, max_size=4), max_leaves=12)


@FUZZ
@given(st.dictionaries(st.sampled_from(["apiVersion", "kind", "metadata", "spec", "status"]),
                       _json, max_size=4))
def test_parse_and_derive_only_raise_field_error(obj: dict[str, Any]) -> None:
    try:
        backup = parse_backup(obj)
    except FieldError as err:
        assert err.message
        return
    validate_backup(backup, FLEET)
    build_backup_manifest(clone_backup(backup, "copy"))
    for derive in (lambda: velero_objects_for(obj, "m1"),
                   lambda: velero_migrate_backup_for({**obj, "kind": "Migrate"}, ttl="1h")):
        try:
            derive()
        except FieldError as err:
            assert err.message


@FUZZ
@given(st.text(), st.text(), st.text())
def test_validate_free_text_fields_only_yields_field_errors(name: str, ttl: str,
                                                            schedule: str) -> None:
    backup = KuratorBackup(name=name, destination=Destination(name, [ClusterRef(name)]),
                           namespace=name, policy=BackupPolicy(ttl=ttl), schedule=schedule)
    errors, _ = validate_backup(backup, FLEET)
    assert all(isinstance(e, FieldError) for e in errors)
