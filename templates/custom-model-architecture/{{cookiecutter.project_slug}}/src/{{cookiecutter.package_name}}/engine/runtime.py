{% include "engine/runtime.py" -%}
