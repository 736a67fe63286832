{% include "engine/logs.py" -%}
