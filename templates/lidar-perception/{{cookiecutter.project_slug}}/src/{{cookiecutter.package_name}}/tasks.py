"""The two tasks of this project, chosen by ``task:`` in the config.

``task: detection`` finds cars, vans, pedestrians and cyclists as 3D boxes (a pillar
encoder, a 2D backbone, CenterPoint's head: ``detection/``); ``task: segmentation`` labels
every point with SemanticKITTI's classes (a range-image network: ``segmentation/``).
"""

from __future__ import annotations

from .core.errors import ConfigError

TASKS = ("detection", "segmentation")


def build_task(cfg: dict):
    """The engine's entry point: the task a config describes."""
    task = cfg.get("task", "detection")
    if task == "detection":
        from .detection.task import DetectionTask

        return DetectionTask(cfg)
    if task == "segmentation":
        from .segmentation.task import SegmentationTask

        return SegmentationTask(cfg)
    raise ConfigError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
