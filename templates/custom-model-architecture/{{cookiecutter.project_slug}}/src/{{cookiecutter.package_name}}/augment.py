"""Train-time augmentation on the device, for whole batches at once."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_crop_flip(images: torch.Tensor, pad: int = 0, flip: bool = False) -> torch.Tensor:
    """Shift each image by up to `pad` pixels (zero fill) and mirror half of them left-right."""
    count, _, height, width = images.shape
    if pad > 0:
        padded = F.pad(images, (pad, pad, pad, pad))
        top = torch.randint(0, 2 * pad + 1, (count,), device=images.device)
        left = torch.randint(0, 2 * pad + 1, (count,), device=images.device)
        rows = (top[:, None] + torch.arange(height, device=images.device))[:, None, :, None]
        cols = (left[:, None] + torch.arange(width, device=images.device))[:, None, None, :]
        batch = torch.arange(count, device=images.device)[:, None, None, None]
        channels = torch.arange(images.shape[1], device=images.device)[None, :, None, None]
        images = padded[batch, channels, rows, cols]
    if flip:
        mirror = torch.rand(count, device=images.device) < 0.5
        images = torch.where(mirror[:, None, None, None], images.flip(3), images)
    return images
