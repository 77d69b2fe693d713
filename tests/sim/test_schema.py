"""CRD schema handling: pruning, defaulting and validation worded like kube-apiserver."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.sim.crd_loader import CRD_DIR, CrdInfo, load_builtin_crds, load_crd
from fleettui.sim.printer_jsonpath import json_path_value
from fleettui.sim.schema import (
    CrdSchema,
    go_float,
    invalid_message,
    is_date_time,
    strict_decoding_message,
    unknown_field_warnings,
)
from tests.conftest import FIXTURES

KURATOR = FIXTURES / "kurator"

CRDS: dict[tuple[str, str], CrdInfo] = {(c.group, c.kind): c for c in load_builtin_crds()}
K_BACKUP = CRDS["backup.kurator.dev", "Backup"]
K_RESTORE = CRDS["backup.kurator.dev", "Restore"]
K_MIGRATE = CRDS["backup.kurator.dev", "Migrate"]
FLEET = CRDS["fleet.kurator.dev", "Fleet"]
ATTACHED = CRDS["cluster.kurator.dev", "AttachedCluster"]
V_BACKUP = CRDS["velero.io", "Backup"]
V_SCHEDULE = CRDS["velero.io", "Schedule"]
V_RESTORE = CRDS["velero.io", "Restore"]
V_BSL = CRDS["velero.io", "BackupStorageLocation"]
V_DBR = CRDS["velero.io", "DeleteBackupRequest"]


def kbackup(spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": "x", "namespace": "default"}, "spec": spec, **extra}


def admit(info: CrdInfo, obj: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    pruned = info.schema.prune(obj)
    info.schema.default(obj)
    return pruned, info.schema.validate(obj)


def fields(causes: list[dict[str, str]]) -> list[str]:
    return [c["field"] for c in causes]


# --------------------------------------------------------------------------------------------
# The CRD files and what load_crd reads from them
# --------------------------------------------------------------------------------------------

CRD_FILES = sorted(p.name for p in CRD_DIR.glob("*.yaml"))


def test_eleven_builtin_crds() -> None:
    assert len(CRD_FILES) == 11
    assert sorted(CRDS) == sorted([
        ("backup.kurator.dev", "Backup"), ("backup.kurator.dev", "Migrate"),
        ("backup.kurator.dev", "Restore"), ("cluster.kurator.dev", "AttachedCluster"),
        ("fleet.kurator.dev", "Fleet"), ("velero.io", "Backup"),
        ("velero.io", "BackupStorageLocation"), ("velero.io", "DeleteBackupRequest"),
        ("velero.io", "DownloadRequest"), ("velero.io", "Restore"), ("velero.io", "Schedule")])


@pytest.mark.parametrize("name", CRD_FILES)
def test_crd_file_is_byte_identical_to_upstream(name: str) -> None:
    originals = [d / name for d in (KURATOR / "crds", FIXTURES / "velero") if (d / name).is_file()]
    assert originals, f"no upstream original for {name}"
    assert (CRD_DIR / name).read_bytes() == originals[0].read_bytes()


@pytest.mark.parametrize("name", CRD_FILES)
def test_load_crd_reads_names_and_schema(name: str) -> None:
    raw = yaml.safe_load((CRD_DIR / name).read_text())
    info = load_crd(CRD_DIR / name)
    assert info == load_crd(raw)
    spec = raw["spec"]
    (version,) = spec["versions"]
    assert (info.group, info.version, info.kind) == (spec["group"], version["name"],
                                                     spec["names"]["kind"])
    assert info.plural == spec["names"]["plural"]
    assert info.singular == spec["names"]["singular"]
    assert info.list_kind == f"{info.kind}List"
    assert info.namespaced
    assert info.raw_schema == version["schema"]["openAPIV3Schema"]
    assert info.schema.raw is info.raw_schema
    assert isinstance(info.schema, CrdSchema)
    assert info.crd == raw
    assert name == f"{info.group}_{info.plural}.yaml"
    assert info.name == f"{info.plural}.{info.group}"
    assert info.api_version == f"{info.group}/{info.version}"
    hash(info)


def test_names_short_names_and_categories() -> None:
    assert V_BSL.short_names == ("bsl",)
    for (group, _), info in CRDS.items():
        if group == "velero.io":
            assert info.categories == ()
        else:
            assert info.categories == ("kurator-dev",)
        if info is not V_BSL:
            assert info.short_names == ()
    assert {c.version for c in CRDS.values() if c.group == "velero.io"} == {"v1"}
    assert {c.version for c in CRDS.values() if c.group != "velero.io"} == {"v1alpha1"}


@pytest.mark.parametrize(("key", "expected"), [
    (("backup.kurator.dev", "Backup"), True),
    (("backup.kurator.dev", "Restore"), True),
    (("backup.kurator.dev", "Migrate"), True),
    (("fleet.kurator.dev", "Fleet"), True),
    (("cluster.kurator.dev", "AttachedCluster"), True),
    (("velero.io", "Backup"), False),  # no `subresources` key at all
    (("velero.io", "Restore"), False),
    (("velero.io", "Schedule"), False),  # `subresources: {}`
    (("velero.io", "BackupStorageLocation"), False),
    (("velero.io", "DeleteBackupRequest"), False),
])
def test_status_subresource(key: tuple[str, str], expected: bool) -> None:
    assert CRDS[key].status_subresource is expected


def test_velero_subresources_key_presence() -> None:
    for info in (V_BACKUP, V_RESTORE):
        assert "subresources" not in info.crd["spec"]["versions"][0]
    for info in (V_SCHEDULE, V_BSL, V_DBR):
        assert info.crd["spec"]["versions"][0]["subresources"] == {}


@pytest.mark.parametrize(("key", "columns"), [
    (("backup.kurator.dev", "Backup"), [("Schedule", ".spec.schedule", "string"),
                                        ("Phase", ".status.phase", "string")]),
    (("backup.kurator.dev", "Restore"), [("Phase", ".status.phase", "string")]),
    (("backup.kurator.dev", "Migrate"), [("Phase", ".status.phase", "string")]),
    (("fleet.kurator.dev", "Fleet"), [("Phase", ".status.phase", "string")]),
    (("cluster.kurator.dev", "AttachedCluster"), [("Ready", ".status.ready", "boolean")]),
    (("velero.io", "Backup"), []),
    (("velero.io", "Restore"), []),
    (("velero.io", "Schedule"), [("Status", ".status.phase", "string"),
                                 ("Schedule", ".spec.schedule", "string"),
                                 ("LastBackup", ".status.lastBackup", "date"),
                                 ("Age", ".metadata.creationTimestamp", "date"),
                                 ("Paused", ".spec.paused", "boolean")]),
    (("velero.io", "BackupStorageLocation"), [
        ("Phase", ".status.phase", "string"),
        ("Last Validated", ".status.lastValidationTime", "date"),
        ("Age", ".metadata.creationTimestamp", "date"),
        ("Default", ".spec.default", "boolean")]),
    (("velero.io", "DeleteBackupRequest"), [("BackupName", ".spec.backupName", "string"),
                                            ("Status", ".status.phase", "string")]),
])
def test_printer_columns(key: tuple[str, str], columns: list[tuple[str, str, str]]) -> None:
    got = [(c["name"], c["jsonPath"], c["type"]) for c in CRDS[key].printer_columns]
    assert got == columns


def test_load_crd_picks_storage_version_and_rejects_non_crds() -> None:
    crd = copy.deepcopy(ATTACHED.crd)
    v2 = copy.deepcopy(crd["spec"]["versions"][0])
    crd["spec"]["versions"][0]["storage"] = False
    v2.update(name="v1beta1", storage=True, subresources={})
    crd["spec"]["versions"].append(v2)
    info = load_crd(crd)
    assert (info.version, info.status_subresource) == ("v1beta1", False)
    with pytest.raises(ValueError, match="not a CustomResourceDefinition"):
        load_crd({"kind": "Pod"})


# --------------------------------------------------------------------------------------------
# Upstream objects are valid and nothing of them is pruned
# --------------------------------------------------------------------------------------------

def _upstream_docs() -> list[Any]:
    files = sorted([*KURATOR.glob("examples/backup/*.yaml"),
                    *KURATOR.glob("examples/fleet-common/*.yaml"),
                    *KURATOR.glob("examples/fleet-backup-plugin/*.yaml"),
                    *KURATOR.glob("examples/status-samples-from-docs/*.yaml"),
                    *KURATOR.glob("controller-testdata/velero-objects/**/*.yaml")])
    params = []
    for f in files:
        for i, doc in enumerate(yaml.safe_load_all(f.read_text())):
            if not isinstance(doc, dict):
                continue
            key = (doc["apiVersion"].split("/")[0], doc["kind"])
            if key in CRDS:
                params.append(pytest.param(doc, id=f"{f.relative_to(KURATOR)}#{i}"))
    return params


UPSTREAM = _upstream_docs()


def test_upstream_examples_cover_every_kind_we_care_about() -> None:
    kinds = {(p.values[0]["apiVersion"].split("/")[0], p.values[0]["kind"]) for p in UPSTREAM}
    assert kinds >= {("backup.kurator.dev", "Backup"), ("backup.kurator.dev", "Restore"),
                     ("backup.kurator.dev", "Migrate"), ("fleet.kurator.dev", "Fleet"),
                     ("cluster.kurator.dev", "AttachedCluster"), ("velero.io", "Backup"),
                     ("velero.io", "Schedule"), ("velero.io", "Restore")}
    assert len(UPSTREAM) >= 20


@pytest.mark.parametrize("doc", UPSTREAM)
def test_upstream_object_is_valid_and_unpruned(doc: dict[str, Any]) -> None:
    info = CRDS[doc["apiVersion"].split("/")[0], doc["kind"]]
    obj = copy.deepcopy(doc)
    assert info.schema.prune(obj) == []
    assert obj == doc
    info.schema.default(obj)
    assert info.schema.validate(obj) == []
    assert info.schema.validate(copy.deepcopy(doc)) == []


def test_golden_velero_objects_keep_null_timestamp_and_empty_status() -> None:
    doc = yaml.safe_load(
        (KURATOR / "controller-testdata/velero-objects/backup/schedule.yaml").read_text())
    obj = copy.deepcopy(doc)
    assert admit(V_SCHEDULE, obj) == ([], [])
    assert obj["metadata"]["creationTimestamp"] is None
    assert obj["status"] == {}
    assert obj["spec"]["template"]["metadata"] == {}


# --------------------------------------------------------------------------------------------
# Validation causes
# --------------------------------------------------------------------------------------------

def test_backup_missing_fleet_is_required() -> None:
    obj = kbackup({"destination": {"clusters": [{"kind": "AttachedCluster", "name": "m1"}]}})
    assert K_BACKUP.schema.admit(obj) == ([], [{"reason": "FieldValueRequired",
                                          "message": "Required value",
                                          "field": "spec.destination.fleet"}])


def test_backup_missing_destination_and_velero_missing_required() -> None:
    assert K_BACKUP.schema.validate(kbackup({})) == [
        {"reason": "FieldValueRequired", "message": "Required value",
         "field": "spec.destination"}]
    assert fields(V_BSL.schema.validate({"spec": {}})) == ["spec.objectStorage", "spec.provider"]
    assert fields(V_DBR.schema.validate({"spec": {}})) == ["spec.backupName"]
    assert fields(K_RESTORE.schema.validate({"spec": {}})) == ["spec.backupName"]


@pytest.mark.parametrize(("info", "spec", "field", "expected", "actual"), [
    (K_BACKUP, {"destination": {"fleet": "q"}, "schedule": 5}, "spec.schedule",
     "string", "integer"),
    (K_BACKUP, {"destination": {"fleet": "q"}, "policy": {"ttl": True}}, "spec.policy.ttl",
     "string", "boolean"),
    (K_BACKUP, {"destination": "quickstart"}, "spec.destination", "object", "string"),
    (K_BACKUP, {"destination": {"fleet": "q", "clusters": {"name": "a"}}},
     "spec.destination.clusters", "array", "object"),
    (K_BACKUP, {"destination": {"fleet": ["q"]}}, "spec.destination.fleet", "string", "array"),
    (V_SCHEDULE, {"schedule": "@daily", "template": {}, "paused": "yes"}, "spec.paused",
     "boolean", "string"),
    (V_BACKUP, {"ttl": 720}, "spec.ttl", "string", "integer"),
    (V_BACKUP, {"snapshotVolumes": 1.5}, "spec.snapshotVolumes", "boolean", "number"),
    (FLEET, {"plugin": {"distributedStorage": {"storage": {"monitor": {"count": "3"}}}}},
     "spec.plugin.distributedStorage.storage.monitor.count", "integer", "string"),
])
def test_wrong_type(info: CrdInfo, spec: dict[str, Any], field: str, expected: str,
                    actual: str) -> None:
    causes = info.schema.validate({"spec": spec})
    assert causes == [{
        "reason": "FieldValueTypeInvalid", "field": field,
        "message": f'Invalid value: "{actual}": {field} in body must be of type {expected}: '
                   f'"{actual}"'}]


def test_wrong_type_at_object_level_skips_nested_checks() -> None:
    assert fields(K_BACKUP.schema.validate({"spec": "nope"})) == ["spec"]
    not_an_object: Any = []
    assert K_BACKUP.schema.validate(not_an_object)[0]["message"] == \
        'Invalid value: "array":  in body must be of type object: "array"'


def test_integer_accepts_integral_json_numbers_only() -> None:
    path = ("plugin", "distributedStorage", "storage", "monitor")

    def count(value: Any) -> list[str]:
        spec: dict[str, Any] = {"count": value}
        for key in reversed(path):
            spec = {key: spec}
        return [c["reason"] for c in FLEET.schema.validate({"spec": spec})]

    assert count(3) == []
    assert count(3.0) == []  # the apiserver accepts a float64 that is an exact integer
    assert count(True) == ["FieldValueTypeInvalid"]
    assert count(2.5) == ["FieldValueTypeInvalid"]
    assert count(None) == ["FieldValueTypeInvalid"]
    assert count(0) == ["FieldValueInvalid"]  # minimum: 1


def test_type_errors_on_formatted_fields_name_the_format() -> None:
    # kube-openapi checks a non-string value of a field with `format` against the format
    path = "status.readyClusters"  # an integer with format int32

    def count(value: Any) -> list[str]:
        return [c["message"] for c in FLEET.schema.validate({"status": {"readyClusters": value}})]

    assert count(2.5) == [
        f'Invalid value: "float64": {path} in body must be of type int32: "float64"']
    assert count(True) == [f'Invalid value: "": {path} in body must be of type int32: ""']
    assert count("3") == [
        f'Invalid value: "string": {path} in body must be of type integer: "string"']
    assert count(3) == count(3.0) == []

    def last_backup(value: Any) -> list[dict[str, str]]:
        return V_SCHEDULE.schema.validate({"status": {"lastBackup": value}})

    assert last_backup(5) == [{
        "reason": "FieldValueTypeInvalid", "field": "status.lastBackup",
        "message": 'Invalid value: "int64": status.lastBackup in body must be of type '
                   'date-time: "int64"'}]
    assert last_backup({})[0]["message"].endswith('must be of type date-time: ""')
    assert last_backup(["2023-10-28T03:37:07Z"]) == []  # yes, the apiserver lets this through
    assert last_backup(None) == []  # nullable


def test_null_for_nullable_and_non_nullable_fields() -> None:
    spec = {"destination": {"fleet": "q"}, "schedule": None,
            "policy": {"resourceFilter": {"includedNamespaces": None}}}
    causes = K_BACKUP.schema.validate(kbackup(spec))
    assert causes == [{"reason": "FieldValueTypeInvalid", "field": "spec.schedule",
                       "message": 'Invalid value: "null": spec.schedule in body must be of type '
                                  'string: "null"'}]
    # on a write the apiserver drops non-nullable nulls before validating
    obj = kbackup(copy.deepcopy(spec))
    assert admit(K_BACKUP, obj) == ([], [])
    assert "schedule" not in obj["spec"]
    assert obj["spec"]["policy"]["resourceFilter"] == {"includedNamespaces": None}
    # ... so a required field sent as null is then missing
    obj = kbackup({"destination": {"fleet": None}})
    assert admit(K_BACKUP, obj)[1] == [{"reason": "FieldValueRequired",
                                        "message": "Required value",
                                        "field": "spec.destination.fleet"}]


def test_enum_violation_on_migrate_status_phase() -> None:
    obj = {"spec": {"sourceCluster": {"fleet": "q"}, "targetCluster": {"fleet": "q"}},
           "status": {"phase": "Bogus"}}
    assert K_MIGRATE.schema.validate(obj) == [{
        "reason": "FieldValueNotSupported", "field": "status.phase",
        "message": 'Unsupported value: "Bogus": supported values: "Pending", '
                   '"FailedValidation", "BackupInProgress", "RestoreInProgress", "Completed", '
                   '"Failed"'}]
    obj["status"] = {"phase": "Completed"}
    assert K_MIGRATE.schema.validate(obj) == []


def test_enum_with_wrong_type_reports_both_like_kube_openapi() -> None:
    causes = V_BSL.schema.validate({"spec": {"provider": "aws",
                                             "objectStorage": {"bucket": "b"},
                                             "accessMode": 1}})
    assert [c["reason"] for c in causes] == ["FieldValueTypeInvalid", "FieldValueNotSupported"]
    assert causes[1]["message"] == \
        'Unsupported value: 1: supported values: "ReadOnly", "ReadWrite"'


def test_nested_array_paths_use_indices() -> None:
    spec = {"hooks": {"resources": [
        {"name": "ok", "pre": [{"exec": {"command": ["sh"]}}]},
        {"name": "bad", "pre": [{"exec": {"command": ["sh"]}},
                                {"exec": {"command": [], "onError": "Ignore"}}],
         "post": [{"exec": {}}]},
    ]}}
    causes = V_BACKUP.schema.validate({"spec": spec})
    base = "spec.hooks.resources[1]"
    assert causes == [
        {"reason": "FieldValueRequired", "message": "Required value",
         "field": f"{base}.post[0].exec.command"},
        {"reason": "FieldValueInvalid", "field": f"{base}.pre[1].exec.command",
         "message": f'Invalid value: 0: {base}.pre[1].exec.command in body should have at '
                    "least 1 items"},
        {"reason": "FieldValueNotSupported", "field": f"{base}.pre[1].exec.onError",
         "message": 'Unsupported value: "Ignore": supported values: "Continue", "Fail"'},
    ]
    kb = K_BACKUP.schema.validate(kbackup({"destination": {"fleet": "q", "clusters": [
        {"kind": "AttachedCluster", "name": "m1"}, {"kind": "AttachedCluster", "name": 7}]}}))
    assert fields(kb) == ["spec.destination.clusters[1].name"]


def test_format_date_time() -> None:
    for good in ("2023-10-28T03:37:07Z", "2023-10-28t03:37:07.123456+08:00",
                 "2024-02-29T23:59:59-01:30"):
        assert is_date_time(good), good
    for bad in ("", "2023-10-28", "2023-10-28 03:37:07Z", "2023-13-01T00:00:00Z",
                "2023-02-30T00:00:00Z", "2023-10-28T24:00:00Z", "2023-10-28T03:37:07"):
        assert not is_date_time(bad), bad
    causes = V_SCHEDULE.schema.validate({"status": {"lastBackup": "yesterday"}})
    assert causes == [{"reason": "FieldValueTypeInvalid", "field": "status.lastBackup",
                       "message": 'Invalid value: "yesterday": status.lastBackup in body must '
                                  'be of type date-time: "yesterday"'}]
    assert V_SCHEDULE.schema.validate({"status": {"lastBackup": "2023-10-28T03:37:07Z"}}) == []


def test_format_byte_pattern_minimum_maximum() -> None:
    bsl: dict[str, Any] = {
        "spec": {"provider": "aws", "objectStorage": {"bucket": "b", "caCert": "@@"}}}
    assert V_BSL.schema.validate(bsl) == [{
        "reason": "FieldValueTypeInvalid", "field": "spec.objectStorage.caCert",
        "message": 'Invalid value: "@@": spec.objectStorage.caCert in body must be of type '
                   'byte: "@@"'}]
    bsl["spec"]["objectStorage"]["caCert"] = "aGVsbG8="
    assert V_BSL.schema.validate(bsl) == []

    storage = {"dataDirHostPath": "var/lib", "monitor": {"count": 10},
               "manager": {"count": 0}}
    causes = FLEET.schema.validate(
        {"spec": {"plugin": {"distributedStorage": {"storage": storage}}}})
    p = "spec.plugin.distributedStorage.storage"
    assert causes == [
        {"reason": "FieldValueInvalid", "field": f"{p}.dataDirHostPath",
         "message": f"Invalid value: \"var/lib\": {p}.dataDirHostPath in body should match "
                    "'^/(\\S+)'"},
        {"reason": "FieldValueInvalid", "field": f"{p}.manager.count",
         "message": f"Invalid value: 0: {p}.manager.count in body should be greater than or "
                    "equal to 1"},
        {"reason": "FieldValueInvalid", "field": f"{p}.monitor.count",
         "message": f"Invalid value: 10: {p}.monitor.count in body should be less than or "
                    "equal to 9"},
    ]


def test_generic_keywords_on_a_handmade_schema() -> None:
    schema = CrdSchema({"type": "object", "properties": {
        "s": {"type": "string", "minLength": 2, "maxLength": 3},
        "n": {"type": "number", "minimum": 1.5, "exclusiveMinimum": True, "multipleOf": 0.5},
        "a": {"type": "array", "maxItems": 1, "uniqueItems": True, "items": {"type": "integer"}},
        "m": {"type": "object", "additionalProperties": {"type": "integer"}, "maxProperties": 5},
        "ios": {"x-kubernetes-int-or-string": True},
        "when": {"type": "string", "format": "date"},
    }})
    causes = schema.validate({"s": "abcd", "n": 1.5, "a": [1, 1], "m": {"k.io/x": "v"},
                              "ios": True, "when": "2023-02-30"})
    assert [(c["field"], c["reason"], c["message"]) for c in causes] == [
        ("s", "FieldValueTooLong", "Too long: may not be longer than 3"),
        ("n", "FieldValueInvalid", "Invalid value: 1.5: n in body should be greater than 1.5"),
        ("a", "FieldValueTooMany", "Too many: 2: must have at most 1 items"),
        ("a", "FieldValueInvalid", 'Invalid value: "": a in body shouldn\'t contain duplicates'),
        ("m.k.io/x", "FieldValueTypeInvalid",
         'Invalid value: "string": m.k.io/x in body must be of type integer: "string"'),
        ("ios", "FieldValueTypeInvalid",
         'Invalid value: "boolean": ios in body must be of type integer,string: "boolean"'),
        ("when", "FieldValueTypeInvalid",
         'Invalid value: "2023-02-30": when in body must be of type date: "2023-02-30"'),
    ]
    assert [c["message"] for c in schema.validate({"s": "a", "n": 2.25})] == [
        'Invalid value: "a": s in body should be at least 2 chars long',
        "Invalid value: 2.25: n in body should be a multiple of 0.5"]
    assert schema.validate({"ios": 3}) == schema.validate({"ios": "3"}) == []


# --------------------------------------------------------------------------------------------
# Pruning and field validation modes
# --------------------------------------------------------------------------------------------

def test_unknown_fields_are_pruned_with_their_paths() -> None:
    obj = kbackup({"destination": {"fleet": "q", "extra": 1, "clusters": [
        {"kind": "AttachedCluster", "name": "m1"},
        {"kind": "AttachedCluster", "name": "m2", "bar": {"deep": True}}]},
        "foo": "x", "policy": {"ttl": "1h", "resourceFilter": {"labelSelector": {
            "matchLabels": {"app": "busybox", "app.kubernetes.io/name": "x"},
            "matchExpressions": [{"key": "a", "operator": "In", "values": ["b"],
                                  "weird": 1}]}}}},
        status={"phase": "Running", "nope": []}, top="level")
    obj["metadata"].update(labels={"a": "b"}, annotations={"c": "d"}, bogus=1,
                           ownerReferences=[{"apiVersion": "v1", "kind": "X", "name": "n",
                                             "uid": "u", "stray": 0}])
    pruned = K_BACKUP.schema.prune(obj)
    assert pruned == [
        "metadata.bogus",
        "metadata.ownerReferences[0].stray",
        "spec.destination.extra",
        "spec.destination.clusters[1].bar",
        "spec.foo",
        "spec.policy.resourceFilter.labelSelector.matchExpressions[0].weird",
        "status.nope",
        "top",
    ]
    assert obj["spec"] == {"destination": {"fleet": "q", "clusters": [
        {"kind": "AttachedCluster", "name": "m1"}, {"kind": "AttachedCluster", "name": "m2"}]},
        "policy": {"ttl": "1h", "resourceFilter": {"labelSelector": {
            "matchLabels": {"app": "busybox", "app.kubernetes.io/name": "x"},
            "matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}}}}
    assert obj["metadata"] == {"name": "x", "namespace": "default", "labels": {"a": "b"},
                               "annotations": {"c": "d"}, "ownerReferences": [
                                   {"apiVersion": "v1", "kind": "X", "name": "n", "uid": "u"}]}
    assert obj["status"] == {"phase": "Running"}
    assert obj["apiVersion"] == "backup.kurator.dev/v1alpha1" and obj["kind"] == "Backup"
    assert K_BACKUP.schema.prune(obj) == []


def test_root_meta_fields_are_never_reported() -> None:
    schema = CrdSchema({"type": "object", "properties": {"spec": {"type": "object"}}})
    obj = {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "n"}, "spec": {"a": 1}}
    assert schema.prune(obj) == ["spec.a"]
    assert obj == {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "n"}, "spec": {}}
    odd: dict[str, Any] = {"apiVersion": 5, "kind": ["X"], "metadata": "m"}
    assert schema.prune(odd) == []  # left for the decoder / validation to complain about
    assert odd == {"apiVersion": 5, "kind": ["X"], "metadata": "m"}
    assert fields(K_BACKUP.schema.validate(odd)) == ["apiVersion", "kind", "metadata"]


def test_preserve_unknown_fields_and_maps_are_kept() -> None:
    extra = {"anything": {"goes": [1, {"x": None}]}, "configuration": {"backupStorageLocation":
                                                                      [{"name": "default"}]}}
    obj: dict[str, Any] = {"spec": {"plugin": {"backup": {
        "storage": {"location": {"bucket": "b", "endpoint": "e", "provider": "aws",
                                 "region": "r", "config": {"s3ForcePathStyle": "true"}},
                    "secretName": "s"},
        "extraArgs": copy.deepcopy(extra)}}}}
    assert FLEET.schema.prune(obj) == []
    assert obj["spec"]["plugin"]["backup"]["extraArgs"] == extra
    # Fleet's rook `nodes[]` and `devices` preserve unknown fields all the way down (for arrays
    # the apiserver keeps preserving into the items even if they do not say so themselves)
    storage = {"nodes": [{"name": "n1", "whatever": 1,
                          "devices": [{"name": "sdb", "config": {"k": "v"}, "free": 1}]}]}
    obj = {"spec": {"plugin": {"distributedStorage": {"storage": {"storage": storage}}}}}
    assert FLEET.schema.prune(obj) == []
    assert obj["spec"]["plugin"]["distributedStorage"]["storage"]["storage"] == storage
    # inside a preserve-unknown-fields object, declared properties are still pruned
    schema = CrdSchema({"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-preserve-unknown-fields": True,
        "properties": {"strict": {"type": "object", "properties": {"a": {"type": "string"}}}}}}})
    obj = {"spec": {"free": {"x": 1}, "strict": {"a": "1", "b": 2}}}
    assert schema.prune(obj) == ["spec.strict.b"]
    assert obj == {"spec": {"free": {"x": 1}, "strict": {"a": "1"}}}


def test_nested_metadata_follows_its_declared_schema() -> None:
    obj: dict[str, Any] = {
        "apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "s"},
        "spec": {"schedule": "@daily", "template": {
            "metadata": {"labels": {"a": "b"}, "annotations": {"c": "d"}, "name": "n"},
            "includedNamespaces": ["*"]}}}
    assert V_SCHEDULE.schema.prune(obj) == ["spec.template.metadata.annotations",
                                            "spec.template.metadata.name"]
    assert obj["spec"]["template"]["metadata"] == {"labels": {"a": "b"}}
    bk = {"spec": {"metadata": {"labels": {"x": "y"}, "finalizers": ["f"]}}}
    assert V_BACKUP.schema.prune(bk) == ["spec.metadata.finalizers"]


def test_object_without_properties_is_emptied() -> None:
    # AttachedCluster declares `status: {ready}` only; a sub-object with no schema is dropped
    obj = {"spec": {"kubeconfig": {"name": "s", "key": "k"}},
           "status": {"ready": True, "conditions": [{"type": "Ready"}]}}
    assert ATTACHED.schema.prune(obj) == ["status.conditions"]
    schema = CrdSchema({"type": "object", "properties": {
        "free": {"type": "object"}, "list": {"type": "array"}}})
    free: dict[str, Any] = {"free": {"a": {"b": 1}}, "list": [{"c": 1}, 2]}
    assert schema.prune(free) == ["free.a", "list[0].c"]
    assert free == {"free": {}, "list": [{}, 2]}


def test_strict_and_warn_messages() -> None:
    """kube-apiserver's order: metadata's unknown fields first, then the rest sorted."""
    paths = ["spec.foo", "zeta", "metadata.x", "spec.destination.clusters[0].bar"]
    assert strict_decoding_message("Backup", "v1alpha1", paths) == (
        'Backup in version "v1alpha1" cannot be handled as a Backup: strict decoding error: '
        'unknown field "metadata.x", unknown field "spec.destination.clusters[0].bar", '
        'unknown field "spec.foo", unknown field "zeta"')
    assert unknown_field_warnings(paths) == [
        'unknown field "metadata.x"', 'unknown field "spec.destination.clusters[0].bar"',
        'unknown field "spec.foo"', 'unknown field "zeta"']


# --------------------------------------------------------------------------------------------
# Defaults
# --------------------------------------------------------------------------------------------

def test_attached_cluster_kubeconfig_key_defaults_to_value() -> None:
    obj = {"spec": {"kubeconfig": {"name": "member1-secret"}}}
    assert ATTACHED.schema.validate(copy.deepcopy(obj)) == [
        {"reason": "FieldValueRequired", "message": "Required value",
         "field": "spec.kubeconfig.key"}]
    ATTACHED.schema.default(obj)
    assert obj == {"spec": {"kubeconfig": {"name": "member1-secret", "key": "value"}}}
    assert ATTACHED.schema.validate(obj) == []
    kept = {"spec": {"kubeconfig": {"name": "s", "key": "kubeconfig"}}}
    ATTACHED.schema.default(kept)
    assert kept["spec"]["kubeconfig"]["key"] == "kubeconfig"
    nulled = {"spec": {"kubeconfig": {"name": "s", "key": None}}}
    assert admit(ATTACHED, nulled) == ([], [])
    assert nulled["spec"]["kubeconfig"]["key"] == "value"
    # defaults never create missing parents
    bare: dict[str, Any] = {"spec": {}}
    ATTACHED.schema.default(bare)
    assert bare == {"spec": {}}


def test_velero_bsl_and_fleet_defaults() -> None:
    bsl: dict[str, Any] = {"spec": {"provider": "aws", "credential": {"key": "cloud"},
                                    "objectStorage": {"bucket": "b", "caCertRef": {"key": "ca"}}}}
    V_BSL.schema.default(bsl)
    assert bsl["spec"]["credential"] == {"key": "cloud", "name": ""}
    assert bsl["spec"]["objectStorage"]["caCertRef"] == {"key": "ca", "name": ""}
    fleet: dict[str, Any] = {"spec": {"plugin": {"policy": {"kyverno": {"podSecurity": {}}}}}}
    FLEET.schema.default(fleet)
    assert fleet["spec"]["plugin"]["policy"]["kyverno"]["podSecurity"] == {
        "severity": "medium", "standard": "baseline", "validationFailureAction": "Audit"}
    assert FLEET.schema.validate(fleet) == []


def test_defaults_are_copies_and_apply_in_arrays_and_maps() -> None:
    schema = CrdSchema({"type": "object", "properties": {
        "obj": {"type": "object", "default": {"inner": {}},
                "properties": {"inner": {"type": "object", "properties": {
                    "n": {"type": "integer", "default": 3}}}}},
        "list": {"type": "array", "items": {"type": "object", "properties": {
            "k": {"type": "string", "default": "d"}}}},
        "map": {"type": "object", "additionalProperties": {"type": "string", "default": "z"}},
    }})
    a: dict[str, Any] = {"list": [{}, {"k": "x"}], "map": {"a": None, "b": "b"}}
    schema.default(a)
    assert a == {"obj": {"inner": {"n": 3}}, "list": [{"k": "d"}, {"k": "x"}],
                 "map": {"a": "z", "b": "b"}}
    b: dict[str, Any] = {}
    schema.default(b)
    assert b["obj"] is not a["obj"]
    assert schema.raw["properties"]["obj"]["default"] == {"inner": {}}


# --------------------------------------------------------------------------------------------
# Status message
# --------------------------------------------------------------------------------------------

REQUIRED = {"reason": "FieldValueRequired", "message": "Required value",
            "field": "spec.destination.fleet"}
TYPED = {"reason": "FieldValueTypeInvalid", "field": "spec.schedule",
         "message": 'Invalid value: "integer": spec.schedule in body must be of type string: '
                    '"integer"'}


def test_invalid_message_one_and_several() -> None:
    assert invalid_message("Backup", "backup.kurator.dev", "x", [REQUIRED]) == (
        'Backup.backup.kurator.dev "x" is invalid: spec.destination.fleet: Required value')
    assert invalid_message("Backup", "backup.kurator.dev", "x", [REQUIRED, TYPED]) == (
        'Backup.backup.kurator.dev "x" is invalid: [spec.destination.fleet: Required value, '
        'spec.schedule: Invalid value: "integer": spec.schedule in body must be of type string: '
        '"integer"]')
    # duplicates collapse (errors.Aggregate), kinds of the core group have no suffix
    assert invalid_message("Pod", "", "p", [REQUIRED, dict(REQUIRED)]) == (
        'Pod "p" is invalid: spec.destination.fleet: Required value')
    assert invalid_message("Backup", "velero.io", "b", []) == 'Backup.velero.io "b" is invalid'


def test_invalid_message_from_real_causes() -> None:
    obj = kbackup({"schedule": 5})
    _, causes = admit(K_BACKUP, obj)
    assert invalid_message("Backup", "backup.kurator.dev", "x", causes) == (
        'Backup.backup.kurator.dev "x" is invalid: [spec.schedule: Invalid value: "integer": '
        'spec.schedule in body must be of type string: "integer", spec.destination: Required '
        "value]")


def test_go_formatting_helpers() -> None:
    assert [go_float(x) for x in (1.0, 1.5, 0.0001, 0.00001, 123456.0, 1e6, -2.5e-7)] == [
        "1", "1.5", "0.0001", "1e-05", "123456", "1e+06", "-2.5e-07"]
    assert fields(K_BACKUP.schema.validate(kbackup({"destination": {"fleet": "é\n\x00"}}))) == []
    c = K_MIGRATE.schema.validate({"status": {"phase": 'a"b\n\x01é'}})
    assert c[0]["message"].startswith('Unsupported value: "a\\"b\\n\\x01é": ')


# --------------------------------------------------------------------------------------------
# Printer-column JSONPath
# --------------------------------------------------------------------------------------------

OBJ = {"metadata": {"name": "n", "creationTimestamp": "2023-10-28T03:37:07Z",
                    "labels": {"app.kubernetes.io/name": "velero"}},
       "spec": {"schedule": "0 0 * * *", "paused": False,
                "clusters": [{"name": "m1"}, {"name": "m2"}]},
       "status": {"phase": "Completed", "ready": True,
                  "conditions": [{"type": "Synced", "status": "False"},
                                 {"type": "Ready", "status": "True"}]}}


@pytest.mark.parametrize(("path", "value"), [
    (".spec.schedule", "0 0 * * *"),
    (".status.phase", "Completed"),
    (".metadata.creationTimestamp", "2023-10-28T03:37:07Z"),
    (".spec.clusters[0].name", "m1"),
    (".spec.clusters[-1].name", "m2"),
    (".spec.clusters[*].name", "m1"),
    (".spec.paused", False),
    (".status.ready", True),
    ("{.status.phase}", "Completed"),
    ("$.status.phase", "Completed"),
    (".metadata.labels.app\\.kubernetes\\.io/name", "velero"),
    (".metadata.labels['app.kubernetes.io/name']", "velero"),
    ('.status.conditions[?(@.type=="Ready")].status', "True"),
    (".spec.clusters", [{"name": "m1"}, {"name": "m2"}]),
    (".status.lastBackup", None),
    (".spec.clusters[5].name", None),
    (".spec.schedule.deeper", None),
    (".spec.clusters.name", None),
    ("", OBJ),
    (".spec[", None),
    ("..name", None),
    ("spec", None),
])
def test_json_path_value(path: str, value: Any) -> None:
    assert json_path_value(OBJ, path) == value


@pytest.mark.parametrize("info", list(CRDS.values()), ids=lambda c: f"{c.kind}.{c.group}")
def test_every_printer_column_path_evaluates(info: CrdInfo) -> None:
    for col in info.printer_columns:
        assert json_path_value({}, col["jsonPath"]) is None


# --------------------------------------------------------------------------------------------
# Robustness: arbitrary JSON never makes the schema code raise
# --------------------------------------------------------------------------------------------

KEYS = st.sampled_from([
    "destination", "fleet", "clusters", "name", "kind", "policy", "ttl", "resourceFilter",
    "labelSelector", "matchLabels", "matchExpressions", "schedule", "template", "metadata",
    "labels", "hooks", "resources", "pre", "post", "exec", "command", "onError", "plugin",
    "backup", "extraArgs", "distributedStorage", "storage", "monitor", "count", "nodes",
    "devices", "config", "kubeconfig", "key", "objectStorage", "caCert", "provider", "phase",
    "includedNamespaces", "sourceCluster", "targetCluster", "policy", "kyverno", "podSecurity",
]) | st.text(max_size=6)
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
JSONISH = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(KEYS, inner, max_size=5), max_leaves=40)


@settings(max_examples=200, deadline=None)
@given(spec=JSONISH, status=JSONISH, meta=JSONISH,
       info=st.sampled_from(sorted(CRDS.values(), key=lambda c: (c.group, c.kind))))
def test_schema_never_raises(spec: Any, status: Any, meta: Any, info: CrdInfo) -> None:
    obj: dict[str, Any] = {"apiVersion": info.api_version, "kind": info.kind,
                           "metadata": meta, "spec": spec, "status": status}
    raw_causes = info.schema.validate(copy.deepcopy(obj))
    pruned = info.schema.prune(obj)
    assert all(isinstance(p, str) and p for p in pruned)
    assert info.schema.prune(obj) == []  # idempotent
    info.schema.default(obj)
    causes = info.schema.validate(obj)
    for cause in [*raw_causes, *causes]:
        assert set(cause) == {"reason", "message", "field"}
        assert all(isinstance(v, str) for v in cause.values())
        assert cause["reason"].startswith("FieldValue")
    invalid_message(info.kind, info.group, "x", causes)
    for col in info.printer_columns:
        json_path_value(obj, col["jsonPath"])


@settings(max_examples=200, deadline=None)
@given(path=st.text(alphabet=".[]*?@()=!'\"\\{}$-0123456789abcxyz ", max_size=20),
       obj=JSONISH)
def test_json_path_value_never_raises(path: str, obj: Any) -> None:
    json_path_value({"a": obj, "b": [obj, {"c": obj}]}, path)


@settings(max_examples=100, deadline=None)
@given(schema=JSONISH, value=JSONISH)
def test_arbitrary_schema_never_raises(schema: Any, value: Any) -> None:
    crd_schema = CrdSchema(schema if isinstance(schema, dict) else {"type": "object"})
    obj = {"spec": value}
    crd_schema.validate(obj)
    crd_schema.prune(obj)
    crd_schema.default(obj)
    crd_schema.validate(obj)
