"""Dropout (`nn.functional.dropout`, `dropout1d`, `dropout2d`), PyTorch's names and numerics:
in training each element (or whole channel) is zeroed with probability p and the survivors
are scaled by 1/(1-p), so the expectation is unchanged; outside training the identity. The
masks come from `autograd.generator()` (reseeded by `autograd.manual_seed`).
"""
from __future__ import annotations

import warnings

import numpy as np

import autograd
from autograd import Tensor
from autograd import layer_rules as L
from autograd.dtypes import ShapeError

__all__ = ["dropout", "dropout1d", "dropout2d", "alpha_dropout"]


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(noise_shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """The multiplier: 1/(1-p) where a uniform draw from `autograd.generator()` is >= p
    (kept, with probability 1 - p), 0 elsewhere. (autograd.compile replays this call.)"""
    if p == 1.0:
        return np.zeros(noise_shape, dtype=dtype)
    keep = autograd.generator().random(noise_shape) >= p            # kept with 1 - p
    return keep.astype(dtype) / dtype.type(1 - p)


def _apply_noise(input: Tensor, noise_shape: tuple, p: float, inplace: bool) -> Tensor:
    noise = _noise(noise_shape, p, input.dtype)
    if inplace:
        return input.mul_(autograd.as_tensor(noise))
    return L.Dropout.apply(input, saved=(noise,))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
            ) -> Tensor:
    """Each element zeroed with probability p, the rest multiplied by 1/(1-p) (training)."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _apply_noise(input, input.shape, p, inplace)


def _feature(input: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    shape = input.shape[:2] if batched else input.shape[:1]
    noise_shape = shape + (1,) * (input.ndim - len(shape))
    return _apply_noise(input, noise_shape, p, inplace)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
                  ) -> Tensor:
    """Dropout that keeps the mean and variance of SELU activations (PyTorch's formula):
    out = x noise a + b, noise 1 where kept (with 1 - p), a = 1/sqrt((α² p + 1)(1 - p)),
    b = α a (noise - 1 + p), α = 1.7580993408473766."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        return _apply_noise(input, input.shape, p, inplace)
    alpha = 1.7580993408473766
    a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    noise = (autograd.generator().random(input.shape) >= p).astype(input.dtype)
    b = ((noise - 1) * (alpha * a) + alpha * a * p).astype(input.dtype)
    noise = noise * input.dtype.type(a)
    if inplace:
        return input.mul_(autograd.as_tensor(noise)).add_(autograd.as_tensor(b))
    return L.Dropout.apply(input, saved=(noise,)) + autograd.as_tensor(b)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Whole channels zeroed: input (N, C, L) or (C, L), each channel (all of L) kept with
    probability 1 - p and scaled by 1/(1-p)."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: expected a 2-D or 3-D input, got shape {input.shape}")
    return _feature(input, p, training, inplace, input.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Whole channels zeroed: input (N, C, H, W) or (C, H, W). A 3-D input is taken as
    (N, C, L), with a warning, as PyTorch does."""
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: received a {input.ndim}-D input; dropout2d expects "
                      "(N, C, H, W) or (C, H, W)", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L); use dropout1d for that", UserWarning, stacklevel=2)
    return _feature(input, p, training, inplace, input.ndim >= 2)
