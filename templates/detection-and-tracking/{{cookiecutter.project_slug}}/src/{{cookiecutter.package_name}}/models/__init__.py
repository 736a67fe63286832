"""Detectors by name: ``MODELS.build(cfg["model"], num_classes=...)``.

The contract every detector meets (``centernet.py`` is the baseline, ``my_detector.py`` is
yours):

* ``forward(images)`` takes float images [B, 3, H, W] in [0, 1] and returns a dict of head
  outputs at ``stride`` pixels per cell: ``heatmap`` [B, C, H/s, W/s] (logits, one channel
  per class), ``size`` [B, 2, ...] (box width and height, in cells), ``offset`` [B, 2, ...]
  (the centre's position inside its cell) and ``embedding`` [B, E, ...] (appearance, for the
  tracker);
* class attribute ``stride`` (pixels per output cell) and attribute ``embedding_dim``.

To add one, write ``models/<name>.py`` with a class decorated ``@MODELS.register("<name>")``
and set ``model: {name: <name>, ...}`` in a config; the constructor's keyword arguments are
the config's options.
"""

from ..core.registry import Registry

MODELS = Registry("model", package=__name__)
