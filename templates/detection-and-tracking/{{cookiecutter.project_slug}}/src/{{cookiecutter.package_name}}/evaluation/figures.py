"""Figures of an evaluated run: precision-recall curves, frames with tracks, an animated GIF.

Frames are drawn with Pillow (boxes coloured by track id, the id written above each box),
enlarged with nearest-neighbour so the small synthetic frames stay crisp; plots with
matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np

from .tracking_eval import BoxTable


def track_colour(track_id: int) -> tuple[int, int, int]:
    """A bright colour per track id, stable across frames (golden-ratio hue steps)."""
    hue = (int(track_id) * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.85, 1.0)
    return int(r * 255), int(g * 255), int(b * 255)


def draw_tracks(frame: np.ndarray, tracks: BoxTable, t: int, class_names, scale: int = 4):
    """One frame (uint8 [H, W, 3]) with the tracks reported at frame t, as a PIL image."""
    from PIL import Image, ImageDraw

    image = Image.fromarray(frame).resize(
        (frame.shape[1] * scale, frame.shape[0] * scale), Image.NEAREST
    )
    draw = ImageDraw.Draw(image)
    rows = np.flatnonzero(tracks.frame == t)
    for row in rows:
        colour = track_colour(tracks.track_id[row])
        x1, y1, x2, y2 = (float(v) * scale for v in tracks.boxes[row])
        draw.rectangle([x1, y1, x2, y2], outline=colour, width=2)
        label = f"{tracks.track_id[row]} {class_names[int(tracks.label[row])][:3]}"
        draw.rectangle([x1, max(0, y1 - 11), x1 + 6 * len(label) + 2, y1], fill=colour)
        draw.text((x1 + 1, max(0, y1 - 11)), label, fill=(0, 0, 0))
    return image


def frames_figure(video, sequence_index: int, tracks: BoxTable, path: Path, count: int = 4) -> Path:
    """A 2-column grid of `count` frames spread over one sequence, tracks drawn."""
    from PIL import Image

    sequence = video.sequences[sequence_index]
    steps = np.linspace(0, sequence.length - 1, count).round().astype(int)
    tiles = [
        draw_tracks(video.frames[sequence.start + t], tracks, int(t), video.class_names, scale=3)
        for t in steps
    ]
    width, height = tiles[0].size
    columns = 2
    rows = -(-len(tiles) // columns)
    grid = Image.new(
        "RGB", (columns * width + (columns - 1) * 4, rows * height + (rows - 1) * 4), "white"
    )
    for i, tile in enumerate(tiles):
        grid.paste(tile, ((i % columns) * (width + 4), (i // columns) * (height + 4)))
    path.parent.mkdir(parents=True, exist_ok=True)
    grid.save(path, optimize=True)
    return path


def tracks_gif(video, sequence_index: int, tracks: BoxTable, path: Path, max_frames: int = 24,
               fps: float = 8.0, scale: int = 2) -> Path:  # fmt: skip
    """An animated GIF of the first `max_frames` frames of a sequence with its tracks."""
    sequence = video.sequences[sequence_index]
    frames = [
        draw_tracks(
            video.frames[sequence.start + t], tracks, t, video.class_names, scale=scale
        ).convert("P", palette=1, colors=48)  # adaptive palette: a small file
        for t in range(min(max_frames, sequence.length))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(
        path, save_all=True, append_images=frames[1:], duration=int(1000 / fps), loop=0,
        optimize=True,
    )  # fmt: skip
    return path


def pr_figure(curves: dict, path: Path) -> Path:
    """Precision-recall curves per class at IoU 0.50 (solid) and 0.75 (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    colours = plt.get_cmap("tab10")
    for i, (name, curve) in enumerate(curves.items()):
        ax.plot(curve["recall"], curve["precision50"], color=colours(i), label=f"{name} IoU 0.50")
        ax.plot(curve["recall"], curve["precision75"], color=colours(i), ls="--",
                label=f"{name} IoU 0.75")  # fmt: skip
    ax.set_xlabel("recall")
    ax.set_ylabel("precision (interpolated, COCO)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("precision-recall on the test split")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
