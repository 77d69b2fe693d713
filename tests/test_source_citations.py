"""Source comments cite what a reader can open: upstream projects by their own paths, or files
in this repository, never the notes next to it (../shared) that a clone does not have."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CITED_FILE = re.compile(r"[\w./-]+\.md\b")


def test_every_cited_markdown_file_is_in_the_repository() -> None:
    missing = []
    for path in sorted((REPO / "fleettui").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "shared/docs" in text:
            missing.append(f"{path.relative_to(REPO)}: shared/docs")
        for cited in CITED_FILE.findall(text):
            if not any((base / cited).exists() for base in (REPO, path.parent)):
                missing.append(f"{path.relative_to(REPO)}: {cited}")
    assert missing == []
