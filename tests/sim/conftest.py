"""Fixtures for the simulator's tests: the CRD schema validator the model tests use too."""

from tests.model.conftest import crd_validator

__all__ = ["crd_validator"]
