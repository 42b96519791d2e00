"""Normalisation layers: BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d, with
PyTorch's arguments, initialisation (weight 1, bias 0), buffers and state_dict keys."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd
from autograd import Tensor

from .functional import normalization as FN
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm1d",
           "InstanceNorm2d"]


def _dtype(dtype: Any) -> Any:
    return np.dtype(dtype) if dtype is not None else autograd.get_default_dtype()


class _BatchNorm(Module):
    """Per-channel normalisation with the batch's statistics in training (and running
    averages of them, kept as buffers), the running statistics in eval mode.

    momentum: running = (1 - momentum) running + momentum batch; None: the cumulative
    average over the batches seen (num_batches_tracked). The running variance uses the
    unbiased batch variance, the normalisation the biased one, as PyTorch."""

    _expected: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, num_features, affine, bias, _dtype(dtype))
        dt = _dtype(dtype)
        if track_running_stats:
            self.register_buffer("running_mean", autograd.tensor(np.zeros(num_features, dt)))
            self.register_buffer("running_var", autograd.tensor(np.ones(num_features, dt)))
            self.register_buffer("num_batches_tracked",
                                 autograd.tensor(0, dtype=autograd.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with autograd.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            with autograd.no_grad():
                self.weight.fill_(1)
                self.bias.zero_()

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in self._expected:
            dims = " or ".join(f"{d}D" for d in self._expected)
            raise ValueError(f"{type(self).__name__}: expected {dims} input (got "
                             f"{input.ndim}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with autograd.no_grad():
                self.num_batches_tracked.add_(1)
            factor = (1.0 / float(self.num_batches_tracked.item()) if self.momentum is None
                      else self.momentum)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        return FN.batch_norm(input, self.running_mean if use_running else None,
                             self.running_var if use_running else None, self.weight,
                             self.bias, bn_training, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


def _affine_parameters(m: Module, n: int, affine: bool, bias: bool, dt: Any) -> None:
    """weight (ones) and bias (zeros) of n features, or None where absent."""
    if affine:
        m.weight = Parameter(np.ones(n, dtype=dt))
        if bias:
            m.bias = Parameter(np.zeros(n, dtype=dt))
        else:
            m.register_parameter("bias", None)
    else:
        m.register_parameter("weight", None)
        m.register_parameter("bias", None)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C."""

    _expected = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C."""

    _expected = (4,)


class LayerNorm(Module):
    """Normalisation of each sample over its last dimensions (normalized_shape), then an
    elementwise scale (weight, 1 at first) and shift (bias, 0)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        shape = ((int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer))
                 else tuple(int(n) for n in normalized_shape))
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        dt = _dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        return FN.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalisation of each sample over groups of channels, then a per-channel scale and
    shift (affine)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = (
            num_groups, num_channels, eps, affine)
        _affine_parameters(self, num_channels, affine, bias, _dtype(dtype))

    def forward(self, input: Tensor) -> Tensor:
        return FN.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(Module):
    """Normalisation of each sample's channels separately (no running statistics)."""

    _dims = 3

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if track_running_stats:
            raise NotImplementedError(f"{type(self).__name__}: track_running_stats=True is "
                                      "not supported")
        self.num_features, self.eps, self.momentum, self.affine = (
            num_features, eps, momentum, affine)
        self.track_running_stats = False
        dt = _dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dt))
            self.bias = Parameter(np.zeros(num_features, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self._dims - 1, self._dims):
            raise ValueError(f"{type(self).__name__}: expected {self._dims - 1}D or "
                             f"{self._dims}D input (got {input.ndim}D input)")
        if input.ndim == self._dims - 1:           # unbatched: add the batch axis
            return FN.instance_norm(input.unsqueeze(0), weight=self.weight, bias=self.bias,
                                    eps=self.eps).squeeze(0)
        return FN.instance_norm(input, weight=self.weight, bias=self.bias, eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs."""

    _dims = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs."""

    _dims = 4
