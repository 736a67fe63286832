"""Export a trained run to ONNX, check it against PyTorch, and time both.

    python -m PACKAGE.export --run runs/quick-cls [--batch-size 32] [--opset 17]

Writes ``runs/<run>/model.onnx`` (dynamic batch axis), then runs the same held-out clouds
through PyTorch and onnxruntime: the largest absolute difference of the logits is the parity
figure, and the median latency at batch 1 and batched goes into a table (``export.md``) and
into metrics.json under ``onnx``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from .engine.checkpoint import load_model_for_eval
from .engine.latency import time_calls
from .tasks import build_task

# A parity failure means the exported graph computes something else, not float noise.
PARITY_TOLERANCE = 1e-3


def export_onnx(model: torch.nn.Module, example: torch.Tensor, path: Path, opset: int = 17) -> None:
    """Write ``model`` as ONNX with a dynamic batch axis.

    ``dynamo=False`` selects the TorchScript exporter: since torch 2.9 the default is the
    dynamo exporter, which needs the extra package onnxscript; this one needs only onnx.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python ints in shapes
        torch.onnx.export(
            model,
            (example,),
            str(path),
            input_names=["points"],
            output_names=["logits"],
            dynamic_axes={"points": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=opset,
            dynamo=False,
        )


def onnx_session(path: Path, threads: int):
    """An onnxruntime CPU session limited to ``threads`` threads (fair against PyTorch)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Export a run to ONNX; parity and latency.")
    parser.add_argument("--run", required=True, help="run folder, e.g. runs/quick-cls")
    parser.add_argument("--batch-size", type=int, default=32, help="the batched measurement")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for both runtimes")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    run_dir = Path(args.run)
    task, model, cfg = load_model_for_eval(run_dir, build_task)
    points, _labels = task.load(cfg, "test").tensors
    batch = points[: args.batch_size].contiguous()
    path = run_dir / "model.onnx"
    export_onnx(model, batch[:2], path, args.opset)
    session = onnx_session(path, args.threads)

    with torch.no_grad():
        expected = model(batch).numpy()
    actual = session.run(["logits"], {"points": batch.numpy()})[0]
    max_abs_diff = float(np.abs(expected - actual).max())
    agreement = float((expected.argmax(-1) == actual.argmax(-1)).mean())

    def median_ms(call) -> float:
        return 1000 * float(np.median(time_calls(call, torch.device("cpu"), budget_s=0.5)))

    rows = []
    for size in (1, len(batch)):
        inputs = batch[:size]
        with torch.no_grad():
            torch_ms = median_ms(lambda x=inputs: model(x))
        feed = {"points": inputs.numpy()}
        onnx_ms = median_ms(lambda f=feed: session.run(None, f))
        rows.append(
            {
                "batch_size": size,
                "torch_ms": torch_ms,
                "onnxruntime_ms": onnx_ms,
                "speedup": torch_ms / onnx_ms,
            }
        )

    result = {
        "file": path.name,
        "file_mb": round(path.stat().st_size / 2**20, 3),
        "opset": args.opset,
        "threads": args.threads,
        "num_points": int(batch.shape[1]),
        "max_abs_diff": max_abs_diff,
        "prediction_agreement": agreement,
        "parity_ok": max_abs_diff <= PARITY_TOLERANCE,
        "latency": rows,
        "exported_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write_table(run_dir / "export.md", result)
    metrics_path = run_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}
    metrics["onnx"] = result
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")

    print(f"exported {path} ({result['file_mb']} MB, opset {args.opset})")
    print(
        f"parity: max |torch - onnxruntime| = {max_abs_diff:.2e} over {len(batch)} clouds, "
        f"same prediction for {agreement:.1%} ({'ok' if result['parity_ok'] else 'FAILED'})"
    )
    print((run_dir / "export.md").read_text(encoding="utf-8"))
    if not result["parity_ok"]:
        raise SystemExit(f"ONNX parity check failed: {max_abs_diff:.2e} > {PARITY_TOLERANCE}")
    return result


def write_table(path: Path, result: dict) -> None:
    lines = [
        f"Latency on CPU, {result['threads']} thread(s), {result['num_points']} points per "
        f"cloud; median of repeated calls. Parity: max abs difference "
        f"{result['max_abs_diff']:.2e}.",
        "",
        "| batch | PyTorch (ms) | onnxruntime (ms) | PyTorch per cloud (ms) | "
        "onnxruntime per cloud (ms) | speed-up |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["latency"]:
        n = row["batch_size"]
        lines.append(
            f"| {n} | {row['torch_ms']:.2f} | {row['onnxruntime_ms']:.2f} | "
            f"{row['torch_ms'] / n:.3f} | {row['onnxruntime_ms'] / n:.3f} | {row['speedup']:.2f}x |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
