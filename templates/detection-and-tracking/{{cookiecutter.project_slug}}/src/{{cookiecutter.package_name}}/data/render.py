"""Drawing for the synthetic scenes: anti-aliased shapes from signed distances, and a
compositor that records how much of each object stays visible.

A shape is a list of primitives (rounded rectangles and circles) in pixel units, placed
relative to an anchor point (the object's bottom centre). Coverage is
``clip(0.5 - signed_distance, 0, 1)``, so edges fall between pixels exactly where the geometry
says, and the ground-truth box (the union of the primitives' extents) matches the pixels to a
fraction of a pixel: that is what makes COCO's strict IoU thresholds (0.75 to 0.95) learnable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Primitive:
    """A rounded rectangle (``radius`` < half size) or a circle (``half_w == half_h == radius``)
    centred at (dx, dy) from the anchor, filled with an RGB colour in [0, 1]."""

    dx: float
    dy: float
    half_w: float
    half_h: float
    radius: float
    color: tuple[float, float, float]

    def bounds(self) -> tuple[float, float, float, float]:
        return (
            self.dx - self.half_w,
            self.dy - self.half_h,
            self.dx + self.half_w,
            self.dy + self.half_h,
        )

    def coverage(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Fraction of each pixel (centres x, y relative to the anchor) inside the primitive."""
        qx = np.abs(x - self.dx) - (self.half_w - self.radius)
        qy = np.abs(y - self.dy) - (self.half_h - self.radius)
        outside = np.hypot(np.maximum(qx, 0.0), np.maximum(qy, 0.0))
        inside = np.minimum(np.maximum(qx, qy), 0.0)
        distance = outside + inside - self.radius
        return np.clip(0.5 - distance, 0.0, 1.0)


@dataclass
class Sprite:
    """A shape drawn at an anchor: its window in image coordinates (possibly partly outside
    the image), colour and coverage there."""

    x0: int
    y0: int
    rgb: np.ndarray  # [h, w, 3] colour premultiplied by alpha
    alpha: np.ndarray  # [h, w]
    box: tuple[float, float, float, float]  # exact extent, image coordinates, unclipped

    @property
    def full_area(self) -> float:
        return float(self.alpha.sum())


def rasterize(primitives: list[Primitive], anchor_x: float, anchor_y: float) -> Sprite:
    """Draw primitives (in order, later ones on top) into a window around their extent."""
    p = np.array([(q.dx, q.dy, q.half_w, q.half_h, q.radius) for q in primitives])
    colours = np.array([q.color for q in primitives])  # [P, 3]
    x1, y1 = (p[:, 0] - p[:, 2]).min() + anchor_x, (p[:, 1] - p[:, 3]).min() + anchor_y
    x2, y2 = (p[:, 0] + p[:, 2]).max() + anchor_x, (p[:, 1] + p[:, 3]).max() + anchor_y
    x0, y0 = int(np.floor(x1)) - 1, int(np.floor(y1)) - 1
    width, height = int(np.ceil(x2)) + 1 - x0, int(np.ceil(y2)) + 1 - y0
    # Pixel centres relative to the anchor, against every primitive at once: [P, h, w].
    xs = (np.arange(width) + x0 + 0.5 - anchor_x)[None, None, :]
    ys = (np.arange(height) + y0 + 0.5 - anchor_y)[None, :, None]
    dx, dy, hw, hh, r = (p[:, i, None, None] for i in range(5))
    qx = np.abs(xs - dx) - (hw - r)
    qy = np.abs(ys - dy) - (hh - r)
    distance = (
        np.hypot(np.maximum(qx, 0.0), np.maximum(qy, 0.0)) + np.minimum(np.maximum(qx, qy), 0.0) - r
    )
    coverage = np.clip(0.5 - distance, 0.0, 1.0)  # [P, h, w]
    # "Over" compositing in closed form: primitive i shows through all later ones.
    clear = 1.0 - coverage
    later = np.ones_like(coverage)
    later[:-1] = np.cumprod(clear[::-1], axis=0)[::-1][1:]
    rgb = np.einsum("phw,pc->hwc", coverage * later, colours)
    alpha = 1.0 - np.prod(clear, axis=0)
    return Sprite(x0, y0, rgb, alpha, (float(x1), float(y1), float(x2), float(y2)))


@dataclass
class Visibility:
    """What a compositor learns about one annotated sprite."""

    full_area: float  # coverage of the whole shape, inside the image or not
    in_image_area: float  # coverage inside the image
    visible_area: float  # coverage inside the image and not hidden by what is drawn later


@dataclass
class Compositor:
    """Paints sprites far to near onto a background and tracks each one's visible coverage."""

    canvas: np.ndarray  # [H, W, 3] float in [0, 1], painted in place
    _visible: list[tuple[tuple[slice, slice], np.ndarray]] = field(default_factory=list)
    _areas: list[tuple[float, float]] = field(default_factory=list)

    def paint(self, sprite: Sprite, annotate: bool) -> int | None:
        """Paint `sprite`; returns its index among annotated sprites (None if not annotated)."""
        height, width = self.canvas.shape[:2]
        ix0, iy0 = max(sprite.x0, 0), max(sprite.y0, 0)
        ix1 = min(sprite.x0 + sprite.alpha.shape[1], width)
        iy1 = min(sprite.y0 + sprite.alpha.shape[0], height)
        index = None
        if ix0 >= ix1 or iy0 >= iy1:  # entirely outside the image
            if annotate:
                self._visible.append(((slice(0, 0), slice(0, 0)), np.zeros((0, 0))))
                self._areas.append((sprite.full_area, 0.0))
                index = len(self._areas) - 1
            return index
        local = (slice(iy0 - sprite.y0, iy1 - sprite.y0), slice(ix0 - sprite.x0, ix1 - sprite.x0))
        image = (slice(iy0, iy1), slice(ix0, ix1))
        alpha = sprite.alpha[local]
        # Everything painted before loses what this sprite covers.
        for region, visible in self._visible:
            overlap = _intersect(region, image)
            if overlap is None:
                continue
            mine = _relative(overlap, region)
            theirs = _relative(overlap, image)
            visible[mine] *= 1.0 - alpha[theirs]
        patch = self.canvas[image]
        patch *= 1.0 - alpha[..., None]
        patch += sprite.rgb[local]
        if annotate:
            self._visible.append((image, alpha.copy()))
            self._areas.append((sprite.full_area, float(alpha.sum())))
            index = len(self._areas) - 1
        return index

    def visibility(self) -> list[Visibility]:
        return [
            Visibility(full, in_image, float(visible.sum()))
            for (full, in_image), (_, visible) in zip(self._areas, self._visible, strict=True)
        ]


def _intersect(a: tuple[slice, slice], b: tuple[slice, slice]) -> tuple[slice, slice] | None:
    y0, y1 = max(a[0].start, b[0].start), min(a[0].stop, b[0].stop)
    x0, x1 = max(a[1].start, b[1].start), min(a[1].stop, b[1].stop)
    if y0 >= y1 or x0 >= x1:
        return None
    return slice(y0, y1), slice(x0, x1)


def _relative(inner: tuple[slice, slice], outer: tuple[slice, slice]) -> tuple[slice, slice]:
    return (
        slice(inner[0].start - outer[0].start, inner[0].stop - outer[0].start),
        slice(inner[1].start - outer[1].start, inner[1].stop - outer[1].start),
    )
