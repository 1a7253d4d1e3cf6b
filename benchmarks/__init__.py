"""Benchmarks of the solve pipeline (issue 6): `python -m benchmarks --help`."""
