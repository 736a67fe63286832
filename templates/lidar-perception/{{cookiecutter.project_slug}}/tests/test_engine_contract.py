{% include "tests/engine_contract.py" -%}
