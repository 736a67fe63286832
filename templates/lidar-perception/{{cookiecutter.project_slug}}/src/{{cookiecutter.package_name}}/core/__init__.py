{% include "core/__init__.py" -%}
