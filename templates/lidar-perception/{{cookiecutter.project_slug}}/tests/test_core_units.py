{% include "tests/core_units.py" -%}
