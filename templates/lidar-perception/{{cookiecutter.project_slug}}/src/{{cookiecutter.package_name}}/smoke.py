{% extends "project/smoke.py" %}
{%- block pipeline_names %}detection and the segmentation{% endblock %}
{%- block pipelines %}{"det": "configs/quick_det.yaml", "seg": "configs/quick_seg.yaml"}{% endblock %}
