"""A DataTable that is synchronised to a list of rows by diffing, never rebuilt.

Only cells whose value changed are updated (fixed column widths, no re-measuring), new rows are
appended, vanished rows removed; the cursor stays on the same row key. Cells are Rich `Text`, so
strings from clusters are never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
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
        for key, cells in rows:
            values: list[Cell] = [as_text(c) for c in cells]
            old = self._shown.get(key)
            if old is None:
                self.add_row(*values, key=key)
                order_changed = True
            else:
                for i, (a, b) in enumerate(zip(old, values, strict=False)):
                    if str(a) != str(b) or (isinstance(a, Text) and isinstance(b, Text)
                                            and a.style != b.style):
                        self._set_cell(key, labels[i], b)
            self._shown[key] = values
        if order_changed and list(self._shown) != [k for k, _ in rows]:
            self._reorder([k for k, _ in rows])
        if keep is not None and keep in self._shown:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    def _set_cell(self, key: str, column: str, value: Cell) -> None:
        """update_cell, but repainting only this row: DataTable.update_cell refreshes the whole
        table, which costs a full screen of bytes per change over SSH (Textual 8.2 internals:
        the data dict and the cache generation counter)."""
        self._data[RowKey(key)][ColumnKey(column)] = value
        self._update_count += 1
        self.refresh_row(self.get_row_index(key))

    def _reorder(self, order: list[str]) -> None:
        position = {k: i for i, k in enumerate(order)}
        self.clear()
        shown, self._shown = self._shown, {}
        for key in sorted(shown, key=lambda k: position.get(k, len(position))):
            self.add_row(*shown[key], key=key)
            self._shown[key] = shown[key]


def as_text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell), no_wrap=True, overflow="ellipsis")
