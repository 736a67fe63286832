"""The detection task, as the training engine sees it.

A training item is a pair of frames of one sequence (``data.pair_gap`` frames apart at most)
with their padded labels: images uint8 [B, 2, 3, H, W], targets float32 [B, 2, M, 9]
(``data.video.TARGET_COLUMNS``). Both frames train the detector (CenterNet's heatmap, size and
offset losses); the pair teaches the embedding head who is who (a contrastive loss: the same
identity in the other frame is the positive). Validation scores the first frame of each pair
with COCO's matching, summed as score histograms (``evaluation/ap.py``), so ``map`` picks the
best checkpoint exactly under torchrun too.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import TensorDataset

from .core.errors import ConfigError
from .data import load_split
from .detection.decode import decode, select
from .detection.losses import contrastive_loss, detection_losses, gather_cells
from .detection.targets import center_targets
from .engine.task import Task
from .evaluation import ap
from .models import MODELS

LOSS_WEIGHTS = {"heatmap": 1.0, "size": 0.1, "offset": 1.0, "embedding": 0.1}


class DetectionTask(Task):
    """Detect (and embed) objects in frames; the tracker links the detections afterwards."""

    primary_metric = "map"

    def __init__(self, cfg: dict):
        data = cfg["data"]
        self.class_names = [str(name) for name in data.get("classes") or ()]
        if not self.class_names:
            raise ConfigError("data.classes must list the class names, e.g. [car, pedestrian]")
        self.num_classes = len(self.class_names)
        self.image_size = (int(data["image_size"][0]), int(data["image_size"][1]))
        self.min_visibility = float(data.get("min_visibility", 0.0))
        self.pair_gap = int(data.get("pair_gap", 5))
        loss = dict(cfg.get("loss") or {})
        self.temperature = float(loss.pop("temperature", 0.1))
        unknown = sorted(set(loss) - set(LOSS_WEIGHTS))
        if unknown:
            raise ConfigError(
                f"loss.{unknown[0]} is not a loss; the losses are {', '.join(LOSS_WEIGHTS)} "
                "(and loss.temperature)"
            )
        self.weights = {**LOSS_WEIGHTS, **{k: float(v) for k, v in loss.items()}}
        detection = cfg.get("detection") or {}
        self.max_detections = int(detection.get("max_detections", 100))
        self.score_threshold = float(detection.get("score_threshold", 0.01))
        nms_iou = detection.get("nms_iou", 0.7)
        self.nms_iou = None if nms_iou is None else float(nms_iou)
        check_trackers(cfg)  # a typo in tracker: fails now, not after training
        check_detection_source(cfg)
        augment = cfg.get("augment") or {}
        self.flip = float(augment.get("flip", 0.0))
        self.brightness = float(augment.get("brightness", 0.0))
        self.contrast = float(augment.get("contrast", 0.0))

    # ---- data ------------------------------------------------------------------------------
    def load_video(self, cfg: dict, split: str):
        """The split as a VideoSplit (frames, sequences, annotations)."""
        video = load_split(cfg, split)
        if list(video.class_names) != self.class_names:
            raise ConfigError(
                f"the {split} split has classes {video.class_names}, but data.classes is "
                f"{self.class_names}"
            )
        return video

    def build_dataset(self, cfg: dict, split: str) -> TensorDataset:
        video = self.load_video(cfg, split)
        pairs = video.pairs(self.pair_gap, seed=int(cfg["data"].get("seed") or 0))
        frames = torch.from_numpy(np.ascontiguousarray(video.frames.transpose(0, 3, 1, 2)))
        targets = torch.from_numpy(video.targets())
        index = torch.from_numpy(pairs)
        return TensorDataset(frames[index], targets[index])

    def build_model(self, cfg: dict) -> torch.nn.Module:
        model = MODELS.build(cfg["model"], num_classes=self.num_classes)
        # Channels-last convolutions run 1.4-1.8x faster on CPUs (and suit GPU autocast).
        return model.to(memory_format=torch.channels_last)

    # ---- training ----------------------------------------------------------------------------
    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        images, targets = batch
        pairs, slots = images.shape[0], targets.shape[2]
        outputs = model(as_float(images.flatten(0, 1)))
        flat = targets.flatten(0, 1)
        centres = self.targets_for(outputs, flat, model)
        losses = detection_losses(outputs, centres)
        embeddings = gather_cells(outputs["embedding"], centres.index).view(pairs, 2, slots, -1)
        identity = centres.identity.view(pairs, 2, slots)
        usable = (centres.positive.view(pairs, 2, slots)) & (identity >= 0)
        losses["embedding"] = contrastive_loss(
            embeddings[:, 0][usable[:, 0]],
            embeddings[:, 1][usable[:, 1]],
            identity[:, 0][usable[:, 0]],
            identity[:, 1][usable[:, 1]],
            self.temperature,
        )
        return sum(self.weights[name] * value for name, value in losses.items())

    def targets_for(self, outputs: dict, targets: torch.Tensor, model: torch.nn.Module):
        stride = _stride(model)
        return center_targets(
            targets.float(),
            self.num_classes,
            stride,
            tuple(outputs["heatmap"].shape[-2:]),
            self.min_visibility,
        )

    def augment(self, batch: tuple) -> tuple:
        """Horizontal flips (both frames of a pair alike) and brightness / contrast jitter."""
        images, targets = batch
        images = as_float(images)
        device, pairs = images.device, images.shape[0]
        if self.flip > 0:
            flip = torch.rand(pairs, device=device) < self.flip
            images = torch.where(flip[:, None, None, None, None], images.flip(-1), images)
            width = float(self.image_size[0])
            mirrored = targets.clone()
            mirrored[..., 1], mirrored[..., 3] = width - targets[..., 3], width - targets[..., 1]
            targets = torch.where(flip[:, None, None, None], mirrored, targets)
        if self.brightness > 0 or self.contrast > 0:
            shape = (*images.shape[:2], 1, 1, 1)
            gain = 1 + (torch.rand(shape, device=device) * 2 - 1) * self.brightness
            contrast = 1 + (torch.rand(shape, device=device) * 2 - 1) * self.contrast
            mean = images.mean(dim=(2, 3, 4), keepdim=True)
            images = ((images - mean) * contrast + mean * gain).clamp(0, 1)
        return images, targets

    # ---- evaluation --------------------------------------------------------------------------
    def detect(self, model: torch.nn.Module, images: torch.Tensor):
        """Head outputs and top-k detections of frames [B, 3, H, W] (uint8 or float)."""
        outputs = model(as_float(images))
        return outputs, decode(outputs, _stride(model), self.image_size, self.max_detections)

    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        images, targets = batch[0][:, 0], batch[1][:, 0]  # the first frame of each pair
        outputs, detections = self.detect(model, images)
        losses = detection_losses(outputs, self.targets_for(outputs, targets, model))
        loss = sum(self.weights[name] * value for name, value in losses.items())
        total = {"tp": 0, "fp": 0, "gt": 0}
        for i in range(images.shape[0]):
            chosen = select(detections, i, self.score_threshold, self.nms_iou)
            real = targets[i, :, 0] >= 0
            stats = ap.image_statistics(
                chosen,
                targets[i, real, 1:5],
                targets[i, real, 0].long(),
                targets[i, real, 6] < self.min_visibility,
                self.num_classes,
            )
            total = {key: total[key] + stats[key] for key in total}
        device = images.device
        out = {key: torch.as_tensor(value, device=device) for key, value in total.items()}
        out["loss_sum"] = (loss.detach() * images.shape[0]).double()
        out["count"] = torch.tensor(float(images.shape[0]), device=device, dtype=torch.float64)
        return out

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        scores = ap.summarize(
            ap.average_precision(sums["tp"].cpu(), sums["fp"].cpu(), sums["gt"].cpu())
        )
        scores["loss"] = float(sums["loss_sum"] / sums["count"].clamp(min=1))
        return scores


def check_trackers(cfg: dict) -> None:
    """Build the configured tracker and every ablation variant once: bad options are a
    ConfigError before training starts."""
    from .pipeline import variant_config
    from .tracking import TRACKERS

    base = cfg.get("tracker") or {"name": "sort"}
    TRACKERS.build(dict(base))
    for overrides in ((cfg.get("ablation") or {}).get("variants") or {}).values():
        TRACKERS.build(variant_config(base, overrides))


# Datasets that never come with public detections (MOTChallenge's det/det.txt).
NO_PUBLIC_DETECTIONS = ("synthetic", "coco")


def check_detection_source(cfg: dict) -> None:
    """evaluate.detections names a source the data can have: a ConfigError before training."""
    from .pipeline import detection_source

    source = detection_source((cfg.get("evaluate") or {}).get("detections"))
    data = (cfg.get("data") or {}).get("name") or "synthetic"
    if source == "public" and data in NO_PUBLIC_DETECTIONS:
        raise ConfigError(
            f"evaluate.detections is public, but data.name {data} has no public detections: "
            "use MOTChallenge sequences with a det/det.txt (data.name: mot), or detector"
        )


def as_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 frames to float in [0, 1] (float frames unchanged), channels-last like the model."""
    images = images.float() / 255.0 if images.dtype == torch.uint8 else images
    if images.dim() == 4:
        images = images.contiguous(memory_format=torch.channels_last)
    return images


def _stride(model: torch.nn.Module) -> int:
    while hasattr(model, "module") or hasattr(model, "_orig_mod"):  # DDP, torch.compile
        model = getattr(model, "module", None) or model._orig_mod
    return int(model.stride)


def build_task(cfg: dict) -> DetectionTask:
    """The engine's entry point: the task a config describes."""
    return DetectionTask(cfg)
