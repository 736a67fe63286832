{% include "core/registry.py" -%}
