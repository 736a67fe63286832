{% extends "project/smoke.py" %}
{%- block pipeline_names %}classification and the segmentation{% endblock %}
{%- block pipelines %}{"cls": "configs/quick.yaml", "seg": "configs/quick_seg.yaml"}{% endblock %}
