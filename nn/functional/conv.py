"""Convolutions (`nn.functional.conv1d`, `conv2d`, `conv_transpose2d`) and the padding of
the layers' padding_mode,
PyTorch's signatures and results.

    conv2d(x, w, b)[n, o, i, j] = b[o] + sum_{c, ki, kj} w[o, c, ki, kj]
                                          * xp[n, g*C/groups + c, i*s + ki*d, j*s + kj*d]

with xp the zero-padded input and g the group of output channel o. The derivative rules
are in `autograd/conv_rules.py` (one matrix product per layer; gradients of gradients).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograd import Tensor
from autograd import conv_rules as C
from autograd.dtypes import ShapeError
from autograd.tensor import as_tensor

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]


def _ntuple(value: Any, n: int, what: str, op: str) -> tuple:
    """An int or a sequence of n ints as an n-tuple of ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    if isinstance(value, (tuple, list)) and len(value) == 1 and n > 1:
        return _ntuple(value[0], n, what, op)
    raise ShapeError(f"{op}: {what} must be an int or a tuple of {n} ints, got {value!r}")


def _check_dtypes(op: str, x: Tensor, w: Tensor, b: Tensor | None) -> None:
    if x.dtype != w.dtype:
        raise RuntimeError(f"{op}: input type ({x.dtype}) and weight type ({w.dtype}) should "
                           "be the same")
    if b is not None and b.dtype != w.dtype:
        raise RuntimeError(f"{op}: input type ({x.dtype}) and bias type ({b.dtype}) should "
                           "be the same")


def _batched(op: str, x: Tensor, n: int) -> tuple[Tensor, bool]:
    """x as a batch (a leading axis added to an unbatched input), and whether one was added."""
    if x.ndim == n + 2:
        return x, False
    if x.ndim == n + 1:
        return x.unsqueeze(0), True
    raise ShapeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {op}, but "
                     f"got input of size: {list(x.shape)}")


def same_pads(kernel: tuple, dilation: tuple) -> tuple:
    """padding='same': d (k - 1) in total per axis, the odd one on the right (as PyTorch)."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _conv_pads(padding: Any, n: int, kernel: tuple, stride: tuple, dilation: tuple,
               op: str) -> tuple:
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ShapeError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            return same_pads(kernel, dilation)
        raise ShapeError(f"{op}: invalid padding string {padding!r}, should be one of "
                         "{'valid', 'same'}")
    p = _ntuple(padding, n, "padding", op)
    if any(v < 0 for v in p):
        raise ShapeError(f"{op}: negative padding is not supported, got padding={p}")
    return tuple((v, v) for v in p)


def _convolution(op: str, n: int, input: Any, weight: Any, bias: Any, stride: Any,
                 padding: Any, dilation: Any, groups: int) -> Tensor:
    x, w = as_tensor(input), as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    if w.ndim != n + 2:
        raise ShapeError(f"{op}: expected a {n + 2}-d weight (out_channels, in_channels/groups"
                         f", *kernel), got weight of size {list(w.shape)}")
    x, unbatched = _batched(op, x, n)
    _check_dtypes(op, x, w, b)
    stride = _ntuple(stride, n, "stride", op)
    dilation = _ntuple(dilation, n, "dilation", op)
    if any(s < 1 for s in stride) or any(d < 1 for d in dilation):
        raise ShapeError(f"{op}: stride and dilation must be positive, got stride={stride} "
                         f"and dilation={dilation}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ShapeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    kernel = tuple(w.shape[2:])
    pads = _conv_pads(padding, n, kernel, stride, dilation, op)
    O, C_in = w.shape[0], x.shape[1]
    if O % groups:
        raise ShapeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                         f"at dimension 0, but got weight of size {list(w.shape)} instead")
    if C_in != w.shape[1] * groups:
        raise ShapeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                         f"input{list(x.shape)} to have {w.shape[1] * groups} channels, but got "
                         f"{C_in} channels instead")
    if b is not None and tuple(b.shape) != (O,):
        raise ShapeError(f"{op}: expected a bias of shape ({O},), got {list(b.shape)}")
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    if any(d * (k - 1) + 1 > p for k, d, p in zip(kernel, dilation, padded)):
        raise ShapeError(f"{op}: calculated padded input size per channel: "
                         f"({' x '.join(map(str, padded))}). Kernel size: "
                         f"({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
                         "actual input size")
    out = C.ConvKeep.apply(x, w, 0.0 if b is None else b,
                           saved=(stride, pads, dilation, int(groups), C.Columns()))
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution of input (N, C_in, L) (or (C_in, L)) with weight (C_out, C_in/groups,
    k): out[n, o, i] = b[o] + sum_{c, k} w[o, c, k] xp[n, c, i*stride + k*dilation].
    padding: an int, or "valid" (none) or "same" (output as long as the input; stride 1)."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution of input (N, C_in, H, W) (or (C_in, H, W)) with weight (C_out,
    C_in/groups, kh, kw): out[n, o, i, j] = b[o] + sum_{c, ki, kj} w[o, c, ki, kj]
    xp[n, c, i*sh + ki*dh, j*sw + kj*dw] (xp: x zero-padded; channels in `groups` blocks).
    padding: an int or pair, or "valid" (none) or "same" (output the input's size; stride 1)."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose_out_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
                            output_padding: int) -> int:
    """(size - 1) s - 2 p + d (k - 1) + output_padding + 1: the input length of the
    convolution whose adjoint this is."""
    return (size - 1) * stride - 2 * pad + dilation * (kernel - 1) + output_padding + 1


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-d transposed convolution ("deconvolution"): the adjoint of conv2d in its input.
    input (N, C_in, H, W), weight (C_in, C_out/groups, kh, kw); each input pixel adds
    w[c, :, :, :] * x[n, c, i, j] into the output at (i*s - p + ki*d, j*s - p + kj*d). Output
    size (H - 1) s - 2 p + d (k - 1) + output_padding + 1."""
    op = "conv_transpose2d"
    x, w = as_tensor(input), as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    if w.ndim != 4:
        raise ShapeError(f"{op}: expected a 4-d weight (in_channels, out_channels/groups, kh, "
                         f"kw), got weight of size {list(w.shape)}")
    x, unbatched = _batched(op, x, 2)
    _check_dtypes(op, x, w, b)
    stride = _ntuple(stride, 2, "stride", op)
    dilation = _ntuple(dilation, 2, "dilation", op)
    pad = _ntuple(padding, 2, "padding", op)
    opad = _ntuple(output_padding, 2, "output_padding", op)
    if any(s < 1 for s in stride) or any(d < 1 for d in dilation) or any(p < 0 for p in pad):
        raise ShapeError(f"{op}: stride and dilation must be positive and padding "
                         f"non-negative, got stride={stride}, dilation={dilation}, "
                         f"padding={pad}")
    if any(o < 0 or (o >= s and o >= d) for o, s, d in zip(opad, stride, dilation)):
        raise ShapeError(f"{op}: output padding must be smaller than either stride or "
                         f"dilation, but got output_padding={opad}, stride={stride}, "
                         f"dilation={dilation}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ShapeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    if x.shape[1] != w.shape[0]:
        raise ShapeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                         f"input{list(x.shape)} to have {w.shape[0]} channels, but got "
                         f"{x.shape[1]} channels instead")
    if w.shape[0] % groups:
        raise ShapeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                         f"at dimension 0, but got weight of size {list(w.shape)} instead")
    C_out = w.shape[1] * groups
    if b is not None and tuple(b.shape) != (C_out,):
        raise ShapeError(f"{op}: expected a bias of shape ({C_out},), got {list(b.shape)}")
    size = tuple(conv_transpose_out_size(n, k, s, p, d, o) for n, k, s, p, d, o in
                 zip(x.shape[2:], w.shape[2:], stride, pad, dilation, opad))
    if any(n < 1 for n in size):
        raise ShapeError(f"{op}: given input size per channel {tuple(x.shape[2:])}, the "
                         f"calculated output size {size} is too small")
    out = C.ConvTranspose.apply(x, w, 0.0 if b is None else b,
                                saved=(size, stride, tuple((p, p) for p in pad), dilation,
                                       int(groups)))
    return out.squeeze(0) if unbatched else out


# ------------------------------------------------------------------ padding
def _pad_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For each position of the padded axis, the input position it copies."""
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n                                        # circular


_PAD_RULES = {("reflect", 1): C.ReflectionPad1d, ("reflect", 2): C.ReflectionPad2d,
              ("replicate", 1): C.ReplicationPad1d, ("replicate", 2): C.ReplicationPad2d,
              ("circular", 1): C.CircularPad, ("circular", 2): C.CircularPad}


def mode_pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
             value: float | None = None) -> Tensor:
    """The padding of the convolution layers' padding_mode, as F.pad, with the gradient
    nodes named as PyTorch's (ReflectionPad2DBackward0, ...). Pads the last len(pad) // 2
    axes: `pad` = (left, right) for the last axis, then (top, bottom) for the one before.
    Modes: "constant" (`value`, default 0), "reflect" (mirror without repeating the edge),
    "replicate" (repeat the edge), "circular" (wrap around); the last three for 1 or 2
    padded axes of a (C, *) or (N, C, *) input."""
    x = as_tensor(input)
    p = list(pad)
    if len(p) % 2 or not all(isinstance(v, (int, np.integer)) for v in p):
        raise ShapeError(f"pad: padding length must be divisible by 2 and made of ints, got "
                         f"{tuple(p)}")
    k = len(p) // 2
    if k > x.ndim:
        raise ShapeError(f"pad: padding length {len(p)} is too large for a {x.ndim}-d input")
    if any(v < 0 for v in p):
        raise ShapeError(f"pad: negative padding is not supported here, got {tuple(p)}")
    pairs = tuple((int(p[2 * (k - 1 - i)]), int(p[2 * (k - 1 - i) + 1])) for i in range(k))
    if mode == "constant":
        return C.ConstantPad.apply(x, saved=(pairs, 0.0 if value is None else float(value)))
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: unrecognised padding mode {mode!r} (one of 'constant', "
                         "'reflect', 'replicate', 'circular')")
    if value is not None and value != 0:
        raise ValueError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    if k not in (1, 2) or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"pad: {mode} padding of {k} axes is implemented for "
                                  f"{k + 1}-d and {k + 2}-d inputs, got shape {tuple(x.shape)}")
    size = x.shape[x.ndim - k:]
    for n, (lo, hi) in zip(size, pairs):
        if mode == "reflect" and (lo >= n or hi >= n):
            raise ShapeError(f"pad: padding size should be less than the corresponding input "
                             f"dimension for reflect mode, but got padding ({lo}, {hi}) for "
                             f"an axis of size {n} (input {list(x.shape)})")
        if mode == "replicate" and n == 0 and (lo or hi):
            raise ShapeError(f"pad: replicate padding of an empty axis (input {list(x.shape)})")
        if mode == "circular" and (lo > n or hi > n):
            raise ShapeError(f"pad: padding value causes wrapping around more than once: "
                             f"padding ({lo}, {hi}) for an axis of size {n}")
    idx = [_pad_index(n, lo, hi, mode) for n, (lo, hi) in zip(size, pairs)]
    index: tuple = (Ellipsis, idx[0]) if k == 1 else (Ellipsis, idx[0][:, None], idx[1][None, :])
    return _PAD_RULES[mode, k].apply(x, saved=(index,))
