"""Scoring, the way the benchmarks score: COCO detection metrics (``coco_eval.py``, through
faster-coco-eval, and the summable version training uses, ``ap.py``), tracking metrics
(``tracking_eval.py``, through TrackEval), error analysis, latency and figures."""
