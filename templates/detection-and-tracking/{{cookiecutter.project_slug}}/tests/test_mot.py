"""MOTChallenge files: readers and writers round-trip and name the file and line of a broken
line; TrackEval's own Evaluator on MOTChallenge files gives exactly this project's numbers;
the ``mot`` and ``coco`` datasets read tiny folders in the real layouts."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.core.errors import DataError
from {{ cookiecutter.package_name }}.data import coco, load_split, mot
from {{ cookiecutter.package_name }}.evaluation.tracking_eval import BoxTable, evaluate_tracking


def test_seqinfo_round_trip_and_errors(tmp_path):
    path = mot.write_seqinfo(tmp_path / "seqinfo.ini", "MOT17-02", 600, 1920, 1080, fps=30)
    info = mot.read_seqinfo(path)
    assert info == {
        "name": "MOT17-02",
        "imDir": "img1",
        "frameRate": 30.0,
        "seqLength": 600,
        "imWidth": 1920,
        "imHeight": 1080,
        "imExt": ".jpg",
    }
    path.write_text(path.read_text().replace("seqLength=600", "seqLength=six hundred"))
    with pytest.raises(DataError, match=r"seqinfo.ini:5: seqLength must be an integer"):
        mot.read_seqinfo(path)
    path.write_text("[Sequence]\nname=x\n")
    with pytest.raises(DataError, match=r"seqinfo.ini:1: missing imDir, frameRate"):
        mot.read_seqinfo(path)


def test_gt_and_results_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    boxes = np.round(rng.uniform(0, 100, (20, 2)), 3)
    boxes = np.hstack([boxes, boxes + np.round(rng.uniform(5, 30, (20, 2)), 3)])
    frames, ids = rng.integers(1, 6, 20), rng.integers(1, 9, 20)
    path = mot.write_gt(
        frames, ids, boxes, np.ones(20), np.full(20, 0.75), np.ones(20), tmp_path / "gt.txt"
    )
    rows = mot.read_gt(path)
    order = np.lexsort((ids, frames))
    assert (
        rows[:, 0].tolist() == frames[order].tolist() and rows[:, 1].tolist() == ids[order].tolist()
    )
    assert rows[:, 2:6] == pytest.approx(
        np.column_stack([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]])[order], abs=1e-3
    )
    assert rows[:, 8].tolist() == [0.75] * 20
    scores = np.round(rng.random(20), 3)
    path = mot.write_results(frames, ids, boxes, scores, tmp_path / "seq.txt")
    read = mot.read_results(path)
    assert read[:, 6] == pytest.approx(scores[order], abs=1e-3) and (read[:, 7:] == -1).all()


def test_a_broken_line_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_text("1,1,10,10,5,5,1,1,1\n2,1,10,10,5\n")
    with pytest.raises(DataError, match=r"gt.txt:2: expected 6 to 9 comma-separated values, got 5"):
        mot.read_gt(path)
    path.write_text("1,1,10,10,5,5,1,1,1\n\n3,1,ten,10,5,5,1,1,1\n")
    with pytest.raises(DataError, match=r"gt.txt:3: not a number"):
        mot.read_gt(path)
    path.write_text("0,1,10,10,5,5,1,1,1\n")
    with pytest.raises(DataError, match=r"gt.txt:1: frame must be an integer >= 1"):
        mot.read_gt(path)
    path.write_text("1,1,10,10,-5,5,1,1,1\n")
    with pytest.raises(DataError, match=r"gt.txt:1: width and height must be >= 0"):
        mot.read_gt(path)


def make_sequence(rng, length=25, objects=4):
    """Ground truth (pedestrians and distractors) and a noisy tracker, as MOT rows."""
    gt, tracker = [], []
    for obj in range(1, objects + 1):
        x, y = rng.uniform(0, 300), rng.uniform(0, 200)
        vx, vy = rng.normal(0, 4, 2)
        distractor = obj == objects
        for t in range(1, length + 1):
            box = [x + vx * t, y + vy * t, 30.0, 70.0]
            gt.append([t, obj, *box, 1, 8 if distractor else 1, 1.0])
            if rng.random() < 0.85:  # a detection, now and then with a new id or a shift
                tid = obj + 100 * int(rng.random() < 0.1 and t > length / 2)
                shift = rng.normal(0, 4, 2)
                tracker.append(
                    [t, tid, box[0] + shift[0], box[1] + shift[1], 30.0, 70.0, 1, -1, -1, -1]
                )
        for t in range(1, length + 1):
            if rng.random() < 0.05:  # a false positive
                tracker.append(
                    [
                        t,
                        500 + t,
                        rng.uniform(0, 300),
                        rng.uniform(0, 200),
                        20.0,
                        40.0,
                        1,
                        -1,
                        -1,
                        -1,
                    ]
                )
    return np.array(gt), np.array(tracker)


def as_table(rows: np.ndarray, gt: bool) -> BoxTable:
    boxes = np.column_stack([rows[:, 2:4], rows[:, 2:4] + rows[:, 4:6]])
    extra = {"ignore": rows[:, 7] == 8} if gt else {"score": rows[:, 6]}
    return BoxTable(
        rows[:, 0].astype(int) - 1, rows[:, 1].astype(int), np.zeros(len(rows), int), boxes, **extra
    )


def test_trackeval_on_motchallenge_files_equals_our_numbers(tmp_path):
    import trackeval

    rng = np.random.default_rng(5)
    names, ours = ["SEQ-01", "SEQ-02"], []
    for name in names:
        gt, tracker = make_sequence(rng)
        folder = tmp_path / "gt" / name
        mot.write_seqinfo(folder / "seqinfo.ini", name, 25, 640, 480)
        mot.write_rows(gt, folder / "gt" / "gt.txt")
        mot.write_rows(tracker, tmp_path / "trackers" / "mine" / "data" / f"{name}.txt")
        # Our side reads the same files back, so both see the same numbers.
        read_gt = mot.read_gt(folder / "gt" / "gt.txt")
        read_tracker = mot.read_results(tmp_path / "trackers" / "mine" / "data" / f"{name}.txt")
        ours.append((name, 25, as_table(read_gt, True), as_table(read_tracker, False)))
    (tmp_path / "seqmap.txt").write_text("name\n" + "\n".join(names) + "\n")
    dataset = trackeval.datasets.MotChallenge2DBox(
        {
            "GT_FOLDER": str(tmp_path / "gt"),
            "TRACKERS_FOLDER": str(tmp_path / "trackers"),
            "OUTPUT_FOLDER": str(tmp_path / "out"),
            "TRACKERS_TO_EVAL": ["mine"],
            "SEQMAP_FILE": str(tmp_path / "seqmap.txt"),
            "SKIP_SPLIT_FOL": True,
            "PRINT_CONFIG": False,
        }
    )
    evaluator = trackeval.Evaluator(
        {
            "USE_PARALLEL": False,
            "PRINT_RESULTS": False,
            "PRINT_CONFIG": False,
            "TIME_PROGRESS": False,
            "OUTPUT_SUMMARY": False,
            "OUTPUT_DETAILED": False,
            "PLOT_CURVES": False,
            "LOG_ON_ERROR": None,
        }
    )
    metrics = [
        trackeval.metrics.HOTA(),
        trackeval.metrics.CLEAR({"PRINT_CONFIG": False}),
        trackeval.metrics.Identity({"PRINT_CONFIG": False}),
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        results, _ = evaluator.evaluate([dataset], metrics)
    theirs = results["MotChallenge2DBox"]["mine"]["COMBINED_SEQ"]["pedestrian"]
    mine = evaluate_tracking(ours, ["pedestrian"])["all"]
    assert mine["hota"] == pytest.approx(float(np.mean(theirs["HOTA"]["HOTA"])), abs=1e-12)
    assert mine["assa"] == pytest.approx(float(np.mean(theirs["HOTA"]["AssA"])), abs=1e-12)
    assert mine["mota"] == pytest.approx(float(theirs["CLEAR"]["MOTA"]), abs=1e-12)
    assert mine["idf1"] == pytest.approx(float(theirs["Identity"]["IDF1"]), abs=1e-12)
    assert mine["idsw"] == int(theirs["CLEAR"]["IDSW"]) > 0
    assert 0.2 < mine["hota"] < 0.95  # a case with something to get wrong


def write_jpeg(path, size, colour):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def test_the_mot_dataset_reads_sequence_folders(tmp_path):
    for name in ["A-01", "A-02"]:
        folder = tmp_path / name
        mot.write_seqinfo(folder / "seqinfo.ini", name, 3, 200, 100, fps=30)
        for t in range(1, 4):
            write_jpeg(folder / "img1" / f"{t:06d}.jpg", (200, 100), (40 * t, 80, 120))
        rows = [[t, 1, 10 + 5 * t, 20, 20, 40, 1, 1, 0.9] for t in range(1, 4)]
        rows += [[2, 2, 100, 10, 30, 60, 1, 8, 1.0]]  # a distractor
        rows += [[3, 3, 150, 10, 30, 60, 0, 1, 1.0]]  # not considered
        rows += [[1, 4, 150, 10, 30, 60, 1, 3, 1.0]]  # a car: not a MOT object
        mot.write_rows(rows, folder / "gt" / "gt.txt")
    cfg = {
        "data": {
            "name": "mot",
            "root": str(tmp_path),
            "seed": 0,
            "image_size": [100, 64],
            "classes": ["pedestrian"],
            "mot": {"sequences": {"train": ["A-01", "A-02"]}},
        }
    }
    video = load_split(cfg, "train")
    assert video.frames.shape == (6, 64, 100, 3) and len(video.sequences) == 2
    assert video.sequences[0].scale == pytest.approx(0.5) and video.sequences[0].pad_y == 7
    ann = video.annotations
    assert len(ann) == 8 and set(ann.label.tolist()) == {0}
    assert (ann.visibility == 0).sum() == 2  # the distractors: ignore regions
    first = video.sequences[0].to_original(ann.boxes[:1])[0]
    assert first == pytest.approx([15, 20, 35, 60], abs=1e-4)  # back in original pixels
    assert len(set(ann.track_id.tolist())) == 4  # ids unique across the two sequences
    with pytest.raises(Exception, match="data.mot.sequences.val"):
        load_split(cfg, "val")


def test_the_coco_dataset_reads_images_and_annotations(tmp_path):
    for i in (1, 2):
        write_jpeg(tmp_path / "images" / f"{i}.jpg", (80, 60), (30 * i, 60, 90))
    gt = coco.CocoFile(
        images=[{"id": i, "file_name": f"{i}.jpg", "width": 80, "height": 60} for i in (1, 2)],
        annotations=[
            {"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 20], "iscrowd": 0},
            {"id": 2, "image_id": 2, "category_id": 1, "bbox": [0, 0, 40, 30], "iscrowd": 1},
            {"id": 3, "image_id": 2, "category_id": 2, "bbox": [5, 5, 10, 10], "iscrowd": 0},
        ],
        categories=[
            {"id": 1, "name": "person"},
            {"id": 2, "name": "dog"},
            {"id": 3, "name": "car"},
        ],
    )
    coco.write_coco(gt, tmp_path / "instances.json")
    cfg = {
        "data": {
            "name": "coco",
            "root": str(tmp_path),
            "seed": 0,
            "image_size": [40, 30],
            "classes": ["car", "person"],
            "coco": {"annotations": {"val": "instances.json"}, "images": {"val": "images"}},
        }
    }
    video = load_split(cfg, "test")  # no test entry: the val split
    assert video.frames.shape == (2, 30, 40, 3) and video.class_names == ["car", "person"]
    ann = video.annotations
    assert ann.label.tolist() == [0, 1]  # the dog is not one of our classes
    assert ann.boxes[0].tolist() == pytest.approx([5, 5, 15, 15])  # scaled by 0.5
    assert ann.visibility.tolist() == [1.0, 0.0]  # the crowd: an ignore region
    assert [s.image_ids for s in video.sequences] == [(1,), (2,)]
