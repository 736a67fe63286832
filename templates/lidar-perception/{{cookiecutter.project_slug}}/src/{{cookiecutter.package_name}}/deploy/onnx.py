{% include "deploy/onnx.py" -%}
