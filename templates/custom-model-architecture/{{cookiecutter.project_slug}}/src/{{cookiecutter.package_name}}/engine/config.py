{% include "engine/config.py" -%}
