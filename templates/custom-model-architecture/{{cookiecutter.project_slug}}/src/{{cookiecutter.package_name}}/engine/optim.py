{% include "engine/optim.py" -%}
