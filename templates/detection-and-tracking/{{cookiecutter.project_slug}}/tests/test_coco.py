"""COCO files and COCO metrics: the reader and writers round-trip and name the file and line
of a broken entry; faster-coco-eval equals the reference pycocotools to 1e-9; hand-computed
AP, AP75, per-class AP and AP by object size; and the summable AP that training uses equals
faster-coco-eval's."""

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


def box_annotation(index: int, category: int, bbox: list[float], image: int = 1) -> dict:
    return {
        "id": index,
        "image_id": image,
        "category_id": category,
        "bbox": bbox,
        "area": bbox[2] * bbox[3],
        "iscrowd": 0,
    }


def scored(tmp_path, gt: coco.CocoFile, results: list[dict], class_names: list[str]) -> dict:
    """coco_metrics of the files, checked against pycocotools' twelve numbers first."""
    coco.write_coco(gt, tmp_path / "gt.json")
    coco.write_coco_results(results, tmp_path / "results.json")
    fast = run_cocoeval(tmp_path / "gt.json", tmp_path / "results.json", "faster")
    reference = run_cocoeval(tmp_path / "gt.json", tmp_path / "results.json", "pycocotools")
    assert np.allclose(fast.stats[:12], reference.stats[:12], atol=1e-9, rtol=0)
    return coco_metrics(tmp_path / "gt.json", tmp_path / "results.json", class_names)


# A car hit exactly and a car hit at IoU 2/3 (a 30x10 box shifted by 6 pixels: overlap 240,
# union 360), which matches at the IoU thresholds 0.50-0.65 and misses at 0.70-0.95. Where it
# matches, AP = 1; where it misses, it is a false positive after the hit: precision 1 up to
# recall 0.5 and nothing beyond, AP = 51 / 101 (recall points 0.00 .. 0.50 of 101).
CAR_AP_MISSED = 51 / 101
CAR_AP = (4 * 1.0 + 6 * CAR_AP_MISSED) / 10


def two_cars():
    annotations = [box_annotation(1, 1, [0, 0, 30, 10]), box_annotation(2, 1, [50, 50, 30, 10])]
    results = [
        coco.results_entry(1, 1, [0, 0, 30, 10], 0.9),
        coco.results_entry(1, 1, [56, 50, 86, 60], 0.8),
    ]
    return annotations, results


def test_ap75_known_answer(tmp_path):
    annotations, results = two_cars()
    gt = coco.CocoFile(
        images=[{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
        annotations=annotations,
        categories=[{"id": 1, "name": "car"}],
    )
    metrics = scored(tmp_path, gt, results, ["car"])
    assert metrics["ap50"] == pytest.approx(1.0, abs=1e-9)
    assert metrics["ap75"] == pytest.approx(CAR_AP_MISSED, abs=1e-9)
    assert metrics["map"] == pytest.approx(CAR_AP, abs=1e-9)
    assert metrics["per_class"]["car"]["ap75"] == pytest.approx(CAR_AP_MISSED, abs=1e-9)


def test_per_class_ap_known_answer(tmp_path):
    # car (id 1): the two cars above. pedestrian (id 2): one, found after a false positive:
    # precision 1/2 at recall 1, so AP = 0.5 at every threshold. cyclist (id 3): a detection
    # but no ground truth: COCO has nothing to score (-1), so no row, and not in the mean.
    annotations, results = two_cars()
    annotations.append(box_annotation(3, 2, [10, 70, 8, 20]))
    results += [
        coco.results_entry(1, 2, [80, 0, 88, 20], 0.95),
        coco.results_entry(1, 2, [10, 70, 18, 90], 0.7),
        coco.results_entry(1, 3, [40, 20, 50, 30], 0.6),
    ]
    gt = coco.CocoFile(
        images=[{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
        annotations=annotations,
        categories=[
            {"id": 1, "name": "car"},
            {"id": 2, "name": "pedestrian"},
            {"id": 3, "name": "cyclist"},
        ],
    )
    metrics = scored(tmp_path, gt, results, ["car", "pedestrian", "cyclist"])
    per_class = metrics["per_class"]
    assert set(per_class) == {"car", "pedestrian"}
    assert per_class["car"]["ap"] == pytest.approx(CAR_AP, abs=1e-9)
    assert per_class["car"]["ap50"] == pytest.approx(1.0, abs=1e-9)
    assert per_class["car"]["ap75"] == pytest.approx(CAR_AP_MISSED, abs=1e-9)
    for key in ("ap", "ap50", "ap75"):
        assert per_class["pedestrian"][key] == pytest.approx(0.5, abs=1e-9)
    assert metrics["map"] == pytest.approx((CAR_AP + 0.5) / 2, abs=1e-9)
    assert metrics["ap75"] == pytest.approx((CAR_AP_MISSED + 0.5) / 2, abs=1e-9)
    # The curves of the figure: the pedestrian's precision is 1/2 at every recall point.
    assert metrics["pr"]["pedestrian"]["precision50"] == pytest.approx([0.5] * 101)
    assert metrics["pr"]["car"]["precision75"] == pytest.approx([1.0] * 51 + [0.0] * 50)


def test_ap_by_object_size_known_answer(tmp_path):
    # COCO's sizes: small below 32^2 pixels of area, medium up to 96^2, large above. A small
    # car found exactly (score 0.9); a medium one found (0.7) after a medium-sized false
    # positive (0.95); a large one missed. Within a size range, ground truth and unmatched
    # detections of other sizes are ignored, and so are detections matched to them:
    # AP small = 1, AP medium = 1/2 (precision 1/2 at recall 1), AP large = 0.
    # All sizes: FP, TP, TP of 3 objects: precision 2/3 up to recall 2/3, AP = 67 * 2/3 / 101.
    gt = coco.CocoFile(
        images=[{"id": 1, "file_name": "a.jpg", "width": 300, "height": 300}],
        annotations=[
            box_annotation(1, 1, [0, 0, 20, 20]),  # area 400: small
            box_annotation(2, 1, [50, 0, 50, 50]),  # 2500: medium
            box_annotation(3, 1, [150, 150, 100, 100]),  # 10000: large
        ],
        categories=[{"id": 1, "name": "car"}],
    )
    results = [
        coco.results_entry(1, 1, [0, 0, 20, 20], 0.9),
        coco.results_entry(1, 1, [0, 100, 50, 150], 0.95),
        coco.results_entry(1, 1, [50, 0, 100, 50], 0.7),
    ]
    metrics = scored(tmp_path, gt, results, ["car"])
    assert metrics["ap_small"] == pytest.approx(1.0, abs=1e-9)
    assert metrics["ap_medium"] == pytest.approx(0.5, abs=1e-9)
    assert metrics["ap_large"] == pytest.approx(0.0, abs=1e-9)
    assert metrics["map"] == pytest.approx(67 * (2 / 3) / 101, abs=1e-9)
    assert metrics["ar100"] == pytest.approx(2 / 3, abs=1e-9)
    assert metrics["ar_large"] == pytest.approx(0.0, abs=1e-9)


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
