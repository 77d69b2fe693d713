"""A DataTable that is synchronised to a list of rows by diffing, never rebuilt.

Only cells whose value changed are updated (fixed column widths, no re-measuring), new rows are
appended, vanished rows removed; the cursor stays on the same row key. Cells are Rich `Text`, so
strings from clusters are never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

Cell = str | Text
Row = tuple[str, Sequence[Cell]]


class LiveTable(DataTable[Cell]):
    def __init__(self, columns: Sequence[tuple[str, int]], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._spec = columns
        self._shown: dict[str, list[Cell]] = {}

    def on_mount(self) -> None:
        for label, width in self._spec:
            self.add_column(label, width=width, key=label)

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
            del self._shown[key]
        labels = [label for label, _ in self._spec]
        order_changed = False
        changed: list[tuple[str, str, Cell]] = []
        for key, cells in rows:
            values: list[Cell] = [as_text(c) for c in cells]
            old = self._shown.get(key)
            if old is None:
                self.add_row(*values, key=key)
                order_changed = True
            else:
                changed += [(key, labels[i], b) for i, (a, b) in
                            enumerate(zip(old, values, strict=False)) if differs(a, b)]
            self._shown[key] = values
        if changed:
            self._set_cells(changed)
        if order_changed and list(self._shown) != [k for k, _ in rows]:
            self._reorder([k for k, _ in rows])
        if keep is not None and keep in self._shown and self.get_row_index(keep) != \
                self.cursor_coordinate.row:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    def _set_cells(self, changed: list[tuple[str, str, Cell]]) -> None:
        """update_cell, but repainting only the changed rows and re-rendering only the changed
        cells: DataTable.update_cell refreshes the whole table (a screen of bytes per change
        over SSH) and bumps the generation that keys every render cache, so the next frame
        re-renders every visible cell. Textual 8.2 internals: the data dict and the caches."""
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
            self.add_row(*shown[key], key=key)
            self._shown[key] = shown[key]


def _forget(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    for k in [k for k in cache.keys() if stale(k)]:  # noqa: SIM118 (LRUCache has no __iter__)
        cache.discard(k)


def differs(a: Cell, b: Cell) -> bool:
    return str(a) != str(b) or (isinstance(a, Text) and isinstance(b, Text)
                                and a.style != b.style)


def as_text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell), no_wrap=True, overflow="ellipsis")
