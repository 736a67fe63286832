"""Vectorised ray casting against the simulator's primitives, rays from one origin.

Shapes: bounded planes (the ground strips and kerb faces), yaw-oriented boxes (slab test in the
box's frame), vertical cylinders and axis-aligned ellipsoids. Each shape answers
``intersect(origin, dirs) -> t`` (distance along unit `dirs`, ``inf`` on a miss) and
``normal(points)`` (the unit surface normal at points on it), and, when bounded, a bounding
sphere. ``cast`` sweeps a sensor's [beams, columns] ray grid: a bounded shape is tested only on
the block of rings and columns its bounding sphere covers, so a scan costs about the rays that
actually meet something, not rays times shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_EPS = 1e-9


@dataclass(frozen=True)
class BoundedPlane:
    """A plane through `point` with unit `normal`, kept where every bound holds:
    ``lo <= dot(axis, p - point) <= hi`` for each ``(axis, lo, hi)`` in `bounds`."""

    point: np.ndarray
    normal: np.ndarray
    bounds: tuple = ()

    bounding_sphere = None

    def intersect(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        denom = dirs @ self.normal
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.dot(self.point - origin, self.normal) / denom
        t = np.where(np.abs(denom) > _EPS, t, np.inf)
        valid = t > 0
        if self.bounds:
            offset = origin - self.point
            for axis, lo, hi in self.bounds:
                axis = np.asarray(axis, dtype=float)
                s = offset @ axis + t * (dirs @ axis)
                valid &= (s >= lo) & (s <= hi)
        return np.where(valid, t, np.inf)

    def normal_at(self, points: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.normal, points.shape).copy()


@dataclass(frozen=True)
class Box:
    """A box of `size` (length along its heading, width, height) centred at `center`, turned
    by `yaw` about +z."""

    center: np.ndarray
    size: np.ndarray
    yaw: float = 0.0

    @property
    def bounding_sphere(self) -> tuple[np.ndarray, float]:
        return np.asarray(self.center, float), 0.5 * float(np.linalg.norm(self.size))

    def _rotation(self) -> np.ndarray:
        c, s = np.cos(self.yaw), np.sin(self.yaw)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])  # box -> world

    def intersect(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        rot = self._rotation()
        o = (origin - self.center) @ rot  # world -> box frame (rot.T applied to rows)
        d = dirs @ rot
        half = 0.5 * np.asarray(self.size, float)
        t_near = np.full(dirs.shape[:-1], -np.inf)
        t_far = np.full(dirs.shape[:-1], np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            for axis in range(3):
                inv = 1.0 / d[..., axis]
                t1 = (-half[axis] - o[axis]) * inv
                t2 = (half[axis] - o[axis]) * inv
                np.maximum(t_near, np.minimum(t1, t2), out=t_near)
                np.minimum(t_far, np.maximum(t1, t2), out=t_far)
        hit = (t_far >= t_near) & (t_far > 0)  # a NaN (ray in a face's plane) compares False
        t = np.where(t_near > 0, t_near, t_far)
        return np.where(hit, t, np.inf)

    def normal_at(self, points: np.ndarray) -> np.ndarray:
        rot = self._rotation()
        local = (points - self.center) @ rot / (0.5 * np.asarray(self.size, float))
        axis = np.abs(local).argmax(axis=-1)
        normal = np.zeros_like(local)
        rows = np.arange(len(local))
        normal[rows, axis] = np.sign(local[rows, axis])
        return normal @ rot.T


@dataclass(frozen=True)
class Cylinder:
    """A vertical cylinder of `radius` around (x, y), from height `z0` to `z1`, with caps."""

    x: float
    y: float
    radius: float
    z0: float
    z1: float

    @property
    def bounding_sphere(self) -> tuple[np.ndarray, float]:
        centre = np.array([self.x, self.y, 0.5 * (self.z0 + self.z1)])
        return centre, float(np.hypot(self.radius, 0.5 * (self.z1 - self.z0)))

    def intersect(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        ox, oy, oz = origin[0] - self.x, origin[1] - self.y, origin[2]
        dx, dy, dz = dirs[..., 0], dirs[..., 1], dirs[..., 2]
        a = dx * dx + dy * dy
        b = 2.0 * (ox * dx + oy * dy)
        c = ox * ox + oy * oy - self.radius**2
        disc = b * b - 4.0 * a * c
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.sqrt(np.maximum(disc, 0.0))
            t_side = (-b - root) / (2.0 * a)
            t_side = np.where(t_side > 0, t_side, (-b + root) / (2.0 * a))
        z = oz + t_side * dz
        side_ok = (disc >= 0) & (a > _EPS) & (t_side > 0) & (z >= self.z0) & (z <= self.z1)
        t = np.where(side_ok, t_side, np.inf)
        for height in (self.z0, self.z1):
            with np.errstate(divide="ignore", invalid="ignore"):
                t_cap = (height - oz) / dz
                px, py = ox + t_cap * dx, oy + t_cap * dy
            cap_ok = (np.abs(dz) > _EPS) & (t_cap > 0) & (px * px + py * py <= self.radius**2)
            t = np.where(cap_ok & (t_cap < t), t_cap, t)
        return t

    def normal_at(self, points: np.ndarray) -> np.ndarray:
        normal = np.zeros_like(points)
        radial = points[:, :2] - (self.x, self.y)
        length = np.linalg.norm(radial, axis=1)
        side = length >= self.radius * (1 - 1e-6)
        on_cap = ~side
        normal[side, :2] = radial[side] / length[side, None]
        top = points[:, 2] > 0.5 * (self.z0 + self.z1)
        normal[on_cap, 2] = np.where(top[on_cap], 1.0, -1.0)
        return normal


@dataclass(frozen=True)
class Ellipsoid:
    """An axis-aligned ellipsoid (a sphere when the three `radii` are equal)."""

    center: np.ndarray
    radii: np.ndarray

    @property
    def bounding_sphere(self) -> tuple[np.ndarray, float]:
        return np.asarray(self.center, float), float(np.max(self.radii))

    def intersect(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        radii = np.asarray(self.radii, float)
        o = (origin - self.center) / radii
        d = dirs / radii
        a = np.einsum("...i,...i->...", d, d)
        b = 2.0 * (d @ o)
        c = float(o @ o) - 1.0
        disc = b * b - 4.0 * a * c
        root = np.sqrt(np.maximum(disc, 0.0))
        t = (-b - root) / (2.0 * a)
        t = np.where(t > 0, t, (-b + root) / (2.0 * a))
        return np.where((disc >= 0) & (t > 0), t, np.inf)

    def normal_at(self, points: np.ndarray) -> np.ndarray:
        gradient = (points - self.center) / np.asarray(self.radii, float) ** 2
        return gradient / np.linalg.norm(gradient, axis=1, keepdims=True)


@dataclass
class Hits:
    """The nearest hit of every ray of a [beams, columns] grid."""

    range: np.ndarray  # [B, C] float64 distance, inf where nothing within max_range
    index: np.ndarray  # [B, C] int32 primitive index, -1 where nothing
    seen: dict = field(default_factory=dict)  # primitive -> flat ray ids it meets (recorded ones)


def cast(
    shapes: list,
    dirs: np.ndarray,
    elevations: np.ndarray,
    azimuths: np.ndarray,
    max_range: float = np.inf,
    record: set | frozenset = frozenset(),
) -> Hits:
    """The nearest of `shapes` along each ray of the grid `dirs` [B, C, 3] from the origin.

    `elevations` [B] and `azimuths` [C] (radians, azimuths decreasing as in ``SensorConfig``)
    locate the grid's rings and columns for culling by bounding sphere. For the shape indices
    in `record`, the flat ids (``ring * C + column``) of every ray that meets the shape within
    `max_range`, whatever is in front, come back in ``Hits.seen`` (visibility of objects).
    """
    beams, columns = dirs.shape[:2]
    origin = np.zeros(3)
    best = np.full((beams, columns), np.inf)
    index = np.full((beams, columns), -1, dtype=np.int32)
    seen = {}
    for i, shape in enumerate(shapes):
        blocks = _ray_blocks(shape.bounding_sphere, elevations, azimuths)
        found = []
        for rows, cols in blocks:
            t = shape.intersect(origin, dirs[rows, cols])
            t[t > max_range] = np.inf
            current = best[rows, cols]
            closer = t < current
            current[closer] = t[closer]
            index[rows, cols][closer] = i
            if i in record:
                rr, cc = np.nonzero(np.isfinite(t))
                found.append((rr + rows.start) * columns + cc + cols.start)
        if i in record:
            seen[i] = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    return Hits(range=best, index=index, seen=seen)


def surface_normals(shapes: list, points: np.ndarray, index: np.ndarray) -> np.ndarray:
    """[N, 3] unit normals at hit `points` [N, 3] of the shapes `index` [N] names."""
    normals = np.zeros_like(points)
    order = np.argsort(index, kind="stable")
    unique, starts = np.unique(index[order], return_index=True)
    for k, shape_id in enumerate(unique):
        stop = starts[k + 1] if k + 1 < len(starts) else len(order)
        rows = order[starts[k] : stop]
        normals[rows] = shapes[shape_id].normal_at(points[rows])
    return normals


def _ray_blocks(sphere, elevations: np.ndarray, azimuths: np.ndarray) -> list:
    """The (ring slice, column slice) blocks of the grid whose rays may meet `sphere`."""
    beams, columns = len(elevations), len(azimuths)
    everything = [(slice(0, beams), slice(0, columns))]
    if sphere is None:
        return everything
    centre, radius = sphere
    distance = float(np.linalg.norm(centre))
    if distance <= radius * 1.01 + 1e-6:
        return everything
    spread = np.arcsin(min(1.0, radius / distance))
    horizontal = float(np.hypot(centre[0], centre[1]))
    elevation = np.arctan2(centre[2], horizontal)
    step_el = abs(elevations[0] - elevations[-1]) / max(beams - 1, 1)
    rings = np.nonzero(np.abs(elevations - elevation) <= spread + step_el)[0]
    if len(rings) == 0:
        return []
    row = slice(int(rings[0]), int(rings[-1]) + 1)
    if horizontal <= radius * 1.01:
        return [(row, slice(0, columns))]
    spread_az = np.arcsin(min(1.0, radius / horizontal)) + 2 * np.pi / columns
    if spread_az >= np.pi:
        return [(row, slice(0, columns))]
    azimuth = np.arctan2(centre[1], centre[0])
    # column of azimuth a: (1 - a / pi) * C / 2 - 0.5, increasing as the azimuth decreases
    lo = int(np.floor((1.0 - (azimuth + spread_az) / np.pi) * columns / 2.0 - 0.5))
    hi = int(np.ceil((1.0 - (azimuth - spread_az) / np.pi) * columns / 2.0 - 0.5)) + 1
    if lo < 0:
        return [(row, slice(0, hi)), (row, slice(columns + lo, columns))]
    if hi > columns:
        return [(row, slice(lo, columns)), (row, slice(0, hi - columns))]
    return [(row, slice(lo, hi))]
