"""Procedural street videos: the default dataset, made on the fly and the same on every machine.

Each sequence has its own background (asphalt texture, lane markings, sidewalks, facades),
its own lighting (a slow brightness drift, a cloud shadow sweeping across, a colour cast) and
sensor noise; the agents of ``traffic.py`` move through it. Every object of every frame is
annotated with its box, class, identity, visibility (the share of the object that is seen),
occlusion (the share of its in-image part hidden by nearer things) and truncation (the share
outside the image).

Random streams: sequence ``i`` of split ``s`` draws from ``SeedSequence(seed, spawn_key=(s,
i))``, so the splits never share a sequence, and a split is the same however many sequences
the other splits have or in which order they are built.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from ..core.errors import ConfigError
from . import DATASETS
from .render import Compositor, rasterize
from .traffic import CLASSES, Layout, Street
from .video import Annotations, SequenceInfo, VideoSplit

SPLIT_KEYS = {"train": 0, "val": 1, "test": 2}
DEFAULT_SEQUENCES = {"train": 24, "val": 4, "test": 8}
DEFAULT_FRAMES = {"train": 40, "val": 40, "test": 60}


@DATASETS.register("synthetic")
def synthetic(
    split: str,
    seed: int,
    image_size: tuple[int, int],
    root=None,
    classes: tuple[str, ...] = CLASSES,
    sequences: dict | None = None,
    frames: dict | None = None,
    spawn_rate: float = 0.12,
    max_agents: int = 9,
    furniture: tuple[int, int] = (1, 3),
    class_mix: tuple[float, float, float] = (0.45, 0.35, 0.20),
    speed: float = 1.0,
    lighting: float = 0.15,
    shadows: bool = True,
    noise: float = 2.0,
    fps: float = 10.0,
) -> VideoSplit:
    """The `split` of the synthetic street dataset (options: ``data.synthetic.*``)."""
    if tuple(classes) != CLASSES:
        raise ConfigError(
            f"the synthetic street has the classes {list(CLASSES)}; set data.classes so"
        )
    counts = {**DEFAULT_SEQUENCES, **(sequences or {})}
    lengths = {**DEFAULT_FRAMES, **(frames or {})}
    key = (
        split, int(seed), tuple(int(v) for v in image_size), int(counts[split]),
        int(lengths[split]), float(spawn_rate), int(max_agents), tuple(furniture),
        tuple(float(c) for c in class_mix), float(speed), float(lighting), bool(shadows),
        float(noise), float(fps),
    )  # fmt: skip
    video = _generate(*key)
    # A copy: the cache must not be changed by a caller's in-place edits.
    return VideoSplit(
        video.split,
        list(video.class_names),
        video.frames.copy(),
        list(video.sequences),
        video.annotations.select(np.ones(len(video.annotations), dtype=bool)),
    )


@lru_cache(maxsize=4)
def _generate(
    split, seed, image_size, count, length, spawn_rate, max_agents, furniture, class_mix,
    speed, lighting, shadows, noise, fps,
) -> VideoSplit:  # fmt: skip
    width, height = image_size
    frames, rows, sequences = [], [], []
    for index in range(count):
        rng = np.random.default_rng(
            np.random.SeedSequence(entropy=seed, spawn_key=(SPLIT_KEYS[split], index))
        )
        start = len(frames)
        # Identities unique over the splits, whatever the number of sequences.
        identities = itertools.count(SPLIT_KEYS[split] * 10**8 + index * 10**5 + 1)
        street = Street(
            rng,
            width,
            height,
            identities,
            spawn_rate,
            max_agents,
            tuple(furniture),
            class_mix,
            speed,
        )
        background = make_background(rng, street.layout)
        light = Lighting(rng, width, length, lighting, shadows)
        drawn_once = {}
        for t in range(length):
            canvas = background.copy()
            compositor = Compositor(canvas)
            annotated = []
            for item in street.step():
                if item.identity is None:  # street furniture stands still: draw it once
                    key = id(item)
                    if key not in drawn_once:
                        drawn_once[key] = rasterize(item.primitives, item.x, item.y)
                    sprite = drawn_once[key]
                else:
                    sprite = rasterize(item.primitives, item.x, item.y)
                slot = compositor.paint(sprite, annotate=item.identity is not None)
                if slot is not None:
                    annotated.append((item, sprite))
            image = light.apply(canvas, t)
            image *= 255.0
            image += rng.standard_normal(image.shape, dtype=np.float32) * noise + 0.5
            frames.append(np.clip(image, 0, 255).astype(np.uint8))
            for (item, sprite), seen in zip(annotated, compositor.visibility(), strict=True):
                box = np.clip(sprite.box, 0, [width, height, width, height])
                if box[2] - box[0] < 1.0 or box[3] - box[1] < 1.0 or seen.in_image_area <= 0:
                    continue  # not yet (or no longer) in the picture
                rows.append(
                    (
                        start + t,
                        item.identity,
                        item.label,
                        *box,
                        seen.visible_area / seen.full_area,
                        1.0 - seen.visible_area / seen.in_image_area,
                        1.0 - seen.in_image_area / seen.full_area,
                    )
                )
        sequences.append(
            SequenceInfo(f"street-{split}-{index:03d}", start, length, fps, width, height)
        )
    stacked = np.stack(frames) if frames else np.zeros((0, height, width, 3), np.uint8)
    return VideoSplit(split, list(CLASSES), stacked, sequences, Annotations.from_rows(rows))


def make_background(rng: np.random.Generator, layout: Layout) -> np.ndarray:
    """A street without agents: facades, two sidewalks, asphalt with markings. [H, W, 3]."""
    width, height = layout.width, layout.height
    y = np.arange(height)[:, None] + 0.5
    x = np.arange(width)[None, :] + 0.5
    image = np.empty((height, width, 3))
    asphalt = rng.uniform(0.26, 0.40)
    image[:] = asphalt
    # Texture: coarse blotches plus fine grain.
    coarse = rng.normal(0, 0.03, (height // 8 + 2, width // 8 + 2))
    coarse = np.kron(coarse, np.ones((8, 8)))[:height, :width]
    image += (coarse + rng.normal(0, 0.012, (height, width)))[..., None]
    road_top, road_bottom = layout.road
    walk = rng.uniform(0.52, 0.66)
    for top, bottom in ((0, road_top), (road_bottom, height)):
        band = (y >= top) & (y < bottom)
        tiles = ((np.floor(x / (7 * layout.unit)) + np.floor(y / (4 * layout.unit))) % 2) * 0.03
        image[np.broadcast_to(band, (height, width))] = 0
        image += (band * (walk + tiles + rng.normal(0, 0.01, (height, width))))[..., None]
    # Facades along the top: blocks of colour with rows of windows.
    facade = 0.11 * height
    x0 = 0.0
    while x0 < width:
        block = rng.uniform(14, 34) * layout.unit
        colour = np.array(rng.choice([[0.55, 0.30, 0.25], [0.75, 0.68, 0.55], [0.45, 0.47, 0.5]]))
        colour = colour + rng.normal(0, 0.04, 3)
        inside = (x >= x0) & (x < x0 + block) & (y < facade)
        image[inside] = colour
        windows = inside & ((x - x0) % (6 * layout.unit) > 2.5 * layout.unit) & (y % 5 > 2)
        image[windows] = colour * 0.35
        x0 += block
    # Markings: solid edge lines, a dashed line between the lanes of each direction, and the
    # centre line.
    marks = np.zeros((height, width), dtype=bool)
    for line_y in (road_top + 1.0, road_bottom - 1.0, 0.56 * height):
        marks |= np.abs(y - line_y) < 0.5
    dash = rng.uniform(0, 12)
    for line_y in (0.45 * height, 0.67 * height):
        marks |= (np.abs(y - line_y) < 0.5) & (((x + dash) % 12) < 6)
    image[np.broadcast_to(marks, (height, width))] = rng.uniform(0.8, 0.9)
    return np.clip(image, 0.0, 1.0)


class Lighting:
    """Per-sequence lighting: a colour cast, a slow brightness drift and a cloud shadow."""

    def __init__(self, rng, width: int, length: int, strength: float, shadows: bool):
        self.cast = 1.0 + rng.normal(0, 0.04, 3)
        self.amplitude = rng.uniform(0.3, 1.0) * strength
        self.period = rng.uniform(30, 120)
        self.phase = rng.uniform(0, 2 * np.pi)
        self.base = rng.uniform(0.85, 1.1)
        self.shadow = shadows and rng.random() < 0.6
        self.shadow_depth = rng.uniform(0.15, 0.35)
        self.shadow_width = rng.uniform(0.12, 0.3) * width
        start = rng.uniform(-0.3, 1.3) * width
        speed = rng.uniform(-1.5, 1.5) * width / max(length, 1)
        self.shadow_x = start + speed * np.arange(length)
        self.x = np.arange(width) + 0.5

    def apply(self, canvas: np.ndarray, t: int) -> np.ndarray:
        gain = self.base * (1.0 + self.amplitude * np.sin(2 * np.pi * t / self.period + self.phase))
        image = canvas * (gain * self.cast)
        if self.shadow:
            dark = self.shadow_depth * np.exp(
                -(((self.x - self.shadow_x[t]) / self.shadow_width) ** 2)
            )
            image *= (1.0 - dark)[None, :, None]
        return image
