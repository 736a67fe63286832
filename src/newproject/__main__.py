"""`python -m newproject`."""

from .entry import run

run()
