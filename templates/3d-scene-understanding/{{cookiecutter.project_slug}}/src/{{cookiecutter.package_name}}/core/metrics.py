{% include "core/metrics.py" -%}
