"""The simulated spinning LiDAR: beams (rings) stacked in elevation, swept in azimuth steps.

Beam 0 is the top beam (``fov_up``), the last one the bottom beam (``fov_down``), evenly spaced
in between. Column ``c`` looks at azimuth ``pi * (1 - 2 (c + 0.5) / columns)``: column 0 looks
backwards (azimuth just under +pi, the left side first), the middle column forwards (+x), as in
the usual spherical range-image projection of KITTI scans.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..core.errors import ConfigError


@dataclass(frozen=True)
class SensorConfig:
    """A spinning multi-beam LiDAR mounted `height` metres above the road at the origin."""

    beams: int = 32
    columns: int = 1024
    fov_up: float = 2.0  # degrees, elevation of beam 0
    fov_down: float = -24.8  # degrees, elevation of the last beam
    min_range: float = 1.0  # metres: closer returns are dropped (the car's own body)
    max_range: float = 80.0
    height: float = 1.73  # metres above the road at the origin (KITTI's HDL-64E mount)
    range_noise: float = 0.02  # metres, standard deviation of the range error
    dropout: float = 0.02  # probability that a return is lost at random
    intensity_noise: float = 0.03  # standard deviation of the intensity error

    def __post_init__(self) -> None:
        if self.beams < 1 or self.columns < 1:
            raise ConfigError(
                f"sensor beams and columns must be >= 1, got {self.beams} x {self.columns}"
            )
        if self.beams > 1 and not self.fov_up > self.fov_down:
            raise ConfigError(
                f"sensor fov_up ({self.fov_up}) must be above fov_down ({self.fov_down})"
            )
        if not 0 <= self.min_range < self.max_range:
            raise ConfigError(
                f"sensor ranges must satisfy 0 <= min_range < max_range, got {self.min_range}, "
                f"{self.max_range}"
            )
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"sensor dropout must be in [0, 1), got {self.dropout}")
        if self.range_noise < 0 or self.intensity_noise < 0:
            raise ConfigError("sensor range_noise and intensity_noise must be >= 0")

    @classmethod
    def from_dict(cls, options: dict | None) -> SensorConfig:
        """A config from a mapping of field values; an unknown key is a ConfigError."""
        return _from_dict(cls, options, "sensor")

    def elevations(self) -> np.ndarray:
        """[beams] elevation of each beam in radians, beam 0 the highest."""
        if self.beams == 1:
            return np.radians(np.array([self.fov_up]))
        return np.radians(np.linspace(self.fov_up, self.fov_down, self.beams))

    def azimuths(self) -> np.ndarray:
        """[columns] azimuth of each column in radians, decreasing from just under +pi."""
        return np.pi * (1.0 - 2.0 * (np.arange(self.columns) + 0.5) / self.columns)

    def ray_grid(self) -> np.ndarray:
        """[beams, columns, 3] unit ray directions."""
        elevation = self.elevations()[:, None]
        azimuth = self.azimuths()[None, :]
        cos_el = np.cos(elevation)
        return np.stack(
            np.broadcast_arrays(
                cos_el * np.cos(azimuth), cos_el * np.sin(azimuth), np.sin(elevation)
            ),
            axis=-1,
        )

    def ray_directions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every ray, beam-major: (dirs [beams*columns, 3], ring [..] int16, column [..] int16)."""
        ring, column = np.meshgrid(
            np.arange(self.beams, dtype=np.int16),
            np.arange(self.columns, dtype=np.int16),
            indexing="ij",
        )
        return self.ray_grid().reshape(-1, 3), ring.reshape(-1), column.reshape(-1)

    def beam_of_elevation(self, elevation: np.ndarray) -> np.ndarray:
        """The nearest beam index (int64, clipped to the sensor) of elevations in radians."""
        if self.beams == 1:
            return np.zeros(np.shape(elevation), dtype=np.int64)
        step = np.radians(self.fov_up - self.fov_down) / (self.beams - 1)
        beam = np.rint((np.radians(self.fov_up) - np.asarray(elevation)) / step)
        return np.clip(beam, 0, self.beams - 1).astype(np.int64)

    def column_of_azimuth(self, azimuth: np.ndarray) -> np.ndarray:
        """The column (int64, wrapped into [0, columns)) whose ray is nearest in azimuth."""
        column = np.floor((1.0 - np.asarray(azimuth) / np.pi) * self.columns / 2.0)
        return np.mod(column, self.columns).astype(np.int64)


def _from_dict(cls, options: dict | None, what: str):
    options = dict(options or {})
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(
            f"{what} has no option {', '.join(map(repr, unknown))} "
            f"(its options: {', '.join(known)})"
        )
    return cls(**options)
