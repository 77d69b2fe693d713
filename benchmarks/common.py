"""What every benchmark module shares: the `Figure` it reports and how figures are printed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured number. `ok` is None for information-only figures (no goal)."""

    name: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        if self.ok is None:
            return "INFO"
        return "PASS" if self.ok else "MISS"

    def line(self) -> str:
        goal = f"goal: {self.goal}, " if self.goal else ""
        return f"{self.name}: {format_value(self.value)} {self.unit} ({goal}{self.verdict})"


def format_value(value: float) -> str:
    """Thousands separators for big numbers, three significant digits for small ones."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def table(rows: list[tuple[str, Figure]]) -> str:
    """A compact fixed-width table of (benchmark name, figure) rows."""
    head = ("benchmark", "figure", "value", "unit", "goal", "result")
    cells = [head] + [(bench, f.name, format_value(f.value), f.unit, f.goal or "-", f.verdict)
                      for bench, f in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    right = {2}  # numbers align right

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), rule, *(fmt(r) for r in cells[1:])])
