"""ONNX export, parity and latency for the gaps that deploy a model (`make export`)."""
