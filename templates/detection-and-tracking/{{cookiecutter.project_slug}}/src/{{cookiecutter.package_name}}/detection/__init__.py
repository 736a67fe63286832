"""The detector's tools, all in PyTorch: box operations, non-maximum suppression, CenterNet
targets (what the heads should predict), losses, and decoding head outputs into boxes."""
