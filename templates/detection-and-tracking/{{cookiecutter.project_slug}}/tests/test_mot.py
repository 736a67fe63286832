"""MOTChallenge files: readers and writers round-trip and name the file and line of a broken
line; TrackEval's own Evaluator on MOTChallenge files gives exactly this project's numbers,
also on the per-class folders an evaluation writes; the ``mot`` and ``coco`` datasets read
tiny folders in the real layouts; tracking from public detections (det/det.txt)."""

from __future__ import annotations

import contextlib
import copy
import io
import types

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import evaluate, pipeline
from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import coco, load_split, mot
from {{ cookiecutter.package_name }}.data.video import Annotations, SequenceInfo, VideoSplit
from {{ cookiecutter.package_name }}.evaluation.tracking_eval import BoxTable, evaluate_tracking
from {{ cookiecutter.package_name }}.models.centernet import CenterNet
from {{ cookiecutter.package_name }}.tasks import build_task


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


def test_det_round_trip_and_errors(tmp_path):
    # Lines as MOT17 ships them (world coordinates -1), and one without x, y, z.
    path = tmp_path / "det" / "det.txt"
    path.parent.mkdir()
    path.write_text("1,-1,1359.1,413.27,120.26,362.77,2.3092,-1,-1,-1\n2,-1,10,20,30,40,0.5\n")
    assert mot.read_det(path).tolist() == [
        [1, -1, 1359.1, 413.27, 120.26, 362.77, 2.3092, -1, -1, -1],
        [2, -1, 10, 20, 30, 40, 0.5, -1, -1, -1],
    ]
    rng = np.random.default_rng(3)
    corners = np.round(rng.uniform(0, 500, (15, 2)), 3)
    boxes = np.hstack([corners, corners + np.round(rng.uniform(5, 80, (15, 2)), 3)])
    frames, scores = rng.integers(1, 8, 15), np.round(rng.random(15), 3)
    rows = mot.read_det(mot.write_det(frames, boxes, scores, path))
    order = np.lexsort((np.zeros(15), frames))
    assert rows[:, 0].tolist() == frames[order].tolist() and (rows[:, 1] == -1).all()
    assert rows[:, 2:6] == pytest.approx(
        np.column_stack([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]])[order], abs=1e-3
    )
    assert rows[:, 6] == pytest.approx(scores[order], abs=1e-3) and (rows[:, 7:] == -1).all()

    path.write_text("1,-1,10,20,30,40,0.9,-1,-1,-1\n1,-1,10,20,30,40\n")  # no confidence
    with pytest.raises(DataError, match=r"det.txt:2: expected 7 to 10 comma-separated values"):
        mot.read_det(path)
    path.write_text("1,-1,10,20,30,40,high,-1,-1,-1\n")
    with pytest.raises(DataError, match=r"det.txt:1: not a number"):
        mot.read_det(path)
    path.write_text("\n1,-1,10,20,30,40,0.9\n0,-1,10,20,30,40,0.9\n")
    with pytest.raises(DataError, match=r"det.txt:3: frame must be an integer >= 1"):
        mot.read_det(path)
    path.write_text("1,-1,10,20,-30,40,0.9\n")
    with pytest.raises(DataError, match=r"det.txt:1: width and height must be >= 0"):
        mot.read_det(path)


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
    theirs = run_trackeval(
        tmp_path / "gt", tmp_path / "trackers", tmp_path / "out", tmp_path / "seqmap.txt"
    )["mine"]
    mine = evaluate_tracking(ours, ["pedestrian"])["all"]
    assert_same_scores(mine, theirs)
    assert mine["idsw"] > 0
    assert 0.2 < mine["hota"] < 0.95  # a case with something to get wrong


def run_trackeval(gt_folder, trackers_folder, out, seqmap=None) -> dict:
    """TrackEval's own MOTChallenge evaluation of the folders, as its run_mot_challenge.py
    script runs it (without `seqmap`: the sequences of GT_FOLDER/seqmaps/MOT17-train.txt):
    {tracker: its combined pedestrian results}."""
    import trackeval

    config = {
        "GT_FOLDER": str(gt_folder),
        "TRACKERS_FOLDER": str(trackers_folder),
        "OUTPUT_FOLDER": str(out),
        "SKIP_SPLIT_FOL": True,
        "PRINT_CONFIG": False,
    }
    if seqmap is not None:
        config["SEQMAP_FILE"] = str(seqmap)
    dataset = trackeval.datasets.MotChallenge2DBox(config)
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
    return {
        tracker: result["COMBINED_SEQ"]["pedestrian"]
        for tracker, result in results["MotChallenge2DBox"].items()
    }


def assert_same_scores(mine: dict, theirs: dict) -> None:
    assert mine["hota"] == pytest.approx(float(np.mean(theirs["HOTA"]["HOTA"])), abs=1e-12)
    assert mine["deta"] == pytest.approx(float(np.mean(theirs["HOTA"]["DetA"])), abs=1e-12)
    assert mine["assa"] == pytest.approx(float(np.mean(theirs["HOTA"]["AssA"])), abs=1e-12)
    assert mine["mota"] == pytest.approx(float(theirs["CLEAR"]["MOTA"]), abs=1e-12)
    assert mine["idf1"] == pytest.approx(float(theirs["Identity"]["IDF1"]), abs=1e-12)
    assert mine["idsw"] == int(theirs["CLEAR"]["IDSW"])


def test_the_mot_folders_an_evaluation_writes_score_per_class_in_trackeval(tmp_path):
    # Two classes, as the synthetic street has three: TrackEval's MOTChallenge evaluation
    # knows class 1 only, so each class has its own folders (by_class/<class>/), and TrackEval
    # on them gives exactly this project's per-class numbers.
    rng = np.random.default_rng(11)
    classes, length, rows, tables, sequences = ["car", "pedestrian"], 20, [], [], []
    for s in range(2):
        start = s * length
        sequences.append(SequenceInfo(f"street-{s}", start, length, 10.0, 320, 240))
        tracks = []
        for obj in range(6):
            label, gid = obj % 2, 100 * s + obj + 1
            x, y = int(rng.integers(0, 240)), int(rng.integers(0, 170))
            vx, vy = (int(v) for v in rng.integers(-3, 4, 2))
            w, h = (40, 20) if label == 0 else (10, 30)
            hidden = int(rng.integers(8, 30))  # from this frame on, too hidden to count
            switch = int(rng.integers(5, 40))  # the tracker's id changes here (if < length)
            for t in range(length):
                box = [x + vx * t, y + vy * t, x + vx * t + w, y + vy * t + h]
                visibility = 0.1 if t >= hidden else 1.0
                rows.append((start + t, gid, label, *box, visibility, 1 - visibility, 0.0))
                if rng.random() < 0.85:
                    shift = [int(v) for v in rng.integers(-3, 4, 2)]
                    moved = [box[0] + shift[0], box[1] + shift[1], box[2] + shift[0],
                             box[3] + shift[1]]  # fmt: skip
                    tracks.append((t, gid + 1000 * (t >= switch), label, *moved, 0.9))
        for t in range(length):
            if rng.random() < 0.2:  # a false positive
                x, y = int(rng.integers(0, 280)), int(rng.integers(0, 200))
                tracks.append((t, 5000 + t, t % 2, x, y, x + 12, y + 24, 0.6))
        table = np.asarray(tracks, dtype=np.float64)
        tables.append(
            BoxTable(table[:, 0].astype(int), table[:, 1].astype(int), table[:, 2].astype(int),
                     table[:, 3:7], score=table[:, 7])
        )  # fmt: skip
    frames = np.zeros((2 * length, 8, 8, 3), np.uint8)
    video = VideoSplit("test", classes, frames, sequences, Annotations.from_rows(rows))
    gt = pipeline.ground_truth(video, 0.25)
    ours = evaluate_tracking(
        [(q.name, q.length, g, t) for q, g, t in zip(sequences, gt, tables, strict=True)],
        classes,
    )
    folder = tmp_path / "mot"
    evaluate.write_mot_ground_truth(video, 0.25, folder)
    evaluate.write_mot_results(video, tables, folder, "mine")
    seqmap = folder / "gt" / "seqmaps" / "MOT17-train.txt"  # where TrackEval looks by default
    assert seqmap.read_text() == "name\nstreet-0\nstreet-1\n"
    assert len(mot.read_results(folder / "trackers" / "mine" / "data" / "street-0.txt")) == len(
        tables[0]
    )
    for name in classes:
        by_class = folder / "by_class" / name
        theirs = run_trackeval(by_class / "gt", by_class / "trackers", tmp_path / name)["mine"]
        assert_same_scores(ours["per_class"][name], theirs)
        assert ours["per_class"][name]["idsw"] > 0 and 0.2 < ours["per_class"][name]["hota"] < 1


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


def walking_people(tmp_path, name, length=12, det=True):
    """A MOTChallenge sequence folder, 200x100 frames: two people walking towards each other,
    with ground truth and (if `det`) public detections: every box shifted by up to a pixel,
    confidence 0.9, but one person missed in frame 6; a faint false positive (0.3) in every
    frame; and detections of two frames past the end of the sequence."""
    folder = tmp_path / name
    mot.write_seqinfo(folder / "seqinfo.ini", name, length, 200, 100, fps=10)
    gt_rows, det_rows = [], []
    rng = np.random.default_rng(len(name))
    for t in range(1, length + 3):
        if t <= length:
            write_jpeg(folder / "img1" / f"{t:06d}.jpg", (200, 100), (90, 90, 90))
        for person, (x, y) in enumerate([(10 + 5 * t, 20), (170 - 5 * t, 40)], 1):
            if t <= length:
                gt_rows.append([t, person, x, y, 20, 40, 1, 1, 1.0])
            if not (person == 2 and t == 6):
                dx, dy = rng.uniform(-1, 1, 2)
                det_rows.append([t, -1, x + dx, y + dy, 20, 40, 0.9, -1, -1, -1])
        det_rows.append([t, -1, 90, 5, 10, 10, 0.3, -1, -1, -1])
    mot.write_rows(gt_rows, folder / "gt" / "gt.txt")
    if det:
        mot.write_rows(det_rows, folder / "det" / "det.txt")
    return det_rows


def mot_data(tmp_path, test, **options) -> dict:
    return {
        "name": "mot",
        "root": str(tmp_path),
        "seed": 0,
        "image_size": [100, 64],
        "classes": ["pedestrian"],
        "min_visibility": 0.25,
        "mot": {"sequences": {"test": test}, **options},
    }


def test_the_mot_dataset_reads_public_detections(tmp_path):
    det_rows = walking_people(tmp_path, "P-01")
    walking_people(tmp_path, "P-02", det=False)
    video = load_split({"data": mot_data(tmp_path, ["P-01", "P-02"], max_frames=10)}, "test")
    public = video.public_detections
    assert public.sequences == ("P-01",)  # P-02 has no det/det.txt
    kept = [row for row in det_rows if row[0] <= 10]  # max_frames: frames 1..10
    assert len(public) == len(kept) and public.label.tolist() == [0] * len(kept)
    assert public.frame.tolist() == [int(row[0]) - 1 for row in kept]
    assert public.scores.tolist() == pytest.approx([row[6] for row in kept])
    first = kept[0]  # scale 0.5, 7 pixels of padding above (100x50 in a 100x64 frame)
    x, y, w, h = first[2:6]
    assert public.boxes[0] == pytest.approx(
        [x / 2, y / 2 + 7, (x + w) / 2, (y + h) / 2 + 7], abs=1e-3
    )
    assert video.sequences[0].to_original(public.boxes[:1])[0] == pytest.approx(
        [x, y, x + w, y + h], abs=1e-3
    )
    assert load_split({"data": mot_data(tmp_path, ["P-02"])}, "test").public_detections is None


def test_tracking_a_sequence_from_det_txt_gives_tracks(tmp_path):
    walking_people(tmp_path, "P-01")
    video = load_split({"data": mot_data(tmp_path, ["P-01"])}, "test")
    frames = pipeline.public_detections(video)
    assert [len(f.boxes) for f in frames] == [3] * 5 + [2] + [3] * 6  # one missed in frame 6
    assert all(f.scores.tolist() == sorted(f.scores, reverse=True) for f in frames)
    tracker = {"name": "sort", "motion": "kalman", "low_score_stage": True, "min_hits": 2}
    tables, _ = pipeline.track_video(video, frames, tracker)
    tracks = tables[0]
    assert len(tracks) >= 20 and len(set(tracks.track_id.tolist())) == 2  # the faint one: none
    gt = pipeline.ground_truth(video, 0.25)
    scores = evaluate_tracking([("P-01", 12, gt[0], tracks)], ["pedestrian"])["all"]
    assert scores["idsw"] == 0 and scores["hota"] > 0.8 and scores["idf1"] > 0.9
    # With a detector: each public box gets the embedding head's vector at its centre.
    model = CenterNet(1, widths=(8, 8, 16, 16), head_width=8, embedding_dim=8)
    embedded = pipeline.public_detections(video, model, batch_size=5)
    assert embedded[0].embeddings.shape == (3, 8)
    assert np.linalg.norm(embedded[5].embeddings, axis=1) == pytest.approx([1.0, 1.0])
    assert embedded[3].boxes.tolist() == frames[3].boxes.tolist()


def test_evaluation_tracks_from_public_detections_when_asked(tmp_path, tiny_cfg):
    walking_people(tmp_path / "MOT", "P-01")
    walking_people(tmp_path / "MOT", "P-02", det=False)
    cfg = copy.deepcopy(tiny_cfg)
    cfg["data"] = mot_data(tmp_path / "MOT", ["P-01"])
    cfg["evaluate"] = {**cfg["evaluate"], "figures": False}
    cfg["ablation"] = {**cfg["ablation"], "variants": {"same": {}}}  # the tracker itself
    task = build_task(cfg)
    run = types.SimpleNamespace(task=task, model=task.build_model(cfg), cfg=cfg,
                                run_dir=tmp_path / "run")  # fmt: skip
    metrics = evaluate.extras(run, "test", {}, detections="public")
    assert metrics["tracked_detections"] == "public"
    assert metrics["hota"] > 0.8 and metrics["idsw"] == 0  # an untrained detector, good tracks
    written = tmp_path / "run" / "test" / "mot" / "trackers" / "tracker" / "data" / "P-01.txt"
    rows = mot.read_results(written)  # in the sequence's own pixels again
    assert len(rows) >= 20 and rows[:, 4:6] == pytest.approx(np.tile([20, 40], (len(rows), 1)))
    same = tmp_path / "run" / "test" / "mot" / "by_class" / "pedestrian" / "trackers" / "same"
    assert (same / "data" / "P-01.txt").read_text() == written.read_text()  # one class: equal
    # The config's default: the detector's detections (untrained: no tracks worth the name).
    assert evaluate.extras(run, "test", {})["tracked_detections"] == "detector"
    cfg["data"] = mot_data(tmp_path / "MOT", ["P-01", "P-02"])
    with pytest.raises(ConfigError, match="have no det/det.txt: P-02"):
        evaluate.extras(run, "test", {}, detections="public")


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
