{% include "engine/data.py" -%}
