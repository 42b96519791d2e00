"""Loss functions (`nn.functional.mse_loss`, ...), PyTorch's names and `reduction`s.

    cross_entropy = -log_softmax(x)[target], averaged over the batch
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.functions import mse_loss as _fused_mse

from .activation import log_softmax

__all__ = ["mse_loss", "l1_loss", "cross_entropy", "check_reduction"]

_REDUCTIONS = ("mean", "sum", "none")
# nn's own folder: a warning points at the first frame outside it (the user's line)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def check_reduction(op: str, reduction: str) -> None:
    """A loss's `reduction` must be "mean", "sum" or "none"."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _user_stacklevel() -> int:
    """The `stacklevel` for a warning raised by our caller that points at the first line
    outside this package (the user's `loss = loss_fn(output, y)`), not at nn's insides."""
    frame: Any = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _check_pair(op: str, input: Tensor, target: Any, reduction: str) -> Tensor:
    check_reduction(op, reduction)
    target = as_tensor(target)
    if input.shape != target.shape:
        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{op}: input of shape {input.shape} and target of shape "
                             f"{target.shape} cannot be broadcast together") from None
        warnings.warn(
            f"{op}: input shape {input.shape} differs from target shape {target.shape}; they "
            f"broadcast to {shape}, so every prediction is compared with every target. This "
            "is almost always a bug: make the shapes equal (for example y_pred.squeeze(1) or "
            "y.reshape(-1, 1)).", UserWarning, stacklevel=_user_stacklevel())
    return target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2) (or "sum", or "none" for the elementwise squares)."""
    target = _check_pair("mse_loss", input, target, reduction)
    return _fused_mse(input, target, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """mean(|input - target|); the derivative at a tie (input == target) is 0."""
    target = _check_pair("l1_loss", input, target, reduction)
    err = (input - target).abs()
    if reduction == "none":
        return err
    return err.mean() if reduction == "mean" else err.sum()


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-log softmax(input)[target]: input (N, C) scores, target (N,) class indices
    (or input (C,) and a single index)."""
    check_reduction("cross_entropy", reduction)
    t = np.asarray(target._data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: target must hold integer class indices, got dtype "
                        f"{t.dtype}")
    if input.ndim not in (1, 2) or t.shape != input.shape[:-1]:
        raise ValueError(f"cross_entropy: expected input (N, C) with target (N,), or input (C,) "
                         f"with a single index; got input {input.shape} and target {t.shape}")
    classes = input.shape[-1]
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise IndexError(f"cross_entropy: target indices must lie in [0, {classes}), got "
                         f"values from {t.min()} to {t.max()}")
    logp = log_softmax(input, dim=-1)
    picked = logp[t] if input.ndim == 1 else logp[np.arange(len(t)), t]
    if reduction == "none":
        return -picked
    return -(picked.mean() if reduction == "mean" else picked.sum())
