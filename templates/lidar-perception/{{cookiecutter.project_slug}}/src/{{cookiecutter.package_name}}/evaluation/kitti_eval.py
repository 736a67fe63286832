"""The KITTI object protocol: 2D, BEV and 3D AP and AOS, with 40 recall positions (R40) and
the old 11 (R11), per class and difficulty, as the official devkit (and OpenPCDet's python
port of it, kitti_object_eval_python) computes them.

The steps:

* **cleaning**: an object counts for easy / moderate / hard when its image box is more than
  40 / 25 / 25 pixels high, its occlusion at most 0 / 1 / 2 and its truncation at most
  0.15 / 0.3 / 0.5. Objects of the neighbouring class (Van for Car, Person_sitting for
  Pedestrian) and objects of the class too hard for the difficulty are *ignored*: a detection
  matched to them is neither a true nor a false positive. Detections whose image box is lower
  than the difficulty's minimum height are ignored too, and in 2D a false positive mostly
  inside a ``DontCare`` region (overlap over the detection's own area) is forgiven.
* **thresholds**: each object takes the highest-scoring unassigned detection above the
  overlap; the scores of these true positives are sampled at 41 evenly spaced recalls.
* **precision** at each threshold: detections below it are dropped, each object (in label
  order) takes the unassigned counted detection of highest overlap (an ignored one only when
  no counted one overlaps enough), the rest are false positives. Precision is interpolated
  (the maximum to its right); AP R40 averages the 40 positions after recall 0, AP R11 every
  fourth of the 41, recall 0 included. AOS weighs each 2D true positive by
  (1 + cos(alpha error)) / 2.

The greedy matching is sequential over the objects of a frame, but independent across frames
and thresholds: it runs once per object index for all frames and all thresholds together.

Overlaps: the strict set is KITTI's benchmark (Car 0.7, Pedestrian 0.5, Cyclist 0.5 for every
metric), the loose set 0.5 in 2D and 0.5 / 0.25 / 0.25 in BEV and 3D (OpenPCDet's loose set
keeps 0.7 in 2D for cars; ours is 0.5). Results are keyed by the set's 3D overlap as text
("0.7" and "0.5" for cars, "0.5" and "0.25" for pedestrians); APs are fractions in [0, 1].
"""

from __future__ import annotations

import numpy as np

from ..data.scan import Objects
from ..geometry.iou import bev_iou, image_iou, iou_3d

DIFFICULTIES = ("easy", "moderate", "hard")
MIN_HEIGHT = (40.0, 25.0, 25.0)
MAX_OCCLUSION = (0, 1, 2)
MAX_TRUNCATION = (0.15, 0.3, 0.5)
SAMPLE_POINTS = 41
METRICS = ("bbox", "bev", "3d")
NEIGHBOURS = {"car": "van", "pedestrian": "person_sitting"}
# Per class: (strict overlap for every metric, loose overlap in 2D, loose in BEV and 3D).
OVERLAPS = {
    "Car": (0.7, 0.5, 0.5),
    "Pedestrian": (0.5, 0.5, 0.25),
    "Cyclist": (0.5, 0.5, 0.25),
    "Van": (0.7, 0.5, 0.5),
    "Person_sitting": (0.5, 0.5, 0.25),
    "Truck": (0.7, 0.5, 0.5),
}


def overlap_sets(name: str) -> dict[str, dict[str, float]]:
    """{key: {metric: min overlap}}: the strict set first, then the loose one."""
    if name not in OVERLAPS:
        raise ValueError(f"no KITTI overlaps for class {name!r}; known: {sorted(OVERLAPS)}")
    strict, loose_2d, loose_3d = OVERLAPS[name]
    return {
        f"{strict:g}": {metric: strict for metric in METRICS},
        f"{loose_3d:g}": {"bbox": loose_2d, "bev": loose_3d, "3d": loose_3d},
    }


def difficulty_of(objects: Objects) -> np.ndarray:
    """[M] the easiest difficulty each object counts for: 0 easy, 1 moderate, 2 hard, -1 none
    (whatever its class)."""
    height = objects.bbox[:, 3] - objects.bbox[:, 1]
    level = np.full(len(objects), -1, dtype=np.int64)
    for difficulty in reversed(range(len(DIFFICULTIES))):
        fits = (
            (objects.occluded <= MAX_OCCLUSION[difficulty])
            & (objects.truncated <= MAX_TRUNCATION[difficulty])
            & (height > MIN_HEIGHT[difficulty])
        )
        level[fits] = difficulty
    return level


def clean(gt: Objects, dt: Objects, name: str, difficulty: int):
    """(ignored_gt [M], ignored_dt [K], DontCare boxes [D, 4], number of counted objects).
    The flags are -1 other class (never matched), 0 counted, 1 ignored."""
    current = name.lower()
    gt_names = np.char.lower(gt.names.astype(str))
    height = gt.bbox[:, 3] - gt.bbox[:, 1]
    too_hard = (
        (gt.occluded > MAX_OCCLUSION[difficulty])
        | (gt.truncated > MAX_TRUNCATION[difficulty])
        | (height <= MIN_HEIGHT[difficulty])
    )
    same = gt_names == current
    neighbour = gt_names == NEIGHBOURS.get(current, "\0")
    ignored_gt = np.full(len(gt), -1, dtype=np.int64)
    ignored_gt[same & ~too_hard] = 0
    ignored_gt[neighbour | (same & too_hard)] = 1
    dontcare = gt.bbox[gt_names == "dontcare"].reshape(-1, 4)
    dt_names = np.char.lower(dt.names.astype(str))
    dt_height = np.abs(dt.bbox[:, 3] - dt.bbox[:, 1])
    ignored_dt = np.where(dt_names == current, 0, -1).astype(np.int64)
    ignored_dt[dt_height < MIN_HEIGHT[difficulty]] = 1  # the devkit does so for any class
    return ignored_gt, ignored_dt, dontcare, int((ignored_gt == 0).sum())


def sampled_thresholds(scores, counted: int) -> list[float]:
    """Scores of the true positives at (about) 41 evenly spaced recalls (get_thresholds)."""
    scores = sorted(scores, reverse=True)
    thresholds, current = [], 0.0
    for i, score in enumerate(scores):
        left = (i + 1) / counted
        right = (i + 2) / counted if i < len(scores) - 1 else left
        if (right - current) < (current - left) and i < len(scores) - 1:
            continue
        thresholds.append(score)
        current += 1.0 / (SAMPLE_POINTS - 1)
    return thresholds


def overlaps_for(metric: str, gt: Objects, dt: Objects) -> np.ndarray:
    """[detections, objects] overlaps of one frame in the metric's geometry."""
    if metric == "bbox":
        return image_iou(dt.bbox, gt.bbox)
    if metric == "bev":
        return bev_iou(dt.boxes, gt.boxes)
    if metric == "3d":
        return iou_3d(dt.boxes, gt.boxes)
    raise ValueError(f"unknown KITTI metric {metric!r}; known: {METRICS}")


class _Batch:
    """One class and difficulty of every frame, padded into arrays: objects [F, G] and
    detections [F, D] of other classes dropped, and for each object its candidate detections
    [F, G, C] (overlap above the minimum, in detection order; -1 pads)."""

    def __init__(self, frames: list, min_overlap: float, with_dontcare: bool):
        count = len(frames)
        g_max = max([1] + [len(f["ignored_gt"]) for f in frames])
        d_max = max([1] + [len(f["ignored_dt"]) for f in frames])
        matches = [f["overlap"] > min_overlap for f in frames]
        c_max = max([1] + [int(m.sum(0).max(initial=0)) for m in matches])
        self.ignored_gt = np.full((count, g_max), -1, dtype=np.int64)
        self.gt_alpha = np.zeros((count, g_max))
        self.ignored_dt = np.full((count, d_max), -1, dtype=np.int64)
        self.scores = np.full((count, d_max), -np.inf)
        self.dt_alpha = np.zeros((count, d_max))
        self.in_dontcare = np.zeros((count, d_max), dtype=bool)
        self.candidate = np.full((count, g_max, c_max), -1, dtype=np.int64)
        self.overlap = np.zeros((count, g_max, c_max))
        for f, (frame, match) in enumerate(zip(frames, matches, strict=True)):
            g, d = len(frame["ignored_gt"]), len(frame["ignored_dt"])
            self.ignored_gt[f, :g] = frame["ignored_gt"]
            self.gt_alpha[f, :g] = frame["gt_alpha"]
            self.ignored_dt[f, :d] = frame["ignored_dt"]
            self.scores[f, :d] = frame["scores"]
            self.dt_alpha[f, :d] = frame["dt_alpha"]
            if with_dontcare and frame["dontcare"].shape[1]:
                self.in_dontcare[f, :d] = (frame["dontcare"] > min_overlap).any(axis=1)
            for i in range(g):
                (rows,) = np.nonzero(match[:, i])
                self.candidate[f, i, : len(rows)] = rows
                self.overlap[f, i, : len(rows)] = frame["overlap"][rows, i]

    def match(self, thresholds: np.ndarray | None):
        """The devkit's compute_statistics for every frame and each threshold at once.
        thresholds None: the first pass (objects take their best-scoring detection, no
        threshold); returns the true positives' scores. Otherwise [T] thresholds; returns
        tp, fp, fn and the summed orientation similarity, each [T]."""
        frames, slots = self.scores.shape
        levels = 1 if thresholds is None else len(thresholds)
        assigned = np.zeros((levels, frames, slots), dtype=bool)
        if thresholds is None:
            below = np.zeros((1, frames, slots), dtype=bool)
        else:
            below = self.scores[None] < np.asarray(thresholds)[:, None, None]
        f_index = np.arange(frames)[:, None]
        f_grid = np.arange(frames)[None, :]
        width = self.candidate.shape[2]
        tp = np.zeros(levels)
        fn = np.zeros(levels)
        similarity = np.zeros(levels)
        tp_scores = []
        for i in range(self.candidate.shape[1]):
            ignored_gt = self.ignored_gt[:, i]  # [F]
            cand = self.candidate[:, i]  # [F, C]
            real = cand >= 0
            cand = np.where(real, cand, 0)
            cand_ignored = self.ignored_dt[f_index, cand]
            cand_scores = self.scores[f_index, cand]
            if thresholds is None:
                value = cand_scores  # highest score wins, counted or ignored alike
            else:
                # counted detections first, by overlap; else the first ignored one
                first = 1.0 - np.arange(width) / (width + 1.0)
                value = np.where(cand_ignored == 0, self.overlap[:, i] + 2.0, first[None, :])
            eligible = (
                real[None]
                & (cand_ignored != -1)[None]
                & (ignored_gt != -1)[None, :, None]
                & ~assigned[:, f_index, cand]
                & ~below[:, f_index, cand]
            )  # [T, F, C]
            value = np.where(eligible, value[None], -np.inf)
            best = value.argmax(axis=2)  # [T, F]
            found = eligible.any(axis=2)
            chosen = np.take_along_axis(np.broadcast_to(cand, value.shape), best[..., None], 2)
            chosen = chosen[..., 0]
            chosen_ignored = self.ignored_dt[f_grid, chosen]
            counted = ignored_gt[None, :] == 0
            fn += (~found & counted).sum(axis=1)
            hit = found & counted & (chosen_ignored == 0)
            tp += hit.sum(axis=1)
            if thresholds is None:
                tp_scores.append(self.scores[f_grid, chosen][hit])
            else:
                delta = self.gt_alpha[None, :, i] - self.dt_alpha[f_grid, chosen]
                similarity += np.where(hit, (1.0 + np.cos(delta)) / 2.0, 0.0).sum(axis=1)
            t_hit, f_hit = np.nonzero(found)
            assigned[t_hit, f_hit, chosen[t_hit, f_hit]] = True
        if thresholds is None:
            return np.concatenate(tp_scores) if tp_scores else np.zeros(0)
        free = ~assigned & (self.ignored_dt == 0)[None] & ~below
        fp = (free & ~self.in_dontcare[None]).sum(axis=(1, 2)).astype(np.float64)
        return tp, fp, fn, similarity


def cleaned_frames(gt_frames, dt_frames, name: str, difficulty: int) -> tuple[list, int]:
    """Each frame's objects and detections of the class (others dropped) with their flags,
    alphas, scores and DontCare overlaps; and the number of counted objects."""
    frames, counted = [], 0
    for gt, dt in zip(gt_frames, dt_frames, strict=True):
        ignored_gt, ignored_dt, dontcare, valid = clean(gt, dt, name, difficulty)
        counted += valid
        rows, cols = np.flatnonzero(ignored_dt != -1), np.flatnonzero(ignored_gt != -1)
        scores = dt.scores if dt.scores is not None else np.ones(len(dt))
        frames.append({
            "rows": rows, "cols": cols,
            "ignored_gt": ignored_gt[cols], "gt_alpha": gt.alpha[cols],
            "ignored_dt": ignored_dt[rows], "scores": scores[rows], "dt_alpha": dt.alpha[rows],
            "dontcare": image_iou(dt.bbox[rows], dontcare, over="first"),
        })  # fmt: skip
    return frames, counted


def counted_objects(gt_frames, dt_frames, name: str, difficulty: str = "moderate") -> int:
    """How many objects of the class the protocol counts at the difficulty (0: AP undefined)."""
    return cleaned_frames(gt_frames, dt_frames, name, DIFFICULTIES.index(difficulty))[1]


def class_curve(gt_frames, dt_frames, name, difficulty, metric, min_overlap, overlaps,
                cleaned=None) -> dict:  # fmt: skip
    """Interpolated precision and AOS at the 41 sampled recalls of one class, difficulty
    and metric; `overlaps` holds each frame's [detections, objects] overlaps, `cleaned` the
    output of cleaned_frames when the caller shares it between metrics."""
    frames, counted = cleaned or cleaned_frames(gt_frames, dt_frames, name, difficulty)
    frames = [
        dict(frame, overlap=overlap[np.ix_(frame["rows"], frame["cols"])])
        for frame, overlap in zip(frames, overlaps, strict=True)
    ]
    precision = np.zeros(SAMPLE_POINTS)
    aos = np.zeros(SAMPLE_POINTS)
    if counted == 0:
        return {"precision": precision, "aos": aos, "counted": 0, "thresholds": []}
    batch = _Batch(frames, min_overlap, with_dontcare=metric == "bbox")
    thresholds = sampled_thresholds(batch.match(None).tolist(), counted)
    if thresholds:
        tp, fp, _, similarity = batch.match(np.asarray(thresholds))
        size = len(thresholds)
        precision[:size] = tp / np.maximum(tp + fp, 1e-12)
        aos[:size] = similarity / np.maximum(tp + fp, 1e-12)
        precision = np.maximum.accumulate(precision[::-1])[::-1]
        aos = np.maximum.accumulate(aos[::-1])[::-1]
    return {"precision": precision, "aos": aos, "counted": counted, "thresholds": thresholds}


def ap_r40(precision: np.ndarray) -> float:
    return float(np.sum(precision[1:SAMPLE_POINTS]) / 40)


def ap_r11(precision: np.ndarray) -> float:
    return float(np.sum(precision[0:SAMPLE_POINTS:4]) / 11)


def evaluate_kitti(gt: list[Objects], dt: list[Objects], classes=("Car", "Pedestrian", "Cyclist"),
                   metrics=METRICS, difficulties=DIFFICULTIES) -> dict:  # fmt: skip
    """result[class][overlap][metric][recall][difficulty] = AP in [0, 1], with overlap the
    set's 3D overlap as text (strict first), metric in bbox, bev, 3d, aos (AOS with bbox),
    recall in R40, R11 and difficulty in easy, moderate, hard."""
    if len(gt) != len(dt):
        raise ValueError(f"{len(gt)} ground-truth frames but {len(dt)} detection frames")
    cache = {m: [overlaps_for(m, g, d) for g, d in zip(gt, dt, strict=True)] for m in metrics}
    result: dict = {}
    for name in classes:
        result[name] = {}
        cleaned = {
            lvl: cleaned_frames(gt, dt, name, DIFFICULTIES.index(lvl)) for lvl in difficulties
        }
        for key, minimum in overlap_sets(name).items():
            entry: dict = {}
            for metric in metrics:
                entry[metric] = {"R40": {}, "R11": {}}
                if metric == "bbox":
                    entry["aos"] = {"R40": {}, "R11": {}}
                for level, shared in cleaned.items():
                    curve = class_curve(gt, dt, name, DIFFICULTIES.index(level), metric,
                                        minimum[metric], cache[metric], shared)  # fmt: skip
                    entry[metric]["R40"][level] = ap_r40(curve["precision"])
                    entry[metric]["R11"][level] = ap_r11(curve["precision"])
                    if metric == "bbox":
                        entry["aos"]["R40"][level] = ap_r40(curve["aos"])
                        entry["aos"]["R11"][level] = ap_r11(curve["aos"])
            result[name][key] = entry
    return result


def flat_metrics(result: dict) -> dict[str, float]:
    """Flat keys such as car_bev_ap_r40_moderate and car_aos_r40_moderate for each class's
    strict overlap set (its first) and the same with the suffix _loose for the other."""
    flat = {}
    for name, by_overlap in result.items():
        for rank, by_metric in enumerate(by_overlap.values()):
            suffix = "" if rank == 0 else "_loose"
            for metric, by_recall in by_metric.items():
                label = "aos" if metric == "aos" else f"{metric}_ap"
                for recall, by_level in by_recall.items():
                    for level, value in by_level.items():
                        flat[f"{name.lower()}_{label}_{recall.lower()}_{level}{suffix}"] = value
    return flat


def centre_distance(objects: Objects) -> np.ndarray:
    """[M] BEV distance of each box centre from the sensor."""
    return np.hypot(objects.boxes[:, 0], objects.boxes[:, 1])


def filter_by_distance(gt: list[Objects], dt: list[Objects], low: float, high: float):
    """The frames restricted to BEV centre distances in [low, high): objects outside are
    made too hard for every difficulty (ignored: a detection on them is neither true nor
    false), detections outside are dropped."""
    near_gt, near_dt = [], []
    for g, d in zip(gt, dt, strict=True):
        distance = centre_distance(g)
        far = (distance < low) | (distance >= high)
        g = g.subset(np.arange(len(g)))
        g.occluded = np.where(far, np.iinfo(np.int64).max, g.occluded)
        distance = centre_distance(d)
        near_gt.append(g)
        near_dt.append(d.subset((distance >= low) & (distance < high)))
    return near_gt, near_dt
