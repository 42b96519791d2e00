"""Activation functions (`nn.functional.relu`, ...), PyTorch's names.

    softmax(x)_i     = e^(x_i - m) / sum_j e^(x_j - m)            (m = max_j x_j: no overflow)
    log_softmax(x)_i = (x_i - m) - log sum_j e^(x_j - m)
"""
from __future__ import annotations

import autograd
from autograd import Tensor

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax"]


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x)."""
    return x.tanh()


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b."""
    return autograd.linear(x, weight, bias)


def _shifted(x: Tensor, dim: int) -> Tensor:
    # Subtracting the (constant) maximum changes neither softmax nor its gradient.
    return x - x.max(dim=dim, keepdim=True).values.detach()


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """e^x / sum(e^x) along `dim`, computed without overflow."""
    e = _shifted(x, dim).exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) along `dim`, computed without overflow or log(0)."""
    z = _shifted(x, dim)
    return z - z.exp().sum(dim=dim, keepdim=True).log()
