{% include "core/errors.py" -%}
