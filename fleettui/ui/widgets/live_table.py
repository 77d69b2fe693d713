"""A DataTable that is synchronised to a list of rows by diffing, never rebuilt on an update.

Only cells whose value changed are updated (fixed column widths, no re-measuring), new rows are
appended, vanished rows removed; the cursor stays on the same row key. Cells are Rich `Text`, so
strings from clusters are never parsed as markup.

Narrow terminals (issue #10): the columns are laid out to the table's width. A phase column is
never cut: it is as wide as its widest cell (measured only for cells that change). A name
column is elided (…) down to its `least` width, then columns are dropped, highest `drop` first,
and `hidden` names them so the screen can say so; only then are names cut further. The table is
rebuilt only when this layout changes (a resize, or a wider phase word), never on an update.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from fleettui.ui import textual_compat

Cell = str | Text
Row = tuple[str, Sequence[Cell]]
NAME, PHASE = "name", "phase"
FLOOR = 4  # a name is never narrower than this (an ellipsis and three characters)


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # preferred width
    role: str = ""  # NAME: elided down to `least`, grows up to `most`; PHASE: never cut
    least: int = 0
    most: int = 0
    drop: int = 0  # dropped when the table is too narrow, highest first; 0: never


ColumnSpec = Column | tuple[str, int]


class LiveTable(DataTable[Cell]):
    DEFAULT_CSS = """
    LiveTable { scrollbar-size-vertical: 1; }
    """

    class Hidden(Message):
        """The columns dropped at this width changed."""

        def __init__(self, table: LiveTable, labels: tuple[str, ...]) -> None:
            super().__init__()
            self.table = table
            self.labels = labels

    def __init__(self, columns: Sequence[ColumnSpec], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._spec = [c if isinstance(c, Column) else Column(*c) for c in columns]
        self._labels = [c.label for c in self._spec]
        self._shown: dict[str, list[Cell]] = {}
        self._least = {c.label: max(c.width, len(c.label)) for c in self._spec
                       if c.role == PHASE}
        self._need = dict(self._least)
        self._cell_widths: dict[str, Counter[int]] = {label: Counter() for label in self._need}
        self._widths: dict[str, int] = {}  # the columns on screen and their widths, in order
        self.hidden: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self._apply(self._plan(0))

    def _on_resize(self, event: events.Resize) -> None:
        super()._on_resize(event)
        self._relayout()

    # ---- layout --------------------------------------------------------------------------
    def _plan(self, width: int) -> dict[str, int]:
        """Widths of the columns to show in `width` cells (0: unknown, show all)."""
        pad = 2 * self.cell_padding
        widths = {c.label: self._need[c.label] if c.role == PHASE else c.width
                  for c in self._spec}
        shown = list(self._spec)
        names = [c for c in self._spec if c.role == NAME]

        def excess() -> int:
            return sum(widths[c.label] + pad for c in shown) - width

        def shrink(floor: Callable[[Column], int]) -> None:
            for c in names:
                if c in shown and excess() > 0:
                    widths[c.label] -= max(0, min(excess(), widths[c.label] - floor(c)))

        if width <= 0:
            return widths
        shrink(lambda c: max(FLOOR, c.least or c.width))
        for c in sorted((c for c in self._spec if c.drop), key=lambda c: -c.drop):
            if excess() <= 0:
                break
            shown.remove(c)
        shrink(lambda c: FLOOR)
        for c in names:  # room left: names back to their width, then up to `most`
            if c in shown and excess() < 0:
                widths[c.label] += min(-excess(), max(c.most, c.width) - widths[c.label])
        return {c.label: widths[c.label] for c in shown}

    def _relayout(self) -> None:
        width = self.size.width - self.styles.scrollbar_size_vertical
        plan = self._plan(width if self.size.width else 0)
        if plan != self._widths:
            self._apply(plan)

    def _apply(self, plan: dict[str, int]) -> None:
        """Rebuild the table with these columns (only when the layout changed)."""
        keep = self.selected_key
        self._widths = plan
        self.clear(columns=True)
        for label, width in plan.items():
            self.add_column(label, width=width, key=label)
        for key, cells in self._shown.items():
            self.add_row(*self._visible(cells), key=key)
        if keep is not None and keep in self._shown:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        hidden = tuple(label for label in self._labels if label not in plan)
        if hidden != self.hidden:
            self.hidden = hidden
            self.post_message(self.Hidden(self, hidden))

    def _visible(self, cells: Sequence[Cell]) -> list[Cell]:
        return [cell for label, cell in zip(self._labels, cells, strict=False)
                if label in self._widths]

    def _count(self, cells: Sequence[Cell], sign: int, only: str = "") -> None:
        """Keep the widths of the phase cells on the table (counted, not re-measured)."""
        for label, cell in zip(self._labels, cells, strict=False):
            counts = self._cell_widths.get(label)
            if counts is not None and (not only or label == only):
                counts[as_text(cell).cell_len] += sign

    def _needs_changed(self) -> bool:
        """Phase columns as wide as their widest cell (never cut, never wider than needed)."""
        need = {label: max([self._least[label], *(w for w, n in counts.items() if n > 0)])
                for label, counts in self._cell_widths.items()}
        if need == self._need:
            return False
        self._need = need
        return True

    # ---- rows ----------------------------------------------------------------------------
    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
        return str(key) if key is not None else None

    def sync(self, rows: Sequence[Row]) -> None:
        keep = self.selected_key
        wanted = {k for k, _ in rows}
        for key in [k for k in self._shown if k not in wanted]:
            self.remove_row(key)
            self._count(self._shown.pop(key), -1)
        order_changed = False
        changed: list[tuple[str, str, Cell]] = []
        for key, cells in rows:
            values: list[Cell] = [as_text(c) for c in cells]
            old = self._shown.get(key)
            if old is None:
                self.add_row(*self._visible(values), key=key)
                order_changed = True
                self._count(values, 1)
            else:
                self._diff(key, old, values, changed)
            self._shown[key] = values
        if changed:
            self._set_cells(changed)
        if order_changed and list(self._shown) != [k for k, _ in rows]:
            self._reorder([k for k, _ in rows])
        if keep is not None and keep in self._shown and self.get_row_index(keep) != \
                self.cursor_coordinate.row:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        if self._needs_changed():
            self._relayout()

    def update_rows(self, rows: Sequence[Row]) -> None:
        """Sync only these rows, each shown already; the others stay as they are (a screen
        that knows what changed skips diffing a thousand unchanged rows)."""
        changed: list[tuple[str, str, Cell]] = []
        for key, cells in rows:
            values: list[Cell] = [as_text(c) for c in cells]
            self._diff(key, self._shown[key], values, changed)
            self._shown[key] = values
        if changed:
            self._set_cells(changed)
        if self._needs_changed():
            self._relayout()

    def append_rows(self, rows: Sequence[Row]) -> None:
        """Append rows not shown yet, after the others (a screen that fills itself a part at
        a time, without diffing or reordering what is there)."""
        for key, cells in rows:
            values: list[Cell] = [as_text(c) for c in cells]
            self.add_row(*self._visible(values), key=key)
            self._count(values, 1)
            self._shown[key] = values
        if self._needs_changed():
            self._relayout()

    def _diff(self, key: str, old: Sequence[Cell], values: Sequence[Cell],
              changed: list[tuple[str, str, Cell]]) -> None:
        labels = self._labels
        for i, (a, b) in enumerate(zip(old, values, strict=False)):
            if differs(a, b):
                if labels[i] in self._cell_widths:
                    self._count(old, -1, labels[i])
                    self._count(values, 1, labels[i])
                if labels[i] in self._widths:
                    changed.append((key, labels[i], b))

    def _set_cells(self, changed: list[tuple[str, str, Cell]]) -> None:
        """update_cell, but repainting only the changed rows and re-rendering only the changed
        cells: DataTable.update_cell refreshes the whole table (a screen of bytes per change
        over SSH) and bumps the generation that keys every render cache, so the next frame
        re-renders every visible cell. Textual 8.2 internals: the data dict and the caches
        (textual_compat says when they may be used; else the public update_cell)."""
        if not textual_compat.CELL_REPAINT:
            for key, column, value in changed:
                self.update_cell(key, column, value)
            return
        cells = {(RowKey(key), ColumnKey(column)) for key, column, _ in changed}
        row_keys = {row_key for row_key, _ in cells}
        for key, column, value in changed:
            self._data[RowKey(key)][ColumnKey(column)] = value
        indexes = {self.get_row_index(key) for key, _, _ in changed}
        _forget(self._cell_render_cache, lambda k: (k[0], k[1]) in cells)
        _forget(self._row_render_cache, lambda k: k[0] in row_keys)
        _forget(self._row_renderable_cache, lambda k: k[1] in indexes)
        self._line_cache.clear()
        for index in indexes:
            self.refresh_row(index)

    def _reorder(self, order: list[str]) -> None:
        position = {k: i for i, k in enumerate(order)}
        self.clear()
        shown, self._shown = self._shown, {}
        for key in sorted(shown, key=lambda k: position.get(k, len(position))):
            self.add_row(*self._visible(shown[key]), key=key)
            self._shown[key] = shown[key]


def _forget(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    for k in [k for k in cache.keys() if stale(k)]:  # noqa: SIM118 (LRUCache has no __iter__)
        cache.discard(k)


def differs(a: Cell, b: Cell) -> bool:
    return str(a) != str(b) or (isinstance(a, Text) and isinstance(b, Text)
                                and a.style != b.style)


def as_text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell), no_wrap=True, overflow="ellipsis")
