"""Models by name: ``MODELS.build(cfg["model"], ...)``; one file per model in this folder."""

from ..core.registry import Registry

MODELS = Registry("model", package=__name__)
