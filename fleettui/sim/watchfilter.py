"""labelSelector / fieldSelector query parameters → a predicate over stored objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fleettui.model.errors import FieldError
from fleettui.model.selectors import label_matcher, parse_selector
from fleettui.sim.errors import ApiError
from fleettui.sim.field_selectors import field_selector_matches, parse_field_selector


def build_matcher(label_selector: str, field_selector: str) -> Callable[[dict[str, Any]], bool]:
    try:
        labels = label_matcher(parse_selector(label_selector)) if label_selector.strip() \
            else None
        fields = parse_field_selector(field_selector) if field_selector.strip() else None
    except FieldError as e:
        raise ApiError.bad_request(f"unable to parse requirement: {e.message}") from e

    def match(obj: dict[str, Any]) -> bool:
        if labels is not None and not labels(obj["metadata"].get("labels") or {}):
            return False
        return fields is None or field_selector_matches(fields, obj)

    return match
