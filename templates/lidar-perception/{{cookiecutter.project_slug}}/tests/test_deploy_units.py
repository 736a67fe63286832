{% include "tests/deploy_units.py" -%}
