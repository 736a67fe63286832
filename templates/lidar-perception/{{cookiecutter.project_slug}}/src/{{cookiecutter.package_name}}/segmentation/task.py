"""Semantic segmentation as the training engine sees it: range images in, per-pixel labels out.

Every scan is projected once (``range_image.py``) into a normalised image [5, H, W], the
per-pixel target (SemanticKITTI's 19 train ids of the nearest point, 0 = ignore or empty) and
the mask of filled pixels; the three form a TensorDataset the engine keeps on the device.

Augmentation works on those images, on the device, instead of on the points: mirroring
across the x-z plane (y -> -y) is reversing the columns, a turn about z by a multiple of
360 / W degrees is rolling them, each with x and y rotated to match. For a simulated scan
(pixels from the sensor's own indices) that is exactly the image of the moved points; for a
real scan it is so up to the column quantisation. Doing it on points would mean projecting
every scan again on the CPU at every step.

Validation sums a confusion matrix over labelled pixels (rows true, columns predicted; row
and column 0 stay empty), so mIoU is exact under torchrun. ``predict_points`` labels every
point of a scan (back-projection, optional kNN refinement: ``knn.py``) for point-level
evaluation.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from ..core.errors import ConfigError
from ..data import load_scans
from ..data.semantickitti import CLASS_NAMES, learning_map  # noqa: F401 (evaluate reads them here)
from ..engine.task import Task
from ..models import MODELS
from .knn import knn_refine
from .range_image import DEFAULT_MEANS, DEFAULT_STDS, normalise, pixel_owner, project

NUM_CLASSES = 20  # 19 train ids + 0 (ignore)
IGNORE = 0
RANGE_IMAGE_DEFAULTS = {"height": 64, "width": 2048, "fov_up": 3.0, "fov_down": -25.0}
KNN_DEFAULTS = {"enabled": False, "k": 5, "window": 5, "cutoff": 1.0}


def range_image_options(cfg: dict) -> dict:
    """``range_image.*`` with defaults (KITTI HDL-64E: 64 x 2048, +3 to -25 degrees)."""
    options = {**RANGE_IMAGE_DEFAULTS, **(cfg.get("range_image") or {})}
    unknown = sorted(set(options) - {*RANGE_IMAGE_DEFAULTS, "means", "stds"})
    if unknown:
        known = ", ".join([*RANGE_IMAGE_DEFAULTS, "means", "stds"])
        raise ConfigError(f"range_image.{unknown[0]} is not an option ({known})")
    options["means"] = tuple(float(v) for v in options.get("means") or DEFAULT_MEANS)
    options["stds"] = tuple(float(v) for v in options.get("stds") or DEFAULT_STDS)
    return options


def project_scan(scan, options: dict, normalised: bool = True):
    """(image [5, H, W], normalised unless told not, mask [H, W], pixel index [N, 2])."""
    return project(
        scan.points,
        float(options["fov_up"]),
        float(options["fov_down"]),
        int(options["height"]),
        int(options["width"]),
        ring=scan.ring,
        column=scan.column,
        means=options["means"] if normalised else None,
        stds=options["stds"] if normalised else None,
    )


def pixel_targets(scan, pixel_index: np.ndarray, height: int, width: int) -> np.ndarray:
    """[H, W] int64 train id of the point that owns each pixel (0 where empty or unlabelled)."""
    if scan.labels is None:
        return np.zeros((height, width), dtype=np.int64)
    point_range = np.linalg.norm(scan.points[:, :3], axis=1)
    owner = pixel_owner(pixel_index, point_range, height, width)
    train_ids = learning_map(scan.semantic)
    return np.where(owner >= 0, train_ids[np.maximum(owner, 0)], IGNORE).astype(np.int64)


def predicted_labels(logits: torch.Tensor) -> torch.Tensor:
    """Argmax over the real classes (1 ..): class 0 (ignore) is never predicted."""
    return logits[:, 1:].argmax(1) + 1


class SegmentationTask(Task):
    """Per-pixel SemanticKITTI classes of range images; best.pt by mIoU."""

    primary_metric = "miou"

    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.options = range_image_options(cfg)
        augment = cfg.get("augment") or {}
        known = ("flip_y", "rotate", "pixel_dropout", "beam_dropout")
        unknown = sorted(set(augment) - set(known))
        if unknown:
            raise ConfigError(
                f"augment.{unknown[0]} is not an augmentation here ({', '.join(known)})"
            )
        self.flip = float(augment.get("flip_y", 0.0))
        self.rotate = bool(augment.get("rotate", False))
        self.pixel_dropout = float(augment.get("pixel_dropout", 0.0))
        self.beam_dropout = float(augment.get("beam_dropout", 0.0))
        for name in ("pixel_dropout", "beam_dropout"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"augment.{name} must be in [0, 1], got {getattr(self, name)}")
        loss = cfg.get("loss") or {}
        self.weighting = loss.get("class_weights") or "none"
        if self.weighting not in ("none", "inverse_sqrt"):
            raise ConfigError(
                f"loss.class_weights must be inverse_sqrt or none, got {self.weighting!r}"
            )
        self.class_weights: torch.Tensor | None = None
        self._datasets: dict = {}
        self._scans: dict = {}

    # ---- data ------------------------------------------------------------------------------
    def images(self, scans: list) -> TensorDataset:
        """(image float32 [S, 5, H, W], target int64 [S, H, W], mask bool [S, H, W]) of scans."""
        height, width = int(self.options["height"]), int(self.options["width"])
        images = np.zeros((len(scans), 5, height, width), dtype=np.float32)
        targets = np.zeros((len(scans), height, width), dtype=np.int64)
        masks = np.zeros((len(scans), height, width), dtype=bool)
        for i, scan in enumerate(scans):
            images[i], masks[i], pixel_index = project_scan(scan, self.options)
            targets[i] = pixel_targets(scan, pixel_index, height, width)
        return TensorDataset(
            torch.from_numpy(images), torch.from_numpy(targets), torch.from_numpy(masks)
        )

    def scans(self, cfg: dict, split: str) -> list:
        """The split's scans, loaded once (evaluation reads them again for point labels)."""
        key = (split, id(cfg["data"]))
        if key not in self._scans:
            self._scans[key] = load_scans(cfg, split)
        return self._scans[key]

    def build_dataset(self, cfg: dict, split: str) -> TensorDataset:
        key = (split, id(cfg["data"]))
        if key not in self._datasets:
            self._datasets[key] = self.images(self.scans(cfg, split))
            if split == "train" and self.weighting == "inverse_sqrt":
                self.class_weights = inverse_sqrt_weights(self._datasets[key].tensors[1])
        return self._datasets[key]

    def build_model(self, cfg: dict) -> torch.nn.Module:
        spec = {k: _tuples(v) for k, v in cfg["model"].items()}
        return MODELS.build(spec, num_classes=NUM_CLASSES)

    # ---- training ----------------------------------------------------------------------------
    def augment(self, batch: tuple) -> tuple:
        """Random mirror (y -> -y: columns reversed), turn about z (columns rolled), and the
        sparser scans of a worse sensor: lost returns and half the beams."""
        return self.sparsify(*self.mirror_and_turn(batch))

    def sparsify(self, image, target, mask) -> tuple:
        """Empty some pixels, as a real scan loses returns: each item loses a random share (up
        to ``augment.pixel_dropout``) of its pixels, and with probability
        ``augment.beam_dropout`` every other row (a sensor with half the beams). Emptied
        pixels look like the projection's empty ones (zeros, masked) and are not scored."""
        if self.pixel_dropout <= 0 and self.beam_dropout <= 0:
            return image, target, mask
        batch_size, _, height, width = image.shape
        device = image.device
        keep = torch.ones(batch_size, height, width, dtype=torch.bool, device=device)
        if self.pixel_dropout > 0:
            share = torch.rand(batch_size, 1, 1, device=device) * self.pixel_dropout
            keep &= torch.rand(batch_size, height, width, device=device) >= share
        if self.beam_dropout > 0:
            halve = torch.rand(batch_size, device=device) < self.beam_dropout
            odd = (torch.arange(height, device=device) % 2 == 1)[None, :, None]
            keep &= ~(halve[:, None, None] & odd)
        return image * keep[:, None], torch.where(keep, target, IGNORE), mask & keep

    def mirror_and_turn(self, batch: tuple) -> tuple:
        image, target, mask = batch
        if self.flip <= 0 and not self.rotate:
            return batch
        batch_size, width = image.shape[0], image.shape[-1]
        device = image.device
        columns = torch.arange(width, device=device).expand(batch_size, width)
        shift = torch.zeros(batch_size, dtype=torch.long, device=device)
        if self.rotate:
            shift = torch.randint(0, width, (batch_size,), device=device)
            columns = (columns - shift[:, None]) % width  # new column c shows old c - shift
        sign = torch.ones(batch_size, device=device)
        if self.flip > 0:  # mirrored first, then turned: new column c shows old W-1-(c-shift)
            flip = torch.rand(batch_size, device=device) < self.flip
            columns = torch.where(flip[:, None], width - 1 - columns, columns)
            sign = torch.where(flip, -1.0, 1.0)
        image = _take_columns(image, columns)
        target = _take_columns(target[:, None], columns)[:, 0]
        mask = _take_columns(mask[:, None], columns)[:, 0]
        # the points moved: mirror y, then turn by -2 pi shift / W (azimuth falls with column)
        means = torch.tensor(self.options["means"], device=device, dtype=image.dtype)
        stds = torch.tensor(self.options["stds"], device=device, dtype=image.dtype)
        x = image[:, 1] * stds[1] + means[1]
        y = (image[:, 2] * stds[2] + means[2]) * sign[:, None, None]
        angle = (-2 * math.pi * shift / width).to(image.dtype)[:, None, None]
        cos, sin = torch.cos(angle), torch.sin(angle)
        image = image.clone()
        image[:, 1] = ((cos * x - sin * y - means[1]) / stds[1]) * mask
        image[:, 2] = ((sin * x + cos * y - means[2]) / stds[2]) * mask
        return image, target, mask

    def weights_on(self, device: torch.device) -> torch.Tensor | None:
        if self.weighting == "none":
            return None
        if self.class_weights is None:  # the loss before the train split was built
            self.build_dataset(self.cfg, "train")
        return self.class_weights.to(device)

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        image, target, _ = batch
        logits = model(image).float()
        weight = self.weights_on(logits.device)
        loss_sum = F.cross_entropy(
            logits, target, weight=weight, ignore_index=IGNORE, reduction="sum"
        )
        labelled = target != IGNORE
        # the weighted mean over labelled pixels; a batch with none gives 0, not NaN
        total = weight[target[labelled]].sum() if weight is not None else labelled.sum()
        return loss_sum / total.clamp(min=1e-6)

    # ---- evaluation --------------------------------------------------------------------------
    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        image, target, _ = batch
        logits = model(image).float()
        labelled = target != IGNORE
        loss_sum = F.cross_entropy(logits, target, ignore_index=IGNORE, reduction="sum")
        truth = target[labelled]
        predicted = predicted_labels(logits)[labelled]
        confusion = torch.bincount(truth * NUM_CLASSES + predicted, minlength=NUM_CLASSES**2)
        return {
            "confusion": confusion.reshape(NUM_CLASSES, NUM_CLASSES).double(),
            "loss_sum": loss_sum.double(),
            "count": labelled.sum().double(),
        }

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict:
        """miou (over the classes present in the targets), accuracy (of labelled pixels),
        iou_per_class (the 19 classes, NaN where absent) and the unweighted loss."""
        metrics = confusion_metrics(sums["confusion"])
        metrics["loss"] = float(sums["loss_sum"] / sums["count"].clamp(min=1))
        return metrics


def confusion_metrics(confusion) -> dict:
    """miou, accuracy and iou_per_class of a [20, 20] confusion (row and column 0 ignored)."""
    counts = torch.as_tensor(confusion).double().cpu()[1:, 1:]
    true_positive = counts.diag()
    support, predicted = counts.sum(1), counts.sum(0)
    union = support + predicted - true_positive
    nan = torch.full_like(union, math.nan)
    iou = torch.where(support > 0, true_positive / union.clamp(min=1), nan)
    present = support > 0
    total = counts.sum()
    return {
        "miou": float(iou[present].mean()) if present.any() else 0.0,
        "accuracy": float(true_positive.sum() / total) if total > 0 else 0.0,
        "iou_per_class": iou.tolist(),
    }


def inverse_sqrt_weights(targets: torch.Tensor) -> torch.Tensor:
    """[20] loss weights 1 / sqrt(frequency) of each class in `targets`, mean 1 over the
    classes present; 0 for class 0 and 1 for absent classes (they never occur anyway)."""
    counts = torch.bincount(targets.reshape(-1), minlength=NUM_CLASSES).double()
    counts[IGNORE] = 0
    weights = torch.ones(NUM_CLASSES, dtype=torch.float64)
    present = counts > 0
    if present.any():
        raw = 1.0 / torch.sqrt(counts[present] / counts.sum())
        weights[present] = raw / raw.mean()
    weights[IGNORE] = 0.0
    return weights.float()


@torch.no_grad()
def predict_points(model: torch.nn.Module, scan, cfg: dict, seconds: dict | None = None):
    """[N] int64 train id of every point of `scan`: project, run the model, read each point's
    pixel, and (``knn.enabled``) refine by the kNN vote, which also relabels the points whose
    pixel a nearer point took. `seconds`, when given, accumulates the time of each stage
    (projection, network, knn)."""
    seconds = {} if seconds is None else seconds
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = seconds.get(stage, 0.0) + now - clock
        clock = now

    options = range_image_options(cfg)
    knn = {**KNN_DEFAULTS, **(cfg.get("knn") or {})}
    raw, mask, pixel_index = project_scan(scan, options, normalised=False)
    image = normalise(raw, mask, options["means"], options["stds"])
    lap("projection")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits = model(torch.from_numpy(image)[None].to(device))
    model.train(was_training)
    pixel_labels = predicted_labels(logits.float())[0]
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    lap("network")
    index = torch.from_numpy(pixel_index).to(device)
    if not knn["enabled"]:
        return pixel_labels[index[:, 0], index[:, 1]].cpu().numpy().astype(np.int64)
    point_range = np.linalg.norm(scan.points[:, :3], axis=1)
    refined = knn_refine(
        torch.from_numpy(raw[0]).to(device),
        torch.from_numpy(point_range).to(device),
        index,
        pixel_labels,
        k=int(knn["k"]),
        window=int(knn["window"]),
        cutoff=float(knn["cutoff"]),
        num_classes=NUM_CLASSES,
    )
    labels = refined.cpu().numpy().astype(np.int64)
    lap("knn")
    return labels


def _take_columns(tensor: torch.Tensor, columns: torch.Tensor) -> torch.Tensor:
    """tensor [B, C, H, W] with its columns picked per item by `columns` [B, W]."""
    index = columns[:, None, None, :].expand(tensor.shape[0], tensor.shape[1], tensor.shape[2], -1)
    return torch.gather(tensor, 3, index)


def _tuples(value):
    """YAML lists as tuples (nested too), like the constructors' defaults."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
