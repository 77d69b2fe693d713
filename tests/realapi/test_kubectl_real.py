"""The kubectl built from realapi/'s module graph against a real kube-apiserver: the upstream
examples, the real 422 for a schema-invalid Backup, and RBAC as the test users see it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realapi.build import KUBE_VERSION, REPO
from tests.realapi.server import USER_NAMESPACE, RealServer

# The module's server runs on one xdist worker (xdist_group), beside the other worker's tests:
# nothing here is timed. On a fresh CI machine the first test waits for the cold Go build; the
# timeout covers the test body only, the build has its own deadline.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realapi-kubectl"),
              pytest.mark.timeout(120, func_only=True)]
EXAMPLES = REPO / "examples"
BACKUPS = "/apis/backup.kurator.dev/v1alpha1/namespaces/{ns}/backups"


def test_kubectl_and_server_report_the_pinned_release(real_server: RealServer) -> None:
    proc = real_server.kubectl("version", "-o", "json")
    versions = json.loads(proc.stdout)
    assert versions["clientVersion"]["gitVersion"] == KUBE_VERSION[0]
    assert versions["serverVersion"]["gitVersion"] == KUBE_VERSION[0]
    assert (versions["serverVersion"]["major"], versions["serverVersion"]["minor"]) == \
        KUBE_VERSION[1:]
    assert "skew" not in proc.stderr


@pytest.mark.parametrize("example", ["specific-ns.yaml", "schedule-matchlabels.yaml"])
def test_upstream_examples_are_created_and_read_back(real_server: RealServer,
                                                     example: str) -> None:
    path = EXAMPLES / example
    sent = yaml.safe_load(path.read_text())
    out = real_server.kubectl("create", "-f", str(path)).stdout
    assert out.strip() == f"backup.backup.kurator.dev/{sent['metadata']['name']} created"
    got = real_server.get_json("backups.backup.kurator.dev", sent["metadata"]["name"],
                               "-n", sent["metadata"]["namespace"], "--show-managed-fields")
    assert got["spec"] == sent["spec"]  # nothing pruned or defaulted by the real schema
    assert got["metadata"]["generation"] == 1 and got["metadata"]["uid"]
    assert [m["manager"] for m in got["metadata"]["managedFields"]] == ["kubectl-create"]
    assert "status" not in got  # no Kurator controller runs
    listed = real_server.kubectl("get", "backups.backup.kurator.dev", "-n", "default").stdout
    assert sent["metadata"]["name"] in listed.split()


def invalid_backup(name: str) -> dict[str, Any]:
    return {"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"destination": {"clusters": [{"name": "kurator-member1"}]},
                     "policy": {"ttl": 720, "resourceFilter": {"labelSelector": {
                         "matchExpressions": [{"key": "tier"}]}}}}}


def test_schema_invalid_backup_gets_the_real_422_causes(real_server: RealServer) -> None:
    status, body = real_server.request("POST", BACKUPS.format(ns="default"),
                                       invalid_backup("bad-schema"))
    assert status == 422
    assert (body["kind"], body["reason"], body["code"]) == ("Status", "Invalid", 422)
    assert body["details"]["name"] == "bad-schema"
    assert body["details"]["group"] == "backup.kurator.dev"
    causes = {c["field"]: c["reason"] for c in body["details"]["causes"]}
    assert causes == {
        "spec.destination.fleet": "FieldValueRequired",
        "spec.policy.ttl": "FieldValueTypeInvalid",
        "spec.policy.resourceFilter.labelSelector.matchExpressions[0].operator":
            "FieldValueRequired",
    }
    assert body["message"].startswith('Backup.backup.kurator.dev "bad-schema" is invalid: [')
    # kubectl prints the same message, and the object does not exist afterwards.
    proc = real_server.kubectl("create", "-f", "-", check=False,
                               stdin=json.dumps(invalid_backup("bad-schema")))
    assert proc.returncode == 1
    first, *printed = proc.stderr.splitlines()
    assert first == 'The Backup "bad-schema" is invalid: '
    assert sorted(printed) == [  # the server's order of causes varies
        "* spec.destination.fleet: Required value",
        "* spec.policy.resourceFilter.labelSelector.matchExpressions[0].operator: "
        "Required value",
        '* spec.policy.ttl: Invalid value: "integer": spec.policy.ttl in body must be of type '
        'string: "integer"']
    missing = real_server.kubectl("get", "backups.backup.kurator.dev", "bad-schema",
                                  check=False)
    assert "NotFound" in missing.stderr


def forbidden_line(user: str, verb: str, resource: str, group: str, namespace: str) -> str:
    plural, _, _ = resource.partition(".")
    return (f'Error from server (Forbidden): {resource} is forbidden: User "{user}" cannot '
            f'{verb} resource "{plural}" in API group "{group}" in the namespace "{namespace}"')


def test_viewer_reads_all_but_secrets(real_server: RealServer) -> None:
    proc = real_server.kubectl("get", "secrets", "-n", "default", user="viewer", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == forbidden_line("viewer", "list", "secrets", "", "default")
    for resource in ("pods", "configmaps", "backups.backup.kurator.dev",
                     "fleets.fleet.kurator.dev", "backups.velero.io"):
        assert real_server.kubectl("get", resource, "-A", user="viewer").returncode == 0
    can = real_server.kubectl("auth", "can-i", "create", "backups.backup.kurator.dev",
                              user="viewer", check=False)
    assert can.stdout.strip() == "no"


def test_readonly_reads_secrets_and_custom_resources_but_writes_nothing(
        real_server: RealServer, tmp_path: Path) -> None:
    for resource in ("secrets", "backups.backup.kurator.dev", "schedules.velero.io"):
        assert real_server.kubectl("get", resource, "-A", user="readonly").returncode == 0
    backup = tmp_path / "b.json"
    backup.write_text(json.dumps({**invalid_backup("by-readonly"), "spec": {
        "destination": {"fleet": "quickstart"}}}))
    proc = real_server.kubectl("create", "-f", str(backup), user="readonly", check=False)
    assert proc.stderr.strip().endswith(
        'User "readonly" cannot create resource "backups" in API group "backup.kurator.dev" '
        'in the namespace "default"')


def test_namespace_user_is_confined_to_its_namespace(real_server: RealServer) -> None:
    ns = USER_NAMESPACE
    backup = json.dumps({"apiVersion": "backup.kurator.dev/v1alpha1", "kind": "Backup",
                         "metadata": {"name": "mine"},
                         "spec": {"destination": {"fleet": "quickstart"}}})
    made = real_server.kubectl("create", "-n", ns, "-f", "-", stdin=backup,
                               user="namespace-user")
    assert made.stdout.strip() == "backup.backup.kurator.dev/mine created"
    assert real_server.kubectl("get", "secrets", "-n", ns, user="namespace-user").returncode == 0
    proc = real_server.kubectl("get", "backups.backup.kurator.dev", "-n", "default",
                               user="namespace-user", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == forbidden_line(
        "namespace-user", "list", "backups.backup.kurator.dev", "backup.kurator.dev", "default")
    cluster_wide = real_server.kubectl("get", "namespaces", user="namespace-user", check=False)
    assert 'cannot list resource "namespaces" in API group "" at the cluster scope' in \
        cluster_wide.stderr
