"""The direction of imports, read from the import graph (grimp) rather than from text: every
import counts, those in functions and under TYPE_CHECKING included."""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("model", "kube", "live", "ui", "cli", "sim")
# Which of our packages each one may import (besides itself); external packages below.
ALLOWED = {
    "model": set(),
    "kube": {"model"},
    "live": {"kube", "model"},
    "ui": {"live", "kube", "model"},
    "cli": {"live", "kube", "model", "sim", "ui"},  # sim and ui only to start them (demo, TUI)
    "sim": {"model", "kube"},  # the controllers as API clients (sim/api_store.py)
}
BANNED_EXTERNAL = {
    "model": {"textual", "kubernetes", "aiohttp"},
    "kube": {"textual", "aiohttp"},
    "live": {"textual", "aiohttp"},
    "sim": {"textual", "kubernetes"},
}
CLI_ENTRY_POINTS = ("fleettui.cli.main", "fleettui.cli.demo", "fleettui.cli.sim")  # prefixes


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("fleettui", "textual", "kubernetes", "aiohttp", cache_dir=None)


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "fleettui" and len(parts) > 2 else parts[0]


def test_no_import_cycle_anywhere(graph: grimp.ImportGraph) -> None:
    ours = sorted(m for m in graph.modules if m.startswith("fleettui."))
    cycles = sorted({tuple(sorted((m, other))) for m in ours
                     for other in graph.find_modules_directly_imported_by(m)
                     if other.startswith("fleettui.")
                     and graph.find_shortest_chain(importer=other, imported=m)})
    assert cycles == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_layer_imports_only_downwards(graph: grimp.ImportGraph, package: str) -> None:
    wrong = []
    for module in sorted(m for m in graph.modules if m.startswith(f"fleettui.{package}.")):
        for imported in graph.find_modules_directly_imported_by(module):
            target = package_of(imported)
            if imported.startswith("fleettui.") and target in PACKAGES:
                if target != package and target not in ALLOWED[package]:
                    wrong.append(f"{module} imports {imported}")
                if package == "cli" and target in ("sim", "ui") and \
                        not module.startswith(CLI_ENTRY_POINTS):
                    wrong.append(f"{module} imports {imported} (only entry points may)")
            elif target in BANNED_EXTERNAL.get(package, set()):
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_screens_and_widgets_hold_no_kubernetes_logic(graph: grimp.ImportGraph) -> None:
    """ui may name resources (kube.resources) but never talks to a cluster itself."""
    talking = {"fleettui.kube.client", "fleettui.kube.watch", "fleettui.kube.fleets"}
    wrong = [f"{m} imports {i}" for m in graph.modules
             if m.startswith(("fleettui.ui.screens.", "fleettui.ui.widgets."))
             for i in graph.find_modules_directly_imported_by(m) if i in talking]
    assert wrong == []


# The CLI's command modules, one per verb; what they share lives in the other cli modules
# (recovery/: the verbs restore and migrate share; sim_real: `sim --api real`).
COMMANDS = ("backup", "restore", "migrate", "velero", "check", "coverage", "schedules",
            "schedule", "storage", "demo_cmd", "sim_cmd")


def command_of(module: str) -> str:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["fleettui", "cli"] and \
        parts[2] in COMMANDS else ""


def test_no_command_imports_another_commands_helpers(graph: grimp.ImportGraph) -> None:
    """Verbs are independent, as kubectl's are: a command module imports the shared cli
    modules, never another command (a package's __init__ may assemble its verbs)."""
    wrong = []
    for module in sorted(m for m in graph.modules if command_of(m)):
        for imported in graph.find_modules_directly_imported_by(module):
            other = command_of(imported)
            if other and other != command_of(module) and module != "fleettui.cli.main":
                wrong.append(f"{module} imports {imported}")
            sibling = imported.rsplit(".", 1)[0] == module.rsplit(".", 1)[0]
            if other == command_of(module) and sibling and imported != module and \
                    not module.endswith(("__init__", ".parser")) and \
                    imported.rsplit(".", 1)[1] not in ("__init__",):
                wrong.append(f"{module} imports its sibling verb {imported}")
    assert wrong == []
