"""Procedural driving scenes: a straight road on gently tilted ground, with its kerbs, sidewalks
and terrain, lined by buildings, walls, poles and trees, and peopled by parked and moving cars,
vans, pedestrians and cyclists.

A scene is a list of ``Primitive`` (a ray-castable shape with a SemanticKITTI raw semantic id,
an instance id and a reflectivity) and the annotated objects (KITTI name, LiDAR-frame box
``[x, y, z_centre, l, w, h, yaw]``, instance id, the indices of its primitives). Everything that
stands sits on the tilted ground (raised by the kerb on sidewalks and terrain). The sensor is at
the origin, `height` above the road; the road runs along a heading close to +x, the ego car in
its right-hand lane.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.errors import ConfigError
from .raycast import BoundedPlane, Box, Cylinder, Ellipsoid
from .sensor import _from_dict

# SemanticKITTI raw semantic ids used by the simulator.
CAR, BICYCLE, OTHER_VEHICLE, PERSON, BICYCLIST = 10, 11, 20, 30, 31
ROAD, SIDEWALK, BUILDING, FENCE = 40, 48, 50, 51
VEGETATION, TRUNK, TERRAIN, POLE, TRAFFIC_SIGN = 70, 71, 72, 80, 81
MOVING_CAR = 252

KERB_HEIGHT = 0.15
COUNTS = (
    "parked_cars",
    "moving_cars",
    "vans",
    "pedestrians",
    "cyclists",
    "buildings",
    "fences",
    "poles",
    "trees",
)


@dataclass(frozen=True)
class SceneConfig:
    """How many of each thing, and the road's shape."""

    road_width: float = 7.0  # metres, two lanes
    sidewalk_width: float = 2.5
    slope_deg: float = 2.0  # the ground tilts by up to this much along and across the road
    heading_deg: float = 8.0  # the road turns by up to this much from +x
    parked_cars: int = 10
    moving_cars: int = 3
    vans: int = 2
    pedestrians: int = 6
    cyclists: int = 2
    buildings: int = 8
    fences: int = 4
    poles: int = 8
    trees: int = 10
    forward_share: float = 0.75  # share of objects placed in the detector's region x in [0, 50]
    moving_label: bool = False  # moving cars get SemanticKITTI's "moving-car" (252), not 10

    def __post_init__(self) -> None:
        for name in COUNTS:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ConfigError(f"scene {name} must be an integer >= 0, got {value!r}")
        if self.road_width <= 0 or self.sidewalk_width <= 0:
            raise ConfigError("scene road_width and sidewalk_width must be > 0")
        if not 0 <= self.slope_deg <= 10 or not 0 <= self.heading_deg <= 45:
            raise ConfigError("scene slope_deg must be in [0, 10] and heading_deg in [0, 45]")
        if not 0 <= self.forward_share <= 1:
            raise ConfigError(f"scene forward_share must be in [0, 1], got {self.forward_share}")

    @classmethod
    def from_dict(cls, options: dict | None) -> SceneConfig:
        """A config from a mapping of field values; an unknown key is a ConfigError."""
        return _from_dict(cls, options, "scene")


@dataclass(frozen=True)
class Primitive:
    shape: object
    semantic: int
    instance: int = 0
    reflectivity: float = 0.3


@dataclass
class SceneObject:
    name: str  # KITTI type
    box: np.ndarray  # [7] LiDAR frame
    instance: int
    primitives: list = field(default_factory=list)  # indices into Scene.primitives


@dataclass
class Scene:
    primitives: list
    objects: list
    ground_normal: np.ndarray
    road_heading: float

    def semantic(self) -> np.ndarray:
        return np.array([p.semantic for p in self.primitives], dtype=np.int64)

    def instance(self) -> np.ndarray:
        return np.array([p.instance for p in self.primitives], dtype=np.int64)

    def reflectivity(self) -> np.ndarray:
        return np.array([p.reflectivity for p in self.primitives])


class _Builder:
    """Places things on the road layout, avoiding overlaps."""

    def __init__(self, rng: np.random.Generator, cfg: SceneConfig, sensor_height: float):
        self.rng, self.cfg = rng, cfg
        self.heading = np.radians(rng.uniform(-cfg.heading_deg, cfg.heading_deg))
        slope = np.radians(cfg.slope_deg)
        self.grade = np.tan(rng.uniform(-slope, slope, size=2))  # dz/dx, dz/dy
        self.height = sensor_height
        # the ego car drives in the right-hand lane: the road's centre line is to its left
        self.offset = rng.uniform(0.3, 0.7) * cfg.road_width / 2
        self.along = np.array([np.cos(self.heading), np.sin(self.heading)])
        self.across = np.array([-np.sin(self.heading), np.cos(self.heading)])
        self.primitives: list[Primitive] = []
        self.objects: list[SceneObject] = []
        self.taken: list[tuple[float, float, float]] = [(0.0, 0.0, 3.0)]  # the ego car

    # layout -----------------------------------------------------------------------------
    def world(self, s: float, v: float) -> np.ndarray:
        """(x, y) of the point `s` along the road and `v` across it (left +) from its centre."""
        return s * self.along + (v + self.offset) * self.across

    def ground_z(self, xy: np.ndarray, v: float) -> float:
        raised = KERB_HEIGHT if abs(v) >= self.cfg.road_width / 2 else 0.0
        return float(-self.height + self.grade @ xy + raised)

    def free(self, xy: np.ndarray, radius: float) -> bool:
        taken = np.asarray(self.taken)
        gap = np.hypot(taken[:, 0] - xy[0], taken[:, 1] - xy[1]) - taken[:, 2]
        return bool(np.all(gap >= radius))

    def along_position(self) -> float:
        """A position along the road, mostly in the detector's forward region."""
        if self.rng.random() < self.cfg.forward_share:
            return float(self.rng.uniform(2.0, 50.0) / max(np.cos(self.heading), 0.5))
        if self.rng.random() < 2 / 3:  # behind and beside the ego car
            return float(self.rng.uniform(-40.0, 0.0))
        return float(self.rng.uniform(50.0, 70.0))

    def place(self, v_range: tuple[float, float], radius: float, tries: int = 20):
        """A free spot (s, v, xy) with `v` drawn from `v_range` on either side, or None."""
        for _ in range(tries):
            s = self.along_position()
            v = self.rng.uniform(*v_range) * self.rng.choice([-1.0, 1.0])
            xy = self.world(s, v)
            if self.free(xy, radius):
                self.taken.append((float(xy[0]), float(xy[1]), radius))
                return s, v, xy
        return None

    def add(self, shape, semantic: int, instance: int = 0, reflectivity: float = 0.3) -> int:
        self.primitives.append(Primitive(shape, semantic, instance, reflectivity))
        return len(self.primitives) - 1

    def part(self, xy, z_bottom, yaw, forward, size, semantic, instance, rho) -> int:
        """A box of `size` whose bottom is `z_bottom`, `forward` metres along `yaw` from `xy`."""
        centre_xy = np.asarray(xy) + forward * np.array([np.cos(yaw), np.sin(yaw)])
        centre = np.array([centre_xy[0], centre_xy[1], z_bottom + size[2] / 2])
        return self.add(Box(centre, np.asarray(size, float), yaw), semantic, instance, rho)

    # ground -----------------------------------------------------------------------------
    def ground(self) -> None:
        cfg = self.cfg
        normal = np.array([-self.grade[0], -self.grade[1], 1.0])
        normal /= np.linalg.norm(normal)
        self.ground_normal = normal
        across = np.array([self.across[0], self.across[1], 0.0])
        centre = np.array([*self.world(0.0, 0.0), -self.height + self.grade @ self.world(0.0, 0.0)])
        raised = centre + KERB_HEIGHT * normal
        half, outer = cfg.road_width / 2, cfg.road_width / 2 + cfg.sidewalk_width
        self.add(BoundedPlane(centre, normal, ((across, -half, half),)), ROAD, reflectivity=0.12)
        for sign in (-1.0, 1.0):
            lo, hi = sorted((sign * half, sign * outer))
            self.add(BoundedPlane(raised, normal, ((across, lo, hi),)), SIDEWALK, reflectivity=0.25)
            lo, hi = sorted((sign * outer, sign * 1e4))
            self.add(BoundedPlane(raised, normal, ((across, lo, hi),)), TERRAIN, reflectivity=0.35)
            kerb_point = centre + sign * half * across
            self.add(
                BoundedPlane(kerb_point, -sign * across, ((normal, 0.0, KERB_HEIGHT),)),
                SIDEWALK,
                reflectivity=0.25,
            )

    # stuff ------------------------------------------------------------------------------
    def buildings(self) -> None:
        cfg = self.cfg
        outer = cfg.road_width / 2 + cfg.sidewalk_width
        for _ in range(cfg.buildings):
            length, depth = self.rng.uniform(8, 30), self.rng.uniform(6, 15)
            spot = self.place(
                (outer + 2 + depth / 2, outer + 10 + depth / 2), 0.5 * min(length, depth)
            )
            if spot is None:
                continue
            s, v, xy = spot
            height = self.rng.uniform(4, 15)
            yaw = self.heading + self.rng.normal(0, 0.03)
            self.part(
                xy,
                self.ground_z(xy, v) - 0.3,
                yaw,
                0.0,
                (length, depth, height + 0.3),
                BUILDING,
                0,
                self.rng.uniform(0.2, 0.6),
            )
        for _ in range(cfg.fences):
            spot = self.place((outer + 0.5, outer + 2.0), 1.0)
            if spot is None:
                continue
            s, v, xy = spot
            size = (
                self.rng.uniform(5, 20),
                self.rng.uniform(0.05, 0.3),
                self.rng.uniform(0.8, 2.2),
            )
            self.part(
                xy,
                self.ground_z(xy, v),
                self.heading,
                0.0,
                size,
                FENCE,
                0,
                self.rng.uniform(0.2, 0.5),
            )

    def poles(self) -> None:
        cfg = self.cfg
        edge = cfg.road_width / 2
        for _ in range(cfg.poles):
            spot = self.place((edge + 0.3, edge + 0.8), 0.3)
            if spot is None:
                continue
            s, v, xy = spot
            z0 = self.ground_z(xy, v)
            radius, height = self.rng.uniform(0.05, 0.12), self.rng.uniform(3, 7)
            self.add(Cylinder(xy[0], xy[1], radius, z0, z0 + height), POLE, 0, 0.45)
            if self.rng.random() < 0.6:  # a sign plate facing the traffic
                plate = self.rng.uniform(0.5, 0.8)
                top = z0 + height - self.rng.uniform(0.0, 1.0)
                self.part(
                    xy,
                    top - plate,
                    self.heading,
                    radius + 0.03,
                    (0.04, plate, plate),
                    TRAFFIC_SIGN,
                    0,
                    0.9,
                )

    def trees(self) -> None:
        cfg = self.cfg
        outer = cfg.road_width / 2 + cfg.sidewalk_width
        for _ in range(cfg.trees):
            crown = self.rng.uniform(1.0, 2.5)
            spot = self.place((outer - 1.0, outer + 6.0), crown)
            if spot is None:
                continue
            s, v, xy = spot
            z0 = self.ground_z(xy, v)
            trunk = self.rng.uniform(1.5, 3.0)
            self.add(
                Cylinder(xy[0], xy[1], self.rng.uniform(0.1, 0.25), z0, z0 + trunk), TRUNK, 0, 0.3
            )
            tall = crown * self.rng.uniform(1.0, 1.5)
            self.add(
                Ellipsoid(
                    np.array([xy[0], xy[1], z0 + trunk + 0.8 * tall]),
                    np.array([crown, crown, tall]),
                ),
                VEGETATION,
                0,
                0.5,
            )
        for _ in range(cfg.trees // 2):  # bushes on the terrain
            size = self.rng.uniform(0.5, 1.5)
            spot = self.place((outer + 0.5, outer + 8.0), size)
            if spot is None:
                continue
            s, v, xy = spot
            z0 = self.ground_z(xy, v)
            self.add(
                Ellipsoid(np.array([xy[0], xy[1], z0]), np.array([size, size * 0.8, size * 0.7])),
                VEGETATION,
                0,
                0.5,
            )

    # objects ----------------------------------------------------------------------------
    def new_object(self, name, xy, z0, yaw, lwh) -> SceneObject:
        box = np.array([xy[0], xy[1], z0 + lwh[2] / 2, *lwh, _wrap(yaw)])
        obj = SceneObject(name, box, instance=len(self.objects) + 1)
        self.objects.append(obj)
        return obj

    def road_yaw(self, v: float, noise: float) -> float:
        """Traffic keeps right: heading along the road on the right side, against it on the left."""
        base = self.heading + (0.0 if v < 0 else np.pi)
        return base + self.rng.normal(0, noise)

    def vehicle(self, name: str, v_range, noise: float, moving: bool) -> None:
        rng = self.rng
        if name == "Car":
            lwh = (rng.uniform(3.6, 4.8), rng.uniform(1.6, 1.9), rng.uniform(1.4, 1.65))
        else:
            lwh = (rng.uniform(4.5, 5.8), rng.uniform(1.9, 2.15), rng.uniform(1.9, 2.5))
        spot = self.place(v_range, 0.5 * np.hypot(lwh[0], lwh[1]))
        if spot is None:
            return
        s, v, xy = spot
        yaw = self.road_yaw(v, noise)
        if moving and self.rng.random() < 0.3:  # some overtake in the ego's direction
            yaw = self.heading + self.rng.normal(0, noise)
        z0 = self.ground_z(xy, v)
        obj = self.new_object(name, xy, z0, yaw, lwh)
        length, width, height = lwh
        semantic = CAR if name == "Car" else OTHER_VEHICLE
        if moving and name == "Car" and self.cfg.moving_label:
            semantic = MOVING_CAR
        rho = rng.uniform(0.2, 0.9)
        inst = obj.instance
        wheel = min(0.35, 0.25 * height)
        parts = obj.primitives
        for axle in (0.3, -0.3):
            parts.append(
                self.part(
                    xy,
                    z0,
                    yaw,
                    axle * length,
                    (0.65, width * 0.96, wheel + 0.05),
                    semantic,
                    inst,
                    0.1,
                )
            )
        if name == "Car":
            body = 0.6 * height
            parts.append(
                self.part(
                    xy, z0 + wheel, yaw, 0.0, (length, width, body - wheel), semantic, inst, rho
                )
            )
            parts.append(
                self.part(
                    xy,
                    z0 + body,
                    yaw,
                    -0.08 * length,
                    (0.5 * length, 0.88 * width, height - body),
                    semantic,
                    inst,
                    rho,
                )
            )
        else:
            parts.append(
                self.part(
                    xy,
                    z0 + wheel,
                    yaw,
                    -0.1 * length,
                    (0.8 * length, width, height - wheel),
                    semantic,
                    inst,
                    rho,
                )
            )
            parts.append(
                self.part(
                    xy,
                    z0 + wheel,
                    yaw,
                    0.4 * length,
                    (0.2 * length, width, 0.55 * height - wheel),
                    semantic,
                    inst,
                    rho,
                )
            )

    def pedestrian(self) -> None:
        rng, cfg = self.rng, self.cfg
        half = cfg.road_width / 2
        crossing = rng.random() < 0.2
        spot = self.place(
            (0.0, half) if crossing else (half + 0.3, half + cfg.sidewalk_width - 0.3), 0.4
        )
        if spot is None:
            return
        s, v, xy = spot
        height = rng.uniform(1.5, 1.9)
        lwh = (rng.uniform(0.5, 0.9), rng.uniform(0.5, 0.7), height)
        yaw = rng.uniform(-np.pi, np.pi)
        z0 = self.ground_z(xy, v)
        obj = self.new_object("Pedestrian", xy, z0, yaw, lwh)
        self._person(obj, xy, z0, yaw, height, lwh, PERSON, stride=rng.uniform(0.0, 0.3))

    def _person(self, obj, xy, z0, yaw, height, lwh, semantic, stride=0.0, lean=0.0):
        rng, inst = self.rng, obj.instance
        rho = rng.uniform(0.2, 0.7)
        leg = 0.47 * height
        side = np.array([-np.sin(yaw), np.cos(yaw)])
        for k, sign in enumerate((-1.0, 1.0)):
            foot = np.asarray(xy) + sign * 0.1 * side
            obj.primitives.append(
                self.part(
                    foot,
                    z0,
                    yaw,
                    (stride / 2) * (1 if k else -1),
                    (0.16, 0.15, leg),
                    semantic,
                    inst,
                    rho,
                )
            )
        torso = 0.38 * height
        obj.primitives.append(
            self.part(xy, z0 + leg, yaw, lean, (0.26, 0.45, torso), semantic, inst, rho)
        )
        head = 0.1 + 0.01 * rng.random()
        centre_xy = np.asarray(xy) + lean * np.array([np.cos(yaw), np.sin(yaw)])
        obj.primitives.append(
            self.add(
                Ellipsoid(
                    np.array([centre_xy[0], centre_xy[1], z0 + height - head]), np.full(3, head)
                ),
                semantic,
                inst,
                rho,
            )
        )

    def cyclist(self) -> None:
        rng, cfg = self.rng, self.cfg
        half = cfg.road_width / 2
        spot = self.place((half - 1.2, half - 0.4), 1.0)
        if spot is None:
            return
        s, v, xy = spot
        height = rng.uniform(1.6, 1.85)
        lwh = (rng.uniform(1.6, 1.9), rng.uniform(0.5, 0.7), height)
        yaw = self.road_yaw(v, 0.1)
        z0 = self.ground_z(xy, v)
        obj = self.new_object("Cyclist", xy, z0, yaw, lwh)
        obj.primitives.append(
            self.part(xy, z0, yaw, 0.0, (lwh[0] * 0.95, 0.08, 0.95), BICYCLE, obj.instance, 0.4)
        )
        # the rider: legs on the pedals, torso leaning forward over the frame
        inst, rho = obj.instance, rng.uniform(0.2, 0.7)
        obj.primitives.append(
            self.part(xy, z0 + 0.35, yaw, 0.0, (0.35, 0.36, 0.55), BICYCLIST, inst, rho)
        )
        obj.primitives.append(
            self.part(xy, z0 + 0.9, yaw, 0.12, (0.35, 0.42, height - 1.12), BICYCLIST, inst, rho)
        )
        head = 0.11
        centre = np.asarray(xy) + 0.22 * np.array([np.cos(yaw), np.sin(yaw)])
        obj.primitives.append(
            self.add(
                Ellipsoid(np.array([centre[0], centre[1], z0 + height - head]), np.full(3, head)),
                BICYCLIST,
                inst,
                rho,
            )
        )


def make_scene(
    rng: np.random.Generator, cfg: SceneConfig | None = None, sensor_height: float = 1.73
) -> Scene:
    """A random scene drawn from `rng` (same generator state, same scene)."""
    cfg = cfg or SceneConfig()
    builder = _Builder(rng, cfg, sensor_height)
    builder.ground()
    half = cfg.road_width / 2
    for _ in range(cfg.moving_cars):
        builder.vehicle("Car", (0.2 * half, 0.8 * half), 0.05, moving=True)
    for _ in range(cfg.parked_cars):
        builder.vehicle("Car", (half - 1.2, half - 0.85), 0.08, moving=False)
    for _ in range(cfg.vans):
        builder.vehicle("Van", (half - 1.3, half - 1.0), 0.08, moving=False)
    for _ in range(cfg.pedestrians):
        builder.pedestrian()
    for _ in range(cfg.cyclists):
        builder.cyclist()
    builder.poles()
    builder.trees()
    builder.buildings()
    return Scene(builder.primitives, builder.objects, builder.ground_normal, builder.heading)


def _wrap(angle: float) -> float:
    return float((angle + np.pi) % (2 * np.pi) - np.pi)
