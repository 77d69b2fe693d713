"""The README's Layout section names every module of the package, so it follows the tree."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def layout_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Layout"):text.index("## Tests")]


def test_every_module_is_named_in_the_layout_section() -> None:
    layout = layout_section()
    missing = []
    for path in sorted((REPO / "fleettui").rglob("*.py")):
        name = path.parent.name if path.stem == "__init__" else path.stem
        if name != "__main__" and not re.search(rf"\b{re.escape(name)}\b", layout):
            missing.append(str(path.relative_to(REPO)))
    assert not missing, f"README.md's Layout section does not name: {missing}"


def test_every_top_level_folder_is_named_in_the_layout_section() -> None:
    layout = layout_section()
    folders = [p.name for p in REPO.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
               and p.name not in {"build", "dist"} and not p.name.endswith(".egg-info")]
    assert [f for f in folders if f"{f}/" not in layout] == []
