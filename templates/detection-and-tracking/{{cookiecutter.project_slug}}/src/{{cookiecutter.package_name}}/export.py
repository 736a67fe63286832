"""Export a trained detector to ONNX, check it against PyTorch, and time both.

    python -m PACKAGE.export --run runs/quick [--batch-size 8] [--opset 17] [--threads 1]

Writes ``runs/NAME/detector.onnx`` (float frames [B, 3, H, W] in [0, 1], a dynamic batch axis;
outputs heatmap logits, size, offset, embedding) and runs held-out test frames through
PyTorch and onnxruntime: the largest absolute difference of the heads is the parity figure,
and the decoded detections must agree. The median latency at batch 1 and batched goes into
``runs/NAME/export.json`` and ``export.md``, which the report shows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from .core.errors import ProjectError, run_main
from .deploy.onnx import differences, export_onnx, onnx_session, time_both, write_export
from .engine.evaluation import load_run
from .tasks import as_float, build_task

HEADS = ("heatmap", "size", "offset", "embedding")


class HeadsAsTuple(torch.nn.Module):
    """The detector with its dict of heads as a tuple in a fixed order (ONNX outputs)."""

    def __init__(self, detector: torch.nn.Module):
        super().__init__()
        self.detector = detector

    def forward(self, images: torch.Tensor):
        outputs = self.detector(images)
        return tuple(outputs[name] for name in HEADS)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.parent}.export",
        description="Export a run's detector to ONNX; parity and latency against PyTorch.",
    )
    parser.add_argument("--run", required=True, help="run folder, e.g. runs/quick")
    parser.add_argument("--batch-size", type=int, default=8, help="the batched measurement")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for both runtimes")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    run = load_run(args.run, build_task, "best", "cpu")
    task, model = run.task, run.model
    video = task.load_video(run.cfg, "test")
    if len(video.frames) == 0:
        raise ProjectError(f"{args.run}: the test split has no frames to check the export on")
    count = min(len(video.frames), max(args.batch_size, 16))
    frames = torch.from_numpy(np.ascontiguousarray(video.frames[:count].transpose(0, 3, 1, 2)))
    images = as_float(frames).contiguous()  # onnxruntime wants plain (NCHW) memory
    path = Path(args.run) / "detector.onnx"
    export_onnx(HeadsAsTuple(model), images[:2], path, "images", HEADS, args.opset)
    session = onnx_session(path, args.threads)

    with torch.no_grad():
        expected = model(images)
    actual = session.run(list(HEADS), {"images": images.numpy()})
    agreement = detection_agreement(task, model, expected, actual)
    height, width = task.image_size
    return write_export(
        Path(args.run),
        path,
        opset=args.opset,
        threads=args.threads,
        per_output=differences({name: expected[name] for name in HEADS}, actual),
        latency=time_both(
            lambda b: model(b.contiguous(memory_format=torch.channels_last)),
            session,
            "images",
            images,
            (1, args.batch_size),
        ),
        unit="frame",
        summary=(
            f"Latency on CPU, {args.threads} thread(s), {height}x{width} frames; median of "
            f"repeated calls. Detections agree on {agreement:.1%} of {count} held-out frames."
        ),
        agrees=agreement >= 0.99,
        frames=count,
        image_size=list(task.image_size),
        detection_agreement=agreement,
    )


def detection_agreement(task, model, expected: dict, actual: list) -> float:
    """Share of frames whose decoded detections (above the score threshold) are the same
    boxes, classes and scores (to 1e-3) from both runtimes."""
    from .detection.decode import decode, select

    onnx_outputs = {
        name: torch.from_numpy(value) for name, value in zip(HEADS, actual, strict=True)
    }
    stride = int(model.stride)
    ours = decode(expected, stride, task.image_size, task.max_detections)
    theirs = decode(onnx_outputs, stride, task.image_size, task.max_detections)
    same = 0
    for i in range(expected["heatmap"].shape[0]):
        a = select(ours, i, 0.3, task.nms_iou)
        b = select(theirs, i, 0.3, task.nms_iou)
        same += int(
            a["boxes"].shape == b["boxes"].shape
            and torch.equal(a["labels"], b["labels"])
            and torch.allclose(a["boxes"], b["boxes"], atol=1e-2)
            and torch.allclose(a["scores"], b["scores"], atol=1e-3)
        )
    return same / max(1, expected["heatmap"].shape[0])


if __name__ == "__main__":
    run_main(main)
