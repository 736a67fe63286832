"""MOTChallenge sequences (MOT16/17/20, and anything converted to their layout), read and
written; and the ``mot`` dataset.

A sequence folder holds::

    seqinfo.ini      [Sequence] name, imDir, frameRate, seqLength, imWidth, imHeight, imExt
    img1/000001.jpg  the frames, numbered from 1
    gt/gt.txt        frame, id, left, top, width, height, considered, class, visibility
    det/det.txt      frame, -1, left, top, width, height, confidence, x, y, z  (public detections)

and a tracker's results are one ``<sequence>.txt`` per sequence in the det layout with the
track id in the second column (what TrackEval and the benchmark server read). Coordinates are
pixels, left/top 1-based in the files MOTChallenge ships; we read and write them unchanged.
Ground-truth classes (MOT17): 1 pedestrian, 2 person on vehicle, 7 static person,
8 distractor, 12 reflection are the people-like ones; rows with ``considered`` = 0 are not
scored. A line that breaks the format is a DataError naming the file and the line.

The dataset ``mot`` reads a local copy (``data.root``), e.g. MOT17::

    data:
      name: mot
      root: data/raw/MOT17/train
      classes: [pedestrian]
      image_size: [640, 384]
      mot:
        sequences: {train: [MOT17-02-FRCNN, MOT17-04-FRCNN], val: [MOT17-09-FRCNN],
                    test: [MOT17-11-FRCNN]}
        frame_stride: 1        # keep every n-th frame
        max_frames: 0          # per sequence; 0 = all

Pedestrians (class 1, considered) are the objects; the other people-like classes become
ignore regions (scored as MOTChallenge scores distractors); vehicles and the rest are dropped.
A sequence with a ``det/det.txt`` also brings its public detections (``read_det``; the id
column is not read, the confidence is kept as it is), moved into the model's frame like the
ground truth: ``evaluate.detections: public`` tracks from them instead of from the detector.
"""

from __future__ import annotations

import configparser
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError
from . import DATASETS
from .images import letterbox, load_image
from .video import Annotations, PublicDetections, SequenceInfo, VideoSplit

SEQINFO_KEYS = ("name", "imDir", "frameRate", "seqLength", "imWidth", "imHeight", "imExt")
GT_COLUMNS = 9
RESULT_COLUMNS = 10
DET_MIN_COLUMNS = 7  # frame, id, left, top, width, height, confidence (x, y, z optional)
PEDESTRIAN = 1
PEOPLE_LIKE = (2, 7, 8, 12)  # scored as distractors (ignore regions)


def read_seqinfo(path: str | Path) -> dict:
    """The [Sequence] section of a seqinfo.ini, typed (ints for the sizes and lengths)."""
    path = Path(path)
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive (imDir, seqLength)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        raise DataError.at(path, None, "file not found") from None
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        raise DataError.at(path, line, f"not an ini file: {str(error).splitlines()[0]}") from None
    if not parser.has_section("Sequence"):
        raise DataError.at(path, None, "no [Sequence] section")
    info = dict(parser["Sequence"])
    missing = [key for key in SEQINFO_KEYS if key not in info]
    if missing:
        raise DataError.at(path, _line_of(path, "[Sequence]"), f"missing {', '.join(missing)}")
    for key in ("seqLength", "imWidth", "imHeight"):
        try:
            info[key] = int(info[key])
        except ValueError:
            raise DataError.at(path, _line_of(path, key), f"{key} must be an integer") from None
        if info[key] <= 0:
            raise DataError.at(path, _line_of(path, key), f"{key} must be positive")
    try:
        info["frameRate"] = float(info["frameRate"])
    except ValueError:
        raise DataError.at(
            path, _line_of(path, "frameRate"), "frameRate must be a number"
        ) from None
    return info


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith(key):
            return number
    return None


def read_mot_txt(path: str | Path, columns: int, min_columns: int | None = None) -> np.ndarray:
    """The rows of a MOTChallenge txt file as float64 [K, columns] (shorter rows, allowed down
    to `min_columns`, are padded with -1). Checked: numbers only, frame >= 1, sizes >= 0."""
    path = Path(path)
    min_columns = columns if min_columns is None else min_columns
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError.at(path, None, "file not found") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split(",")]
        if not min_columns <= len(cells) <= columns:
            expected = f"{columns}" if min_columns == columns else f"{min_columns} to {columns}"
            raise DataError.at(
                path, number, f"expected {expected} comma-separated values, got {len(cells)}"
            )
        try:
            values = [float(cell) for cell in cells]
        except ValueError:
            raise DataError.at(path, number, f"not a number in {line.strip()!r}") from None
        if not all(np.isfinite(values)):
            raise DataError.at(path, number, "values must be finite")
        if values[0] < 1 or values[0] != int(values[0]):
            raise DataError.at(path, number, f"frame must be an integer >= 1, got {cells[0]}")
        if values[4] < 0 or values[5] < 0:
            raise DataError.at(
                path, number, f"width and height must be >= 0, got {cells[4]}, {cells[5]}"
            )
        rows.append(values + [-1.0] * (columns - len(values)))
    return np.asarray(rows, dtype=np.float64).reshape(-1, columns)


def read_gt(path: str | Path) -> np.ndarray:
    """gt/gt.txt rows [K, 9]: frame, id, left, top, width, height, considered, class,
    visibility (MOT15-style 6+ column files get considered=1, class=1, visibility=1)."""
    rows = read_mot_txt(path, GT_COLUMNS, min_columns=6)
    short = rows[:, 6] == -1
    rows[short, 6:] = 1.0
    return rows


def read_results(path: str | Path) -> np.ndarray:
    """A tracker's results rows [K, 10]: frame, id, left, top, width, height, confidence,
    x, y, z (missing trailing columns read as -1)."""
    return read_mot_txt(path, RESULT_COLUMNS, min_columns=6)


def read_det(path: str | Path) -> np.ndarray:
    """A det/det.txt (public detections) rows [K, 10]: frame, id (-1 in MOTChallenge's
    files), left, top, width, height, confidence, x, y, z (x, y, z may be left out). The
    confidence is required: a line without one is a DataError naming the file and line."""
    return read_mot_txt(path, RESULT_COLUMNS, min_columns=DET_MIN_COLUMNS)


def _format(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def write_rows(rows, path: str | Path) -> Path:
    """Write rows of numbers as MOTChallenge comma-separated lines."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(",".join(_format(float(v)) for v in row) + "\n" for row in np.asarray(rows))
    path.write_text(text, encoding="utf-8")
    return path


def write_results(frames, track_ids, boxes_xyxy, scores, path: str | Path) -> Path:
    """A tracker's results for one sequence: frame (1-based), id, left, top, width, height,
    confidence, -1, -1, -1; sorted by frame, then id."""
    frames, ids = np.asarray(frames, np.int64), np.asarray(track_ids, np.int64)
    boxes = np.asarray(boxes_xyxy, np.float64).reshape(-1, 4)
    order = np.lexsort((ids, frames))
    rows = np.column_stack(
        [
            frames,
            ids,
            boxes[:, 0],
            boxes[:, 1],
            boxes[:, 2] - boxes[:, 0],
            boxes[:, 3] - boxes[:, 1],
            np.asarray(scores, np.float64),
            -np.ones((len(frames), 3)),
        ]
    )[order]
    return write_rows(rows, path)


def write_det(frames, boxes_xyxy, scores, path: str | Path) -> Path:
    """A det/det.txt: frame (1-based), -1, left, top, width, height, confidence, -1, -1, -1."""
    frames = np.asarray(frames, np.int64)
    return write_results(frames, np.full(len(frames), -1), boxes_xyxy, scores, path)


def write_gt(frames, track_ids, boxes_xyxy, classes, visibility, considered, path) -> Path:
    """A gt/gt.txt: frame, id, left, top, width, height, considered, class, visibility."""
    boxes = np.asarray(boxes_xyxy, np.float64).reshape(-1, 4)
    rows = np.column_stack(
        [
            np.asarray(frames, np.int64),
            np.asarray(track_ids, np.int64),
            boxes[:, 0],
            boxes[:, 1],
            boxes[:, 2] - boxes[:, 0],
            boxes[:, 3] - boxes[:, 1],
            np.asarray(considered, np.int64),
            np.asarray(classes, np.int64),
            np.asarray(visibility, np.float64),
        ]
    )
    order = np.lexsort((rows[:, 1], rows[:, 0]))
    return write_rows(rows[order], path)


def write_seqinfo(
    path: str | Path,
    name: str,
    length: int,
    width: int,
    height: int,
    fps: float = 10.0,
    im_dir: str = "img1",
    im_ext: str = ".jpg",
) -> Path:
    """A seqinfo.ini as MOTChallenge writes it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[Sequence]\nname={name}\nimDir={im_dir}\nframeRate={fps:g}\nseqLength={length}\n"
        f"imWidth={width}\nimHeight={height}\nimExt={im_ext}\n",
        encoding="utf-8",
    )
    return path


# ---- the dataset ---------------------------------------------------------------------------
@DATASETS.register("mot")
def mot(
    split: str,
    seed: int,
    image_size: tuple[int, int],
    root=None,
    classes: tuple[str, ...] = ("pedestrian",),
    sequences: dict | None = None,
    frame_stride: int = 1,
    max_frames: int = 0,
) -> VideoSplit:
    """A split of local MOTChallenge sequences (see the module docstring)."""
    if not root:
        raise ConfigError("data.root is not set: point it at e.g. MOT17/train (docs/DATASETS.md)")
    if list(classes) != ["pedestrian"]:
        raise ConfigError("MOTChallenge data has one class: set data.classes to [pedestrian]")
    names = (sequences or {}).get(split)
    if not names:
        raise ConfigError(f"data.mot.sequences.{split} must list the sequence folders of the split")
    root = Path(root).expanduser()
    frames, infos, rows, public, with_det = [], [], [], [], []
    for name in names:
        folder = root / name
        info = read_seqinfo(folder / "seqinfo.ini")
        numbers = list(range(1, info["seqLength"] + 1, max(1, int(frame_stride))))
        if max_frames:
            numbers = numbers[: int(max_frames)]
        start = len(frames)
        scale = pad_x = pad_y = None
        for number in numbers:
            image = load_image(folder / info["imDir"] / f"{number:06d}{info['imExt']}")
            boxed, scale, pad_x, pad_y = letterbox(image, image_size)
            frames.append(boxed)
        sequence = SequenceInfo(
            name=info["name"], start=start, length=len(numbers),
            fps=info["frameRate"] / max(1, int(frame_stride)), width=info["imWidth"],
            height=info["imHeight"], scale=scale or 1.0, pad_x=pad_x or 0.0, pad_y=pad_y or 0.0,
        )  # fmt: skip
        infos.append(sequence)
        position = {number: start + index for index, number in enumerate(numbers)}
        det_path = folder / "det" / "det.txt"
        if det_path.exists():  # public detections, in the model's frame like the boxes below
            with_det.append(sequence.name)
            for row in read_det(det_path):
                frame = position.get(int(row[0]))
                if frame is None:
                    continue
                x, y, w, h = row[2:6]
                box = sequence.to_model(np.array([x, y, x + w, y + h]))[0]
                box = np.clip(box, 0, [image_size[0], image_size[1]] * 2)
                if box[2] - box[0] >= 1 and box[3] - box[1] >= 1:
                    public.append((frame, 0, *box, row[6]))
        gt_path = folder / "gt" / "gt.txt"
        if not gt_path.exists():
            continue  # a test sequence: frames (and public detections) only
        for row in read_gt(gt_path):
            frame = position.get(int(row[0]))
            if frame is None or row[6] == 0:
                continue
            category = int(row[7])
            if category != PEDESTRIAN and category not in PEOPLE_LIKE:
                continue
            x, y, w, h = row[2:6]
            box = sequence.to_model(np.array([x, y, x + w, y + h]))[0]
            box = np.clip(box, 0, [image_size[0], image_size[1]] * 2)
            if box[2] - box[0] < 1 or box[3] - box[1] < 1:
                continue
            visibility = float(row[8]) if category == PEDESTRIAN else 0.0
            track = int(row[1]) + 1_000_000 * len(infos)  # unique within the split
            rows.append((frame, track, 0, *box, visibility, 1.0 - visibility, 0.0))
    stacked = (
        np.stack(frames) if frames else np.zeros((0, image_size[1], image_size[0], 3), np.uint8)
    )
    detections = PublicDetections.from_rows(public, with_det) if with_det else None
    return VideoSplit(split, list(classes), stacked, infos, Annotations.from_rows(rows), detections)
