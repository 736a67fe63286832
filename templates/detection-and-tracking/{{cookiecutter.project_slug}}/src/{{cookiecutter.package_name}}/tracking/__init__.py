"""Trackers by name: ``TRACKERS.build(cfg["tracker"])`` makes a fresh tracker for one sequence.

Tracking by detection: each frame's detections (boxes, scores, labels, embeddings) go to
``tracker.update(...)``, which returns the tracks it reports for that frame. ``sort.py`` is the
baseline (SORT: Kalman motion model + Hungarian assignment), with ByteTrack's second stage for
low-score detections and an appearance term from the detector's embedding head, each switched
by config (``tracker.motion``, ``tracker.low_score_stage``, ``tracker.appearance_weight``), so
``make ablate`` compares them with one command. A new tracker is one file in this folder with a
class registered ``@TRACKERS.register("<name>")`` offering the same ``update``.
"""

from ..core.registry import Registry

TRACKERS = Registry("tracker", package=__name__)
