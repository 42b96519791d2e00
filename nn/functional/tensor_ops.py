"""Tensor functions of `nn.functional`: `pad` and `one_hot`, PyTorch's names and rules.

    pad(x, (l, r, t, b))    pads the last dimension by l before and r after, the one before it
                            by t and b, ... (pairs from the last dimension backwards)
    one_hot(labels, C)      out[..., k] = 1 if labels[...] == k else 0   (int64)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograd import Tensor, from_numpy
from autograd import tensor_rules as T
from autograd.dtypes import ShapeError

__all__ = ["pad", "one_hot"]

_NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
_KIND_NAME = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": "CopySlices"}
_KINDS: dict[str, type[T.Take]] = {}


def _widths(pad: Sequence[int], ndim: int) -> list[tuple[int, int]]:
    """PyTorch's pad tuple (pairs from the last dimension) as one (before, after) per dim."""
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > ndim:
        raise ValueError(f"pad: the padding {tuple(pad)} must have an even length of at most "
                         f"2 * {ndim} (two numbers per dimension, from the last one)")
    widths = [(0, 0)] * ndim
    for k in range(len(pad) // 2):
        widths[ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    return widths


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Any = None
        ) -> Tensor:
    """`input` padded: `pad` = (before_last, after_last, before_second_last, ...). Modes:
    "constant" (with `value`, 0 by default; negative widths crop), "reflect" (mirrored without
    the edge), "replicate" (the edge repeated), "circular" (wrapped around). The gradient
    of each padded element goes back to the element it copies."""
    widths = _widths(pad, input.ndim)
    if mode == "constant":
        for d, ((b, a), n) in enumerate(zip(widths, input.shape)):
            if b + a < -n:
                raise RuntimeError(f"pad: cropping ({-b}, {-a}) elements removes more than "
                                   f"the size {n} of dimension {d}")
        crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(widths, input.shape))
        x = input[crop] if any(b < 0 or a < 0 for b, a in widths) else input
        grow = [(max(b, 0), max(a, 0)) for b, a in widths]
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, grow))
        where = _positions(shape)[tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, grow))]
        fill = 0 if value is None else value
        return T.ConstantPad.apply(x, saved=(shape, where, np.asarray(fill, dtype=x.dtype)))
    if mode not in _NUMPY_MODE:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or "
                         f"'circular', got {mode!r}")
    if value not in (None, 0):
        raise ValueError(f"pad: a value is only used by mode 'constant', not {mode!r}")
    for d, ((b, a), n) in enumerate(zip(widths, input.shape)):
        if min(b, a) < 0:
            raise RuntimeError(f"pad: mode {mode!r} takes no negative padding, got {(b, a)} "
                               f"for dimension {d}")
        if mode == "reflect" and max(b, a) >= n and (b or a):
            raise RuntimeError(f"pad: reflect padding ({b}, {a}) must be smaller than the size "
                               f"{n} of dimension {d}")
        if mode == "circular" and max(b, a) > n:
            raise RuntimeError(f"pad: circular padding ({b}, {a}) must be at most the size {n} "
                               f"of dimension {d}")
        if mode == "replicate" and n == 0 and (b or a):
            raise RuntimeError(f"pad: cannot replicate the edge of the empty dimension {d}")
    flat = np.pad(_positions(input.shape), widths, mode=_NUMPY_MODE[mode])  # type: ignore[call-overload]
    name = _KIND_NAME[mode].format(max(len(pad) // 2, 1))
    kind = _KINDS.get(name)
    if kind is None:
        kind = _KINDS[name] = T.take_kind("pad", name)
    return kind.apply(input, saved=(flat,))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot vectors: a new last dimension of size num_classes (the largest label
    + 1 when -1) with a 1 at each label."""
    labels = tensor._data
    if labels.dtype != np.int64:
        raise RuntimeError(f"one_hot: expected an int64 tensor of class indices, got "
                           f"{labels.dtype} (convert it with .long())")
    if num_classes == -1:
        if labels.size == 0:
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty "
                               "tensor; pass num_classes")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative, got {labels.min()}")
    if labels.size and labels.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes "
                           f"({num_classes}), got {labels.max()}")
    if num_classes < 0:
        raise ShapeError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    return from_numpy((labels[..., None] == np.arange(num_classes)).astype(np.int64))


def _positions(shape: tuple) -> np.ndarray:
    """Each element's position in the flattened tensor, in the tensor's shape."""
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.intp).reshape(shape)
