{% include "engine/task.py" -%}
