"""The real `fleettui demo` in a pseudo-terminal: back up, then `r` on the backup, the Velero
backup each cluster will use shown, ctrl+s, and the restore followed to Completed."""

from __future__ import annotations

import pytest

from tests.e2e.terminal import Terminal

# slow: real processes in a pseudo-terminal; serial: they time key handling.
pytestmark = [pytest.mark.slow, pytest.mark.serial]
CTRL_S = "\x13"
ESC = "\x1b"


def test_demo_restore_from_r_to_completed() -> None:
    term = Terminal(["demo", "--backup-seconds", "1"])
    try:
        term.wait_for("Available")
        term.send("n")
        term.wait_for("New fleet backup")
        term.wait_for("backup-2")  # the form is filled: ctrl+s submits it
        term.send(CTRL_S)
        term.wait_for("2/2 clusters completed", timeout=30)
        term.send(ESC)
        term.wait_for("Fleets")
        term.send("b")
        term.wait_for("r Restore")
        term.send("r")
        term.wait_for("Restore from backup backup-2")
        screen = term.wait_for("Velero backup each cluster will restore from")
        term.until(lambda: term.text().count("(Completed, ") == 2,
                   what="each cluster's Velero backup shown")
        screen = term.text()
        assert "✓ kurator-member1: kurator-member1-backup-default-backup-2" in screen
        term.send(CTRL_S)
        term.wait_for("Restore restore-2")
        screen = term.wait_for("2/2 clusters completed", timeout=30)
        assert screen.count("✓ Completed") >= 2
        assert "kurator-member1" in screen and "kurator-member2" in screen
    finally:
        term.close()
