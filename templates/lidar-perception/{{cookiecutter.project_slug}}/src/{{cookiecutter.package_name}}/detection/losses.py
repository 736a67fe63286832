"""CenterPoint's losses: penalty-reduced focal loss on the heatmaps, L1 on the regression at
object centres, and a binary cross-entropy on the direction bit."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..bev.decode import gather_cells
from ..bev.targets import CenterTargets

REGRESSION_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)


def focal_loss(logits: torch.Tensor, target: torch.Tensor, alpha=2.0, beta=4.0) -> torch.Tensor:
    """CenterNet's focal loss, normalised by the number of peaks (cells where target is 1)."""
    prob = torch.sigmoid(logits.float()).clamp(1e-4, 1 - 1e-4)
    positive = target.eq(1).float()
    pos = -torch.log(prob) * (1 - prob) ** alpha * positive
    neg = -torch.log(1 - prob) * prob**alpha * (1 - target) ** beta * (1 - positive)
    return (pos.sum() + neg.sum()) / positive.sum().clamp(min=1)


def detection_losses(outputs: dict, targets: CenterTargets) -> dict[str, torch.Tensor]:
    mask = targets.mask.float()
    count = mask.sum().clamp(min=1)
    regression = gather_cells(outputs["regression"].float(), targets.index)
    weights = regression.new_tensor(REGRESSION_WEIGHTS)
    l1 = (F.l1_loss(regression, targets.regression, reduction="none") * weights).sum(-1)
    direction = gather_cells(outputs["direction"].float(), targets.index)[..., 0]
    bce = F.binary_cross_entropy_with_logits(direction, targets.direction, reduction="none")
    return {
        "heatmap": focal_loss(outputs["heatmap"], targets.heatmap),
        "regression": (l1 * mask).sum() / count,
        "direction": (bce * mask).sum() / count,
    }
