"""The CLI tests check printed objects against the CRDs with the model tests' validator."""

from tests.model.conftest import crd_validator  # noqa: F401 - a fixture, shared by name
