{% include "tests/engine_units.py" -%}
