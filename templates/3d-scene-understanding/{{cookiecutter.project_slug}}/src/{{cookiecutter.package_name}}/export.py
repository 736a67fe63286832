"""Export a trained run to ONNX, check it against PyTorch, and time both.

    python -m {{ cookiecutter.package_name }}.export --run runs/quick-cls [--batch-size 32]

Writes ``runs/<run>/model.onnx`` (dynamic batch axis), then runs the same held-out clouds
through PyTorch and onnxruntime: the largest absolute difference of the logits is the parity
figure, and the median latency at batch 1 and batched goes into a table (``export.md``) and
``export.json`` beside it (deploy/onnx.py; training's metrics.json is never changed). A parity
failure is an error (exit code 1) after both files are written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .core.errors import run_main
from .deploy.onnx import differences, export_onnx, onnx_session, time_both, write_export
from .engine.evaluation import load_run
from .tasks import build_task


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.export",
        description="Export a run to ONNX; parity and latency.",
    )
    parser.add_argument("--run", required=True, help="run folder, e.g. runs/quick-cls")
    parser.add_argument("--batch-size", type=int, default=32, help="the batched measurement")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for both runtimes")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    run_dir = Path(args.run)
    run = load_run(run_dir, build_task)
    model = run.model
    points, _labels = run.dataset("test").tensors
    batch = points[: args.batch_size].contiguous()
    path = run_dir / "model.onnx"
    export_onnx(model, batch[:2], path, "points", ["logits"], args.opset)
    session = onnx_session(path, args.threads)

    with torch.no_grad():
        expected = model(batch)
    (actual,) = session.run(["logits"], {"points": batch.numpy()})
    agreement = float((expected.argmax(-1).numpy() == actual.argmax(-1)).mean())
    return write_export(
        run_dir,
        path,
        opset=args.opset,
        threads=args.threads,
        per_output=differences({"logits": expected}, [actual]),
        latency=time_both(model, session, "points", batch, (1, len(batch))),
        unit="cloud",
        summary=(
            f"Latency on CPU, {args.threads} thread(s), {batch.shape[1]} points per cloud; "
            f"median of repeated calls. Same prediction for {agreement:.1%} of {len(batch)} "
            "held-out clouds."
        ),
        num_points=int(batch.shape[1]),
        prediction_agreement=agreement,
    )


if __name__ == "__main__":
    run_main(main)
