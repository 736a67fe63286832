"""Bird's-eye-view pieces of the detector: the grid, the ground plane, targets and decoding."""
