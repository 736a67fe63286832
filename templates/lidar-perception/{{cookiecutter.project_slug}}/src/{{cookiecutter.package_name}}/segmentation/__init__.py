"""Semantic segmentation of scans: range-image projection, kNN refinement and the Task."""
