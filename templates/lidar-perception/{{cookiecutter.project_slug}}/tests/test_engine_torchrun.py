{% include "tests/engine_torchrun.py" -%}
