{% include "engine/distributed.py" -%}
