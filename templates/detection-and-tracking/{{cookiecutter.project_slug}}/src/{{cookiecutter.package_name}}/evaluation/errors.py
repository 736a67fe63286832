"""Error analysis: which mistakes the detector and the tracker make, and when.

* False positives by kind (confident detections, score >= the threshold, that match no
  ground truth at IoU 0.5): ``duplicate`` (a second box on an object already found),
  ``localization`` (the right class, overlapping an object by 0.1 to 0.5), ``class`` (on an
  object of another class, IoU >= 0.1) and ``background`` (on nothing), in that order of
  precedence (the TIDE error types, Bolya et al., 2020, simplified).
* Misses by occlusion: the share of objects the confident detections miss, per occlusion band
  (the share of an object's in-image part hidden by nearer things).
* ID switches by cause, from CLEAR MOT's own matching (the count equals TrackEval's IDSW):
  ``occlusion`` (the object went unmatched for a while, mostly hidden, and came back under a
  new id), ``missed detections`` (the same, while mostly visible: the detector lost it),
  ``crossing`` (matched in the frame before, and another object overlaps it now: the ids
  swapped) and ``other``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..tracking.association import iou_matrix
from .tracking_eval import EPS, BoxTable, sequence_data

FP_KINDS = ("duplicate", "localization", "class", "background")
# Objects hidden beyond 1 - min_visibility are ignore regions, so the last band is wide.
OCCLUSION_BANDS = ((0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 1.01))
IDSW_CAUSES = ("occlusion", "missed detections", "crossing", "other")


def detection_errors(video, detections, min_visibility: float, score_threshold: float) -> dict:
    """False positives by kind and misses by occlusion band of the confident detections."""
    ann = video.annotations
    kinds = dict.fromkeys(FP_KINDS, 0)
    confident = 0
    band_total = np.zeros(len(OCCLUSION_BANDS), dtype=np.int64)
    band_missed = np.zeros(len(OCCLUSION_BANDS), dtype=np.int64)
    order = np.argsort(ann.frame, kind="stable")
    starts = np.searchsorted(ann.frame[order], np.arange(len(video.frames) + 1))
    for frame, found in enumerate(detections):
        rows = order[starts[frame] : starts[frame + 1]]
        gt_boxes, gt_labels = ann.boxes[rows].astype(np.float64), ann.label[rows]
        crowd = ann.visibility[rows] < min_visibility
        keep = found.scores >= score_threshold
        boxes, labels = found.boxes[keep], found.labels[keep]
        confident += int(keep.sum())
        iou = iou_matrix(boxes, gt_boxes)
        matched_gt = np.zeros(len(rows), dtype=bool)
        unmatched = []
        for d in range(len(boxes)):  # highest score first, as COCO matches
            same = (gt_labels == labels[d]) & ~crowd & ~matched_gt
            candidates = np.where(same, iou[d], -1.0)
            if len(rows) and candidates.max() >= 0.5:
                matched_gt[int(np.argmax(candidates))] = True
            elif len(rows) and np.where((gt_labels == labels[d]) & crowd, iou[d], 0).max() >= 0.5:
                continue  # on an ignore region: not an error
            else:
                unmatched.append(d)
        for d in unmatched:
            same_class = gt_labels == labels[d]
            if len(rows) and np.where(same_class & matched_gt, iou[d], 0).max() >= 0.5:
                kinds["duplicate"] += 1
            elif len(rows) and np.where(same_class, iou[d], 0).max() >= 0.1:
                kinds["localization"] += 1
            elif len(rows) and np.where(~same_class & ~crowd, iou[d], 0).max() >= 0.1:
                kinds["class"] += 1
            else:
                kinds["background"] += 1
        occlusion = ann.occlusion[rows]
        for b, (low, high) in enumerate(OCCLUSION_BANDS):
            in_band = ~crowd & (occlusion >= low) & (occlusion < high)
            band_total[b] += int(in_band.sum())
            band_missed[b] += int((in_band & ~matched_gt).sum())
    return {
        "score_threshold": score_threshold,
        "confident_detections": confident,
        "false_positives": kinds,
        "misses_by_occlusion": [
            {
                "occlusion": f"{low:.2f}-{min(high, 1.0):.2f}",
                "objects": int(total),
                "missed": int(missed),
                "miss_rate": float(missed / total) if total else float("nan"),
            }
            for (low, high), total, missed in zip(
                OCCLUSION_BANDS, band_total, band_missed, strict=True
            )
        ],
    }


def id_switch_causes(gt: BoxTable, tracks: BoxTable, label: int, length: int) -> dict[str, int]:
    """ID switches of one class in one sequence by cause (see the module docstring). The
    matching is CLEAR MOT's, as TrackEval implements it (threshold 0.5, continuing the
    previous frame's pairs first)."""
    data = sequence_data(gt, tracks, label, length)
    causes = dict.fromkeys(IDSW_CAUSES, 0)
    if data["num_gt_ids"] == 0 or data["num_tracker_ids"] == 0:
        return causes
    ignore = gt.ignore if gt.ignore is not None else np.zeros(len(gt), dtype=bool)
    occlusion_of = np.full((length, data["num_gt_ids"]), np.nan)
    prev_tracker = np.full(data["num_gt_ids"], np.nan)  # last tracker id matched, any frame
    prev_step = np.full(data["num_gt_ids"], np.nan)  # tracker id matched in the previous frame
    last_matched = np.full(data["num_gt_ids"], -1)
    for t in range(length):
        rows = (gt.frame == t) & (gt.label == label) & ~ignore
        gt_ids = data["gt_ids"][t]
        if gt.occlusion is not None and len(gt_ids):
            occlusion_of[t, gt_ids] = gt.occlusion[rows]
        tracker_ids = data["tracker_ids"][t]
        if len(gt_ids) == 0 or len(tracker_ids) == 0:
            continue  # CLEAR keeps the previous frame's pairs across such frames
        similarity = data["similarity_scores"][t]
        score = 1000 * (tracker_ids[None, :] == prev_step[gt_ids[:, None]]) + similarity
        score[similarity < 0.5 - EPS] = 0
        r, c = linear_sum_assignment(-score)
        good = score[r, c] > 0 + EPS
        r, c = r[good], c[good]
        matched_gt, matched_tr = gt_ids[r], tracker_ids[c]
        before = prev_tracker[matched_gt]
        switched = ~np.isnan(before) & (matched_tr != before)
        neighbours = iou_matrix(gt.boxes[rows], gt.boxes[rows])
        np.fill_diagonal(neighbours, 0)
        for k in np.flatnonzero(switched):
            g = matched_gt[k]
            if last_matched[g] < t - 1:  # unmatched in the frame before: a gap
                gap = occlusion_of[last_matched[g] + 1 : t, g]
                hidden = np.nanmean(gap) if np.isfinite(gap).any() else 1.0
                causes["occlusion" if hidden >= 0.3 else "missed detections"] += 1
            elif neighbours.shape[0] and neighbours[r[k]].max() > 0.1:
                causes["crossing"] += 1
            else:
                causes["other"] += 1
        prev_tracker[matched_gt] = matched_tr
        prev_step[:] = np.nan
        prev_step[matched_gt] = matched_tr
        last_matched[matched_gt] = t
    return causes


def tracking_errors(sequences, class_names) -> dict[str, int]:
    """ID switches by cause over all sequences and classes. sequences: (name, length, gt,
    tracks)."""
    total = dict.fromkeys(IDSW_CAUSES, 0)
    for _, length, gt, tracks in sequences:
        for label in range(len(class_names)):
            for cause, count in id_switch_causes(gt, tracks, label, length).items():
                total[cause] += count
    return total
