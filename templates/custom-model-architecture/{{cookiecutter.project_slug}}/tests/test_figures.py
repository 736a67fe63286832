"""The ablation figure stays readable: at least three labelled ticks on the log FLOPs axis, and
variant labels that cover neither each other nor any marker, measured on the drawn figure."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest

from {{ cookiecutter.package_name }}.figures import marker_boxes, plot_tradeoffs, tradeoff_figure

# The quick smoke ablation: four variants within one decade of FLOPs, two nearly on one spot.
SMOKE = [
    ("cnn", 904_448, 0.272, 0.97778, 0.0),
    ("cnn_dwsep", 138_752, 0.776, 0.95278, 0.0),
    ("cnn_se", 909_568, 0.678, 0.97639, 0.00196),
    ("vit", 756_352, 0.435, 0.97361, 0.00196),
]
# Six variants crowded together, and a spread over three decades.
CROWDED = [
    ("cnn", 904_448, 0.300, 0.9778, 0.001),
    ("cnn_residual", 915_000, 0.302, 0.9775, 0.002),
    ("cnn_se", 909_568, 0.304, 0.9772, 0.002),
    ("cnn_dwsep", 880_000, 0.290, 0.9769, 0.001),
    ("vit", 756_352, 0.300, 0.9761, 0.002),
    ("mixer", 930_000, 0.305, 0.9775, 0.003),
]
WIDE = [
    ("tiny", 2_000, 0.05, 0.80, 0.01),
    ("small", 45_000, 0.2, 0.91, 0.01),
    ("large", 3_100_000, 2.5, 0.97, 0.01),
]


def rows_of(table, gpu=False):
    return [
        {
            "variant": name,
            "flops": flops,
            "cpu_latency_ms": cpu,
            "gpu_latency_ms": cpu / 10 if gpu else None,
            "accuracy_mean": mean,
            "accuracy_std": std,
        }
        for name, flops, cpu, mean, std in table
    ]


@pytest.fixture
def drawn():
    figures = []

    def draw(table, gpu=False):
        fig = tradeoff_figure(rows_of(table, gpu))
        fig.canvas.draw()
        figures.append(fig)
        return fig

    yield draw
    for fig in figures:
        plt.close(fig)


def labelled_ticks(ax):
    low, high = ax.get_xlim()
    return [
        label
        for label in ax.get_xticklabels()
        if label.get_text() and low <= label.get_position()[0] <= high
    ]


def overlaps(a, b) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)


@pytest.mark.parametrize("table", [SMOKE, CROWDED, WIDE], ids=["smoke", "crowded", "wide"])
def test_the_log_flops_axis_labels_at_least_three_ticks_that_do_not_collide(drawn, table):
    fig = drawn(table)
    flops_axis = fig.axes[0]
    assert flops_axis.get_xscale() == "log"
    ticks = labelled_ticks(flops_axis)
    assert len(ticks) >= 3, [t.get_text() for t in ticks]
    assert all(t.get_text()[-1] in "0123456789kMG" for t in ticks), [t.get_text() for t in ticks]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ticks]
    assert not any(overlaps(a, b) for a, b in itertools.combinations(boxes, 2))


def test_ticks_read_in_k_and_m(drawn):
    texts = [t.get_text() for t in labelled_ticks(drawn(SMOKE).axes[0])]
    assert "200k" in texts and "1M" in texts, texts


@pytest.mark.parametrize("table", [SMOKE, CROWDED, WIDE], ids=["smoke", "crowded", "wide"])
@pytest.mark.parametrize("gpu", [False, True], ids=["cpu", "gpu"])
def test_variant_labels_cover_no_label_and_no_marker(drawn, table, gpu):
    fig = drawn(table, gpu)
    renderer = fig.canvas.get_renderer()
    names = [row[0] for row in table]
    means = [row[3] for row in table]
    panels = [[row[1] for row in table], [row[2] for row in table]]
    panels += [[row[2] / 10 for row in table]] if gpu else []
    assert len(fig.axes) == len(panels)
    for ax, costs in zip(fig.axes, panels, strict=True):
        labels = [text for text in ax.texts if text.get_text() in names]
        assert sorted(text.get_text() for text in labels) == sorted(names)
        boxes = [text.get_window_extent(renderer) for text in labels]
        for a, b in itertools.combinations(boxes, 2):
            assert not overlaps(a, b), (a, b)
        markers = marker_boxes(ax, costs, means, pad=0)
        frame = ax.get_window_extent(renderer)
        for text, box in zip(labels, boxes, strict=True):
            assert not any(overlaps(box, marker) for marker in markers), text.get_text()
            inside = (
                frame.x0 <= box.x0 <= box.x1 <= frame.x1
                and frame.y0 <= box.y0 <= box.y1 <= frame.y1
            )
            assert inside, text.get_text()


def test_the_same_rows_draw_the_same_figure(tmp_path):
    first = plot_tradeoffs(rows_of(CROWDED), tmp_path / "a.png").read_bytes()
    again = plot_tradeoffs(rows_of(CROWDED), tmp_path / "b.png").read_bytes()
    assert first == again
