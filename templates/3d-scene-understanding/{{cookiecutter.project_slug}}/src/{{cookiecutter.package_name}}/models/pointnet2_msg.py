"""PointNet++ with multi-scale grouping (MSG), with the paper's radii and sampling.

Classification (ModelNet40): 512 centres with radii 0.1/0.2/0.4 and 16/32/128 points (MLPs
32-32-64, 64-64-128, 64-96-128); 128 centres with radii 0.2/0.4/0.8 and 32/64/128 points (MLPs
64-64-128, 128-128-256, 128-128-256); then all points, MLP 256-512-1024; FC 512-256-classes.
Segmentation: yanx27/Pointnet_Pointnet2_pytorch ``pointnet2_sem_seg_msg`` (two radii per level,
1024/256/64/16 centres). 1,747,368 parameters for 40 classes, as the reference.
"""

from __future__ import annotations

from . import MODELS
from .set_abstraction import Level, PointNet2Network

CLASSIFICATION = [
    Level(512, (0.1, 0.2, 0.4), (16, 32, 128), ((32, 32, 64), (64, 64, 128), (64, 96, 128))),
    Level(128, (0.2, 0.4, 0.8), (32, 64, 128), ((64, 64, 128), (128, 128, 256), (128, 128, 256))),
    Level(None, (), (), ((256, 512, 1024),)),
]
SEGMENTATION = [
    Level(1024, (0.05, 0.1), (16, 32), ((16, 16, 32), (32, 32, 64))),
    Level(256, (0.1, 0.2), (16, 32), ((64, 64, 128), (64, 96, 128))),
    Level(64, (0.2, 0.4), (16, 32), ((128, 196, 256), (128, 196, 256))),
    Level(16, (0.4, 0.8), (16, 32), ((256, 256, 512), (256, 384, 512))),
]


@MODELS.register("pointnet2_msg")
class PointNet2MSG(PointNet2Network):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    classification_levels = CLASSIFICATION
    segmentation_levels = SEGMENTATION
