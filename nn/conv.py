"""Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose2d`, as PyTorch's.

    Conv2d:           out[n, o] = b[o] + sum_c w[o, c] (star) x[n, c]   (cross-correlation)
    ConvTranspose2d:  the adjoint of Conv2d in its input (each input pixel adds a copy of
                      the kernel, scaled by it, into the output)

Weights start as PyTorch's: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in),
1/sqrt(fan_in)) with fan_in = weight.shape[1] * kernel size, and the bias in the same
bound, drawn from `autograd.generator()` (seeded by `autograd.manual_seed`).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from . import init
from .functional import conv as FC
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value: Any, n: int, what: str, layer: str) -> tuple:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and len(value) == n:
        return tuple(int(v) for v in value)
    raise ValueError(f"{layer}: {what} must be an int or a tuple of {n} ints, got {value!r}")


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: arguments, parameters, initialisation."""

    _n = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
                 output_padding: Any = 0) -> None:
        super().__init__()
        name, n = type(self).__name__, self._n
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _tuple(kernel_size, n, "kernel_size", name)
        self.stride = _tuple(stride, n, "stride", name)
        self.dilation = _tuple(dilation, n, "dilation", name)
        self.output_padding = _tuple(output_padding, n, "output_padding", name)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = _tuple(padding, n, "padding", name)
        # F.pad's order (last axis first), both sides: what padding_mode != "zeros" pads by
        if padding == "same":
            pairs = FC.same_pads(self.kernel_size, self.dilation)
        elif padding == "valid":
            pairs = ((0, 0),) * n
        else:
            pairs = tuple((p, p) for p in self.padding)
        self._reversed_padding_repeated_twice = [v for pair in reversed(pairs) for v in pair]
        dt = np.dtype(dtype) if dtype is not None else autograd.get_default_dtype()
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight ~ kaiming_uniform_(a=sqrt(5)) (= U(+-1/sqrt(fan_in))),
        bias ~ U(+-1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self._n
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _conv(self, x: Tensor) -> Tensor:
        conv = FC.conv1d if self._n == 1 else FC.conv2d
        if self.padding_mode != "zeros":
            padded = FC.mode_pad(x, self._reversed_padding_repeated_twice, self.padding_mode)
            return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                        self.groups)
        return conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)

    def forward(self, input: Tensor) -> Tensor:
        """The convolution of `input` with this layer's weight (and bias)."""
        return self._conv(input)


class Conv1d(_ConvNd):
    """1-d convolution over input (N, C_in, L) or (C_in, L): weight (C_out, C_in/groups, k),
    out[n, o, i] = b[o] + sum_{c, k} w[o, c, k] xp[n, c, i*stride + k*dilation]."""

    _n = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)


class Conv2d(_ConvNd):
    """2-d convolution over input (N, C_in, H, W) or (C_in, H, W): weight (C_out,
    C_in/groups, kh, kw), out[n, o, i, j] = b[o] + sum_{c, ki, kj} w[o, c, ki, kj]
    xp[n, c, i*sh + ki*dh, j*sw + kj*dw], xp the input padded (padding_mode: zeros,
    reflect, replicate, circular)."""

    _n = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)


class ConvTranspose2d(_ConvNd):
    """2-d transposed convolution: the adjoint of Conv2d in its input. Weight (C_in,
    C_out/groups, kh, kw); output size (H - 1) s - 2 p + d (k - 1) + output_padding + 1
    (or `output_size` in forward, which chooses output_padding)."""

    _n = 2
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a pair, got "
                             f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, x: Tensor, output_size: Any) -> tuple:
        if output_size is None:
            return self.output_padding
        size = list(output_size)[-2:]
        if len(size) != 2:
            raise ValueError(f"ConvTranspose2d: output_size must have 2 or more elements, got "
                             f"{list(output_size)}")
        result = []
        for i, want in enumerate(size):
            least = FC.conv_transpose_out_size(x.shape[-2 + i], self.kernel_size[i],
                                               self.stride[i], self.padding[i],
                                               self.dilation[i], 0)
            if not least <= want < least + self.stride[i]:
                raise ValueError(f"requested an output size of {size}, but valid sizes range "
                                 f"from {least} to {least + self.stride[i] - 1} (for an input "
                                 f"of {list(x.shape[-2:])})")
            result.append(int(want - least))
        return tuple(result)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        opad = self._output_padding(input, output_size)
        return FC.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                   opad, self.groups, self.dilation)
