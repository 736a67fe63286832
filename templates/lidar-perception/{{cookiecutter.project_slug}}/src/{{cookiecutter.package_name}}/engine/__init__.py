{% include "engine/__init__.py" -%}
