# mypy: disable-error-code="union-attr,index,arg-type,type-var"
# (the official client declares every model field Optional: what these tests check is the wire)
"""The same requests to the emulator and to real kube-apiservers (#13 items 3 and 4): a
read-only walk through every screen that writes nothing, the RBAC answers of the four users,
the official Python client's watch semantics, and discovery, Table columns, field validation
warnings, dry runs and managedFields. Where the emulator answered differently it was fixed to
answer as kube-apiserver v1.36.3 does; what stays different is listed, with why, in
tests/realapi/README.md.

One fleet per server kind for the whole module (a host and one member: the real one is two
kube-apiservers, with the simulator's controllers as their API clients); tests only add objects
of their own names to it.
"""

from __future__ import annotations

import hashlib
import json
from base64 import b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes import watch

from fleettui.kube.client import KubeClient
from fleettui.sim.auth import ADMIN, READONLY, VIEWER, namespace_user
from fleettui.sim.fleet import SimConfig, SimThread
from fleettui.sim.real_fleet import RealFleetThread
from fleettui.sim.realapi_server import CRD_FILES, USER_NAMESPACE
from fleettui.sim.tables import AGE_DESCRIPTION, NAME_DESCRIPTION
from fleettui.ui.screens.coverage import CoverageScreen
from fleettui.ui.screens.health import HealthScreen
from fleettui.ui.screens.log_viewer import LogViewerScreen
from fleettui.ui.screens.recoveries import RecoveriesScreen
from tests.cli.cli_helpers import cli
from tests.conftest import wait_for
from tests.realapi.build import Binaries
from tests.ui.test_app import SIZE, make_app, static_text, table_text, until

HOST, MEMBER = "kurator-host", "kurator-member1"
ROLES = ("admin", "readonly", "viewer", "namespace")
WRITES = {"create", "update", "patch", "delete", "deletecollection"}
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
KB = "/apis/backup.kurator.dev/v1alpha1/namespaces/default/backups"
COMPACT_SECONDS = 3.0
# The real cases share one fleet of two servers: on one xdist worker, so that it starts once;
# they assert no timings, so they run in the parallel phase (pyproject.toml's `serial`).
REAL = pytest.param("real", marks=[pytest.mark.slow,
                                   pytest.mark.xdist_group("realapi-compare")])
pytestmark = [pytest.mark.timeout(120, func_only=True)]


@dataclass
class Side:
    """One fleet (emulated or real) and what the tests read of it besides fleettui's output."""

    api: str
    directory: Path
    users: dict[str, str]  # role -> the user's name on this server
    kubeconfig: Callable[[str], dict[str, Any]]  # role -> kubeconfig with a context per cluster
    writes: Callable[[], list[tuple[str, str, str]]]  # (user, verb, path) not by a controller
    compacted: Callable[[], bool]
    done: set[str] = field(default_factory=set)  # backups made once for several tests

    def config(self, role: str) -> Path:
        path = self.directory / f"{role}.yaml"
        if not path.exists():
            path.write_text(yaml.safe_dump(self.kubeconfig(role), sort_keys=False))
        return path

    def client(self, role: str = "admin", context: str = HOST) -> KubeClient:
        return KubeClient.from_kubeconfig(str(self.config(role)), context)

    def official(self, context: str = MEMBER) -> k8s.ApiClient:
        return k8s_config.new_client_from_config(str(self.config("admin")), context)

    def message(self, text: str, role: str) -> str:
        return text.replace("{user}", self.users[role])


def config() -> SimConfig:
    return SimConfig(clusters=1, sync_interval=0.5, backup_seconds=1.0, bookmark_seconds=1.0,
                     compact_interval=COMPACT_SECONDS, namespace_users=[USER_NAMESPACE])


def emulator_side(directory: Path) -> Iterator[Side]:
    sim = SimThread(config())
    fleet = sim.start()
    users = {"admin": ADMIN, "readonly": READONLY, "viewer": VIEWER,
             "namespace": namespace_user(USER_NAMESPACE)}
    try:
        # The emulator's controllers run in-process: every request it logs came from a client.
        yield Side("emulator", directory, users,
                   lambda role: fleet.kubeconfig(user=users[role]),
                   lambda: [(a["user"], a["verb"], a["path"]) for a in fleet.audit],
                   lambda: min(c.store.compacted_rv for c in fleet.clusters) > 1)
    finally:
        sim.stop()


def real_side(binaries: Binaries, directory: Path) -> Iterator[Side]:
    thread = RealFleetThread(config(), binaries, directory / "servers")
    real = thread.start_real()
    users = {"admin": "admin", "readonly": "readonly", "viewer": "viewer",
             "namespace": "namespace-user"}

    def writes() -> list[tuple[str, str, str]]:
        # The test users' writes (not kube-apiserver's own, e.g. its lease), except those of
        # the controllers and the set-up: they name their field manager, fleettui never does.
        return [(e["user"]["username"], e["verb"], e["requestURI"])
                for c in real.clusters for e in c.server.audit_events()
                if e["verb"] in WRITES and e["user"]["username"] in users.values()
                and "fieldManager=" not in e["requestURI"]]

    try:
        # A version before the CRDs were applied is older than every custom kind's watch
        # cache: kube-apiserver answers it 410 whatever etcd's compaction did.
        yield Side("real", directory, users, lambda role: real.kubeconfig(users[role]),
                   writes, lambda: True)
    finally:
        thread.stop()


@pytest.fixture(scope="module", params=["emulator", REAL])
def side(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Side]:
    directory = tmp_path_factory.mktemp(f"compare-{request.param}")
    if request.param == "emulator":
        yield from emulator_side(directory)
    else:
        yield from real_side(request.getfixturevalue("realapi_binaries"), directory)


def completed_backup(side: Side, capsys: pytest.CaptureFixture[str], name: str) -> str:
    """`name`, a backup of kurator-backup made as admin and Completed; made once per side."""
    if name not in side.done:
        code, _, err = cli(capsys, "--kubeconfig", str(side.config("admin")), "backup",
                           "create", name, "--fleet", "quickstart", "--include-namespaces",
                           "kurator-backup", "--wait", "--timeout", "60s")
        assert code == 0, err
        side.done.add(name)
    return name


def as_role(side: Side, role: str, *argv: str) -> list[str]:
    return ["--kubeconfig", str(side.config(role)), *argv]


# ---- 1. read-only through every screen -------------------------------------------------------

async def press_command(pilot: Any, command: str) -> None:
    await pilot.press("colon")
    await pilot.press(*command)
    await pilot.pause(0.3)  # the palette's search is asynchronous
    await pilot.press("enter")


async def test_readonly_through_every_screen_writes_nothing(
        side: Side, capsys: pytest.CaptureFixture[str]) -> None:
    backup = completed_backup(side, capsys, "walked")
    schedule = "walked-nightly"
    code, _, err = cli(capsys, *as_role(side, "admin", "backup", "create", schedule, "--fleet",
                                        "quickstart", "--schedule", "0 3 * * *"))
    assert code == 0, err
    before = side.writes()
    assert before, "the log sees the admin's create"  # else no write could be seen either
    app = make_app(side.config("readonly"), readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Available" in table_text(app), timeout=30,
                    what="the fleets screen with the member's storage")
        assert MEMBER in table_text(app) and "read-only" in app.status
        await pilot.press("b")
        await until(pilot, lambda: backup in table_text(app) and schedule in table_text(app),
                    what="the backups and schedules list")
        await pilot.press("y")
        await until(pilot, lambda: "object(s)" in static_text(app, "#title"), what="its YAML")
        await pilot.press("escape")
        await until(pilot, lambda: backup in table_text(app), what="back to the list")
        await pilot.press("slash")
        await pilot.press(*backup)
        await pilot.press("enter")  # back to the table
        await pilot.press("enter")  # open the backup's status
        await until(pilot, lambda: f"Backup {backup}" in static_text(app, "#title"),
                    what="the backup's status")
        await until(pilot, lambda: "Completed" in table_text(app, "#clusters"), timeout=30,
                    what="the member's run")
        await pilot.press("l")  # the log needs a DownloadRequest, a write: not offered
        await pilot.pause(0.2)
        assert not isinstance(app.screen, LogViewerScreen)
        await pilot.press("escape")
        for command, screen in (("restores", RecoveriesScreen), ("migrates", RecoveriesScreen),
                                ("health", HealthScreen), ("coverage", CoverageScreen)):
            await press_command(pilot, command)
            await until(pilot, lambda s=screen: isinstance(app.screen, s),  # type: ignore[misc]
                        what=f":{command}")
            if screen is HealthScreen:
                await until(pilot, lambda: schedule in table_text(app), what="the schedule")
            await pilot.pause(0.5)  # its reads go out
            await pilot.press("escape")
            await until(pilot, lambda s=screen: not isinstance(app.screen, s),  # type: ignore[misc]
                        what=f"back from :{command}")
    assert side.writes() == before


# ---- 2. RBAC -----------------------------------------------------------------------------

def test_viewer_without_secrets_reaches_the_member_through_its_context(
        side: Side, capsys: pytest.CaptureFixture[str]) -> None:
    backup = completed_backup(side, capsys, "seen-by-viewer")
    code, out, err = cli(capsys, *as_role(side, "viewer", "backup", "status", backup,
                                          "-o", "jsonl"))
    assert code == 0, err
    [row] = [json.loads(line) for line in out.splitlines()]
    assert (row["cluster"], row["phase"], row["source"]) == (MEMBER, "Completed", "member")
    forbidden = side.message(f'secrets "{MEMBER}" is forbidden: User "{{user}}" cannot get '
                             'resource "secrets" in API group "" in the namespace "default"',
                             "viewer")
    assert f"via context {MEMBER}" in err and forbidden in err


async def test_viewer_is_told_on_screen_how_the_member_is_reached(side: Side) -> None:
    forbidden = side.message(f'secrets "{MEMBER}" is forbidden: User "{{user}}"', "viewer")
    app = make_app(side.config("viewer"))
    async with app.run_test(size=(120, 30)) as pilot:  # wide: the note is one long line
        await until(pilot, lambda: "Available" in table_text(app), timeout=30,
                    what="the member's storage, read through the viewer's own context")
        await until(pilot, lambda: f"{MEMBER}: via context {MEMBER}" in static_text(
            app, "#empty"), what="the note under the table")
        assert forbidden in static_text(app, "#empty")


def test_namespace_user_is_told_where_it_may_read(side: Side,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, *as_role(side, "namespace", "-n", USER_NAMESPACE, "backup",
                                        "list"))
    assert code == 0, err
    assert f"No fleet backups in namespace {USER_NAMESPACE}" in err
    code, _, err = cli(capsys, *as_role(side, "namespace", "backup", "list"))
    assert code == 3
    assert side.message('User "{user}" cannot list resource "backups" in API group '
                        '"backup.kurator.dev" in the namespace "default"', "namespace") in err


def test_a_bad_token_is_refused_with_401(side: Side, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = side.kubeconfig("admin")
    for user in config["users"]:
        user["user"]["token"] = "not-a-token"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    code, _, err = cli(capsys, "--kubeconfig", str(bad), "backup", "list")
    assert code == 3
    assert "Unauthorized" in err
    status, body, _ = call(KubeClient.from_kubeconfig(str(bad), HOST), "GET", KB)
    assert (status, body) == (401, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                    "status": "Failure", "message": "Unauthorized",
                                    "reason": "Unauthorized", "code": 401})


def call(api: KubeClient, method: str, path: str, body: Any = None,
         query: list[tuple[str, str]] | None = None, accept: str = "application/json"
         ) -> tuple[int, Any, list[str]]:
    """(status, decoded body, Warning header lines); the client is closed."""
    try:
        resp = api.open(method, path, query, body, accept=accept)
        return resp.status, json.loads(resp.data or b"null"), resp.headers.getlist("Warning")
    finally:
        api.close()


# role, method, path, message ({user}: the role's name there), details
FORBIDDEN: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("viewer", "GET", f"/api/v1/namespaces/default/secrets/{MEMBER}",
     f'secrets "{MEMBER}" is forbidden: User "{{user}}" cannot get resource "secrets" in API '
     'group "" in the namespace "default"', {"name": MEMBER, "kind": "secrets"}),
    ("viewer", "GET", "/api/v1/namespaces/default/secrets",
     'secrets is forbidden: User "{user}" cannot list resource "secrets" in API group "" in '
     'the namespace "default"', {"kind": "secrets"}),
    ("viewer", "POST", KB,
     'backups.backup.kurator.dev is forbidden: User "{user}" cannot create resource "backups" '
     'in API group "backup.kurator.dev" in the namespace "default"',
     {"group": "backup.kurator.dev", "kind": "backups"}),
    ("readonly", "DELETE", f"{KB}/anything",
     'backups.backup.kurator.dev "anything" is forbidden: User "{user}" cannot delete resource '
     '"backups" in API group "backup.kurator.dev" in the namespace "default"',
     {"name": "anything", "group": "backup.kurator.dev", "kind": "backups"}),
    ("namespace", "GET", "/apis/backup.kurator.dev/v1alpha1/backups",
     'backups.backup.kurator.dev is forbidden: User "{user}" cannot list resource "backups" in '
     'API group "backup.kurator.dev" at the cluster scope',
     {"group": "backup.kurator.dev", "kind": "backups"}),
    ("namespace", "GET", "/api/v1/namespaces",
     'namespaces is forbidden: User "{user}" cannot list resource "namespaces" in API group "" '
     'at the cluster scope', {"kind": "namespaces"}),
]


@pytest.mark.parametrize("case", FORBIDDEN, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in FORBIDDEN])
def test_403_status_bodies(side: Side, case: tuple[str, str, str, str, dict[str, str]]
                           ) -> None:
    role, method, path, message, details = case
    body = {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": "x"}} if method == "POST" else None
    status, got, _ = call(side.client(role), method, path, body)
    assert (status, got) == (403, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": side.message(message, role), "reason": "Forbidden", "details": details,
        "code": 403})


def test_404_and_409_status_bodies(side: Side) -> None:
    status, got, _ = call(side.client(), "GET", "/api/v1/namespaces/default/secrets/nosuch")
    assert (status, got) == (404, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'secrets "nosuch" not found', "reason": "NotFound",
        "details": {"name": "nosuch", "kind": "secrets"}, "code": 404})
    assert call(side.client(), "POST", KB, kurator_backup("twice"))[0] == 201
    status, got, _ = call(side.client(), "POST", KB, kurator_backup("twice"))
    assert (status, got) == (409, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'backups.backup.kurator.dev "twice" already exists',
        "reason": "AlreadyExists", "code": 409, "details": {
            "name": "twice", "group": "backup.kurator.dev", "kind": "backups"}})


# ---- 3. the official client's watch -------------------------------------------------------

def test_watch_list_ends_its_initial_events_with_a_bookmark(side: Side) -> None:
    """sendInitialEvents: the current objects, then a BOOKMARK marked as their end, whose
    resourceVersion the client keeps to resume from."""
    core = k8s.CoreV1Api(side.official())
    listed = sorted(n.metadata.name for n in core.list_namespace().items)
    added: list[str] = []
    bookmark: dict[str, Any] = {}
    w = watch.Watch()
    for ev in w.stream(core.list_namespace, allow_watch_bookmarks=True, send_initial_events=True,
                       resource_version_match="NotOlderThan", timeout_seconds=20):
        if ev["type"] == "BOOKMARK":
            bookmark = ev["raw_object"]
            w.stop()
        else:
            added.append(ev["object"].metadata.name)
    assert sorted(added) == listed
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert w.resource_version == bookmark["metadata"]["resourceVersion"]


def test_a_watch_list_without_not_older_than_is_refused(side: Side) -> None:
    why = "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
    status, got, _ = call(side.client(context=MEMBER), "GET", "/api/v1/namespaces", query=[
        ("watch", "1"), ("sendInitialEvents", "true"), ("allowWatchBookmarks", "true")])
    assert (status, got) == (422, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: {why}',
        "reason": "Invalid", "code": 422, "details": {
            "group": "meta.k8s.io", "kind": "ListOptions", "causes": [
                {"reason": "FieldValueForbidden", "message": why,
                 "field": "resourceVersionMatch"}]}})


def test_a_watch_from_a_compacted_version_gets_410(side: Side) -> None:
    wait_for(side.compacted, COMPACT_SECONDS * 4, "a compaction")
    custom = k8s.CustomObjectsApi(side.official())
    with pytest.raises(k8s.ApiException) as err:
        for _ in watch.Watch().stream(custom.list_namespaced_custom_object, "velero.io", "v1",
                                      "velero", "backups", resource_version="1",
                                      timeout_seconds=10):
            pass
    assert err.value.status == 410
    assert err.value.reason.startswith("Expired: too old resource version: 1 (")


def names_seen(core: k8s.CoreV1Api, w: watch.Watch, rv: str, want: str) -> list[str]:
    """ADDED namespaces from `rv` until `want` is seen (the watch is then stopped)."""
    seen = []
    for ev in w.stream(core.list_namespace, resource_version=rv, timeout_seconds=20):
        if ev["type"] == "ADDED":
            seen.append(ev["object"].metadata.name)
        if want in seen:
            w.stop()
    return seen


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def test_a_watch_resumes_from_the_version_it_reached(side: Side) -> None:
    core = k8s.CoreV1Api(side.official())
    rv = core.list_namespace().metadata.resource_version
    core.create_namespace(namespace("resume-a"))
    w = watch.Watch()
    assert names_seen(core, w, rv, "resume-a") == ["resume-a"]
    reached = w.resource_version
    assert reached is not None and int(reached) > int(rv)
    core.create_namespace(namespace("resume-b"))
    assert names_seen(core, watch.Watch(), reached, "resume-b") == ["resume-b"]


# ---- 4. discovery, Table, field validation, dry run, managedFields ------------------------

def storage_version_hash(group: str, version: str, kind: str) -> str:
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return b64encode(digest[:8]).decode()


@pytest.mark.parametrize(("context", "group", "version"), [
    (HOST, "backup.kurator.dev", "v1alpha1"), (MEMBER, "velero.io", "v1")])
def test_discovery_of_the_kurator_and_velero_groups(side: Side, context: str, group: str,
                                                    version: str) -> None:
    status, groups, _ = call(side.client(context=context), "GET", "/apis")
    assert status == 200 and groups["kind"] == "APIGroupList"
    gv = {"groupVersion": f"{group}/{version}", "version": version}
    assert [g for g in groups["groups"] if g["name"] == group] == [
        {"name": group, "versions": [gv], "preferredVersion": gv}]
    status, resources, _ = call(side.client(context=context), "GET", f"/apis/{group}/{version}")
    crds = [yaml.safe_load(p.read_text()) for p in crd_files(group)]
    want = {c["spec"]["names"]["plural"]: storage_version_hash(
        group, version, c["spec"]["names"]["kind"]) for c in crds}
    got = {r["name"]: r["storageVersionHash"] for r in resources["resources"]
           if "/" not in r["name"]}
    assert got == want


def test_openapi_v3_of_the_velero_group(side: Side) -> None:
    """What kubectl reads for validation and explain: the group-version's document, its kinds
    by GVK, their CRD schema and metadata's reference, the actions of their paths."""
    status, index, _ = call(side.client(context=MEMBER), "GET", "/openapi/v3")
    url = index["paths"]["apis/velero.io/v1"]["serverRelativeURL"]
    assert status == 200 and url.startswith("/openapi/v3/apis/velero.io/v1?hash=")
    status, doc, _ = call(side.client(context=MEMBER), "GET", url)
    assert (status, doc["openapi"], doc["info"]) == (
        200, "3.0.0", {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"})
    schemas = doc["components"]["schemas"]
    [crd] = [yaml.safe_load(p.read_text()) for p in crd_files("velero.io")
             if p.name == "velero.io_backups.yaml"]
    [version] = crd["spec"]["versions"]
    backup = schemas["io.velero.v1.Backup"]
    assert backup["x-kubernetes-group-version-kind"] == [
        {"group": "velero.io", "version": "v1", "kind": "Backup"}]
    assert backup["properties"]["spec"]["properties"].keys() == version["schema"][
        "openAPIV3Schema"]["properties"]["spec"]["properties"].keys()
    ref = backup["properties"]["metadata"]["allOf"][0]["$ref"]
    assert ref == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    assert ref.rsplit("/", 1)[1] in schemas
    collection = doc["paths"]["/apis/velero.io/v1/namespaces/{namespace}/backups"]
    item = doc["paths"]["/apis/velero.io/v1/namespaces/{namespace}/backups/{name}"]
    assert {op: collection[op]["x-kubernetes-action"] for op in ("get", "post")} == {
        "get": "list", "post": "post"}
    assert {op: item[op]["x-kubernetes-action"] for op in ("get", "put", "patch", "delete")
            } == {"get": "get", "put": "put", "patch": "patch", "delete": "delete"}


def crd_files(group: str) -> list[Path]:
    """The CRDs both servers were given."""
    return [p for p in CRD_FILES if p.name.startswith(f"{group}_")]


def printer_columns(group: str, plural: str) -> list[dict[str, Any]]:
    [path] = [p for p in crd_files(group) if p.name == f"{group}_{plural}.yaml"]
    [version] = yaml.safe_load(path.read_text())["spec"]["versions"]
    return list(version.get("additionalPrinterColumns") or [])


@pytest.mark.parametrize(("context", "path"), [
    (MEMBER, "/apis/velero.io/v1/namespaces/velero/backups"),
    (MEMBER, "/apis/velero.io/v1/namespaces/velero/backupstoragelocations"),
    (HOST, KB)])
def test_table_columns_are_the_crds_printer_columns(side: Side, context: str,
                                                    path: str) -> None:
    group, plural = path.split("/")[2], path.rsplit("/", 1)[1]
    columns = printer_columns(group, plural) or [
        {"name": "Age", "type": "date", "description": AGE_DESCRIPTION}]
    want = [{"name": "Name", "type": "string", "format": "name",
             "description": NAME_DESCRIPTION, "priority": 0}] + [
        {"name": c["name"], "type": c["type"], "format": c.get("format", ""),
         "priority": c.get("priority", 0), "description": c.get("description") or
         f"Custom resource definition column (in JSONPath format): {c.get('jsonPath')}"}
        for c in columns]
    status, table, _ = call(side.client(context=context), "GET", path, accept=TABLE)
    assert (status, table["kind"]) == (200, "Table")
    assert table["columnDefinitions"] == want


UNKNOWN = {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup", "zeta": 1, "alpha": 2,
           "metadata": {"name": "unknown-fields", "bogus": 1},
           "spec": {"destination": {"fleet": "quickstart", "zz": 1}, "aa": 2}}
UNKNOWN_PATHS = ["metadata.bogus", "alpha", "spec.aa", "spec.destination.zz", "zeta"]


@pytest.mark.parametrize("validation", ["Warn", ""])  # Warn is the default
def test_unknown_fields_are_warned_about(side: Side, validation: str) -> None:
    query = [("dryRun", "All")] + ([("fieldValidation", validation)] if validation else [])
    status, got, warnings = call(side.client(), "POST", KB, UNKNOWN, query)
    assert status == 201 and "zeta" not in got and "aa" not in got["spec"]
    assert warnings == [f'299 - "unknown field \\"{p}\\""' for p in UNKNOWN_PATHS]


def test_unknown_fields_are_refused_when_strict(side: Side) -> None:
    status, got, _ = call(side.client(), "POST", KB, UNKNOWN,
                          [("dryRun", "All"), ("fieldValidation", "Strict")])
    assert (status, got["reason"]) == (400, "BadRequest")
    assert got["message"] == ('Backup in version "v1alpha1" cannot be handled as a Backup: '
                              "strict decoding error: " + ", ".join(
                                  f'unknown field "{p}"' for p in UNKNOWN_PATHS))


def kurator_backup(name: str, **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": name, **meta}, "spec": {"destination": {"fleet": "quickstart"},
                                                          "schedule": "0 0 * * *"}}


def test_a_dry_run_create_answers_without_storing(side: Side) -> None:
    status, got, _ = call(side.client(), "POST", KB, kurator_backup("dry-only"),
                          [("dryRun", "All")])
    assert status == 201
    meta = got["metadata"]
    assert meta["uid"] and meta["creationTimestamp"] and meta["generation"] == 1
    assert "resourceVersion" not in meta  # nothing was written
    assert [m["manager"] for m in meta["managedFields"]] == ["OpenAPI-Generator"]
    status, got, _ = call(side.client(), "GET", f"{KB}/dry-only")
    assert (status, got["message"], got["details"]) == (
        404, 'backups.backup.kurator.dev "dry-only" not found',
        {"name": "dry-only", "group": "backup.kurator.dev", "kind": "backups"})


def test_a_dry_run_delete_of_a_finalized_object_answers_what_would_be_stored(
        side: Side) -> None:
    status, _, _ = call(side.client(), "POST", KB, kurator_backup(
        "kept-by-finalizer", finalizers=["example.com/keep"]))
    assert status == 201
    status, got, _ = call(side.client(), "DELETE", f"{KB}/kept-by-finalizer", None,
                          [("dryRun", "All")])
    assert status == 200
    assert got["metadata"]["deletionTimestamp"] and got["metadata"]["generation"] == 2
    status, stored, _ = call(side.client(), "GET", f"{KB}/kept-by-finalizer")
    assert status == 200 and "deletionTimestamp" not in stored["metadata"]


def test_a_built_in_kind_takes_its_type_from_the_url(side: Side) -> None:
    status, got, _ = call(side.client(context=MEMBER), "POST", "/api/v1/namespaces",
                          {"metadata": {"name": "no-type-meta"}})
    assert (status, got["apiVersion"], got["kind"]) == (201, "v1", "Namespace")


def test_managed_fields_on_create(side: Side) -> None:
    status, got, _ = call(side.client(), "POST", KB, kurator_backup(
        "managed", labels={"team": "a"}, finalizers=["example.com/keep"]))
    assert status == 201
    [entry] = got["metadata"]["managedFields"]
    assert entry["time"] == got["metadata"]["creationTimestamp"]
    assert {k: v for k, v in entry.items() if k != "time"} == {
        "manager": "OpenAPI-Generator", "operation": "Update",
        "apiVersion": "backup.kurator.dev/v1alpha1", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:team": {}},
                                    "f:finalizers": {".": {}, 'v:"example.com/keep"': {}}},
                     "f:spec": {".": {}, "f:destination": {".": {}, "f:fleet": {}},
                                "f:schedule": {}}}}
