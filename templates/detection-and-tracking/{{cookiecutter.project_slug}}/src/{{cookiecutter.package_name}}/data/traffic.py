"""A street seen from the side: cars in lanes, cyclists in bike lanes, pedestrians on the
sidewalks who sometimes cross the road, and street furniture in front of them.

Agents enter at the image edges and leave at the other side; they stop and start again,
cars follow the car ahead and change lanes, pedestrians turn to cross and turn back. Nearer
things (lower in the image) are drawn larger and on top, so agents occlude each other and
are occluded by lamp posts and trees. ``Street.step()`` advances one frame and returns what to
draw, far to near. Sizes and speeds are in pixels of a 96-pixel-high frame and scale with the
frame height.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .render import Primitive

CLASSES = ("car", "pedestrian", "cyclist")
CAR, PEDESTRIAN, CYCLIST = range(3)

CAR_COLOURS = (
    (0.80, 0.12, 0.10), (0.12, 0.25, 0.75), (0.92, 0.92, 0.90), (0.62, 0.64, 0.68),
    (0.08, 0.08, 0.10), (0.95, 0.75, 0.10), (0.10, 0.50, 0.25), (0.55, 0.10, 0.45),
)  # fmt: skip
CLOTHES = (
    (0.85, 0.20, 0.20), (0.20, 0.35, 0.85), (0.15, 0.65, 0.30), (0.90, 0.60, 0.10),
    (0.55, 0.25, 0.65), (0.10, 0.70, 0.75), (0.95, 0.90, 0.30), (0.40, 0.40, 0.40),
)  # fmt: skip
SKIN = ((0.96, 0.80, 0.65), (0.80, 0.60, 0.45), (0.55, 0.38, 0.26), (0.35, 0.24, 0.16))


@dataclass
class Layout:
    """Where things are, as image rows (the bottom of an agent, its anchor)."""

    width: int
    height: int

    def __post_init__(self):
        h = self.height
        self.unit = h / 96.0  # sizes and speeds below are for a 96-pixel-high frame
        self.far_walk = (0.16 * h, 0.21 * h)
        self.near_walk = (0.86 * h, 0.97 * h)
        self.road = (0.22 * h, 0.78 * h)
        self.car_lanes = {-1: (0.40 * h, 0.50 * h), 1: (0.62 * h, 0.72 * h)}
        self.bike_lanes = {-1: 0.29 * h, 1: 0.77 * h}

    def scale(self, y: float) -> float:
        """Perspective: nearer (lower) agents are larger."""
        return (0.75 + 0.45 * y / self.height) * self.unit


@dataclass
class Agent:
    identity: int
    label: int
    x: float
    y: float
    direction: int  # +1 rightwards, -1 leftwards
    cruise: float  # preferred speed, px/frame
    colours: tuple
    speed_factor: float = 1.0  # eases to 0 while stopped
    stop_frames: int = 0
    lane: int = 0
    target_y: float | None = None  # a lane change or a crossing in progress
    vy: float = 0.0
    cross_at: float | None = None  # pedestrians: where they turn to cross
    phase: float = 0.0  # walking / pedalling animation
    extras: dict = field(default_factory=dict)

    @property
    def vx(self) -> float:
        if self.target_y is not None and self.label == PEDESTRIAN:
            return 0.0  # crossing straight over
        return self.direction * self.cruise * self.speed_factor


def car_shape(agent: Agent, s: float) -> list[Primitive]:
    body, glass = agent.colours
    d = agent.direction
    length, body_h, cabin_h, wheel = 24 * s, 7 * s, 5 * s, 2.2 * s
    return [
        Primitive(0, -wheel - body_h / 2 + 0.5 * s, length / 2, body_h / 2, 2 * s, body),
        Primitive(-d * 1.5 * s, -wheel - body_h - cabin_h / 2 + 1.0 * s, 6.5 * s, cabin_h / 2,
                  1.8 * s, body),
        Primitive(-d * 1.5 * s, -wheel - body_h - cabin_h / 2 + 1.3 * s, 5.2 * s,
                  cabin_h / 2 - 0.9 * s, 0.8 * s, glass),
        Primitive(-length / 2 + 5 * s, -wheel, wheel, wheel, wheel, (0.05, 0.05, 0.05)),
        Primitive(length / 2 - 5 * s, -wheel, wheel, wheel, wheel, (0.05, 0.05, 0.05)),
        Primitive(d * (length / 2 - 0.8 * s), -wheel - body_h / 2, 0.8 * s, 1.0 * s, 0.4 * s,
                  (1.0, 0.95, 0.6)),
    ]  # fmt: skip


def pedestrian_shape(agent: Agent, s: float) -> list[Primitive]:
    shirt, trousers, skin = agent.colours
    stride = 0.9 * s * np.sin(agent.phase)
    return [
        Primitive(-0.8 * s + stride, -3.2 * s, 0.75 * s, 3.2 * s, 0.5 * s, trousers),
        Primitive(0.8 * s - stride, -3.2 * s, 0.75 * s, 3.2 * s, 0.5 * s, trousers),
        Primitive(0, -9.0 * s, 2.1 * s, 3.2 * s, 1.0 * s, shirt),
        Primitive(0, -13.4 * s, 1.5 * s, 1.5 * s, 1.5 * s, skin),
    ]


def cyclist_shape(agent: Agent, s: float) -> list[Primitive]:
    jersey, frame, skin = agent.colours
    d = agent.direction
    wheel = 3.0 * s
    pedal = 1.2 * s * np.sin(agent.phase)
    tyre, hub = (0.05, 0.05, 0.05), (0.55, 0.55, 0.55)
    return [
        Primitive(-4.2 * s, -wheel, wheel, wheel, wheel, tyre),
        Primitive(-4.2 * s, -wheel, 1.6 * s, 1.6 * s, 1.6 * s, hub),
        Primitive(4.2 * s, -wheel, wheel, wheel, wheel, tyre),
        Primitive(4.2 * s, -wheel, 1.6 * s, 1.6 * s, 1.6 * s, hub),
        Primitive(0, -wheel - 0.2 * s, 4.2 * s, 0.6 * s, 0.3 * s, frame),
        Primitive(pedal, -wheel - 2.2 * s, 0.7 * s, 2.2 * s, 0.4 * s, (0.15, 0.15, 0.2)),
        Primitive(-d * 0.6 * s, -wheel - 6.6 * s, 2.0 * s, 2.8 * s, 1.0 * s, jersey),
        Primitive(d * 0.6 * s, -wheel - 10.6 * s, 1.4 * s, 1.4 * s, 1.4 * s, skin),
    ]


SHAPES = {CAR: car_shape, PEDESTRIAN: pedestrian_shape, CYCLIST: cyclist_shape}


@dataclass
class Drawable:
    """One thing to draw this frame: an agent (annotated) or street furniture (not)."""

    primitives: list[Primitive]
    x: float
    y: float
    identity: int | None = None  # None: street furniture
    label: int | None = None


class Street:
    """The simulation of one sequence; every random draw comes from `rng`."""

    def __init__(
        self,
        rng: np.random.Generator,
        width: int,
        height: int,
        identities,
        spawn_rate: float = 0.12,
        max_agents: int = 9,
        furniture: tuple[int, int] = (1, 3),
        class_mix: tuple[float, float, float] = (0.45, 0.35, 0.20),
        speed: float = 1.0,
        warmup: int = 40,
    ):
        self.rng = rng
        self.layout = Layout(width, height)
        self.identities = identities  # a shared counter: identities are unique in a split
        self.spawn_rate = spawn_rate
        self.max_agents = max_agents
        self.speed = float(speed)  # scales every speed: a lower frame rate, in effect
        self.class_mix = np.asarray(class_mix) / np.sum(class_mix)
        self.agents: list[Agent] = []
        self.furniture = self._furniture(int(rng.integers(furniture[0], furniture[1] + 1)))
        for _ in range(warmup):  # start with a populated street
            self._advance()

    # ---- street furniture (occluders) ------------------------------------------------------------
    def _furniture(self, count: int) -> list[Drawable]:
        layout, rng, u = self.layout, self.rng, self.layout.unit
        items = []
        for _ in range(count):
            x = float(rng.uniform(0.1, 0.9) * layout.width)
            if rng.random() < 0.5:  # a lamp post, far or near sidewalk
                y = float(
                    rng.uniform(*(layout.far_walk if rng.random() < 0.4 else layout.near_walk))
                )
                s = layout.scale(y)
                height = 30 * s
                grey = (0.25, 0.26, 0.28)
                prims = [
                    Primitive(0, -height / 2, 1.1 * s, height / 2, 0.5 * s, grey),
                    Primitive(2.5 * s, -height, 3.0 * s, 0.9 * s, 0.6 * s, grey),
                ]
            else:  # a tree on the near sidewalk: its crown hides the near lanes
                y = float(rng.uniform(*layout.near_walk))
                s = layout.scale(y)
                trunk = (0.35, 0.22, 0.12)
                leaves = tuple(np.clip(np.array([0.15, 0.45, 0.15]) + rng.normal(0, 0.05, 3), 0, 1))
                crown = float(rng.uniform(6, 9)) * u
                prims = [
                    Primitive(0, -9 * s, 1.4 * s, 9 * s, 0.7 * s, trunk),
                    Primitive(0, -18 * s - crown * 0.5, crown, crown * 0.9, crown * 0.85, leaves),
                ]
            items.append(Drawable(prims, x, y))
        return items

    # ---- agents ------------------------------------------------------------------------------
    def _spawn(self) -> None:
        rng, layout = self.rng, self.layout
        label = int(rng.choice(3, p=self.class_mix))
        direction = 1 if rng.random() < 0.5 else -1
        margin = (16 + 2 * self.speed) * layout.unit
        x = -margin if direction == 1 else layout.width + margin
        if label == CAR:
            lane = int(rng.integers(2))
            y = layout.car_lanes[direction][lane]
            if any(
                a.label == CAR and a.lane == lane and a.direction == direction
                and abs(a.x - x) < 34 * layout.unit for a in self.agents
            ):  # fmt: skip
                return  # the lane entrance is blocked
            cruise = float(rng.uniform(2.0, 3.6))
            colours = (CAR_COLOURS[rng.integers(len(CAR_COLOURS))], (0.55, 0.75, 0.85))
            colours = (_jitter(rng, colours[0]), _jitter(rng, colours[1], 0.05))
        elif label == CYCLIST:
            lane, y = 0, layout.bike_lanes[direction]
            cruise = float(rng.uniform(1.2, 2.0))
            colours = (
                _jitter(rng, CLOTHES[rng.integers(len(CLOTHES))]),
                _jitter(rng, CAR_COLOURS[rng.integers(len(CAR_COLOURS))]),
                SKIN[rng.integers(len(SKIN))],
            )
        else:
            lane = 0
            walk = layout.far_walk if rng.random() < 0.5 else layout.near_walk
            y = float(rng.uniform(*walk))
            cruise = float(rng.uniform(0.6, 1.1))
            colours = (
                _jitter(rng, CLOTHES[rng.integers(len(CLOTHES))]),
                _jitter(rng, CLOTHES[rng.integers(len(CLOTHES))], 0.15),
                SKIN[rng.integers(len(SKIN))],
            )
        agent = Agent(
            identity=next(self.identities),
            label=label,
            x=x,
            y=y,
            direction=direction,
            cruise=cruise * layout.unit * self.speed,
            colours=colours,
            lane=lane,
            phase=float(rng.uniform(0, 2 * np.pi)),
        )
        if label == PEDESTRIAN and rng.random() < 0.45:
            agent.cross_at = float(rng.uniform(0.15, 0.85) * layout.width)
        self.agents.append(agent)

    def _move(self, agent: Agent) -> None:
        rng, layout = self.rng, self.layout
        # Stop now and then (traffic, a phone call), ease back to cruising afterwards.
        if agent.stop_frames > 0:
            agent.stop_frames -= 1
        elif rng.random() < (0.012 if agent.label != PEDESTRIAN else 0.02):
            agent.stop_frames = int(rng.integers(4, 14))
        target = 0.0 if agent.stop_frames > 0 else 1.0
        if agent.label == CAR:
            target = min(target, self._following(agent))
        agent.speed_factor += float(np.clip(target - agent.speed_factor, -0.25, 0.2))
        # Turns: cars change lanes, pedestrians cross the road and turn back.
        if agent.label == CAR and agent.target_y is None and rng.random() < 0.01:
            agent.lane = 1 - agent.lane
            agent.target_y = layout.car_lanes[agent.direction][agent.lane]
            agent.vy = (agent.target_y - agent.y) / max(
                1.0, float(rng.integers(8, 14)) / self.speed
            )
        crossing = agent.label == PEDESTRIAN and agent.cross_at is not None
        if crossing and (agent.x - agent.cross_at) * agent.direction >= 0:
            on_far = agent.y < layout.road[0]
            agent.target_y = float(rng.uniform(*(layout.near_walk if on_far else layout.far_walk)))
            agent.vy = (1 if on_far else -1) * float(rng.uniform(0.9, 1.3)) * layout.unit
            agent.vy *= self.speed
            agent.cross_at = None
        if agent.target_y is not None:
            step = agent.vy * (agent.speed_factor if agent.label == PEDESTRIAN else 1.0)
            if abs(agent.target_y - agent.y) <= abs(step) + 1e-9:
                agent.y, agent.target_y, agent.vy = agent.target_y, None, 0.0
                if agent.label == PEDESTRIAN:  # turned back onto the sidewalk
                    agent.direction = 1 if rng.random() < 0.5 else -1
            else:
                agent.y += step
        agent.x += agent.vx
        agent.phase += 0.9 * agent.speed_factor

    def _following(self, agent: Agent) -> float:
        """The speed factor that keeps a car behind the car ahead in its lane."""
        gap_needed = 30 * self.layout.unit
        factor = 1.0
        for other in self.agents:
            if other is agent or other.label != CAR or other.direction != agent.direction:
                continue
            if abs(other.y - agent.y) > 3 * self.layout.unit:
                continue
            ahead = (other.x - agent.x) * agent.direction
            if 0 < ahead < gap_needed:
                factor = min(factor, abs(other.vx) / max(agent.cruise, 1e-6) * 0.9)
        return factor

    def _advance(self) -> None:
        if len(self.agents) < self.max_agents and self.rng.random() < self.spawn_rate:
            self._spawn()
        for agent in self.agents:
            self._move(agent)
        margin = (20 + 4 * self.speed) * self.layout.unit
        self.agents = [a for a in self.agents if -margin <= a.x <= self.layout.width + margin]

    def step(self) -> list[Drawable]:
        """Advance one frame; what to draw, far (top) to near (bottom)."""
        self._advance()
        items = list(self.furniture)
        for agent in self.agents:
            s = self.layout.scale(agent.y)
            prims = SHAPES[agent.label](agent, s)
            items.append(Drawable(prims, agent.x, agent.y, agent.identity, agent.label))
        return sorted(items, key=lambda item: item.y)


def _jitter(rng: np.random.Generator, colour, amount: float = 0.08) -> tuple:
    return tuple(float(c) for c in np.clip(np.asarray(colour) + rng.normal(0, amount, 3), 0, 1))
