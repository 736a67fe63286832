"""The 3D detection task: scans to BEV inputs, losses, summable validation AP."""
