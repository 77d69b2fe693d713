"""restore_form.py: text fields in, a Restore / Migrate / Velero Restore out, every problem keyed
by the field it came from (what the TUI shows beside the input and the CLI names as a flag)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleettui.model.kurator import ClusterRef, Destination, KuratorBackup
from fleettui.model.restore import choose_plain_backup
from fleettui.model.restore_form import (
    MIGRATE_FIELDS,
    RESTORE_FIELDS,
    VELERO_RESTORE_FIELDS,
    MigrateForm,
    RestoreForm,
    VeleroRestoreForm,
    build_migrate,
    build_restore,
    build_velero_restore,
)

M1, M2 = "kurator-member1", "kurator-member2"
FLEET = [ClusterRef(M1), ClusterRef(M2, kind="Cluster")]
junk = st.one_of(st.text(), st.text(alphabet="abcXYZ09-_.,:=!()*/ \t"),
                 st.sampled_from(["a:b,a:c", "x:", ":", "a in (", "*", "-1", "a" * 300]))
TEXT = ("name", "backup_name", "fleet", "include_namespaces", "exclude_namespaces", "labels",
        "include_resources", "exclude_resources", "namespace_mapping", "restore_status")


def backup(clusters: list[ClusterRef] | None = None, schedule: str | None = None
           ) -> KuratorBackup:
    return KuratorBackup(name="nightly", destination=Destination("quickstart", clusters or []),
                         schedule=schedule)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TEXT), junk)
def test_any_text_gives_errors_only_on_known_fields(field: str, value: str) -> None:
    form = RestoreForm(name="r", backup_name="nightly")
    setattr(form, field, value)
    result = build_restore(form)
    assert set(result.errors) <= set(RESTORE_FIELDS) | {"form"}
    assert result.manifest["kind"] == "Restore"
    migrate = MigrateForm(name="m", fleet="quickstart", source=M1, targets=[M2])
    if hasattr(migrate, field):
        setattr(migrate, field, value)
        assert set(build_migrate(migrate).errors) <= set(MIGRATE_FIELDS) | {"form"}
    plain = VeleroRestoreForm(name="v", backup_name="b")
    if hasattr(plain, field):
        setattr(plain, field, value)
        assert set(build_velero_restore(plain).errors) <= set(VELERO_RESTORE_FIELDS) | {"form"}


def test_each_bad_field_is_named() -> None:
    bad = {"name": "Bad_Name", "backup_name": "B!", "include_namespaces": "NOT OK",
           "exclude_namespaces": "-x", "labels": "a in (", "include_resources": "Pods!",
           "exclude_resources": "a b", "namespace_mapping": "shop",
           "restore_status": "Deployments!"}
    fields = {"backup_name": "backup"}
    for attr, value in bad.items():
        form = RestoreForm(name="r", backup_name="nightly")
        setattr(form, attr, value)
        assert list(build_restore(form).errors) == [fields.get(attr, attr)], attr


def test_offline_the_backup_is_not_judged_online_it_is() -> None:
    offline = build_restore(RestoreForm(name="r", backup_name="nightly"))
    assert offline.ok and offline.manifest["spec"] == {"backupName": "nightly"}
    missing = build_restore(RestoreForm(name="r", backup_name="nightly", backup_known=True))
    assert missing.errors == {"backup": 'no Backup "nightly" in namespace default'}


def test_clusters_take_the_fleets_kinds_and_must_be_in_the_backup() -> None:
    form = RestoreForm(name="r", backup_name="nightly", clusters=[M2], backup=backup(),
                       backup_known=True, fleet_clusters=FLEET)
    result = build_restore(form)
    assert result.ok, result.errors
    assert result.manifest["spec"]["destination"] == {
        "fleet": "quickstart", "clusters": [{"kind": "Cluster", "name": M2}]}
    form.backup = backup([ClusterRef(M1)])
    assert list(build_restore(form).errors) == ["clusters"]
    form.clusters, form.fleet = None, "elsewhere"  # no destination: the fleet still counts
    assert list(build_restore(form).errors) == ["fleet"]
    typed = build_restore(RestoreForm(name="r", backup_name="b", fleet="f", clusters=[M1],
                                      cluster_kinds={M1: "Cluster"}))
    assert typed.manifest["spec"]["destination"]["clusters"] == [{"kind": "Cluster",
                                                                  "name": M1}]


def test_a_named_cluster_needs_a_fleet_when_the_backup_is_unknown() -> None:
    result = build_restore(RestoreForm(name="r", backup_name="b", clusters=[M1]))
    assert list(result.errors) == ["fleet"]
    assert list(build_restore(RestoreForm(name="r", backup_name="b", clusters=[])).errors) == [
        "clusters"]


def test_migrate_source_and_targets() -> None:
    ok = build_migrate(MigrateForm(name="m", fleet="quickstart", source=M1, targets=[M2],
                                   fleet_clusters=FLEET))
    assert ok.ok, ok.errors
    assert ok.manifest["spec"]["policy"] == {"resourceFilter": {}}  # Kurator panics without
    assert ok.manifest["spec"]["targetCluster"]["clusters"] == [{"kind": "Cluster",
                                                                 "name": M2}]
    for form, field in ((MigrateForm(name="m", fleet="f", targets=[M2]), "source"),
                        (MigrateForm(name="m", fleet="f", source=M1), "targets"),
                        (MigrateForm(name="m", fleet="f", source=M1, targets=[M1]), "targets"),
                        (MigrateForm(name="m", source=M1, targets=[M2]), "fleet"),
                        (MigrateForm(name="m", fleet="quickstart", source="kurator-member9",
                                     targets=[M2], fleet_clusters=FLEET), "source")):
        assert list(build_migrate(form).errors) == [field], form


def test_velero_restore_takes_a_backup_or_a_schedule() -> None:
    both = build_velero_restore(VeleroRestoreForm(name="v", backup_name="b", schedule_name="s"))
    neither = build_velero_restore(VeleroRestoreForm(name="v"))
    assert list(both.errors) == list(neither.errors) == ["backup"]
    schedule = build_velero_restore(VeleroRestoreForm(name="v", schedule_name="daily",
                                                      include_namespaces="shop-*"))
    assert schedule.ok
    assert schedule.manifest["spec"] == {"scheduleName": "daily",
                                         "includedNamespaces": ["shop-*"]}


def test_plain_velero_backup_choice() -> None:
    def obj(name: str, phase: str, labels: dict[str, str] | None = None) -> dict[str, object]:
        return {"metadata": {"name": name, "labels": labels or {}},
                "status": {"phase": phase, "startTimestamp": "2026-11-01T00:00:00Z"}}

    assert choose_plain_backup("c", [obj("b", "Completed")], backup_name="b").usable
    running = choose_plain_backup("c", [obj("b", "InProgress")], backup_name="b")
    assert not running.usable and "only a finished backup" in running.note
    runs = [obj("daily-1", "Failed", {"velero.io/schedule-name": "daily"})]
    none = choose_plain_backup("c", runs, schedule_name="daily")
    assert not none.usable and "Velero would fail the restore's validation" in none.note
