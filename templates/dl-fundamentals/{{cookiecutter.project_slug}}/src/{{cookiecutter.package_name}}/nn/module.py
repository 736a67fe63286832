"""Module: a container of parameters, buffers and sub-modules, PyTorch-style.

Names follow PyTorch (`0.weight`, `features.1.running_mean`), so a state dict
moves between this engine and its PyTorch twin without renaming.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..autograd import Tensor


class Parameter(Tensor):
    """A Tensor an optimizer updates: it always requires a gradient."""

    def __init__(self, data):
        super().__init__(np.asarray(data), requires_grad=True)


class Module:
    """Base class: subclasses set Parameters and Modules as attributes and define forward()."""

    training = True
    _buffer_names: tuple[str, ...] = ()  # NumPy arrays saved in the state dict

    def forward(self, *args):
        raise NotImplementedError

    def __call__(self, *args):
        return self.forward(*args)

    def children(self) -> Iterator[tuple[str, Module]]:
        """(name, sub-module) pairs, in attribute order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        return [parameter for _, parameter in self.named_parameters()]

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        for name in self._buffer_names:
            yield prefix + name, getattr(self, name)
        for name, child in self.children():
            yield from child.named_buffers(f"{prefix}{name}.")

    def train(self, mode: bool = True) -> Module:
        """Training mode (batch statistics, dropout on) or, with mode=False, evaluation."""
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for parameter in self.parameters():
            parameter.grad = None

    def num_parameters(self) -> int:
        return sum(parameter.size for parameter in self.parameters())

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, by PyTorch-compatible name."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({name: b.copy() for name, b in self.named_buffers()})
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy values in place; names and shapes must match exactly."""
        targets = {name: p.data for name, p in self.named_parameters()}
        targets.update(dict(self.named_buffers()))
        missing, unexpected = targets.keys() - state.keys(), state.keys() - targets.keys()
        if missing or unexpected:
            raise KeyError(
                f"state dict mismatch: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
            )
        for name, target in targets.items():
            value = np.asarray(state[name])
            if value.shape != target.shape:
                raise ValueError(f"{name}: saved shape {value.shape} != model shape {target.shape}")
            target[...] = value


class Sequential(Module):
    """Modules applied in order; children are named "0", "1", ... as in PyTorch."""

    def __init__(self, *modules: Module):
        self.layers = list(modules)

    def children(self) -> Iterator[tuple[str, Module]]:
        for index, module in enumerate(self.layers):
            yield str(index), module

    def forward(self, x):
        for module in self.layers:
            x = module(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)
