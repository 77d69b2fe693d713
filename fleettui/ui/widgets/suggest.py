"""Completion for inputs from values known from the clusters (namespaces, label keys...)."""

from __future__ import annotations

from textual.suggester import Suggester


class ListSuggester(Suggester):
    """Completes the last item of a comma-separated list (or the whole value) from `values`."""

    def __init__(self, single: bool = False) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.values: list[str] = []
        self.single = single

    async def get_suggestion(self, value: str) -> str | None:
        last = value if self.single else value.rpartition(",")[2].lstrip()
        if not last:
            return None
        for v in self.values:
            if v.startswith(last) and v != last:
                return value[: len(value) - len(last)] + v
        return None
