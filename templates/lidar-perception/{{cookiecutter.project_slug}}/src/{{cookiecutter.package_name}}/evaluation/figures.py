"""Pictures for the report: a bird's-eye view with true and predicted boxes, a range image
coloured by class, and a 3D scatter of a scan coloured by prediction (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# SemanticKITTI's own colours for the 19 classes (RGB), index 0 = ignore (black).
CLASS_COLOURS = np.array(
    [
        (0, 0, 0), (100, 150, 245), (100, 230, 245), (30, 60, 150), (80, 30, 180),
        (100, 80, 250), (255, 30, 30), (255, 40, 200), (150, 30, 90), (255, 0, 255),
        (255, 150, 255), (75, 0, 75), (175, 0, 75), (255, 200, 0), (255, 120, 50),
        (0, 175, 0), (135, 60, 0), (150, 240, 80), (255, 240, 150), (255, 0, 0),
    ]
) / 255.0  # fmt: skip
CLASS_MAP = ListedColormap(CLASS_COLOURS)


def _corners(boxes: np.ndarray) -> np.ndarray:
    """BEV corners [M, 4, 2] of boxes [M, 7]."""
    x, y, length, width, yaw = boxes[:, 0], boxes[:, 1], boxes[:, 3], boxes[:, 4], boxes[:, 6]
    local = np.array([[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])
    dx, dy = local[None, :, 0] * length[:, None], local[None, :, 1] * width[:, None]
    cos, sin = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    return np.stack([x[:, None] + cos * dx - sin * dy, y[:, None] + sin * dx + cos * dy], -1)


def bev_figure(points, truth, found, x_range, y_range, path: Path, min_score: float = 0.3):
    """Points seen from above (x up the page, y to the left, as the car sees them), true
    boxes in green, detections above `min_score` in red."""
    fig, ax = plt.subplots(figsize=(6, 6), dpi=110)
    inside = (
        (points[:, 0] >= x_range[0])
        & (points[:, 0] < x_range[1])
        & (points[:, 1] >= y_range[0])
        & (points[:, 1] < y_range[1])
    )
    ax.scatter(-points[inside, 1], points[inside, 0], s=0.3, c=points[inside, 2], cmap="viridis")
    for objects, colour in ((truth, "limegreen"), (found, "red")):
        if objects is None or len(objects) == 0:
            continue
        keep = (
            np.ones(len(objects), bool) if objects.scores is None else objects.scores >= min_score
        )
        for corner in _corners(objects.boxes[keep]):
            ring = np.r_[corner, corner[:1]]
            ax.plot(-ring[:, 1], ring[:, 0], color=colour, linewidth=1.0)
    ax.set_xlim(-y_range[1], -y_range[0])
    ax.set_ylim(*x_range)
    ax.set_aspect("equal")
    ax.set_xlabel("-y (m)")
    ax.set_ylabel("x (m)")
    ax.set_title("BEV: ground truth (green), detections (red)")
    return _save(fig, path)


def class_legend(fig, ids, names) -> None:
    """A legend under the figure of the classes `ids` (train ids, 0 left out)."""
    shown = [int(i) for i in np.unique(ids) if i != 0]
    handles = [Patch(color=CLASS_COLOURS[i], label=names[i - 1]) for i in shown]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=7,
               ncol=min(len(handles), 7), frameon=False)  # fmt: skip


def range_figure(labels: np.ndarray, truth: np.ndarray, path: Path, names=None):
    """Predicted and true classes of a range image ([H, W] train ids, 0 = no return), with a
    legend when the class `names` (train ids 1..) are given."""
    fig, axes = plt.subplots(2, 1, figsize=(10, 2.6), dpi=110)
    for ax, image, title in ((axes[0], labels, "predicted"), (axes[1], truth, "ground truth")):
        ax.imshow(
            image,
            cmap=CLASS_MAP,
            vmin=0,
            vmax=len(CLASS_COLOURS) - 1,
            interpolation="nearest",
            aspect="auto",
        )
        ax.set_title(f"range image, {title} classes", fontsize=9)
        ax.axis("off")
    if names:
        class_legend(fig, np.concatenate([labels.ravel(), truth.ravel()]), names)
    return _save(fig, path)


def scatter_figure(points: np.ndarray, labels: np.ndarray, path: Path, max_points: int = 20000,
                   names=None):  # fmt: skip
    """A 3D scatter of a scan coloured by (predicted) class, with a legend when the class
    `names` (train ids 1..) are given."""
    rng = np.random.default_rng(0)
    chosen = rng.permutation(len(points))[:max_points]
    fig = plt.figure(figsize=(7, 5), dpi=110)
    ax = fig.add_subplot(projection="3d")
    ax.scatter(*points[chosen, :3].T, c=CLASS_COLOURS[labels[chosen]], s=0.2)
    ax.set_box_aspect((2, 2, 0.3), zoom=1.5)
    ax.view_init(elev=35, azim=200)
    ax.set_axis_off()
    ax.set_title("scan coloured by predicted class")
    if names:
        class_legend(fig, labels, names)
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")  # "tight" keeps a legend placed below the axes
    plt.close(fig)
    return path
