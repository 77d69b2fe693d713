"""Keys that arrive in one write reach the screen they were typed for, in order, and ctrl+s
submits exactly what was typed (the real app in a pseudo-terminal against the simulator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fleettui.sim.fleet import SimFleet, SimThread
from tests.conftest import wait_for
from tests.e2e.terminal import Terminal

# slow: real processes in a pseudo-terminal; serial: they time exits and key handling.
pytestmark = [pytest.mark.slow, pytest.mark.serial]
Sim = tuple[SimThread, SimFleet, Path]
CTRL_U, CTRL_S, TAB, ESC = "\x15", "\x13", "\t", "\x1b"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
NAMESPACES = [f"team-{i:02d}-apps" for i in range(20)]  # 20 x 12 characters = 239 typed


def kurator_backup(fleet: SimFleet, name: str) -> dict[str, Any] | None:
    return fleet.host.store.find("backup.kurator.dev/backups", "default", name)


def open_tui(kubeconfig: Path) -> Terminal:
    term = Terminal(["--kubeconfig", str(kubeconfig), "--context", "kurator-host"])
    term.wait_for("Available")
    return term


@pytest.mark.parametrize("how", ["typed", "pasted"])
def test_one_write_from_the_fleets_screen_creates_exactly_what_was_typed(sim: Sim,
                                                                       how: str) -> None:
    _, fleet, kubeconfig = sim
    name = f"burst-{how}"
    namespaces = ",".join(NAMESPACES)
    assert len(namespaces) > 200
    if how == "pasted":
        namespaces = PASTE_START + "\n".join(NAMESPACES) + PASTE_END  # one name a line
    term = open_tui(kubeconfig)
    try:
        # n opens the form; the keys behind it must wait for it, not go to the fleets screen.
        term.send_at_once("n" + CTRL_U + name + TAB * 3 + namespaces + CTRL_S)
        obj = wait_for(lambda: kurator_backup(fleet, name), what=f"{name} created")
        included = obj["spec"]["policy"]["resourceFilter"]["includedNamespaces"]
        assert included == NAMESPACES
        term.wait_for(f"Backup {name}")  # the status screen of what was created
        creates = [a for a in fleet.audit if a["verb"] == "create" and not a["dryRun"]
                   and "backup.kurator.dev" in a["path"]]
        assert len(creates) == 1
    finally:
        term.close()


def test_q_in_a_burst_after_n_is_typed_not_obeyed(sim: Sim) -> None:
    """`q` and `b` are keys of the fleets screen; typed behind `n` they belong to the name."""
    _, fleet, kubeconfig = sim
    term = open_tui(kubeconfig)
    try:
        term.send_at_once("n" + CTRL_U + "qb-quick" + CTRL_S)
        wait_for(lambda: kurator_backup(fleet, "qb-quick"), what="qb-quick created")
        assert term.proc.poll() is None  # q did not quit
    finally:
        term.close()
