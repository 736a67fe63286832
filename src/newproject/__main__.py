"""`python -m newproject`."""

from .cli import main

main(prog_name="newproject")
