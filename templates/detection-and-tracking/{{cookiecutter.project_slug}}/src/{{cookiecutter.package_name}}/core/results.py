{% include "core/results.py" -%}
