"""Tracking metrics through TrackEval: HOTA, DetA, AssA, LocA (Luiten et al., 2021), MOTA, MOTP,
ID switches, MT/ML, fragmentations (CLEAR MOT) and IDF1 (Ristani et al., 2016).

The metric code is TrackEval's own (``trackeval.metrics.HOTA``, ``CLEAR``, ``Identity``); this
module only prepares its input the way TrackEval's MOTChallenge loader does, so the numbers
equal what TrackEval prints for the same files (``tests/test_mot.py`` runs TrackEval's
``Evaluator`` on MOTChallenge files and compares):

* per class, per sequence: ground truth of that class, and the tracker's boxes of that class;
* ground truth too hidden to count (visibility below ``min_visibility``) is a distractor, as
  MOTChallenge marks occluded and static people: tracker boxes that match one (Hungarian on
  IoU >= 0.5 against all ground truth of the frame) are removed, then the distractors too;
* identities are relabelled 0..n-1 and the similarity is the boxes' IoU.

Classes are combined "detection-averaged" (TrackEval's ``combine_classes_det_averaged``, which
pools the counts: one HOTA over every object), and also reported one by one.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..tracking.association import iou_matrix

EPS = np.finfo("float").eps


@dataclass
class BoxTable:
    """Boxes of one sequence, one row each: ground truth or tracker output."""

    frame: np.ndarray  # int [K], 0-based frame within the sequence
    track_id: np.ndarray  # int [K]
    label: np.ndarray  # int [K]
    boxes: np.ndarray  # float [K, 4] x1, y1, x2, y2
    ignore: np.ndarray | None = None  # bool [K] (ground truth: a distractor)
    occlusion: np.ndarray | None = None  # float [K] (ground truth: share hidden)
    score: np.ndarray | None = None  # float [K] (tracker output: confidence)

    def __len__(self) -> int:
        return len(self.frame)


def metric_objects():
    """TrackEval's HOTA, CLEAR and Identity metrics, quiet."""
    import trackeval

    config = {"THRESHOLD": 0.5, "PRINT_CONFIG": False}
    return {
        "HOTA": trackeval.metrics.HOTA(),
        "CLEAR": trackeval.metrics.CLEAR(config),
        "Identity": trackeval.metrics.Identity(config),
    }


def sequence_data(gt: BoxTable, tracks: BoxTable, label: int, length: int) -> dict:
    """TrackEval's preprocessed input for one class of one sequence (MOTChallenge's rules)."""
    keys = ("gt_ids", "tracker_ids", "gt_dets", "tracker_dets", "similarity_scores")
    data = {key: [None] * length for key in keys}
    ignore = gt.ignore if gt.ignore is not None else np.zeros(len(gt), dtype=bool)
    for t in range(length):
        g = (gt.frame == t) & (gt.label == label)
        k = (tracks.frame == t) & (tracks.label == label)
        gt_ids, gt_boxes, gt_ignore = gt.track_id[g], gt.boxes[g], ignore[g]
        tr_ids, tr_boxes = tracks.track_id[k], tracks.boxes[k]
        similarity = iou_matrix(gt_boxes, tr_boxes)
        remove = np.zeros(len(tr_ids), dtype=bool)
        if len(gt_ids) and len(tr_ids):
            scores = similarity.copy()
            scores[scores < 0.5 - EPS] = 0
            rows, cols = linear_sum_assignment(-scores)
            matched = scores[rows, cols] > 0 + EPS
            rows, cols = rows[matched], cols[matched]
            remove[cols[gt_ignore[rows]]] = True
        keep = ~gt_ignore
        data["gt_ids"][t] = gt_ids[keep]
        data["gt_dets"][t] = gt_boxes[keep]
        data["tracker_ids"][t] = tr_ids[~remove]
        data["tracker_dets"][t] = tr_boxes[~remove]
        data["similarity_scores"][t] = similarity[keep][:, ~remove]
    for kind in ("gt", "tracker"):
        ids = [i for i in data[f"{kind}_ids"] if len(i)]
        unique = np.unique(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)
        lookup = {int(v): n for n, v in enumerate(unique)}
        data[f"{kind}_ids"] = [
            np.array([lookup[int(v)] for v in i], dtype=int) for i in data[f"{kind}_ids"]
        ]
        data[f"num_{kind}_ids"] = len(unique)
        data[f"num_{kind}_dets"] = int(sum(len(i) for i in data[f"{kind}_ids"]))
    data["num_timesteps"] = length
    return data


def summary(result: dict) -> dict[str, float]:
    """The headline numbers of TrackEval's combined result (HOTA etc. averaged over alpha)."""
    hota, clear, identity = result["HOTA"], result["CLEAR"], result["Identity"]
    return {
        "hota": float(np.mean(hota["HOTA"])),
        "deta": float(np.mean(hota["DetA"])),
        "assa": float(np.mean(hota["AssA"])),
        "loca": float(np.mean(hota["LocA"])),
        "mota": float(clear["MOTA"]),
        "motp": float(clear["MOTP"]),
        "idf1": float(identity["IDF1"]),
        "idsw": int(clear["IDSW"]),
        "frag": int(clear["Frag"]),
        "mostly_tracked": int(clear["MT"]),
        "mostly_lost": int(clear["ML"]),
        "gt_ids": int(clear["MT"] + clear["PT"] + clear["ML"]),
        "tp": int(clear["CLR_TP"]),
        "fn": int(clear["CLR_FN"]),
        "fp": int(clear["CLR_FP"]),
    }


def evaluate_tracking(
    sequences: list[tuple[str, int, BoxTable, BoxTable]], class_names: list[str]
) -> dict:
    """Metrics of tracks against ground truth. `sequences`: (name, length, gt, tracks).

    Returns {"all": {...}, "per_class": {name: {...}}, "raw": TrackEval's per-class results}
    with the summary keys of ``summary`` (per class only for classes in the ground truth)."""
    metrics = metric_objects()
    per_class_raw = {}
    with contextlib.redirect_stdout(io.StringIO()):  # TrackEval prints as it goes
        for label, name in enumerate(class_names):
            per_sequence = {}
            for seq_name, length, gt, tracks in sequences:
                data = sequence_data(gt, tracks, label, length)
                per_sequence[seq_name] = {
                    key: metric.eval_sequence(data) for key, metric in metrics.items()
                }
            per_class_raw[name] = {
                key: metric.combine_sequences({s: r[key] for s, r in per_sequence.items()})
                for key, metric in metrics.items()
            }
        combined = {
            key: metric.combine_classes_det_averaged(
                {name: result[key] for name, result in per_class_raw.items()}
            )
            for key, metric in metrics.items()
        }
    present = {
        name: summary(result)
        for name, result in per_class_raw.items()
        if result["CLEAR"]["CLR_TP"] + result["CLEAR"]["CLR_FN"] > 0
    }
    return {"all": summary(combined), "per_class": present, "raw": per_class_raw}
