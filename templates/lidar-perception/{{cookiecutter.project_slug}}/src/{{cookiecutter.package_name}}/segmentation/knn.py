"""kNN refinement of back-projected labels (RangeNet++'s post-processing).

A range image blurs labels across object borders (a pixel's label bleeds onto the points
behind it) and leaves the points that lost their pixel to a nearer point with the label of
that nearer point. The fix: each point votes among the `k` points of the image nearest to it
in range, looked for in a `window` x `window` neighbourhood of its own pixel; neighbours more
than `cutoff` metres away in range do not vote. Fully vectorised (torch, any device).
"""

from __future__ import annotations

import numpy as np
import torch


def knn_refine(
    range_image,
    point_range,
    pixel_index,
    pixel_labels,
    k: int = 5,
    window: int = 5,
    cutoff: float = 1.0,
    num_classes: int = 20,
):
    """[N] int64 labels of the points after the kNN vote.

    range_image [H, W] (range of the point that owns each pixel, <= 0 where empty),
    point_range [N], pixel_index [N, 2] (row, col), pixel_labels [H, W] (predicted label of
    each pixel). Columns wrap around (the image covers 360 degrees), rows do not. A point with
    no neighbour within `cutoff` (an empty or far window) keeps its own pixel's label. Ties go
    to the lower class. NumPy arrays in, NumPy out; tensors in, a tensor out."""
    as_numpy = not isinstance(pixel_labels, torch.Tensor)
    labels = torch.as_tensor(pixel_labels).long()
    device = labels.device
    ranges = torch.as_tensor(range_image, dtype=torch.float32, device=device)
    point_range = torch.as_tensor(point_range, dtype=torch.float32, device=device)
    pixel_index = torch.as_tensor(pixel_index, device=device).long()
    if window < 1 or window % 2 == 0:
        raise ValueError(f"knn window must be an odd number >= 1, got {window}")
    height, width = labels.shape
    rows, cols = pixel_index[:, 0], pixel_index[:, 1]
    own = labels[rows, cols]
    if len(rows) == 0:
        return own.cpu().numpy() if as_numpy else own

    half = window // 2
    offsets = torch.arange(-half, half + 1, device=device)
    d_row = offsets.repeat_interleave(window)  # [S*S], row-major window
    d_col = offsets.repeat(window)
    near_rows = rows[:, None] + d_row[None, :]  # [N, S*S]
    near_cols = (cols[:, None] + d_col[None, :]) % width
    inside = (near_rows >= 0) & (near_rows < height)
    near_rows = near_rows.clamp(0, height - 1)
    near_range = ranges[near_rows, near_cols]
    gap = (near_range - point_range[:, None]).abs()
    gap = torch.where(inside & (near_range > 0), gap, torch.full_like(gap, float("inf")))

    count = min(k, gap.shape[1])
    nearest_gap, nearest = torch.topk(gap, count, dim=1, largest=False)
    votes_for = torch.gather(labels[near_rows, near_cols], 1, nearest)
    valid = nearest_gap <= cutoff
    votes = torch.zeros(len(rows), num_classes, device=device)
    votes.scatter_add_(1, votes_for.clamp(0, num_classes - 1), valid.float())
    refined = torch.where(votes.sum(1) > 0, votes.argmax(1), own)
    return refined.cpu().numpy().astype(np.int64) if as_numpy else refined
