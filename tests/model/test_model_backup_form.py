"""The text-in, object-out builder shared by the TUI form and `fleettui backup create`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleettui.model.backup_form import (
    FIELDS,
    BackupForm,
    add_to_selector,
    build,
    form_field,
    label_requirement,
    parse_labels,
)
from fleettui.model.errors import FieldError
from fleettui.model.kurator import ClusterRef


def test_or_groups_become_or_label_selectors_never_both() -> None:
    single, alternatives = parse_labels("env=test")
    assert single == {"matchLabels": {"env": "test"}} and alternatives == []
    single, alternatives = parse_labels("env=test OR tier in (web,db)")
    assert single is None and len(alternatives) == 2
    result = build(BackupForm(name="b", fleet="f", labels="a=b OR c=d"))
    rf = result.manifest["spec"]["policy"]["resourceFilter"]
    assert "labelSelector" not in rf and len(rf["orLabelSelectors"]) == 2


@pytest.mark.parametrize(("key", "op", "values", "text"), [
    ("env", "=", "test", "env=test"), ("env", "!=", "prod", "env!=prod"),
    ("tier", "in", "web, db", "tier in (web,db)"), ("tier", "notin", "x", "tier notin (x)"),
    ("legacy", "exists", "", "legacy"), ("legacy", "!exists", "", "!legacy")])
def test_builder_requirements(key: str, op: str, values: str, text: str) -> None:
    assert label_requirement(key, op, values) == text


def test_builder_rejects_what_the_parser_rejects() -> None:
    with pytest.raises(FieldError) as err:
        label_requirement("env", "=", "a,b")
    assert "in/notin" in err.value.message
    with pytest.raises(FieldError):
        label_requirement("bad key!", "exists", "")
    assert add_to_selector("", "a=b", True) == "a=b"
    assert add_to_selector("a=b", "c", False) == "a=b,c"
    assert add_to_selector("a=b", "c", True) == "a=b OR c"


def test_every_error_lands_on_a_form_field() -> None:
    result = build(BackupForm(name="Bad_Name", fleet="", labels="a in (", ttl="5d",
                              schedule="* * *", include_namespaces="Shop",
                              fleet_clusters=[ClusterRef("m1")], clusters=["m2"]))
    assert set(result.errors) <= set(FIELDS)
    assert {"name", "fleet", "labels", "ttl", "schedule", "include_namespaces",
            "clusters"} <= set(result.errors)
    assert form_field("spec.policy.ttl") == "ttl"
    assert form_field("spec.destination.clusters[0].name") == "clusters"


def test_a_schedule_asked_for_with_no_cron_is_an_error_not_once() -> None:
    once = build(BackupForm(name="x", fleet="quickstart"))
    assert "schedule" not in once.errors and "schedule" not in once.manifest["spec"]
    for blank in ("", "   "):
        result = build(BackupForm(name="x", fleet="quickstart", schedule=blank))
        assert "schedule is empty" in result.errors["schedule"]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text(), st.text(), st.text())
def test_any_text_gives_errors_or_an_object(name: str, ns: str, labels: str, ttl: str,
                                            cron: str) -> None:
    result = build(BackupForm(name=name, fleet="quickstart", include_namespaces=ns,
                              labels=labels, ttl=ttl, schedule=cron))
    assert set(result.errors) <= set(FIELDS)
    assert result.manifest["kind"] == "Backup"  # the preview always renders


@pytest.mark.parametrize("labels", ["tier in ()", "env=test OR tier notin ()"])
def test_empty_value_list_is_refused_at_the_label_field(labels: str) -> None:
    # The TUI form and `backup create -l/--or-selector` share this builder and its words.
    result = build(BackupForm(name="b", fleet="f", labels=labels))
    assert "tier" in result.errors["labels"] and "(): the value list is empty" in \
        result.errors["labels"]
    with pytest.raises(FieldError, match="tier"):
        label_requirement("tier", "in", " , ")
