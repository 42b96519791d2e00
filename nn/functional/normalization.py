"""Normalisation functions (`nn.functional.batch_norm`, `layer_norm`, `group_norm`,
`instance_norm`), PyTorch's names, arguments and numerics; one fused node each (rules in
`autograd/layer_rules.py`).

    xhat = (x - mean) / sqrt(var + eps),   out = xhat * weight + bias

with the mean and the biased variance taken per channel over the batch (batch_norm), over
the last dimensions of each sample (layer_norm), per sample and group of channels
(group_norm), per sample and channel (instance_norm).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd
from autograd import Tensor
from autograd import layer_rules as L
from autograd.dtypes import ShapeError

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]


def _param(op: str, name: str, p: Any, shape: tuple, default: float) -> Any:
    """An affine parameter (a Tensor of `shape`), or the constant `default` when None."""
    if p is None:
        return default
    if not isinstance(p, Tensor):
        p = autograd.as_tensor(p)
    if tuple(p.shape) != shape:
        raise ShapeError(f"{op}: expected {name} of shape {shape}, got {p.shape}")
    return p


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation over (N, C, ...): per channel, with the batch's mean and biased
    variance in training (then, with running stats given, running = (1 - momentum) running
    + momentum batch, using the unbiased variance), with the running statistics otherwise."""
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input (N, C, ...) of at least 2 dimensions, "
                         f"got shape {input.shape}")
    c = input.shape[1]
    if training:
        size = input.size(0) * int(np.prod(input.shape[2:], dtype=np.int64))
        if size == 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed outside training "
                         "(pass training=True to use the batch's statistics)")
    for name, r in (("running_mean", running_mean), ("running_var", running_var)):
        if r is not None and tuple(r.shape) != (c,):
            raise ShapeError(f"batch_norm: expected {name} of shape ({c},), got {r.shape}")
    w = _param("batch_norm", "weight", weight, (c,), 1.0)
    b = _param("batch_norm", "bias", bias, (c,), 0.0)
    rm = None if training or running_mean is None else running_mean._data.copy()
    rv = None if training or running_var is None else running_var._data.copy()
    cache: list = []
    out = L.BatchNorm.apply(input, w, b, saved=(rm, rv, bool(training), float(eps), cache))
    if training and (running_mean is not None or running_var is not None):
        mean, _, var_sum = cache
        n = input.numel() // c
        dt = input.dtype
        with autograd.no_grad():
            if running_mean is not None:
                new = momentum * mean.reshape(-1) + (1 - momentum) * running_mean._data
                running_mean.copy_(autograd.as_tensor(new.astype(running_mean.dtype)))
            if running_var is not None:
                unbiased = var_sum.reshape(-1) / dt.type(max(n - 1, 0)) if n > 1 else \
                    np.full(c, np.nan, dtype=dt)
                new = momentum * unbiased + (1 - momentum) * running_var._data
                running_var.copy_(autograd.as_tensor(new.astype(running_var.dtype)))
    return out


def _normalized_shape(op: str, normalized_shape: Any) -> tuple:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(n) for n in normalized_shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last len(normalized_shape) dimensions (which must be
    `normalized_shape`), then scale and shift elementwise by weight and bias."""
    shape = _normalized_shape("layer_norm", normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise ShapeError(f"layer_norm: given normalized_shape={list(shape)}, expected an input "
                         f"of shape [*, {', '.join(map(str, shape))}], got {input.shape}")
    w = _param("layer_norm", "weight", weight, shape, 1.0)
    b = _param("layer_norm", "bias", bias, shape, 0.0)
    return L.LayerNorm.apply(input, w, b, saved=(k, float(eps), []))


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over groups of num_groups consecutive channels (and all other
    dimensions), then scale and shift per channel."""
    if input.ndim < 2:
        raise ShapeError(f"group_norm: expected an input (N, C, ...) of at least 2 dimensions, "
                         f"got shape {input.shape}")
    c = input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise ShapeError(f"group_norm: expected the number of channels ({c}) to be divisible "
                         f"by num_groups ({num_groups})")
    if input.shape[0] * (c // num_groups) * int(np.prod(input.shape[2:], dtype=np.int64)) == 1:
        # PyTorch's check (its batch-size check applied to (N * C/G, G, ...))
        raise ValueError(f"group_norm: expected more than 1 value per channel when training, "
                         f"got input size {input.shape} with {num_groups} groups")
    w = _param("group_norm", "weight", weight, (c,), 1.0)
    b = _param("group_norm", "bias", bias, (c,), 0.0)
    return L.GroupNorm.apply(input, w, b, saved=(int(num_groups), float(eps), []))


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channels separately (group_norm with one group per channel).
    Running statistics are not supported here (use_input_stats must be True)."""
    if not use_input_stats or running_mean is not None or running_var is not None:
        raise NotImplementedError("instance_norm: running statistics are not supported; use "
                                  "use_input_stats=True without running_mean/running_var")
    if input.ndim < 3:
        raise ShapeError(f"instance_norm: expected an input (N, C, L, ...) of at least 3 "
                         f"dimensions, got shape {input.shape}")
    return group_norm(input, input.shape[1], weight, bias, eps)
