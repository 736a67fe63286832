"""The bird's-eye-view grid the detector sees: a forward window of the scan, in cells."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import ConfigError


@dataclass(frozen=True)
class BevGrid:
    """Cells of `cell` metres over x in `x_range` (forward) and y in `y_range` (left).

    The pillar encoder scatters points into cells of this size; the head predicts at
    ``stride`` cells per output cell (``output_cell`` metres)."""

    x_range: tuple[float, float] = (0.0, 40.0)
    y_range: tuple[float, float] = (-20.0, 20.0)
    z_range: tuple[float, float] = (-1.0, 3.0)  # height above the fitted ground, metres
    cell: float = 0.25
    stride: int = 2

    @classmethod
    def from_config(cls, section: dict | None) -> BevGrid:
        section = dict(section or {})
        known = {"x_range", "y_range", "z_range", "cell", "stride"}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ConfigError(f"grid.{unknown[0]} is not a grid option; they are {sorted(known)}")
        for key in ("x_range", "y_range", "z_range"):
            if key in section:
                section[key] = (float(section[key][0]), float(section[key][1]))
        grid = cls(**section)
        for name, extent in (("x_range", grid.x_range), ("y_range", grid.y_range)):
            cells = (extent[1] - extent[0]) / grid.cell
            if cells <= 0 or abs(cells - round(cells)) > 1e-6 or round(cells) % grid.stride:
                raise ConfigError(
                    f"grid.{name} {list(extent)} must span a whole number of cells "
                    f"({grid.cell} m), divisible by the stride {grid.stride}"
                )
        return grid

    @property
    def shape(self) -> tuple[int, int]:
        """Input cells (rows along x, columns along y)."""
        return (
            round((self.x_range[1] - self.x_range[0]) / self.cell),
            round((self.y_range[1] - self.y_range[0]) / self.cell),
        )

    @property
    def output_shape(self) -> tuple[int, int]:
        rows, cols = self.shape
        return rows // self.stride, cols // self.stride

    @property
    def output_cell(self) -> float:
        return self.cell * self.stride
