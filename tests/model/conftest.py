"""Fixtures for the model tests: CRD schema validators (shared_dir is tests/conftest.py's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml


def crd_to_jsonschema(node: Any) -> Any:
    """A CRD openAPIV3Schema as JSON Schema.

    ``x-kubernetes-*`` keys are dropped, ``nullable: true`` also allows null, and objects with
    declared properties reject unknown keys: the API server would prune them silently, which
    for a client is a bug worth failing on.
    """
    if isinstance(node, list):
        return [crd_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: crd_to_jsonschema(v) for k, v in node.items()
           if not k.startswith("x-kubernetes-") and k != "nullable"}
    if isinstance(node.get("properties"), dict) and "additionalProperties" not in node \
            and isinstance(node.get("type"), str):
        out["additionalProperties"] = False
    if node.get("nullable") is True:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="session")
def crd_validator(shared_dir: Path) -> Callable[[str, dict[str, Any]], None]:
    """``check("kurator/crds/backup.kurator.dev_backups.yaml", obj)`` raises on violations."""
    cache: dict[str, jsonschema.Draft7Validator] = {}

    def check(relative: str, obj: dict[str, Any]) -> None:
        if relative not in cache:
            crd = yaml.safe_load((shared_dir / relative).read_text())
            schema = crd_to_jsonschema(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"])
            cache[relative] = jsonschema.Draft7Validator(schema)
        errors = sorted(cache[relative].iter_errors(obj), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)

    return check

