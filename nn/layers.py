"""Layers: `Linear`, the activations, `Identity` and `Sequential`."""
from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor

from .containers import Sequential
from .module import Module, Parameter

__all__ = ["Linear", "ReLU", "Sigmoid", "Tanh", "Identity", "Sequential"]


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features), as in PyTorch.

    Weight and bias start uniform in [-1/sqrt(in_features), 1/sqrt(in_features)] (PyTorch's
    default), drawn from the generator that `autograd.manual_seed` seeds. One fused graph
    node: d/dx = g W, d/dW = g^T x, d/db = g summed over the batch.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: Any = None) -> None:
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear: in_features and out_features must be positive, got "
                             f"{in_features} and {out_features}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = 1.0 / math.sqrt(in_features)
        rng = autograd.generator()
        dtype = dtype or autograd.float64
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features))
                                .astype(dtype))
        self.bias = (Parameter(rng.uniform(-bound, bound, (out_features,)).astype(dtype))
                     if bias else None)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x
