"""CenterNet training targets: what the heads should output for a batch of labelled frames.

Each object is a peak on the heatmap of its class, at the output cell holding its centre
(Zhou et al., 2019, "Objects as Points"), spread by an elliptical Gaussian whose spread
follows the box (as in TTFNet), so a near miss of the centre is penalised less. At the peak
cell the size head should give the box size and the offset head the sub-cell position of the
centre, both in output cells. Objects too hidden to detect (visibility below
``min_visibility``) get no peak; the cells their box covers are left out of the heatmap loss
for their class, as COCO's crowd regions and MOTChallenge's distractors are left out of the
scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..data.video import TARGET_COLUMNS

LABEL, BOX, TRACK, VISIBILITY = 0, slice(1, 5), 5, 6
assert TARGET_COLUMNS[LABEL] == "label" and TARGET_COLUMNS[VISIBILITY] == "visibility"


@dataclass
class CenterTargets:
    heatmap: torch.Tensor  # [B, C, h, w] in [0, 1], exactly 1 at object centres
    weight: torch.Tensor  # [B, C, h, w] 1 where the heatmap loss counts, 0 in ignore regions
    index: torch.Tensor  # [B, M] flat cell index (y * w + x) of each object's centre
    size: torch.Tensor  # [B, M, 2] box width, height in output cells
    offset: torch.Tensor  # [B, M, 2] centre minus its cell's corner, in [0, 1)
    positive: torch.Tensor  # [B, M] bool: a real object with a peak
    identity: torch.Tensor  # [B, M] track identity (-1: none)


def center_targets(
    targets: torch.Tensor,
    num_classes: int,
    stride: int,
    output_size: tuple[int, int],
    min_visibility: float = 0.0,
    spread: float = 0.54,
) -> CenterTargets:
    """Targets from padded labels [B, M, 9] (data.video.TARGET_COLUMNS) for heads with
    output_size (h, w) at `stride` pixels per cell."""
    height, width = output_size
    labels = targets[..., LABEL].long()
    boxes = targets[..., BOX] / stride
    present = labels >= 0
    positive = present & (targets[..., VISIBILITY] >= min_visibility)
    ignored = present & ~positive
    centre = (boxes[..., :2] + boxes[..., 2:]) / 2
    size = (boxes[..., 2:] - boxes[..., :2]).clamp(min=0)
    cell = torch.stack(
        [centre[..., 0].floor().clamp(0, width - 1), centre[..., 1].floor().clamp(0, height - 1)],
        dim=-1,
    )
    offset = centre - cell
    index = (cell[..., 1] * width + cell[..., 0]).long()

    # Gaussians [B, M, h, w] around each centre cell; sigma grows with the box.
    sigma = (size * spread / 6).clamp(min=0.3)
    xs = torch.arange(width, device=targets.device, dtype=targets.dtype)
    ys = torch.arange(height, device=targets.device, dtype=targets.dtype)
    gx = ((xs[None, None, :] - cell[..., 0:1]) / sigma[..., 0:1]) ** 2  # [B, M, w]
    gy = ((ys[None, None, :] - cell[..., 1:2]) / sigma[..., 1:2]) ** 2  # [B, M, h]
    gauss = torch.exp(-0.5 * (gy[..., :, None] + gx[..., None, :]))
    one_hot = torch.nn.functional.one_hot(labels.clamp(min=0), num_classes).to(targets.dtype)
    peaks = gauss * positive[..., None, None]
    heatmap = torch.einsum("bmhw,bmc->bmchw", peaks, one_hot).amax(dim=1)

    # Ignore regions: the cells whose centres lie inside a hidden object's box.
    inside_x = (xs[None, None, :] + 0.5 >= boxes[..., 0:1]) & (xs + 0.5 <= boxes[..., 2:3])
    inside_y = (ys[None, None, :] + 0.5 >= boxes[..., 1:2]) & (ys + 0.5 <= boxes[..., 3:4])
    region = (inside_y[..., :, None] & inside_x[..., None, :]) & ignored[..., None, None]
    covered = torch.einsum("bmhw,bmc->bchw", region.to(targets.dtype), one_hot) > 0
    weight = torch.where(covered & (heatmap < 1), 0.0, 1.0).to(targets.dtype)
    return CenterTargets(
        heatmap=heatmap,
        weight=weight,
        index=index.clamp(0, height * width - 1),
        size=size,
        offset=offset,
        positive=positive,
        identity=targets[..., TRACK].long(),
    )
