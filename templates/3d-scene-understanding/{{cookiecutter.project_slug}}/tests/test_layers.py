"""Known answers for the point-set operations the models are built from."""

from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.models.dgcnn import (
    EdgeConv,
)
from {{ cookiecutter.package_name }}.models.layers import (
    farthest_point_sample,
    gather_neighbours,
    knn,
    pairwise_sq_distances,
)


def test_pairwise_distances_match_cdist():
    a, b = torch.randn(2, 50, 3), torch.randn(2, 30, 3)
    torch.testing.assert_close(
        pairwise_sq_distances(a, b), torch.cdist(a, b) ** 2, atol=1e-4, rtol=1e-4
    )


def test_knn_on_a_line_finds_the_adjacent_points():
    x = torch.tensor([0.0, 1.0, 2.5, 4.5, 10.0]).view(1, 5, 1).expand(1, 5, 3).contiguous()
    index = knn(x, 2)
    assert index[0, :, 0].tolist() == [0, 1, 2, 3, 4]  # each point is its own nearest
    assert index[0, :, 1].tolist() == [1, 0, 1, 2, 3]


def test_gather_neighbours_picks_rows_per_batch():
    x = torch.arange(2 * 4 * 1, dtype=torch.float32).view(2, 4, 1)
    index = torch.tensor([[[3, 0]], [[1, 1]]])
    assert gather_neighbours(x, index).view(2, 2).tolist() == [[3.0, 0.0], [5.0, 5.0]]


def test_farthest_point_sampling_spreads_out():
    # Two tight clusters far apart: the first two samples must land in different clusters.
    x = torch.cat([torch.randn(1, 20, 3) * 0.01, torch.randn(1, 20, 3) * 0.01 + 5], dim=1)
    chosen = farthest_point_sample(x, 2)[0]
    assert chosen[0] == 0 and chosen[1] >= 20
    assert len(set(farthest_point_sample(x, 40)[0].tolist())) == 40  # never repeats a point


def test_edge_conv_equals_the_edge_wise_formula():
    """The per-point factorisation computes max_j W [x_i, x_j - x_i] exactly (then BN, act)."""
    torch.manual_seed(0)
    layer = EdgeConv(3, 8).eval()
    with torch.no_grad():
        layer.norm.running_mean.uniform_(-1, 1)
        layer.norm.running_var.uniform_(0.5, 2)
    x = torch.randn(2, 16, 3)
    index = knn(x, 4)
    neighbours = gather_neighbours(x, index)  # [B, P, k, 3]
    centre = x.unsqueeze(2).expand_as(neighbours)
    weight = torch.cat([layer.centre.weight, layer.neighbour.weight], dim=1)  # W = [A | B]
    edge = torch.cat([centre, neighbours - centre], dim=-1) @ weight.T
    expected = layer.act(layer.norm(edge.max(dim=2).values.reshape(-1, 8)).reshape(2, 16, 8))
    with torch.no_grad():
        torch.testing.assert_close(layer(x, index), expected, atol=1e-5, rtol=1e-5)
