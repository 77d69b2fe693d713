"""The real `fleettui demo` in a pseudo-terminal: type a backup, submit, watch it complete."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.e2e.terminal import Terminal

# slow: real processes in a pseudo-terminal; serial: they time exits and key handling.
pytestmark = [pytest.mark.slow, pytest.mark.serial]
CTRL_S = "\x13"
TAB = "\t"


def test_demo_form_submit_and_phases_reach_completed() -> None:
    term = Terminal(["demo", "--backup-seconds", "1"])
    try:
        term.wait_for("Available")
        term.send("n")
        term.wait_for("New fleet backup")
        term.wait_for("backup-2")  # the suggested unique name

        def typed() -> bool:  # keys sent before the form has focus are lost: retype until shown
            term.send("\x15" + "e2e-nightly")
            term.pump(0.2)
            return any(line.split() == ["Name", "e2e-nightly"] for line in term.screen.display)

        term.until(typed, what="the name typed into its field")
        term.send(TAB * 3 + "kurator-backup")
        term.wait_for("kurator-backup")
        term.send(CTRL_S)
        term.wait_for("Backup e2e-nightly")
        screen = term.wait_for("2/2 clusters completed", timeout=30)
        assert screen.count("✓ Completed") >= 2
        assert "kurator-member1" in screen and "kurator-member2" in screen
    finally:
        term.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signals_exit_quickly_and_restore_the_terminal(sig: signal.Signals) -> None:
    term = Terminal(["demo"])
    try:
        term.wait_for("Available")
        started = time.monotonic()
        os.kill(term.proc.pid, sig)
        term.drain()
        assert term.proc.poll() is not None, "still running 3 s after the signal"
        assert time.monotonic() - started < 2.5
        assert b"\x1b[?1049l" in term.tail  # left the alternate screen
        assert b"\x1b[?25h" in term.tail  # cursor shown again
    finally:
        term.close()


def test_no_color_still_reads_through_symbols() -> None:
    term = Terminal(["demo"], env={"NO_COLOR": "1"})
    try:
        screen = term.wait_for("Available")
        assert "✓ yes" in screen and "✓ Available" in screen  # state without colour
        assert term.colours and all(is_grey(c) for c in term.colours), term.colours
    finally:
        term.close()


def is_grey(colour: str) -> bool:
    """Textual's NO_COLOR filter maps every colour to a grey (monochrome)."""
    parts = [int(p) for p in colour.split(";")]
    if parts[0] == 2:
        return parts[1] == parts[2] == parts[3]
    n = parts[1]
    return n in (0, 7, 8, 15, 16, 59, 102, 145, 188, 231) or n >= 232


def test_lost_tty_ends_the_process_without_orphans() -> None:
    term = Terminal(["demo"])
    try:
        term.wait_for("Available")
        started = time.monotonic()
        os.close(term.master)  # the SSH connection is gone: the terminal hangs up
        term.proc.wait(5)
        assert time.monotonic() - started < 2.5
        leftovers = subprocess.run(["pgrep", "-g", str(term.proc.pid)], capture_output=True,
                                   text=True)
        assert leftovers.stdout.strip() == "", "processes left behind"
    finally:
        term.close()


def test_sixteen_colour_terminals_get_only_the_basic_palette() -> None:
    term = Terminal(["demo"], env={"TEXTUAL_COLOR_SYSTEM": "standard", "TERM": "xterm"})
    try:
        screen = term.wait_for("Available")
        assert "✓ Available" in screen
        assert term.colours == set()  # no 256-colour or truecolour sequence at all
    finally:
        term.close()
