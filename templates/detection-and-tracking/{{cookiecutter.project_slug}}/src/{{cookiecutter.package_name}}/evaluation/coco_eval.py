"""COCO detection metrics through faster-coco-eval (the C++ implementation of COCOeval, checked
against the reference pycocotools in ``tests/test_coco.py``).

Input: a ground-truth file and a results file in COCO's own formats (``data/coco.py`` writes
both), so the numbers are what the COCO tools print for those files. Output: the twelve
standard numbers (AP 0.50:0.95, AP50, AP75, AP small/medium/large, AR 1/10/100, AR
small/medium/large; -1 where COCO has nothing to score, e.g. no large objects), per-class AP
and AP50, and the precision-recall curves at IoU 0.50 and 0.75 for the figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

STAT_NAMES = (
    "map", "ap50", "ap75", "ap_small", "ap_medium", "ap_large",
    "ar1", "ar10", "ar100", "ar_small", "ar_medium", "ar_large",
)  # fmt: skip


def _quiet(*_args, **_kwargs) -> None:
    return None


def run_cocoeval(gt_path: str | Path, results_path: str | Path, backend: str = "faster"):
    """A COCOeval object after evaluate/accumulate/summarize, or None when there are no
    detections at all (the COCO tools cannot load an empty results file).

    backend: "faster" (faster_coco_eval) or "pycocotools" (the reference, for the tests)."""
    import json

    if not json.loads(Path(results_path).read_text(encoding="utf-8")):
        return None
    if backend == "faster":
        from faster_coco_eval import COCO, COCOeval_faster

        gt = COCO(str(gt_path), print_function=_quiet)
        dt = gt.loadRes(str(results_path))
        evaluator = COCOeval_faster(gt, dt, "bbox", print_function=_quiet)
    elif backend == "pycocotools":
        import contextlib
        import io

        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval

        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO(str(gt_path))
            dt = gt.loadRes(str(results_path))
        evaluator = COCOeval(gt, dt, "bbox")
    else:
        raise ValueError(f"backend must be faster or pycocotools, got {backend!r}")
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator


def coco_metrics(gt_path: str | Path, results_path: str | Path, class_names: list[str]) -> dict:
    """The COCO numbers of a results file (see the module docstring)."""
    evaluator = run_cocoeval(gt_path, results_path)
    if evaluator is None:
        zero = dict.fromkeys(STAT_NAMES, 0.0)
        return {**zero, "per_class": {n: {"ap": 0.0, "ap50": 0.0} for n in class_names}, "pr": {}}
    stats = [float(v) for v in evaluator.stats[: len(STAT_NAMES)]]
    precision = np.asarray(evaluator.eval["precision"])  # [T, R, K, A, M]
    recall_points = np.asarray(evaluator.params.recThrs)
    category_ids = list(evaluator.params.catIds)
    per_class, curves = {}, {}
    for k, category in enumerate(category_ids):
        name = class_names[category - 1] if 0 < category <= len(class_names) else str(category)
        p = precision[:, :, k, 0, -1]  # area "all", maxDets 100
        if (p > -1).any():
            per_class[name] = {
                "ap": float(p[p > -1].mean()),
                "ap50": float(p[0][p[0] > -1].mean()) if (p[0] > -1).any() else float("nan"),
                "ap75": float(p[5][p[5] > -1].mean()) if (p[5] > -1).any() else float("nan"),
            }
            curves[name] = {
                "recall": recall_points.tolist(),
                "precision50": np.maximum(p[0], 0).tolist(),
                "precision75": np.maximum(p[5], 0).tolist(),
            }
    return {**dict(zip(STAT_NAMES, stats, strict=True)), "per_class": per_class, "pr": curves}
