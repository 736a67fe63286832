"""COCO detection files: the ground-truth JSON (images, annotations, categories) and the
results JSON (one entry per detection), read and written; and the ``coco`` dataset.

Format (https://cocodataset.org/#format-data): ``bbox`` is [x, y, width, height] in pixels
from the image's top-left corner; ``iscrowd: 1`` marks a region that scores neither hit nor
miss. A file that breaks the format is a DataError naming the file and the line of the
offending entry.

The dataset ``coco`` reads a local copy (``data.root``), e.g. COCO 2017::

    data:
      name: coco
      root: data/raw/coco
      classes: [car, person, bicycle]          # COCO category names, in your class order
      coco:
        annotations: {train: annotations/instances_train2017.json,
                      val: annotations/instances_val2017.json}
        images: {train: train2017, val: val2017}
        max_images: 2000                       # per split; 0 = all

Every image becomes a one-frame sequence, letterboxed into ``data.image_size``; crowd
regions become ignore regions. Without a ``test`` entry the test split is the val split.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError
from . import DATASETS
from .images import letterbox, load_image
from .video import Annotations, SequenceInfo, VideoSplit


@dataclass
class CocoFile:
    """The content of a COCO ground-truth file."""

    images: list[dict] = field(default_factory=list)  # id, file_name, width, height
    annotations: list[dict] = field(default_factory=list)  # id, image_id, category_id, bbox, ...
    categories: list[dict] = field(default_factory=list)  # id, name

    def as_dict(self) -> dict:
        return {
            "images": self.images,
            "annotations": self.annotations,
            "categories": self.categories,
        }


# ---- reading -------------------------------------------------------------------------------
def _load_json(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError.at(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError.at(path, None, f"cannot read: {error}") from None
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError.at(path, error.lineno, f"not valid JSON: {error.msg}") from None


def element_lines(text: str, key: str | None) -> list[int]:
    """1-based line of each element of the top-level array `key` (None: the document itself
    is the array). Only called to place an error, so the happy path parses once."""
    decoder = json.JSONDecoder()
    position = 0

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    position = skip(position)
    if key is not None:
        if text[position] != "{":
            return []
        position = skip(position + 1)
        while position < len(text) and text[position] != "}":
            name, position = decoder.raw_decode(text, position)
            position = skip(skip(position) + 1)  # past the colon
            if name == key:
                break
            _, position = decoder.raw_decode(text, position)
            position = skip(position)
            if text[position] == ",":
                position = skip(position + 1)
        else:
            return []
    if text[position] != "[":
        return []
    lines, position = [], skip(position + 1)
    while position < len(text) and text[position] != "]":
        lines.append(text.count("\n", 0, position) + 1)
        _, position = decoder.raw_decode(text, position)
        position = skip(position)
        if text[position] == ",":
            position = skip(position + 1)
    return lines


def _fail(path: Path, text: str, key: str | None, index: int, problem: str) -> DataError:
    lines = element_lines(text, key)
    line = lines[index] if index < len(lines) else None
    where = f"{key}[{index}]" if key is not None else f"entry {index}"
    return DataError.at(path, line, f"{where}: {problem}")


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def read_coco(path: str | Path) -> CocoFile:
    """Read and check a COCO ground-truth file."""
    path = Path(path)
    text, data = _load_json(path)
    if not isinstance(data, dict):
        raise DataError.at(path, 1, "expected a JSON object with images, annotations, categories")
    for key in ("images", "annotations", "categories"):
        if not isinstance(data.get(key), list):
            raise DataError.at(path, None, f"missing the list {key!r}")
    categories = {}
    for i, category in enumerate(data["categories"]):
        if not isinstance(category, dict) or not isinstance(category.get("id"), int):
            raise _fail(path, text, "categories", i, "needs an integer id")
        if not isinstance(category.get("name"), str):
            raise _fail(path, text, "categories", i, "needs a name")
        categories[category["id"]] = category["name"]
    images = {}
    for i, image in enumerate(data["images"]):
        if not isinstance(image, dict) or not isinstance(image.get("id"), int):
            raise _fail(path, text, "images", i, "needs an integer id")
        if image["id"] in images:
            raise _fail(path, text, "images", i, f"duplicate image id {image['id']}")
        if not isinstance(image.get("file_name"), str):
            raise _fail(path, text, "images", i, "needs a file_name")
        for side in ("width", "height"):
            if not isinstance(image.get(side), int) or image[side] <= 0:
                raise _fail(path, text, "images", i, f"{side} must be a positive integer")
        images[image["id"]] = image
    for i, annotation in enumerate(data["annotations"]):
        if not isinstance(annotation, dict):
            raise _fail(path, text, "annotations", i, "must be an object")
        if annotation.get("image_id") not in images:
            raise _fail(
                path, text, "annotations", i, f"unknown image_id {annotation.get('image_id')!r}"
            )
        if annotation.get("category_id") not in categories:
            raise _fail(
                path,
                text,
                "annotations",
                i,
                f"unknown category_id {annotation.get('category_id')!r}",
            )
        box = annotation.get("bbox")
        if not (isinstance(box, list) and len(box) == 4 and all(_number(v) for v in box)):
            raise _fail(path, text, "annotations", i, "bbox must be [x, y, width, height]")
        if box[2] < 0 or box[3] < 0:
            raise _fail(path, text, "annotations", i, f"bbox has a negative size: {box}")
        if annotation.get("iscrowd", 0) not in (0, 1):
            raise _fail(path, text, "annotations", i, "iscrowd must be 0 or 1")
    return CocoFile(data["images"], data["annotations"], data["categories"])


def read_coco_results(path: str | Path) -> list[dict]:
    """Read and check a COCO results file: [{image_id, category_id, bbox, score}, ...]."""
    path = Path(path)
    text, data = _load_json(path)
    if not isinstance(data, list):
        raise DataError.at(path, 1, "a results file is a JSON list of detections")
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise _fail(path, text, None, i, "must be an object")
        for key in ("image_id", "category_id"):
            if not isinstance(entry.get(key), int):
                raise _fail(path, text, None, i, f"needs an integer {key}")
        box = entry.get("bbox")
        if not (isinstance(box, list) and len(box) == 4 and all(_number(v) for v in box)):
            raise _fail(path, text, None, i, "bbox must be [x, y, width, height]")
        if box[2] < 0 or box[3] < 0:
            raise _fail(path, text, None, i, f"bbox has a negative size: {box}")
        if not _number(entry.get("score")):
            raise _fail(path, text, None, i, "needs a numeric score")
    return data


# ---- writing -------------------------------------------------------------------------------
def write_json(data, path: str | Path) -> Path:
    """Write JSON with one entry per line in the lists, so errors can name a line."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def dump_list(items: list) -> str:
        if not items:
            return "[]"
        return "[\n" + ",\n".join("  " + json.dumps(item) for item in items) + "\n]"

    if isinstance(data, list):
        text = dump_list(data)
    else:
        parts = [f"{json.dumps(key)}: {dump_list(value)}" for key, value in data.items()]
        text = "{\n" + ",\n".join(parts) + "\n}"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def write_coco(coco: CocoFile, path: str | Path) -> Path:
    """Write a COCO ground-truth file."""
    return write_json(coco.as_dict(), path)


def write_coco_results(results: list[dict], path: str | Path) -> Path:
    """Write a COCO results file (the list the evaluation server and COCOeval read)."""
    return write_json(results, path)


def results_entry(image_id: int, category_id: int, box_xyxy, score: float) -> dict:
    """One detection in COCO's results layout (bbox [x, y, w, h], rounded to 0.001 px)."""
    x1, y1, x2, y2 = (float(v) for v in box_xyxy)
    return {
        "image_id": int(image_id),
        "category_id": int(category_id),
        "bbox": [round(x1, 3), round(y1, 3), round(x2 - x1, 3), round(y2 - y1, 3)],
        "score": round(float(score), 5),
    }


def video_to_coco(video: VideoSplit, min_visibility: float) -> CocoFile:
    """A split's ground truth as a COCO file, in original pixels; objects less visible than
    `min_visibility` become crowd regions. Image ids: the original ones for COCO data, else
    the frame index + 1. Category ids: class index + 1."""
    coco = CocoFile(categories=[{"id": i + 1, "name": n} for i, n in enumerate(video.class_names)])
    ann = video.annotations
    order = np.argsort(ann.frame, kind="stable")
    for sequence in video.sequences:
        for t in range(sequence.length):
            frame = sequence.start + t
            coco.images.append(
                {
                    "id": image_id(video, frame),
                    "file_name": f"{sequence.name}/{t + 1:06d}.jpg",
                    "width": int(sequence.width or video.image_size[0]),
                    "height": int(sequence.height or video.image_size[1]),
                }
            )
    sequence_of = video.frame_sequence()
    for row in order:
        frame = int(ann.frame[row])
        sequence = video.sequences[sequence_of[frame]]
        x1, y1, x2, y2 = sequence.to_original(ann.boxes[row])[0]
        w, h = x2 - x1, y2 - y1
        coco.annotations.append(
            {
                "id": len(coco.annotations) + 1,
                "image_id": image_id(video, frame),
                "category_id": int(ann.label[row]) + 1,
                "bbox": [float(x1), float(y1), float(w), float(h)],
                "area": float(w * h),
                "iscrowd": int(ann.visibility[row] < min_visibility),
            }
        )
    return coco


def image_id(video: VideoSplit, frame: int) -> int:
    """The COCO image id of a frame of the split."""
    sequence = video.sequences[int(video.frame_sequence()[frame])]
    if sequence.image_ids:
        return int(sequence.image_ids[frame - sequence.start])
    return frame + 1


# ---- the dataset ---------------------------------------------------------------------------
@DATASETS.register("coco")
def coco(
    split: str,
    seed: int,
    image_size: tuple[int, int],
    root=None,
    classes: tuple[str, ...] = (),
    annotations: dict | None = None,
    images: dict | None = None,
    max_images: int = 0,
) -> VideoSplit:
    """A split of a local COCO-format dataset (see the module docstring)."""
    if not root:
        raise ConfigError("data.root is not set: point it at the COCO folder (docs/DATASETS.md)")
    annotations, images = annotations or {}, images or {}
    key = split if split in annotations else ("val" if split == "test" else split)
    if key not in annotations or key not in images:
        raise ConfigError(f"data.coco.annotations and data.coco.images need a {key!r} entry")
    root = Path(root).expanduser()
    coco_file = read_coco(root / annotations[key])
    by_name = {c["name"]: c["id"] for c in coco_file.categories}
    missing = [name for name in classes if name not in by_name]
    if missing:
        raise ConfigError(f"classes {missing} are not categories of {root / annotations[key]}")
    label_of = {by_name[name]: index for index, name in enumerate(classes)}
    chosen = sorted(coco_file.images, key=lambda image: image["id"])
    if max_images:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 31]))
        picked = np.sort(rng.choice(len(chosen), min(max_images, len(chosen)), replace=False))
        chosen = [chosen[i] for i in picked]
    frames, sequences, rows = [], [], []
    frame_of = {image["id"]: index for index, image in enumerate(chosen)}
    for index, image in enumerate(chosen):
        picture = load_image(root / images[key] / image["file_name"])
        boxed, scale, pad_x, pad_y = letterbox(picture, image_size)
        frames.append(boxed)
        sequences.append(
            SequenceInfo(
                name=Path(image["file_name"]).stem, start=index, length=1, fps=0.0,
                width=int(image["width"]), height=int(image["height"]), scale=scale,
                pad_x=pad_x, pad_y=pad_y, image_ids=(int(image["id"]),),
            )
        )  # fmt: skip
    for annotation in coco_file.annotations:
        frame = frame_of.get(annotation["image_id"])
        label = label_of.get(annotation["category_id"])
        if frame is None or label is None:
            continue
        x, y, w, h = annotation["bbox"]
        box = sequences[frame].to_model(np.array([x, y, x + w, y + h]))[0]
        crowd = annotation.get("iscrowd", 0) == 1
        rows.append((frame, -1, label, *box, 0.0 if crowd else 1.0, 0.0, 0.0))
    stacked = (
        np.stack(frames) if frames else np.zeros((0, image_size[1], image_size[0], 3), np.uint8)
    )
    return VideoSplit(split, list(classes), stacked, sequences, Annotations.from_rows(rows))
