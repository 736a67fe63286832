{% include "core/config.py" -%}
