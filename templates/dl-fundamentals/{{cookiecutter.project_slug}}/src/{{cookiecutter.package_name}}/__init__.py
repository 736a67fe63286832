"""Deep learning from scratch: a NumPy autograd engine, layers and optimizers, checked
against finite differences and PyTorch, trained on scikit-learn's digits."""

__version__ = "0.1.0"
