"""CenterNet's losses, and a contrastive loss that teaches the embedding head identity.

* heatmap: the penalty-reduced focal loss of CornerNet / CenterNet, summed and divided by the
  number of objects;
* size and offset: L1 at the objects' centre cells;
* embedding: each training item is two frames of one sequence; an object's embedding in one
  frame should be closer to the same identity in the other frame than to any other object in
  the batch (InfoNCE with temperature tau, both directions), which is the quasi-dense
  similarity learning idea (Pang et al., 2021) reduced to the object centres.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .targets import CenterTargets


def focal_loss(
    logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor, alpha: float = 2.0,
    beta: float = 4.0,
) -> torch.Tensor:  # fmt: skip
    """Penalty-reduced focal loss of heatmap logits [B, C, h, w] against a Gaussian target."""
    logits = logits.float()
    positive = target >= 1.0
    log_p = F.logsigmoid(logits)
    log_not_p = F.logsigmoid(-logits)
    p = log_p.exp()
    positive_loss = -((1 - p) ** alpha) * log_p
    negative_loss = -((1 - target) ** beta) * (p**alpha) * log_not_p
    loss = torch.where(positive, positive_loss, negative_loss) * weight
    return loss.sum() / positive.sum().clamp(min=1)


def gather_cells(feature: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Values [B, M, D] of a feature map [B, D, h, w] at flat cell indices [B, M]."""
    flat = feature.flatten(2)  # [B, D, h*w]
    return flat.gather(2, index[:, None, :].expand(-1, flat.shape[1], -1)).transpose(1, 2)


def regression_loss(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor):
    """Mean L1 over the masked objects of predictions [B, M, D] against targets [B, M, D]."""
    mask = mask[..., None].to(prediction.dtype)
    total = (F.l1_loss(prediction.float(), target, reduction="none") * mask).sum()
    return total / mask.sum().clamp(min=1)


def contrastive_loss(
    first: torch.Tensor, second: torch.Tensor, first_ids: torch.Tensor, second_ids: torch.Tensor,
    temperature: float = 0.1,
) -> torch.Tensor:  # fmt: skip
    """InfoNCE between the object embeddings of two frames, pooled over the batch.

    first [N, E], second [K, E] (already selected: real, visible objects); ids [N], [K].
    An object with its identity in the other set is an anchor; every other object there is a
    negative. Zero when no identity appears in both."""
    if len(first) == 0 or len(second) == 0:
        return first.sum() * 0 + second.sum() * 0
    a = F.normalize(first.float(), dim=-1)
    b = F.normalize(second.float(), dim=-1)
    logits = a @ b.T / temperature
    same = first_ids[:, None] == second_ids[None, :]
    losses = []
    for scores, match in ((logits, same), (logits.T, same.T)):
        anchors = match.any(dim=1)
        if anchors.any():
            scores, match = scores[anchors], match[anchors]
            target = match.float().argmax(dim=1)
            # Another sighting of the same identity (a second pair from one sequence) is
            # neither the target nor a negative.
            others = match & (torch.arange(match.shape[1], device=match.device) != target[:, None])
            losses.append(F.cross_entropy(scores.masked_fill(others, float("-inf")), target))
    if not losses:
        return logits.sum() * 0
    return torch.stack(losses).mean()


def detection_losses(
    outputs: dict[str, torch.Tensor], targets: CenterTargets
) -> dict[str, torch.Tensor]:
    """heatmap, size and offset losses of head outputs against targets."""
    positive = targets.positive
    return {
        "heatmap": focal_loss(outputs["heatmap"], targets.heatmap, targets.weight),
        "size": regression_loss(
            gather_cells(outputs["size"], targets.index), targets.size, positive
        ),
        "offset": regression_loss(
            gather_cells(outputs["offset"], targets.index), targets.offset, positive
        ),
    }
