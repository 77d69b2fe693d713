"""Velero's results files (BackupResults, RestoreResults) read into lines an operator can scan:
`{"errors": {"velero": [...], "cluster": [...], "namespaces": {ns: [...]}}, "warnings": {...}}`
(velero pkg/util/results/results.go), in the order `velero backup describe` prints them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class ResultLine:
    level: str  # ERROR | WARNING
    scope: str  # "velero", "cluster" or "namespace NS"
    message: str

    def text(self) -> str:
        return f"{self.level:<7}  {self.scope}: {self.message}"


def result_lines(data: Any) -> list[ResultLine]:
    """Errors first, then warnings; within each Velero's, the cluster's, then by namespace."""
    if not isinstance(data, dict):
        return []
    lines: list[ResultLine] = []
    for level, key in ((ERROR, "errors"), (WARNING, "warnings")):
        part = data.get(key)
        if not isinstance(part, dict):
            continue
        for scope in ("velero", "cluster"):
            lines += [ResultLine(level, scope, str(m)) for m in _strings(part.get(scope))]
        namespaces = part.get("namespaces")
        if isinstance(namespaces, dict):
            for ns in sorted(namespaces):
                lines += [ResultLine(level, f"namespace {ns}", str(m))
                          for m in _strings(namespaces[ns])]
    return lines


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def counts(lines: list[ResultLine]) -> tuple[int, int]:
    return (sum(1 for line in lines if line.level == ERROR),
            sum(1 for line in lines if line.level == WARNING))
