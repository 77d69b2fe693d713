"""Helpers shared by the tests of every layer (imported, never collected)."""
