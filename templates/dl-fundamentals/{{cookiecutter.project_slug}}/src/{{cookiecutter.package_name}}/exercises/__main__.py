"""Which exercises are written, and which code runs:

python -m {{ cookiecutter.package_name }}.exercises
"""

from __future__ import annotations

import inspect

from ..core.errors import run_main
from . import EXERCISES
from .switch import ENV_VAR, uses_mine


def main(argv=None) -> None:
    print(f"{'milestone':<26}{'exercise':<32}{'written':<10}runs now ({ENV_VAR}=...)")
    for milestone, function in EXERCISES:
        name = function.__name__
        written = "not_written(" not in inspect.getsource(function.mine)
        running = "yours" if uses_mine(name) else "reference"
        print(f"{milestone:<26}{name:<32}{'yes' if written else 'no':<10}{running}")


if __name__ == "__main__":
    run_main(main)
