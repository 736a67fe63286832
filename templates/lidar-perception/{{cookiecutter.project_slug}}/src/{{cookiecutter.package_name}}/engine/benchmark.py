{% include "engine/benchmark.py" -%}
