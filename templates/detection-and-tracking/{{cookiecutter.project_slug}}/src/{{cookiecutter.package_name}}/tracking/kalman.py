"""Kalman filters: the generic linear filter, and the constant-velocity box model of SORT.

``predict`` and ``update`` are the textbook equations (x: state mean, P: its covariance):

    predict:  x' = F x            P' = F P F^T + Q
    update:   S = H P H^T + R     K = P H^T S^-1
              x' = x + K (z - H x)    P' = (I - K H) P

``BoxKalman`` tracks a box as (centre x, centre y, width, height) and their velocities per
frame. Its noise scales with the box, as in DeepSORT and ByteTrack: a large near car may move
more pixels per frame than a small far pedestrian, and its detector error is larger too.
"""

from __future__ import annotations

import numpy as np


def predict(x: np.ndarray, P: np.ndarray, F: np.ndarray, Q: np.ndarray):
    """One prediction step: (x', P')."""
    return F @ x, F @ P @ F.T + Q


def update(x: np.ndarray, P: np.ndarray, z: np.ndarray, H: np.ndarray, R: np.ndarray):
    """One measurement update with measurement z: (x', P')."""
    S = H @ P @ H.T + R
    K = np.linalg.solve(S.T, (P @ H.T).T).T  # P H^T S^-1 without forming the inverse
    x = x + K @ (z - H @ x)
    P = (np.eye(len(x)) - K @ H) @ P
    return x, P


class BoxKalman:
    """Constant-velocity filter of one box; state [cx, cy, w, h, vx, vy, vw, vh]."""

    F = np.eye(8) + np.eye(8, k=4)  # position += velocity (one frame)
    H = np.eye(4, 8)  # we measure the box, not its velocity

    def __init__(
        self, box: np.ndarray, position_noise: float = 1 / 20, velocity_noise: float = 1 / 160
    ):
        self.position_noise, self.velocity_noise = position_noise, velocity_noise
        measurement = box_to_state(box)
        self.x = np.concatenate([measurement, np.zeros(4)])
        w, h = max(measurement[2], 1.0), max(measurement[3], 1.0)
        scale = np.array([w, h, w, h])
        std = np.concatenate([2 * position_noise * scale, 10 * velocity_noise * scale])
        self.P = np.diag(std**2)

    def _scale(self) -> np.ndarray:
        w, h = max(self.x[2], 1.0), max(self.x[3], 1.0)
        return np.array([w, h, w, h])

    def predict(self) -> np.ndarray:
        """Advance one frame; returns the predicted box (x1, y1, x2, y2)."""
        scale = self._scale()
        Q = np.diag(np.concatenate([self.position_noise * scale, self.velocity_noise * scale]) ** 2)
        self.x, self.P = predict(self.x, self.P, self.F, Q)
        self.x[2:4] = np.maximum(self.x[2:4], 1e-3)  # a box never turns inside out
        return self.box()

    def update(self, box: np.ndarray) -> np.ndarray:
        """Correct with a detected box; returns the filtered box."""
        R = np.diag((self.position_noise * self._scale()) ** 2)
        self.x, self.P = update(self.x, self.P, box_to_state(box), self.H, R)
        self.x[2:4] = np.maximum(self.x[2:4], 1e-3)
        return self.box()

    def box(self) -> np.ndarray:
        return state_to_box(self.x)


def box_to_state(box: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = np.asarray(box, dtype=np.float64)
    return np.array([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1])


def state_to_box(x: np.ndarray) -> np.ndarray:
    cx, cy, w, h = x[:4]
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
