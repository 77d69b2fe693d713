"""One backend per mode: what a name stands for, its status, what a delete will and will not
delete, and the delete's structured result, the same for the TUI and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleettui.kube import resources as kc
from fleettui.kube.watch import WatchSettings
from fleettui.live.backends import KuratorBackend, VeleroBackend, backend_for
from fleettui.live.session import Session
from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import wait_for
from tests.helpers.sessions import kurator_session, velero_session

Sim = tuple[SimThread, SimFleet, Path]
FAST = WatchSettings(read_timeout=5.0)


def test_each_mode_gets_its_backend() -> None:
    assert isinstance(backend_for(kurator_session()), KuratorBackend)
    assert isinstance(backend_for(velero_session()), VeleroBackend)


def test_kurator_backups_list_with_their_derived_overall() -> None:
    backend = KuratorBackend(kurator_session())
    listed = {b.name: b for b in backend.backups()}
    assert set(listed) == {"nightly-shop", "all-good", "partial-run-with-a-rather-long-name"}
    assert listed["all-good"].status.overall == "Completed"
    assert listed["nightly-shop"].status.overall == "Failed"
    assert listed["nightly-shop"].where == "quickstart" and listed["nightly-shop"].schedule == ""
    assert [b.name for b in backend.backups("NIGHT")] == ["nightly-shop"]
    one = backend.backup("partial-run-with-a-rather-long-name")
    assert one is not None and one.status.overall == "PartiallyFailed" and one.problem == ""
    assert backend.backup("nope") is None and backend.delete_plan("nope") is None


def test_velero_backups_group_contexts_and_keep_failure_reasons() -> None:
    backend = VeleroBackend(velero_session())
    (nightly,) = backend.backups()
    assert nightly.where == "kurator-member1,kurator-member2,kurator-member3"
    assert nightly.status.overall == "Failed"
    reasons = {r.cluster_name: r.reason for r in nightly.status.rows}
    assert "bucket gone" in reasons["kurator-member2"]
    assert "ttl" in reasons["kurator-member3"]
    assert backend.backup("nightly") is not None and backend.backup("other") is None


def test_delete_plans_say_what_is_and_is_not_deleted() -> None:
    kurator = KuratorBackend(kurator_session()).delete_plan("all-good")
    assert kurator is not None and [s.resource for s in kurator.steps] == [kc.KURATOR_BACKUPS]
    assert any("object storage" in k for k in kurator.kept)
    # Kurator's own deletes in the members are named, member by member
    assert kurator.then_intro.startswith("Kurator then deletes, in namespace velero")
    assert {o.cluster for o in kurator.then} == {r.cluster_name for r in
                                                KuratorBackend(kurator_session()).backup(
                                                    "all-good").status.rows}  # type: ignore[union-attr]
    assert all(o.kind == "backup.velero.io" and o.name.endswith("-all-good")
               for o in kurator.then)
    velero = VeleroBackend(velero_session()).delete_plan("nightly")
    assert velero is not None and len(velero.steps) == 3
    assert all(s.resource == kc.VELERO_BACKUPS and "DeleteBackupRequest" in s.action
               and "data in object storage" in s.effect for s in velero.steps)


def test_deletes_report_each_cluster_in_both_modes(sim: Sim) -> None:
    runner, fleet, kubeconfig = sim
    host = Session(str(kubeconfig), "kurator-host", settings=FAST)
    try:
        host.connect()
        assert host.host is not None
        host.host.create(kc.KURATOR_BACKUPS, {
            "apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": "doomed", "namespace": "default"},
            "spec": {"destination": {"fleet": "quickstart"}}})
        backend = KuratorBackend(host)
        plan = wait_for(lambda: backend.delete_plan("doomed"), what="the backup listed")
        result = backend.delete(plan)
        assert result.ok and result.results[0].cluster == "kurator-host"
        left = runner.call(lambda: fleet.host.store.find("backup.kurator.dev/backups",
                                                         "default", "doomed"))
        assert left is None or left["metadata"].get("deletionTimestamp")  # finalizer pending
        wait_for(lambda: runner.call(lambda: fleet.host.store.find(
            "backup.kurator.dev/backups", "default", "doomed")) is None, what="deleted")
        again = backend.delete(plan)  # gone meanwhile: a failed step, not an exception
        assert not again.ok and again.results[0].message
    finally:
        host.close()


def test_a_velero_delete_sends_delete_backup_requests(sim: Sim) -> None:
    _, fleet, kubeconfig = sim
    session = Session(str(kubeconfig), "kurator-member1", settings=FAST)
    try:
        assert session.connect() == "velero"
        for ctx in ("kurator-member1", "kurator-member2"):
            session.member(ctx).create(kc.VELERO_BACKUPS, {
                "apiVersion": "velero.io/v1", "kind": "Backup",
                "metadata": {"name": "pair", "namespace": "velero"}, "spec": {}})
        backend = VeleroBackend(session)
        plan = wait_for(lambda: (p := backend.delete_plan("pair")) and len(p.steps) == 2 and p,
                        what="both backups listed")
        result = backend.delete(plan)
        assert result.ok and {r.cluster for r in result.results} == {"kurator-member1",
                                                                     "kurator-member2"}
        for member in ("kurator-member1", "kurator-member2"):
            store = fleet.cluster(member).store
            assert list(store.items("velero.io/deletebackuprequests", "velero"))
    finally:
        session.close()


class FakeClient:
    def __init__(self, name: str, refuse: str = "") -> None:
        self.name = name
        self.refuse = refuse  # "dry-run" or "create"
        self.created: list[str] = []

    def create(self, res: object, obj: dict[str, object], dry_run: bool = False) -> None:
        from fleettui.kube.errors import KubeError

        if self.refuse == ("dry-run" if dry_run else "create"):
            raise KubeError(409, "AlreadyExists", "exists", cluster=self.name)
        if not dry_run:
            self.created.append(str(obj["metadata"]["name"]))  # type: ignore[index]


def test_a_refused_dry_run_anywhere_creates_nothing_anywhere() -> None:
    from fleettui.kube.errors import KubeError
    from fleettui.live.backends import submit_everywhere

    a, b = FakeClient("a"), FakeClient("b", refuse="dry-run")
    with pytest.raises(KubeError):
        submit_everywhere([a, b], kc.VELERO_BACKUPS, {"metadata": {"name": "x"}}, False)  # type: ignore[list-item]
    assert a.created == [] and b.created == []


def test_a_create_refused_after_the_dry_runs_says_where_it_was_created() -> None:
    from fleettui.live.backends import SubmitError, submit_everywhere

    a, b, c = FakeClient("a"), FakeClient("b", refuse="create"), FakeClient("c")
    with pytest.raises(SubmitError) as caught:
        submit_everywhere([a, b, c], kc.VELERO_BACKUPS, {"metadata": {"name": "x"}},  # type: ignore[list-item]
                          False)
    # every create is tried (at once), and the error says where it was created before
    assert caught.value.created == ["a", "c"] and c.created == ["x"]
    assert caught.value.error.cluster == "b"


def test_plain_velero_mode_uses_the_velero_namespace_it_is_given(sim: Sim) -> None:
    """OADP installs Velero in openshift-adp: watches, lists and deletes go there."""
    _, fleet, kubeconfig = sim
    session = Session(str(kubeconfig), "kurator-member1", velero_namespace="openshift-adp",
                      settings=FAST)
    try:
        assert session.connect() == "velero"
        client = session.member("kurator-member1")
        client.create(kc.NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                      "metadata": {"name": "openshift-adp"}})
        for ns in ("openshift-adp", "velero"):
            client.create(kc.VELERO_BACKUPS, {
                "apiVersion": "velero.io/v1", "kind": "Backup",
                "metadata": {"name": f"in-{ns}", "namespace": ns}, "spec": {}})
        backend = VeleroBackend(session)
        wait_for(lambda: [b.name for b in backend.backups()] == ["in-openshift-adp"],
                 what="only the backup in openshift-adp listed")
        plan = backend.delete_plan("in-openshift-adp")
        assert plan is not None and backend.delete(plan).ok
        store = fleet.cluster("kurator-member1").store
        assert list(store.items("velero.io/deletebackuprequests", "openshift-adp"))
    finally:
        session.close()


def test_the_dialog_and_the_cli_say_the_same_plan() -> None:
    from fleettui.live.delete_plans import plan_lines
    from fleettui.ui.screens.confirm import plan_text

    for plan in (KuratorBackend(kurator_session()).delete_plan("all-good"),
                 VeleroBackend(velero_session()).delete_plan("nightly")):
        assert plan is not None
        shown = " ".join(plan_text(plan).plain.split())
        for line in plan_lines(plan):
            words = " ".join(line.removeprefix("NOT deleted: ").split())
            assert words in shown, (words, shown)
