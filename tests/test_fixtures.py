"""tests/fixtures holds verbatim copies of files in ../shared: they must not drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SHARED

COPIES = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*")
                if p.is_file() and p.name != "README.md")


def test_the_copies_are_there() -> None:
    assert len(COPIES) >= 30
    assert Path("kurator/crds/backup.kurator.dev_backups.yaml") in COPIES


@pytest.mark.parametrize("relative", COPIES, ids=str)
def test_copy_equals_shared(relative: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the copies in tests/fixtures cannot be compared")
    original = SHARED / relative
    assert original.is_file(), f"{relative} is no longer in {SHARED}"
    assert (FIXTURES / relative).read_bytes() == original.read_bytes(), \
        f"tests/fixtures/{relative} differs from {original}: copy it again"
