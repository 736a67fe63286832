"""PointNet++ with single-scale grouping (SSG), with the paper's radii and sampling.

Classification (ModelNet40): 512 centres, radius 0.2, 32 points, MLP 64-64-128; 128 centres,
radius 0.4, 64 points, MLP 128-128-256; then all points, MLP 256-512-1024; FC 512-256-classes.
Segmentation (the scene network of PointNet++'s ScanNet/S3DIS experiments, as in
yanx27/Pointnet_Pointnet2_pytorch ``pointnet2_sem_seg``): four levels of 1024/256/64/16 centres
at radii 0.1/0.2/0.4/0.8 (32 points each), then feature propagation 256-256, 256-256, 256-128,
128-128-128 and 128-classes. 1,475,688 parameters for 40 classes, as the reference.
"""

from __future__ import annotations

from . import MODELS
from .set_abstraction import Level, PointNet2Network

CLASSIFICATION = [
    Level(512, (0.2,), (32,), ((64, 64, 128),)),
    Level(128, (0.4,), (64,), ((128, 128, 256),)),
    Level(None, (), (), ((256, 512, 1024),)),
]
SEGMENTATION = [
    Level(1024, (0.1,), (32,), ((32, 32, 64),)),
    Level(256, (0.2,), (32,), ((64, 64, 128),)),
    Level(64, (0.4,), (32,), ((128, 128, 256),)),
    Level(16, (0.8,), (32,), ((256, 256, 512),)),
]


@MODELS.register("pointnet2_ssg")
class PointNet2SSG(PointNet2Network):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    classification_levels = CLASSIFICATION
    segmentation_levels = SEGMENTATION
