"""The synthetic street: drawing and visibility by hand, then the properties of a split:
classes, occlusion, truncation, identities, separate random streams per split."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.data.render import Compositor, Primitive, rasterize

SMALL = {
    "data": {
        "name": "synthetic",
        "seed": 0,
        "image_size": [128, 96],
        "classes": ["car", "pedestrian", "cyclist"],
        "synthetic": {
            "sequences": {"train": 3, "val": 2, "test": 2},
            "frames": {"train": 30, "val": 20, "test": 20},
            "speed": 1.7,
        },
    }
}


def square(x0, y0, size, colour=(1.0, 0.0, 0.0)):
    half = size / 2
    return rasterize([Primitive(0, 0, half, half, 0.0, colour)], x0 + half, y0 + half)


def test_a_pixel_aligned_rectangle_covers_exactly_its_pixels():
    sprite = rasterize([Primitive(0, -1, 2, 1, 0.0, (0.5, 0.5, 0.5))], 4.0, 5.0)  # x 2..6, y 3..5
    assert sprite.box == (2.0, 3.0, 6.0, 5.0)
    assert sprite.full_area == pytest.approx(8.0)
    assert set(np.unique(sprite.alpha).tolist()) <= {0.0, 1.0}
    half = rasterize([Primitive(0, 0, 1, 1, 0.0, (1, 1, 1))], 4.5, 4.0)  # edges mid-pixel
    assert half.full_area == pytest.approx(4.0) and 0 < half.alpha.max() <= 1


def test_visibility_of_overlapping_and_truncated_sprites_by_hand():
    compositor = Compositor(np.zeros((10, 10, 3)))
    compositor.paint(square(0, 0, 4), annotate=True)  # pixels 0..3
    compositor.paint(square(2, 0, 4, (0.0, 1.0, 0.0)), annotate=True)  # covers half of it
    compositor.paint(square(8, 8, 4), annotate=True)  # three quarters outside the image
    first, second, edge = compositor.visibility()
    assert first.visible_area == pytest.approx(8.0) and first.full_area == pytest.approx(16.0)
    assert second.visible_area == pytest.approx(16.0)
    assert edge.in_image_area == pytest.approx(4.0) and edge.full_area == pytest.approx(16.0)
    assert compositor.canvas[0, 3].tolist() == [0.0, 1.0, 0.0]  # the nearer one is on top


def test_a_split_is_the_same_however_often_it_is_built():
    a, b = load_split(SMALL, "train"), load_split(copy.deepcopy(SMALL), "train")
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.annotations.boxes, b.annotations.boxes)


def test_splits_come_from_separate_random_streams():
    test = load_split(SMALL, "test")
    more = copy.deepcopy(SMALL)
    more["data"]["synthetic"]["sequences"]["train"] = 5  # the other splits change ...
    more["data"]["synthetic"]["sequences"]["val"] = 1
    assert np.array_equal(load_split(more, "test").frames, test.frames)  # ... the test does not
    train = load_split(SMALL, "train")
    assert not any(np.array_equal(f, test.frames[0]) for f in train.frames)
    assert not set(train.annotations.track_id) & set(test.annotations.track_id)
    other_seed = copy.deepcopy(SMALL)
    other_seed["data"]["seed"] = 1
    assert not np.array_equal(load_split(other_seed, "test").frames, test.frames)


def test_annotations_describe_what_is_drawn():
    video = load_split(SMALL, "train")
    ann = video.annotations
    width, height = video.image_size
    assert video.frames.shape == (90, height, width, 3) and video.frames.dtype == np.uint8
    assert set(ann.label.tolist()) == {0, 1, 2}  # car, pedestrian, cyclist
    boxes = ann.boxes
    assert (
        (boxes[:, 0] >= 0).all() and (boxes[:, 2] <= width).all() and (boxes[:, 3] <= height).all()
    )
    assert ((boxes[:, 2] - boxes[:, 0]) >= 1).all() and ((boxes[:, 3] - boxes[:, 1]) >= 1).all()
    for values in (ann.visibility, ann.occlusion, ann.truncation):
        assert values.min() >= 0 and values.max() <= 1 + 1e-6
    assert (ann.occlusion > 0.3).any() and (
        ann.truncation > 0.2
    ).any()  # they occlude, enter, leave
    # One identity, one class; at most once per frame; cars wider than they are tall.
    for identity in np.unique(ann.track_id):
        rows = ann.track_id == identity
        assert len(set(ann.label[rows].tolist())) == 1
        assert len(set(ann.frame[rows].tolist())) == rows.sum()
    cars = (ann.label == 0) & (ann.truncation == 0)
    assert ((boxes[cars, 2] - boxes[cars, 0]) > (boxes[cars, 3] - boxes[cars, 1])).all()


def test_objects_move_stop_and_turn():
    ann = load_split(SMALL, "train").annotations
    speeds, turning = [], 0
    for identity in np.unique(ann.track_id):
        rows = np.flatnonzero(ann.track_id == identity)
        if len(rows) < 3:
            continue
        centre = (ann.boxes[rows, :2] + ann.boxes[rows, 2:]) / 2
        step = np.diff(centre, axis=0)
        speeds += np.abs(step[:, 0]).tolist()
        turning += int((np.abs(step[:, 1]) > 0.5).any())
    speeds = np.array(speeds)
    assert (speeds < 0.2).any() and (speeds > 2.0).any()  # some stand still, some drive
    assert turning >= 1  # a lane change or a pedestrian crossing


def test_the_synthetic_street_has_fixed_classes():
    wrong = copy.deepcopy(SMALL)
    wrong["data"]["classes"] = ["car", "truck"]
    with pytest.raises(ConfigError, match="data.classes"):
        load_split(wrong, "train")
    unknown = copy.deepcopy(SMALL)
    unknown["data"]["synthetic"]["colour"] = "blue"
    with pytest.raises(ConfigError, match="takes no option 'colour'"):
        load_split(unknown, "train")
