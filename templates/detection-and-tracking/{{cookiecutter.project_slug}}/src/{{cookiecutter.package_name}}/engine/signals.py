{% include "engine/signals.py" -%}
