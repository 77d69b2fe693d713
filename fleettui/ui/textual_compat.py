"""Where fleettui leans on Textual's private API, and whether it may.

Each use below buys a measured figure (benchmarks/README.md); each has a public fallback that is
used when the installed Textual lacks what the use needs, when Textual is not the 8.2 line the
uses were written against, or when FLEETTUI_TEXTUAL_PUBLIC=1 asks for the public path:

- QuietLinuxDriver (XTermParser, the parser's pending-ESC timeout): 0 wake-ups a second while
  idle instead of 10. Fallback: Textual's own driver.
- paint_now (the screen's dirty set, the widgets' refresh flags): change → screen p50 4.7 →
  3.5 ms, p99 39 → 5.2 ms. Fallback: Textual's refresh, up to a frame later.
- LiveTable's cell repaint (DataTable's render caches): 680 instead of 840 bytes per change at
  80x24. Fallback: DataTable.update_cell (the whole row re-renders).

Checked once, at import; nothing here imports the kubernetes client.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

from textual.app import App
from textual.drivers.linux_driver import LinuxDriver
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

WRITTEN_FOR = "8.2."
SWITCH = "FLEETTUI_TEXTUAL_PUBLIC"  # set (not 0) to use only Textual's public API


def _textual_version() -> str:
    try:
        return version("textual")
    except PackageNotFoundError:
        return ""


def _has(owner: object, *names: str) -> bool:
    return all(hasattr(owner, name) for name in names)


def _parser_ok() -> bool:
    try:
        from textual._xterm_parser import XTermParser
    except ImportError:
        return False
    return _has(XTermParser(), "_timeout_time", "feed", "tick") and \
        _has(LinuxDriver, "run_input_thread", "process_message")


def _paint_ok() -> bool:
    flags = ("_layout_required", "_scroll_required", "_refresh_styles_required",
             "_recompose_required", "_repaint_required")
    return _has(Widget(), *flags) and _has(Screen, "_on_timer_update") and \
        _has(Screen(), "_dirty_widgets") and "_batch_count" in App.__init__.__code__.co_names


def _cells_ok() -> bool:
    table: DataTable[object] = DataTable()
    return _has(table, "_data", "_cell_render_cache", "_row_render_cache",
                "_row_renderable_cache", "_line_cache")


def internals_allowed(textual_version: str, switch: str) -> bool:
    return textual_version.startswith(WRITTEN_FOR) and switch in ("", "0")


USE_INTERNALS = internals_allowed(_textual_version(), os.environ.get(SWITCH, ""))
QUIET_DRIVER = USE_INTERNALS and _parser_ok()
PAINT_NOW = USE_INTERNALS and _paint_ok()
CELL_REPAINT = USE_INTERNALS and _cells_ok()
