{% include "project/about.py" -%}
