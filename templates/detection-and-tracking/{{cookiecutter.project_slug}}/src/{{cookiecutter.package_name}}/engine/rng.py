{% include "engine/rng.py" -%}
