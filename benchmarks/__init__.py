"""Benchmarks for fleettui: `python -m benchmarks [NAME ...] [--quick]` (see README.md)."""
