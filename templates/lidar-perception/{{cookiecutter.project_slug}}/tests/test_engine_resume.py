{% include "tests/engine_resume.py" -%}
