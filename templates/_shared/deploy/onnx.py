"""ONNX export with a parity check and PyTorch-vs-onnxruntime latency, shared by the gaps
whose projects deploy a model (``make export``).

A gap's ``export.py`` chooses what to export and on which held-out inputs; this module does
the rest the same way everywhere: the TorchScript exporter with a dynamic batch axis, an
onnxruntime session on as many threads as PyTorch gets, the largest absolute difference of
every output, median latencies of both runtimes, and ``export.json`` + ``export.md`` in the
run folder (training's ``metrics.json`` is never touched). A parity failure is an error after
both files are written, so the numbers that failed stay readable.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import torch

from ..core.errors import ProjectError
from ..core.results import write_json
from ..engine.latency import time_calls

# A failure means the exported graph computes something else, not float noise.
PARITY_TOLERANCE = 1e-3


def export_onnx(
    module: torch.nn.Module,
    example: torch.Tensor,
    path: Path,
    input_name: str,
    output_names: Sequence[str],
    opset: int = 17,
) -> None:
    """Write ``module`` (one tensor in, a tensor or a tuple of them out) as ONNX, batch axis
    dynamic on every input and output.

    ``dynamo=False`` selects the TorchScript exporter, which needs only the onnx package (the
    dynamo exporter, torch's default since 2.9, also needs onnxscript).
    """
    axes = {name: {0: "batch"} for name in (input_name, *output_names)}
    quiet = contextlib.redirect_stdout(io.StringIO())
    with warnings.catch_warnings(), quiet:
        warnings.simplefilter("ignore")  # tracer warnings about Python ints in shapes
        torch.onnx.export(
            module.eval(),
            (example,),
            str(path),
            input_names=[input_name],
            output_names=list(output_names),
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )


def onnx_session(path: Path, threads: int):
    """An onnxruntime CPU session on ``threads`` threads (fair against PyTorch's)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def differences(
    expected: Mapping[str, torch.Tensor], actual: Sequence[np.ndarray]
) -> dict[str, float]:
    """Output name -> the largest absolute difference between PyTorch's and onnxruntime's."""
    if len(expected) != len(actual):
        raise ProjectError(f"ONNX gave {len(actual)} outputs, PyTorch {len(expected)}")
    return {
        name: float(np.abs(tensor.detach().float().numpy() - value).max())
        for (name, tensor), value in zip(expected.items(), actual, strict=True)
    }


def median_ms(call: Callable[[], object], budget_s: float = 0.5) -> float:
    """Median wall time of ``call`` on the CPU, in milliseconds."""
    return 1000 * statistics.median(time_calls(call, torch.device("cpu"), budget_s=budget_s))


def time_both(
    torch_call: Callable[[torch.Tensor], object],
    session,
    input_name: str,
    inputs: torch.Tensor,
    batch_sizes: Sequence[int],
) -> list[dict]:
    """Median latency of PyTorch (``torch_call``, without autograd) and of onnxruntime on the
    first ``n`` inputs, for each batch size ``n`` (sizes above ``len(inputs)`` are dropped)."""
    rows = []
    for size in sorted({min(n, len(inputs)) for n in batch_sizes}):
        batch = inputs[:size].contiguous()  # onnxruntime wants plain memory
        with torch.no_grad():
            torch_ms = median_ms(lambda b=batch: torch_call(b))
        feed = {input_name: batch.numpy()}
        onnx_ms = median_ms(lambda f=feed: session.run(None, f))
        rows.append(
            {"batch_size": size, "torch_ms": torch_ms, "onnxruntime_ms": onnx_ms,
             "speedup": torch_ms / onnx_ms}
        )  # fmt: skip
    return rows


def latency_markdown(rows: Sequence[dict], unit: str) -> str:
    """The latency rows as a table: per call and per ``unit`` (cloud, frame, ...)."""
    lines = [
        f"| batch | PyTorch (ms) | onnxruntime (ms) | PyTorch per {unit} (ms) | "
        f"onnxruntime per {unit} (ms) | speed-up |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        n = row["batch_size"]
        lines.append(
            f"| {n} | {row['torch_ms']:.2f} | {row['onnxruntime_ms']:.2f} | "
            f"{row['torch_ms'] / n:.3f} | {row['onnxruntime_ms'] / n:.3f} | {row['speedup']:.2f}x |"
        )
    return "\n".join(lines)


def write_export(
    run_dir: Path,
    onnx_path: Path,
    *,
    opset: int,
    threads: int,
    per_output: Mapping[str, float],
    latency: Sequence[dict],
    unit: str,
    summary: str,
    agrees: bool = True,
    **details,
) -> dict:
    """Write ``export.json`` and ``export.md`` into ``run_dir``, print them, and return the
    result; raise ProjectError afterwards when parity fails.

    ``summary`` is the line above the latency table (what was timed, on which inputs);
    ``agrees`` is the gap's own check of the decoded outputs (same predictions), ``details``
    any further numbers the gap records.
    """
    worst = max(per_output.values())
    result = {
        "file": onnx_path.name,
        "file_mb": round(onnx_path.stat().st_size / 2**20, 3),
        "opset": opset,
        "threads": threads,
        "max_abs_diff": worst,
        "max_abs_diff_per_output": dict(per_output),
        **details,
        "parity_ok": worst <= PARITY_TOLERANCE and agrees,
        "latency": list(latency),
        "exported_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    table = f"{summary} Parity: max abs difference {worst:.2e}.\n\n" + latency_markdown(
        latency, unit
    )
    (run_dir / "export.md").write_text(table + "\n", encoding="utf-8")
    write_json(result, run_dir / "export.json")
    print(f"exported {onnx_path} ({result['file_mb']} MB, opset {opset})")
    print(f"parity: max |torch - onnxruntime| = {worst:.2e} "
          f"({'ok' if result['parity_ok'] else 'FAILED'})")  # fmt: skip
    print(table)
    if not result["parity_ok"]:
        why = "the decoded predictions differ"
        if worst > PARITY_TOLERANCE:
            why = f"{worst:.2e} > {PARITY_TOLERANCE}"
        raise ProjectError(f"ONNX parity check failed for {onnx_path}: {why}")
    return result
