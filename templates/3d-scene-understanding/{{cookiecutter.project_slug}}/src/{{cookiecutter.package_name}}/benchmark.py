{% include "project/benchmark.py" -%}
