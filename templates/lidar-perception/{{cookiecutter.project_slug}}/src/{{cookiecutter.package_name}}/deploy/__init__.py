{% include "deploy/__init__.py" -%}
