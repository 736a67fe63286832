"""Training engine shared by every generated project: run_training() is the entry point."""

from .task import Task

__all__ = ["Task"]
