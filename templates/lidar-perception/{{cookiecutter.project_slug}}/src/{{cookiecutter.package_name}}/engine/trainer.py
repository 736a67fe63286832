{% include "engine/trainer.py" -%}
