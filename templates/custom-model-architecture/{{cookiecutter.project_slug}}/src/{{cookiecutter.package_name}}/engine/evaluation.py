{% include "engine/evaluation.py" -%}
