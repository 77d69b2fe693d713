"""CustomResourceDefinitions as the simulator serves them: names, scope, columns, schema."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fleettui.sim.schema import CrdSchema

CRD_DIR = Path(__file__).resolve().parent / "crds"


@dataclass(frozen=True)
class CrdInfo:
    """One served version of a CustomResourceDefinition."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    list_kind: str
    namespaced: bool
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    status_subresource: bool
    printer_columns: tuple[dict[str, Any], ...]
    schema: CrdSchema
    raw_schema: dict[str, Any]
    crd: dict[str, Any]

    def __hash__(self) -> int:
        return hash((self.group, self.version, self.kind))

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    @property
    def name(self) -> str:
        """The CRD object's name, `<plural>.<group>`."""
        return f"{self.plural}.{self.group}"


def _str_tuple(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in v) if isinstance(v, list) else ()


def load_crd(path_or_dict: str | Path | Mapping[str, Any]) -> CrdInfo:
    """A CRD from a YAML file or a dict. Uses the storage version among the served ones."""
    if isinstance(path_or_dict, Mapping):
        crd = dict(path_or_dict)
    else:
        with open(path_or_dict, encoding="utf-8") as f:
            loaded = yaml.safe_load(f)
        if not isinstance(loaded, dict):
            raise ValueError(f"{path_or_dict}: not a CustomResourceDefinition")
        crd = loaded
    if crd.get("kind") != "CustomResourceDefinition":
        raise ValueError(f"not a CustomResourceDefinition: kind={crd.get('kind')!r}")
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or [] if isinstance(v, dict)]
    served = [v for v in versions if v.get("served", True)]
    if not served:
        raise ValueError(f"CRD {names.get('plural')}.{spec.get('group')} serves no version")
    ver = next((v for v in served if v.get("storage")), served[0])
    raw_schema = ((ver.get("schema") or {}).get("openAPIV3Schema")) or {}
    subresources = ver.get("subresources") or {}
    kind = str(names["kind"])
    return CrdInfo(
        group=str(spec["group"]),
        version=str(ver["name"]),
        kind=kind,
        plural=str(names["plural"]),
        singular=str(names.get("singular") or kind.lower()),
        list_kind=str(names.get("listKind") or f"{kind}List"),
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        short_names=_str_tuple(names.get("shortNames")),
        categories=_str_tuple(names.get("categories")),
        status_subresource=isinstance(subresources, dict) and "status" in subresources,
        printer_columns=tuple(c for c in ver.get("additionalPrinterColumns") or []
                              if isinstance(c, dict)),
        schema=CrdSchema(raw_schema),
        raw_schema=raw_schema,
        crd=crd,
    )


def load_builtin_crds() -> list[CrdInfo]:
    """Every CRD shipped in fleettui/sim/crds, sorted by file name.

    Each call gets its own copies, parsed once per process: the pure-Python YAML parse of these
    files takes most of a second (several under CPU contention), and a restarted simulator
    serves nothing until it is done.
    """
    return [load_crd(copy.deepcopy(_builtin_crd(p))) for p in sorted(CRD_DIR.glob("*.yaml"))]


@functools.cache
def _builtin_crd(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        loaded = yaml.safe_load(f)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not a CustomResourceDefinition")
    return loaded
