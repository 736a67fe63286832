"""The Kalman filter against a hand-computed predict and update, and the box model on a
constant-velocity object."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.tracking import kalman


def test_predict_and_update_by_hand():
    x, P = np.array([0.0, 1.0]), np.eye(2)
    F, Q = np.array([[1.0, 1.0], [0.0, 1.0]]), 0.1 * np.eye(2)
    x, P = kalman.predict(x, P, F, Q)
    assert x.tolist() == [1.0, 1.0]
    assert pytest.approx(np.array([[2.1, 1.0], [1.0, 1.1]])) == P
    # S = 2.1 + 0.9 = 3; K = [2.1, 1] / 3 = [0.7, 1/3]; innovation 1.5 - 1 = 0.5
    x, P = kalman.update(x, P, np.array([1.5]), np.array([[1.0, 0.0]]), np.array([[0.9]]))
    assert x == pytest.approx([1.35, 1 + 0.5 / 3])
    assert pytest.approx(np.array([[0.63, 0.3], [0.3, 1.1 - 1 / 3]])) == P


def test_the_box_filter_learns_a_constant_velocity():
    start = np.array([10.0, 20.0, 30.0, 40.0])
    velocity = np.array([3.0, -1.0, 3.0, -1.0])
    filter_ = kalman.BoxKalman(start)
    for step in range(1, 15):
        filter_.predict()
        filter_.update(start + step * velocity)
    predicted = filter_.predict()
    assert predicted == pytest.approx(start + 15 * velocity, abs=0.5)
    assert filter_.x[4:6] == pytest.approx([3.0, -1.0], abs=0.1)


def test_state_and_box_convert_both_ways():
    box = np.array([1.0, 2.0, 5.0, 10.0])
    assert kalman.box_to_state(box).tolist() == [3.0, 6.0, 4.0, 8.0]
    assert kalman.state_to_box(kalman.box_to_state(box)).tolist() == box.tolist()
