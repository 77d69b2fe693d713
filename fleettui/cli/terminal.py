"""What the TUI needs of the terminal before Textual is imported."""

from __future__ import annotations

import os

from fleettui.cli.output import EXIT_USAGE, CliError


def prepare_terminal_env() -> None:
    """Without a terminal (`ssh host fleettui` without -t, input from /dev/null) the TUI cannot
    read keys: say so in one line instead of starting. Then the settings for SSH sessions."""
    for fd, what in ((0, "input"), (1, "output")):
        if not os.isatty(fd):
            raise CliError(f"the TUI needs a terminal, but its {what} is not one (over SSH use "
                           "`ssh -t`); the commands work without one, e.g. `fleettui backup "
                           "list`", EXIT_USAGE)
    textual_env()


def textual_env() -> None:
    """Settings for SSH sessions; Textual reads them once, when it is imported."""
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")  # no repaint traffic for effects
    os.environ.setdefault("TEXTUAL_FPS", "30")
    os.environ.setdefault("ESCDELAY", "150")
