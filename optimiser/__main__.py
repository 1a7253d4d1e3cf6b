"""`python -m optimiser` is the `optimiser` command."""

from optimiser.cli import run

run()
