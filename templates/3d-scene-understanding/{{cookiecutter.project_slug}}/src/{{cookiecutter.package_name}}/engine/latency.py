{% include "engine/latency.py" -%}
