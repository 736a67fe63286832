{% include "engine/checkpoint.py" -%}
