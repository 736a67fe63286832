"""COCO files and COCO metrics: the reader and writers round-trip and name the file and line
of a broken entry; faster-coco-eval equals the reference pycocotools to 1e-9; a hand-computed
AP; and the summable AP that training uses equals faster-coco-eval's."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.core.errors import DataError
from {{ cookiecutter.package_name }}.data import coco
from {{ cookiecutter.package_name }}.evaluation import ap
from {{ cookiecutter.package_name }}.evaluation.coco_eval import coco_metrics, run_cocoeval


def random_coco(rng, images=12, classes=3):
    """A ground-truth file with crowds and a results file with hits, near misses and noise."""
    gt = coco.CocoFile(categories=[{"id": c + 1, "name": f"class{c}"} for c in range(classes)])
    results = []
    for image in range(1, images + 1):
        gt.images.append({"id": image, "file_name": f"{image}.jpg", "width": 200, "height": 150})
        for _ in range(rng.integers(0, 7)):
            x, y = rng.uniform(0, 150), rng.uniform(0, 100)
            w, h = rng.uniform(4, 60), rng.uniform(4, 60)
            category = int(rng.integers(1, classes + 1))
            crowd = int(rng.random() < 0.1)
            gt.annotations.append(
                {
                    "id": len(gt.annotations) + 1,
                    "image_id": image,
                    "category_id": category,
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": crowd,
                }
            )
            for _ in range(rng.integers(0, 3)):  # detections near the object
                jitter = rng.normal(0, 0.15 * max(w, h), 4)
                box = [
                    x + jitter[0],
                    y + jitter[1],
                    max(1.0, w + jitter[2]),
                    max(1.0, h + jitter[3]),
                ]
                label = category if rng.random() < 0.9 else int(rng.integers(1, classes + 1))
                results.append(
                    {
                        "image_id": image,
                        "category_id": label,
                        "bbox": box,
                        "score": float(rng.random()),
                    }
                )
        for _ in range(rng.integers(0, 3)):  # background detections
            results.append(
                {
                    "image_id": image,
                    "category_id": int(rng.integers(1, classes + 1)),
                    "bbox": [
                        rng.uniform(0, 150),
                        rng.uniform(0, 100),
                        rng.uniform(4, 40),
                        rng.uniform(4, 40),
                    ],
                    "score": float(rng.random()),
                }
            )
    return gt, results


def test_ground_truth_and_results_round_trip(tmp_path):
    gt, results = random_coco(np.random.default_rng(0))
    coco.write_coco(gt, tmp_path / "gt.json")
    coco.write_coco_results(results, tmp_path / "results.json")
    assert coco.read_coco(tmp_path / "gt.json").as_dict() == json.loads(json.dumps(gt.as_dict()))
    assert coco.read_coco_results(tmp_path / "results.json") == json.loads(json.dumps(results))


def test_a_broken_file_is_an_error_naming_file_and_line(tmp_path):
    gt, results = random_coco(np.random.default_rng(1), images=3)
    gt.annotations[2]["bbox"][2] = -4.0
    path = coco.write_coco(gt, tmp_path / "gt.json")
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "-4.0" in text)
    with pytest.raises(DataError, match=rf"gt.json:{line}: annotations\[2\]: bbox has a negative"):
        coco.read_coco(path)

    gt.annotations[2]["bbox"][2] = 4.0
    gt.annotations[1]["image_id"] = 99
    coco.write_coco(gt, path)
    with pytest.raises(DataError, match=r"gt.json:\d+: annotations\[1\]: unknown image_id 99"):
        coco.read_coco(path)

    del results[1]["score"]
    bad = coco.write_coco_results(results, tmp_path / "results.json")
    with pytest.raises(DataError, match=r"results.json:3: entry 1: needs a numeric score"):
        coco.read_coco_results(bad)

    (tmp_path / "cut.json").write_text('{"images": [\n  {"id": 1,\n')
    with pytest.raises(DataError, match=r"cut.json:3: not valid JSON"):
        coco.read_coco(tmp_path / "cut.json")
    with pytest.raises(DataError, match="missing.json: file not found"):
        coco.read_coco(tmp_path / "missing.json")


def test_faster_coco_eval_equals_pycocotools_to_1e9(tmp_path):
    for seed in range(3):
        gt, results = random_coco(np.random.default_rng(seed), images=20)
        coco.write_coco(gt, tmp_path / "gt.json")
        coco.write_coco_results(results, tmp_path / "results.json")
        fast = run_cocoeval(tmp_path / "gt.json", tmp_path / "results.json", "faster")
        reference = run_cocoeval(tmp_path / "gt.json", tmp_path / "results.json", "pycocotools")
        assert np.allclose(fast.stats[:12], reference.stats[:12], atol=1e-9, rtol=0)
        assert np.allclose(fast.eval["precision"], reference.eval["precision"], atol=1e-9, rtol=0)


def test_average_precision_known_answer(tmp_path):
    # Two cars; detections: a hit (0.9), a false positive (0.8), the other hit (0.7).
    # Precision-recall: (0.5, 1), (0.5, 0.5), (1.0, 2/3). Envelope: 1 up to recall 0.5,
    # 2/3 above: AP = (51 * 1 + 50 * 2/3) / 101 at every IoU threshold (the hits are exact).
    gt = coco.CocoFile(
        images=[{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
        annotations=[
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [0, 0, 20, 10],
                "area": 200,
                "iscrowd": 0,
            },
            {
                "id": 2,
                "image_id": 1,
                "category_id": 1,
                "bbox": [50, 50, 20, 10],
                "area": 200,
                "iscrowd": 0,
            },
        ],
        categories=[{"id": 1, "name": "car"}],
    )
    results = [
        coco.results_entry(1, 1, [0, 0, 20, 10], 0.9),
        coco.results_entry(1, 1, [80, 0, 95, 10], 0.8),
        coco.results_entry(1, 1, [50, 50, 70, 60], 0.7),
    ]
    coco.write_coco(gt, tmp_path / "gt.json")
    coco.write_coco_results(results, tmp_path / "results.json")
    expected = (51 + 50 * 2 / 3) / 101
    metrics = coco_metrics(tmp_path / "gt.json", tmp_path / "results.json", ["car"])
    assert metrics["map"] == pytest.approx(expected, abs=1e-9)
    assert metrics["ap50"] == pytest.approx(expected, abs=1e-9)

    detections = {
        "boxes": torch.tensor(
            [[0, 0, 20, 10], [80, 0, 95, 10], [50, 50, 70, 60]], dtype=torch.float32
        ),
        "scores": torch.tensor([0.9, 0.8, 0.7]),
        "labels": torch.zeros(3, dtype=torch.long),
    }
    gt_boxes = torch.tensor([[0, 0, 20, 10], [50, 50, 70, 60]], dtype=torch.float32)
    stats = ap.image_statistics(
        detections, gt_boxes, torch.zeros(2, dtype=torch.long), torch.zeros(2, dtype=torch.bool), 1
    )
    summary = ap.summarize(ap.average_precision(stats["tp"], stats["fp"], stats["gt"]))
    assert summary["map"] == pytest.approx(expected, abs=1e-9)


def summable_ap(gt: coco.CocoFile, results: list[dict], classes: int):
    """The training-time AP of the same ground truth and detections."""
    total = None
    for image in gt.images:
        mine = sorted(
            (r for r in results if r["image_id"] == image["id"]), key=lambda r: -r["score"]
        )
        objects = [a for a in gt.annotations if a["image_id"] == image["id"]]

        def xyxy(box):
            x, y, w, h = box
            return [x, y, x + w, y + h]

        detections = {
            "boxes": torch.tensor([xyxy(r["bbox"]) for r in mine], dtype=torch.float64).reshape(
                -1, 4
            ),
            "scores": torch.tensor([r["score"] for r in mine], dtype=torch.float64),
            "labels": torch.tensor([r["category_id"] - 1 for r in mine], dtype=torch.long),
        }
        stats = ap.image_statistics(
            detections,
            torch.tensor([xyxy(a["bbox"]) for a in objects], dtype=torch.float64).reshape(-1, 4),
            torch.tensor([a["category_id"] - 1 for a in objects], dtype=torch.long),
            torch.tensor([bool(a["iscrowd"]) for a in objects], dtype=torch.bool),
            classes,
        )
        total = stats if total is None else {k: total[k] + stats[k] for k in total}
    return ap.average_precision(total["tp"], total["fp"], total["gt"])


def test_the_summable_ap_equals_faster_coco_eval(tmp_path):
    rng = np.random.default_rng(7)
    gt, results = random_coco(rng, images=25)
    # Scores in distinct bins: the histogram then holds the exact precision-recall curve.
    for rank, entry in zip(rng.permutation(len(results)), results, strict=True):
        entry["score"] = (rank + 0.5) / ap.SCORE_BINS
    coco.write_coco(gt, tmp_path / "gt.json")
    coco.write_coco_results(results, tmp_path / "results.json")
    official = run_cocoeval(tmp_path / "gt.json", tmp_path / "results.json")
    precision = np.asarray(official.eval["precision"])[:, :, :, 0, -1]  # [T, R, K]
    ours = summable_ap(gt, results, 3)
    for c in range(3):
        for t in range(10):
            if (precision[t, :, c] > -1).all():
                assert ours[t, c] == pytest.approx(precision[t, :, c].mean(), abs=1e-9)
            else:
                assert np.isnan(ours[t, c])


def test_video_ground_truth_becomes_a_valid_coco_file(tmp_path, tiny_cfg):
    from {{ cookiecutter.package_name }}.tasks import build_task

    task = build_task(tiny_cfg)
    video = task.load_video(tiny_cfg, "test")
    path = coco.write_coco(coco.video_to_coco(video, task.min_visibility), tmp_path / "gt.json")
    read = coco.read_coco(path)
    assert len(read.images) == len(video.frames)
    assert len(read.annotations) == len(video.annotations)
    crowd = sum(a["iscrowd"] for a in read.annotations)
    assert crowd == int((video.annotations.visibility < task.min_visibility).sum())
