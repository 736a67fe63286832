"""Uniform sampling of points on a triangle mesh's surface.

A face is picked with probability proportional to its area, then a point uniformly inside it
(the square-root trick on barycentric coordinates), so the density per unit area is the same
everywhere: large flat panels do not get too few points, finely tessellated details not too many.
This is how ModelNet40 meshes become the point clouds PointNet and its successors train on.
"""

from __future__ import annotations

import numpy as np


def triangle_areas(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area of every triangle: float64 [F] for vertices [V, 3] and faces int [F, 3]."""
    corners = vertices[faces]
    edges = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    return 0.5 * np.linalg.norm(edges, axis=1)


def sample_surface(
    vertices: np.ndarray, faces: np.ndarray, num_points: int, rng: np.random.Generator
) -> np.ndarray:
    """``num_points`` points drawn uniformly on the mesh surface: float64 [num_points, 3].

    Raises ValueError when the mesh has no area (no faces, or only degenerate ones).
    """
    vertices = np.asarray(vertices, dtype=np.float64)
    areas = triangle_areas(vertices, faces)
    total = areas.sum()
    if not np.isfinite(total) or total <= 0:
        raise ValueError("mesh has no surface area (no faces or only degenerate ones)")
    face = rng.choice(len(faces), size=num_points, p=areas / total)
    root = np.sqrt(rng.random((num_points, 1)))
    other = rng.random((num_points, 1))
    a, b, c = (vertices[faces[face, k]] for k in range(3))
    return (1 - root) * a + root * (1 - other) * b + root * other * c
