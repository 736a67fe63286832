"""What every project of this kind shares, with no PyTorch in it: configs, registries, metrics,
results and errors. The training engine (engine/) and the project's own code build on it."""
