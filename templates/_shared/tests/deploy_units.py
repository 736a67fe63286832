"""Unit tests of deploy/onnx.py: an exported model computes what PyTorch computes at every
batch size, latency rows cover the asked batch sizes, and a parity failure is an error only
after export.json and export.md are written."""

from __future__ import annotations

import importlib
import json

import pytest
import torch

PACKAGE = "{{ cookiecutter.package_name }}"
onnx = importlib.import_module(f"{PACKAGE}.deploy.onnx")
errors = importlib.import_module(f"{PACKAGE}.core.errors")


class TwoHeads(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU())
        self.score = torch.nn.Linear(16, 3)
        self.box = torch.nn.Linear(16, 4)

    def forward(self, x):
        features = self.trunk(x)
        return self.score(features), self.box(features)


@pytest.fixture
def exported(tmp_path):
    torch.manual_seed(0)
    model = TwoHeads().eval()
    path = tmp_path / "model.onnx"
    onnx.export_onnx(model, torch.randn(2, 6), path, "x", ["score", "box"])
    return model, path


def test_the_export_matches_pytorch_at_a_batch_size_it_was_not_traced_with(exported):
    model, path = exported
    inputs = torch.randn(5, 6)
    session = onnx.onnx_session(path, threads=1)
    with torch.no_grad():
        score, box = model(inputs)
    found = onnx.differences({"score": score, "box": box}, session.run(None, {"x": inputs.numpy()}))
    assert set(found) == {"score", "box"} and max(found.values()) < 1e-5, found


def test_differences_refuse_outputs_that_do_not_pair_up(exported):
    with pytest.raises(errors.ProjectError, match="2 outputs"):
        onnx.differences({"score": torch.zeros(1)}, [torch.zeros(1).numpy()] * 2)


def test_latency_rows_cover_the_batch_sizes_that_fit(exported):
    model, path = exported
    session = onnx.onnx_session(path, threads=1)
    rows = onnx.time_both(model, session, "x", torch.randn(3, 6), (1, 3, 8))
    assert [row["batch_size"] for row in rows] == [1, 3]  # 8 is more than there are inputs
    for row in rows:
        assert row["torch_ms"] > 0 and row["onnxruntime_ms"] > 0
        assert row["speedup"] == pytest.approx(row["torch_ms"] / row["onnxruntime_ms"])
    table = onnx.latency_markdown(rows, "cloud").splitlines()
    assert "per cloud" in table[0] and len(table) == 2 + len(rows)
    assert table[3].startswith("| 3 |")


def test_a_parity_failure_is_an_error_after_both_files_are_written(exported, tmp_path):
    _, path = exported
    rows = [{"batch_size": 1, "torch_ms": 2.0, "onnxruntime_ms": 1.0, "speedup": 2.0}]
    common = dict(opset=17, threads=1, latency=rows, unit="frame", summary="Timed.")
    result = onnx.write_export(tmp_path, path, per_output={"score": 1e-6}, **common, extra=7)
    assert result["parity_ok"] and result["extra"] == 7 and result["file"] == "model.onnx"
    assert json.loads((tmp_path / "export.json").read_text()) == result
    with pytest.raises(errors.ProjectError, match=r"5\.00e-01 > 0\.001"):
        onnx.write_export(tmp_path, path, per_output={"score": 1e-6, "box": 0.5}, **common)
    assert json.loads((tmp_path / "export.json").read_text())["parity_ok"] is False
    assert "| 1 | 2.00 | 1.00 |" in (tmp_path / "export.md").read_text()
    with pytest.raises(errors.ProjectError, match="predictions differ"):
        onnx.write_export(tmp_path, path, per_output={"score": 0.0}, agrees=False, **common)
