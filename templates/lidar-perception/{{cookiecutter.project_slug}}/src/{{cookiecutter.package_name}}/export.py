"""Export a trained detector to ONNX, check it against PyTorch, and time both.

    python -m {{ cookiecutter.package_name }}.export --run runs/quick-det [--batch-size 8]

What goes to ONNX is the network after the pillar scatter: the backbone, the neck and the
head, from the BEV pseudo-image to the heatmaps and regression maps. The pillar encoder's
scatter (``scatter_reduce`` over a data-dependent number of points) stays in torch, as it
does in the usual PointPillars deployments (a custom op or a preprocessing stage there).
Writes ``runs/<run>/model.onnx``, the largest absolute difference of every output on held-out
scans, whether the decoded detections agree, and the latency of both runtimes
(``export.md``, ``export.json``; deploy/onnx.py). A parity failure is an error (exit code 1)
after both files are written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .bev.decode import decode
from .core.errors import ConfigError, run_main
from .deploy.onnx import differences, export_onnx, onnx_session, time_both, write_export
from .engine.evaluation import load_run
from .tasks import build_task

OUTPUTS = ("heatmap", "regression", "direction")


class BevNetwork(torch.nn.Module):
    """The detector after its pillar scatter, returning its outputs as a tuple (ONNX)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, pseudo_image: torch.Tensor):
        outputs = self.model.bev(pseudo_image)
        return tuple(outputs[name] for name in OUTPUTS)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.export",
        description="Export a detection run's backbone and head to ONNX; parity and latency.",
    )
    parser.add_argument("--run", required=True, help="run folder, e.g. runs/quick-det")
    parser.add_argument("--batch-size", type=int, default=8, help="the batched measurement")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for both runtimes")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    run_dir = Path(args.run)
    run = load_run(run_dir, build_task)
    if run.cfg.get("task", "detection") != "detection" or not hasattr(run.model, "bev"):
        raise ConfigError(f"{run_dir} is not a detection run with a bev() network to export")
    model = run.model.eval()
    points, _boxes = run.dataset("test").tensors
    with torch.no_grad():
        images = model.pillars(points[: args.batch_size]).contiguous()
        expected = model.bev(images)
    network = BevNetwork(model)
    path = run_dir / "model.onnx"
    export_onnx(network, images[:2], path, "pseudo_image", list(OUTPUTS), args.opset)
    session = onnx_session(path, args.threads)
    actual = session.run(list(OUTPUTS), {"pseudo_image": images.numpy()})
    grid = run.task.grid
    ours = decode(expected, grid, 50)
    theirs = decode(
        {k: torch.from_numpy(v) for k, v in zip(OUTPUTS, actual, strict=True)}, grid, 50
    )
    strong = ours["scores"] > 0.3
    same = bool(torch.equal(ours["labels"][strong], theirs["labels"][strong]))
    same = same and bool(torch.allclose(ours["boxes"][strong], theirs["boxes"][strong], atol=1e-3))
    return write_export(
        run_dir,
        path,
        opset=args.opset,
        threads=args.threads,
        per_output=differences(expected, actual),
        latency=time_both(network, session, "pseudo_image", images, (1, len(images))),
        unit="scan",
        summary=(
            f"Backbone + head (after the pillar scatter, which stays in torch) on CPU, "
            f"{args.threads} thread(s), BEV pseudo-image {tuple(images.shape[1:])}; median of "
            f"repeated calls. Decoded detections (score > 0.3) "
            f"{'agree' if same else 'DIFFER'} on {len(images)} held-out scans."
        ),
        agrees=same,
        input_shape=list(images.shape[1:]),
    )


if __name__ == "__main__":
    run_main(main)
