"""Error and warning types shared by every validator in the model layer."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass


@dataclass(frozen=True)
class FieldError(Exception):
    """A user-facing problem with one field.

    ``field`` is a path such as ``"policy.ttl"`` or ``"metadata.name"``; ``message`` says what is
    wrong and how to fix it.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def __reduce__(self) -> tuple[type[FieldError], tuple[str, str]]:
        # BaseException's default reduce restores state through setattr, which frozen forbids.
        return (type(self), (self.field, self.message))


def _exception_setattr(self: FieldError, name: str, value: object) -> None:
    # Frozen blocks every attribute, but the exception machinery (add_note, __cause__,
    # __context__, __traceback__) must still be able to write its dunder attributes.
    if not name.startswith("__"):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


setattr(FieldError, "__setattr__", _exception_setattr)  # noqa: B010 - bypass dataclass check


@dataclass(frozen=True)
class FieldWarning:
    """Non-fatal advice about one field (the object is still accepted)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
