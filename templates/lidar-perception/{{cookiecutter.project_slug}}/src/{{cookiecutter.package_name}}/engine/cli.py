{% include "engine/cli.py" -%}
