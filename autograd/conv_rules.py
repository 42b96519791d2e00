"""Derivative rules of convolution, pooling, padding and interpolation (the layers of a CNN).

Same form as `rules.py`: `forward(*inputs, *saved)` on numpy arrays, `grads[i](g, out,
*inputs, *saved)` for input i. Inputs are batches `(N, C, *spatial)` with 1 or 2 spatial
axes; `pads` is a `(before, after)` pair of zero padding per spatial axis.

Convolution, written with xp the zero-padded input, s the stride, d the dilation and the
channels split into `groups` blocks (o and c run inside one block):

    out[n, o, p] = b[o] + sum_{c, k} w[o, c, k] * xp[n, c, p*s + k*d]

It is one matrix product per layer: the padded input is viewed (numpy strides, no copy)
as patches `(N, C, *kernel, *out)`, laid out as columns `(N, groups, C/groups * kernel,
out pixels)`, and multiplied by the weight `(groups, O/groups, C/groups * kernel)`. The
three convolution rules are each other's gradients, so gradients of gradients are
convolutions too (create_graph):

    Conv(x, w, b)              d/dx = ConvTranspose(g, w)   d/dw = ConvWeight(x, g)   d/db = sum g
    ConvTranspose(y, w, b)     d/dy = Conv(g, w)            d/dw = ConvWeight(g, y)   d/db = sum g
    ConvWeight(x, y)           d/dx = ConvTranspose(y, g)   d/dy = Conv(x, g)

ConvTranspose is the adjoint of Conv in its input (`<Conv(x, w), y> = <x, ConvTranspose(y,
w)>`): the column gradients `w^T y` added back into a zero array through the same strided
view, one strided add per kernel position (kh * kw of them), then the padding cut off.

Small images with many channels (the digits CNN's 4 x 4 layer) take a channels-last
layout instead (one group; `_last_ok` says when it pays): the padded input laid out
(N, *spatial, C), patches as rows `(N * out pixels, kernel * C)` (the copy reads runs of
kw * C numbers instead of runs of the output width), times the weight `(O, kernel * C)`
transposed. With stride 1 the transposed convolution is then a convolution too, of y
padded by d (k - 1) - pad before and size + pad - out after, with the kernel flipped and
its two channel axes swapped (no scatter loop):

    ConvTranspose(y, w)[n, c, q] = sum_{o, k'} w[o, c, K-1-k'] yp[n, o, q + k' d]

Pooling: max pooling picks one element per window (its flat index within the input plane,
found by the functions in nn.functional), and its rule is a gather by those indices whose
gradient is a scatter-add (and back). Average pooling sums a window and divides by a count
per output position; its gradient spreads g / count back over the window. Adaptive average
pooling and bilinear interpolation are linear and separable: `out = A x B^T` on the last
two axes with constant matrices, gradient `A^T g B`. Nearest interpolation and the
reflect / replicate / circular paddings are gathers at index arrays (`GetItem`).
"""
from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .rules import Rule
from .tensor_rules import GetItem, is_raw

__all__ = ["Conv", "ConvKeep", "Columns", "ConvTranspose", "ConvWeight", "PoolGather",
           "PoolScatter", "MaxPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "AvgPoolTranspose",
           "Separable", "AdaptiveAvgPool2d", "UpsampleBilinear2d", "UpsampleNearest1d",
           "UpsampleNearest2d", "ConstantPad", "ReflectionPad1d", "ReflectionPad2d",
           "ReplicationPad1d", "ReplicationPad2d", "CircularPad", "conv_out_size"]

Pads = tuple  # ((before, after), ...) per spatial axis


# ------------------------------------------------------------------ array helpers
def conv_out_size(size: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    """Output length of a convolution along one axis: floor((size + pad - d(k-1) - 1)/s) + 1
    (`pad` the total of both sides)."""
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def _padded(x: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    """x with `value` added around its spatial axes ((before, after) per axis)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    out = np.full(shape, value, dtype=x.dtype)
    out[_inner(x.shape[2:], pads)] = x
    return out


def _inner(size: tuple, pads: Pads) -> tuple:
    """The index of the unpadded region inside a padded array."""
    return (slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(size, pads))


def _windows(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
             out: tuple) -> np.ndarray:
    """A read-only view (N, C, *kernel, *out) of xp: view[n, c, k, p] = xp[n, c, p*s + k*d]."""
    st = xp.strides
    n = len(kernel)
    shape = xp.shape[:2] + tuple(kernel) + tuple(out)
    strides = (st[:2] + tuple(st[2 + i] * dilation[i] for i in range(n))
               + tuple(st[2 + i] * stride[i] for i in range(n)))
    return as_strided(xp, shape, strides, writeable=False)


def _columns(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out: tuple,
             groups: int) -> np.ndarray:
    """The patches of xp as matrices (groups, C/groups * prod(kernel), N * prod(out)): one
    copy, laid out so that a whole layer is one matrix product per group (the copy reads
    along the image rows, where the input is contiguous)."""
    N, C = xp.shape[:2]
    n = len(kernel)
    view = _windows(xp, kernel, stride, dilation, out)            # (N, C, *kernel, *out)
    order = (1,) + tuple(range(2, 2 + n)) + (0,) + tuple(range(2 + n, 2 + 2 * n))
    return view.transpose(order).reshape(
        groups, (C // groups) * math.prod(kernel), N * math.prod(out))


def _scatter_windows(cols: np.ndarray, padded_size: tuple, stride: tuple,
                     dilation: tuple) -> np.ndarray:
    """The adjoint of `_columns`: zeros (C, N, *padded_size) with the columns (C, *kernel,
    N, *out) added at [p*s + k*d]; one strided add per kernel position (channels first,
    as the columns: contiguous adds; the caller transposes once)."""
    n = len(padded_size)
    C, kernel, N, out = cols.shape[0], cols.shape[1:1 + n], cols.shape[1 + n], cols.shape[2 + n:]
    xp = np.zeros((C, N) + tuple(padded_size), dtype=cols.dtype)
    if 0 in out or N == 0:
        return xp
    for k in itertools.product(*(range(m) for m in kernel)):
        dst = (slice(None), slice(None)) + tuple(
            slice(k[i] * dilation[i], k[i] * dilation[i] + stride[i] * (out[i] - 1) + 1,
                  stride[i]) for i in range(n))
        xp[dst] += cols[(slice(None),) + k]
    return xp


def _channels_first(y: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, *out) as the matrices (groups, O/groups, N * prod(out)) (a copy)."""
    N, O = y.shape[:2]
    L = math.prod(y.shape[2:])
    return np.ascontiguousarray(np.swapaxes(y.reshape(N, O, L), 0, 1)).reshape(
        groups, O // groups, N * L)


def _last_columns(x: np.ndarray, pads: Pads, kernel: tuple, stride: tuple, dilation: tuple,
                  out: tuple) -> np.ndarray:
    """The patches of x (N, C, *spatial), channels last, as one matrix
    (N * prod(out), prod(kernel) * C): row (n, p), column (k, c) holds xp[n, c, p*s + k*d],
    xp the zero-padded input. The input is laid out channels last once (with its padding),
    so the copy into the matrix reads runs of kw * C contiguous numbers (one image row of a
    window, every channel): far fewer and longer runs than channels first for small
    images."""
    N, C = x.shape[:2]
    n = len(kernel)
    xl = np.moveaxis(x, 1, -1)                                      # (N, *spatial, C), a view
    if any(lo or hi for lo, hi in pads):
        padded = tuple(m + lo + hi for m, (lo, hi) in zip(x.shape[2:], pads))
        xp = np.zeros((N,) + padded + (C,), dtype=x.dtype)
        xp[(slice(None),) + tuple(slice(lo, lo + m) for m, (lo, _) in
                                  zip(x.shape[2:], pads))] = xl
    else:
        xp = np.ascontiguousarray(xl)
    st = xp.strides
    shape = (N,) + tuple(out) + tuple(kernel) + (C,)
    strides = ((st[0],) + tuple(st[1 + i] * stride[i] for i in range(n))
               + tuple(st[1 + i] * dilation[i] for i in range(n)) + (st[-1],))
    view = as_strided(xp, shape, strides, writeable=False)
    return view.reshape(N * math.prod(out), math.prod(kernel) * C)


def _from_last(y: np.ndarray, N: int, O: int, out: tuple, b: Any) -> np.ndarray:
    """The product (N * prod(out), O) (rows (n, p)) as a new (N, O, *out) array, plus the
    bias b[o] (an array) if there is one."""
    L = math.prod(out)
    result = np.empty((N, O) + tuple(out), dtype=y.dtype)
    src = y.reshape(N, L, O).transpose(0, 2, 1)
    if isinstance(b, np.ndarray):
        np.add(src, b.reshape(O, 1), out=result.reshape(N, O, L))
    else:
        result.reshape(N, O, L)[...] = src
    return result


def _last_ok(x: np.ndarray, w_shape: tuple, out: tuple, groups: int, stride: tuple,
             dilation: tuple, channels: int, per_channel: int) -> bool:
    """Whether the channels-last path applies (one group, nothing empty) and pays, from
    timings on small and MNIST-sized layers: its patch copy reads runs of kw * C numbers
    (C with a dilation), the channels-first one runs of the output width (1 with a stride),
    and its result (N * prod(out), channels) is transposed with runs of `channels` numbers
    where channels first has whole planes: so it is for small images (at most `per_channel`
    output positions per output channel) with many input channels."""
    if groups != 1 or x.size == 0 or math.prod(w_shape) == 0 or math.prod(out) == 0:
        return False
    last = x.shape[1] * (w_shape[-1] if dilation[-1] == 1 else 1)
    first = out[-1] if stride[-1] == 1 else 1
    return last >= first and math.prod(out) <= per_channel * channels


class Columns:
    """A holder for the forward's patch matrix, kept for the weight gradient (which then
    needs no second pass over the input); used once, then dropped. `last`: the matrix is
    the channels-last one of `_last_columns` (else the channels-first one of `_columns`)."""

    __slots__ = ("cols", "last")

    def __init__(self) -> None:
        self.cols: np.ndarray | None = None
        self.last = False

    def __repr__(self) -> str:
        return "Columns()"


def _conv_forward(x: np.ndarray, w: np.ndarray, b: Any, stride: tuple, pads: Pads,
                  dilation: tuple, groups: int, keep: Columns | None = None) -> np.ndarray:
    N, O, kernel = x.shape[0], w.shape[0], w.shape[2:]
    out = tuple(conv_out_size(n + lo + hi, k, s, 0, d)
                for n, (lo, hi), k, s, d in zip(x.shape[2:], pads, kernel, stride, dilation))
    if _last_ok(x, w.shape, out, groups, stride, dilation, O, 2):
        cols = _last_columns(x, pads, kernel, stride, dilation, out)   # (N L, K C)
        if keep is not None:
            keep.cols, keep.last = cols, True
        wmat = np.moveaxis(w, 1, -1).reshape(O, -1)                     # (O, K C)
        return _from_last(np.matmul(cols, wmat.T), N, O, out, b)
    xp = _padded(x, pads)
    cols = _columns(xp, kernel, stride, dilation, out, groups)
    if keep is not None:
        keep.cols, keep.last = cols, False
    wm = w.reshape(groups, O // groups, math.prod(w.shape[1:]))
    y = np.matmul(wm, cols)                                         # (G, O/G, N * L)
    y = np.swapaxes(y.reshape((O, N) + out), 0, 1)                  # (N, O, *out), a view
    result = np.empty(y.shape, dtype=y.dtype)
    if isinstance(b, np.ndarray):
        np.add(y, b.reshape((-1,) + (1,) * len(out)), out=result)
    else:
        result[...] = y
    return result


def _conv_transpose_forward(y: np.ndarray, w: np.ndarray, b: Any, size: tuple, stride: tuple,
                            pads: Pads, dilation: tuple, groups: int) -> np.ndarray:
    N, O, kernel, out = y.shape[0], w.shape[0], w.shape[2:], y.shape[2:]
    C = w.shape[1] * groups
    n = len(kernel)
    # Stride 1: the adjoint is a convolution of y, padded by d (k - 1) - pad before and
    # size + pad - out after, with the kernel flipped and its two channel axes swapped:
    # out[n, c, q] = sum_{o, k'} w[o, c, K-1-k'] y[n, o, q + k' d - (d (K-1) - pad)].
    tpads = tuple((d * (k - 1) - lo, m + lo - o)
                  for k, d, (lo, _), m, o in zip(kernel, dilation, pads, size, out))
    if (all(s == 1 for s in stride) and all(lo >= 0 and hi >= 0 for lo, hi in tpads)
            and _last_ok(y, w.shape, tuple(size), groups, stride, dilation, C, 8)):
        cols = _last_columns(y, tpads, kernel, stride, dilation, tuple(size))   # (N S, K O)
        flipped = w[(slice(None), slice(None)) + (slice(None, None, -1),) * n]
        wmat = np.moveaxis(flipped, (0, 1), (-2, -1)).reshape(-1, C)          # (K O, C)
        return _from_last(np.matmul(cols, wmat), N, C, tuple(size), b)
    wm = w.reshape(groups, O // groups, math.prod(w.shape[1:]))
    cols = np.matmul(np.swapaxes(wm, -1, -2), _channels_first(y, groups))   # (G, CgK, N L)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(size, pads))
    xp = _scatter_windows(cols.reshape((C,) + tuple(kernel) + (N,) + tuple(out)), padded,
                          stride, dilation)
    x = np.swapaxes(xp[_inner(size, pads)], 0, 1)                  # (N, C, *size), a view
    result = np.empty(x.shape, dtype=x.dtype)
    if isinstance(b, np.ndarray):
        np.add(x, b.reshape((-1,) + (1,) * len(size)), out=result)
    else:
        result[...] = x
    return result


def _weight_from_last(y: np.ndarray, cols: np.ndarray, w_shape: tuple) -> np.ndarray:
    """The weight gradient sum_{n,p} y[n, o, p] cols[(n, p), (k, c)] from channels-last
    patches, as (O, C, *kernel)."""
    dw = np.matmul(_channels_first(y, 1)[0], cols)                  # (O, K C)
    O, C = w_shape[:2]
    return np.ascontiguousarray(np.moveaxis(dw.reshape((O,) + tuple(w_shape[2:]) + (C,)),
                                            -1, 1))


def _conv_weight_forward(x: np.ndarray, y: np.ndarray, w_shape: tuple, stride: tuple,
                         pads: Pads, dilation: tuple, groups: int) -> np.ndarray:
    out = y.shape[2:]
    if _last_ok(x, w_shape, out, groups, stride, dilation, w_shape[0], 2):
        cols = _last_columns(x, pads, w_shape[2:], stride, dilation, out)
        return _weight_from_last(y, cols, w_shape)
    cols = _columns(_padded(x, pads), w_shape[2:], stride, dilation, out, groups)
    dw = np.matmul(_channels_first(y, groups), np.swapaxes(cols, -1, -2))   # (G, O/G, CgK)
    return dw.reshape(w_shape)


def _crop(t: Any, size: tuple) -> Any:
    """t cut down to spatial `size` (where a convolution saw more than its partner produced)."""
    if tuple(t.shape[2:]) == tuple(size):
        return t
    return t[(slice(None), slice(None)) + tuple(slice(0, n) for n in size)]


def _channel_sum(g: Any) -> Any:
    """g summed over every axis but the channels (axis 1): the bias gradient."""
    axes = (0,) + tuple(range(2, len(g.shape)))
    if is_raw(g):       # over the batch, then along contiguous rows: faster than all at once
        N, O = g.shape[:2]
        return g.reshape(N, O, math.prod(g.shape[2:])).sum(axis=0).sum(axis=1)
    return g.sum(dim=axes)


# ------------------------------------------------------------------ convolution rules
class Conv(Rule):
    """out[n, o, p] = b[o] + sum_{c,k} w[o, c, k] xp[n, c, p*s + k*d]   (xp: x zero-padded);
    d/dx = conv_transpose(g, w),  d/dw[o, c, k] = sum_{n,p} g[n, o, p] xp[n, c, p*s + k*d],
    d/db = g summed over batch and pixels. `b` is 0.0 for a convolution without bias."""
    name, torch_name = "conv", "ConvolutionBackward0"
    local = ("conv_transpose(g, w)", "conv_weight(x, g)", "sum g")

    forward = staticmethod(_conv_forward)
    grads = (
        lambda g, out, x, w, b, stride, pads, dilation, groups: ConvTranspose.apply(
            g, w, 0.0, saved=(tuple(x.shape[2:]), stride, pads, dilation, groups)),
        lambda g, out, x, w, b, stride, pads, dilation, groups: ConvWeight.apply(
            x, g, saved=(tuple(w.shape), stride, pads, dilation, groups)),
        lambda g, out, x, w, b, stride, pads, dilation, groups: _channel_sum(g),
    )


def _kept_weight_grad(g: Any, x: Any, w_shape: tuple, stride: tuple, pads: Pads,
                      dilation: tuple, groups: int, keep: Columns) -> Any:
    """ConvWeight(x, g), from the forward's patch matrix when it is still there."""
    cols = keep.cols
    if cols is None or not (is_raw(x) and is_raw(g)):
        return ConvWeight.apply(x, g, saved=(w_shape, stride, pads, dilation, groups))
    keep.cols = None
    if keep.last:
        return _weight_from_last(g, cols, w_shape)
    dw = np.matmul(_channels_first(g, groups), np.swapaxes(cols, -1, -2))
    return dw.reshape(w_shape)


class ConvKeep(Conv):
    """Conv that keeps its patch matrix for the weight gradient (`keep`, a `Columns`): what
    the layers use. The same numbers as Conv; one pass over the input fewer in backward."""

    forward = staticmethod(_conv_forward)
    grads: Any = (
        lambda g, out, x, w, b, stride, pads, dilation, groups, keep: ConvTranspose.apply(
            g, w, 0.0, saved=(tuple(x.shape[2:]), stride, pads, dilation, groups)),
        lambda g, out, x, w, b, stride, pads, dilation, groups, keep: _kept_weight_grad(
            g, x, tuple(w.shape), stride, pads, dilation, groups, keep),
        lambda g, out, x, w, b, stride, pads, dilation, groups, keep: _channel_sum(g),
    )


class ConvTranspose(Rule):
    """out = the adjoint of Conv in its input, applied to y, plus b:
    out[n, c, q] = b[c] + sum over (o, k, p) with p*s + k*d = q (+ padding) of
    w[o, c, k] y[n, o, p]; out has spatial shape `size`.
    d/dy = conv(g, w), d/dw = conv_weight(g, y), d/db = sum g."""
    name, torch_name = "conv_transpose", "ConvolutionBackward0"
    local = ("conv(g, w)", "conv_weight(g, y)", "sum g")

    forward = staticmethod(_conv_transpose_forward)
    grads = (
        lambda g, out, y, w, b, size, stride, pads, dilation, groups: _crop(Conv.apply(
            g, w, 0.0, saved=(stride, pads, dilation, groups)), tuple(y.shape[2:])),
        lambda g, out, y, w, b, size, stride, pads, dilation, groups: ConvWeight.apply(
            g, y, saved=(tuple(w.shape), stride, pads, dilation, groups)),
        lambda g, out, y, w, b, size, stride, pads, dilation, groups: _channel_sum(g),
    )


class ConvWeight(Rule):
    """out[o, c, k] = sum_{n,p} y[n, o, p] xp[n, c, p*s + k*d] (the weight gradient of a
    convolution, bilinear in x and y); d/dx = conv_transpose(y, g), d/dy = conv(x, g)."""
    name, torch_name = "conv_weight", "ConvolutionBackwardBackward0"
    local = ("conv_transpose(y, g)", "conv(x, g)")

    forward = staticmethod(_conv_weight_forward)
    grads = (
        lambda g, out, x, y, w_shape, stride, pads, dilation, groups: ConvTranspose.apply(
            y, g, 0.0, saved=(tuple(x.shape[2:]), stride, pads, dilation, groups)),
        lambda g, out, x, y, w_shape, stride, pads, dilation, groups: _crop(Conv.apply(
            x, g, 0.0, saved=(stride, pads, dilation, groups)), tuple(y.shape[2:])),
    )


# ------------------------------------------------------------------ max pooling: gathers
def _plane_flat(index: np.ndarray, count: int, plane: int) -> np.ndarray:
    """Plane-flat indices (count planes of `plane` elements) as indices into the whole array."""
    return index.reshape(count, -1) + (np.arange(count) * plane)[:, None]


def _gather(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    """x[..., i, j] picked at flat plane positions: out[..., p] = x.plane[..., index[..., p]]
    (planes: the last two axes)."""
    if index.size == 0:
        return np.zeros(index.shape, dtype=x.dtype)
    plane = x.shape[-2] * x.shape[-1]
    flat = _plane_flat(index, math.prod(x.shape[:-2]), plane)
    return x.reshape(-1).take(flat).reshape(index.shape)


def _scatter(g: np.ndarray, index: np.ndarray, shape: tuple) -> np.ndarray:
    """zeros(shape) with g added at the flat plane positions `index` (repeats add up, in
    the order of g, in g's dtype)."""
    plane = shape[-2] * shape[-1]
    count = math.prod(shape[:-2])
    total = np.zeros(count * plane, dtype=g.dtype)
    if index.size:
        np.add.at(total, _plane_flat(index, count, plane).ravel(), g.reshape(-1))
    return total.reshape(shape)


class PoolGather(Rule):
    """out[n, c, p] = x[n, c, index[n, c, p]] (index flat within each (n, c) plane);
    d/dx: g added into zeros at the indices."""
    name, torch_name, local = "pool_gather", "MaxPool2DWithIndicesBackward0", ("1 at index",)

    forward = staticmethod(_gather)
    grads = (lambda g, out, x, index: PoolScatter.apply(g, saved=(index, tuple(x.shape))),)


class PoolScatter(Rule):
    """out = zeros(shape) with g[n, c, p] added at [n, c, index[n, c, p]];
    d/dg = the gradient gathered at the indices."""
    name, torch_name, local = ("pool_scatter", "MaxPool2DWithIndicesBackwardBackward0",
                               ("1 at index",))

    forward = staticmethod(_scatter)
    grads = (lambda g, out, y, index, shape: PoolGather.apply(g, saved=(index,)),)


class MaxPool2d(PoolGather):
    """out = the largest element of each window (the first one of equal maxima; a nan
    wins); the gradient goes to that element."""
    name, torch_name = "max_pool2d", "MaxPool2DWithIndicesBackward0"


class AdaptiveMaxPool2d(PoolGather):
    name, torch_name = "adaptive_max_pool2d", "AdaptiveMaxPool2DBackward0"


# ------------------------------------------------------------------ average pooling
def _as_batch(x: np.ndarray, n: int) -> np.ndarray:
    """x (..., *spatial) as (B, 1, *spatial): any leading axes (unbatched inputs too)."""
    return x.reshape((-1, 1) + x.shape[x.ndim - n:])


def _avg_forward(x: np.ndarray, kernel: tuple, stride: tuple, pads: Pads,
                 divisor: np.ndarray) -> np.ndarray:
    lead = x.shape[:x.ndim - len(kernel)]
    xp = _padded(_as_batch(x, len(kernel)), pads)
    out = divisor.shape
    if 0 in out:
        return np.zeros(lead + out, dtype=x.dtype)
    view = _windows(xp, kernel, stride, (1,) * len(kernel), out)
    total = None
    for k in itertools.product(*(range(m) for m in kernel)):
        part = view[(slice(None), slice(None)) + k]
        total = part.copy() if total is None else total + part
    assert total is not None
    return (total / divisor).astype(x.dtype, copy=False).reshape(lead + out)


def _avg_transpose_forward(g: np.ndarray, size: tuple, kernel: tuple, stride: tuple,
                           pads: Pads, divisor: np.ndarray) -> np.ndarray:
    n = len(kernel)
    lead = g.shape[:g.ndim - n]
    share = _as_batch((g / divisor).astype(g.dtype, copy=False), n)
    padded = tuple(m + lo + hi for m, (lo, hi) in zip(size, pads))
    xp = np.zeros(share.shape[:2] + padded, dtype=g.dtype)
    out = g.shape[g.ndim - n:]
    if 0 not in out:
        for k in itertools.product(*(range(m) for m in kernel)):
            dst = (slice(None), slice(None)) + tuple(
                slice(k[i], k[i] + stride[i] * (out[i] - 1) + 1, stride[i]) for i in range(n))
            xp[dst] += share
    return np.ascontiguousarray(xp[_inner(size, pads)]).reshape(lead + tuple(size))


class AvgPool2d(Rule):
    """out[n, c, p] = sum of the window of x at p*s (zero padded) / divisor[p];
    d/dx: g / divisor spread back over each window."""
    name, torch_name, local = "avg_pool2d", "AvgPool2DBackward0", ("1/divisor in window",)

    forward = staticmethod(_avg_forward)
    grads = (lambda g, out, x, kernel, stride, pads, divisor: AvgPoolTranspose.apply(
        g, saved=(tuple(x.shape[len(x.shape) - len(kernel):]), kernel, stride, pads,
                  divisor)),)


class AvgPoolTranspose(Rule):
    """The adjoint of average pooling: g / divisor spread back over each window;
    d/dg = avg_pool(gradient)."""
    name, torch_name, local = "avg_pool2d_backward", "AvgPool2DBackwardBackward0", ("1",)

    forward = staticmethod(_avg_transpose_forward)
    grads = (lambda g, out, y, size, kernel, stride, pads, divisor: AvgPool2d.apply(
        g, saved=(kernel, stride, pads, divisor)),)


# ------------------------------------------------------------------ separable linear maps
# The taps of a linear map along one axis: out[i] = sum_k weight[i, k] * x[index[i, k]] over
# the k with valid[i, k] (in order of k), for an input axis of length n: (index, weight,
# valid, n), the arrays (m, K). Unlike a matrix product, only the listed taps take part, as
# in PyTorch's kernels (a tap of weight 0 still counts: 0 * inf is nan there too).
Taps = tuple


def _along(x: np.ndarray, taps: Taps, axis: int) -> np.ndarray:
    """The map `taps` applied along `axis` of x."""
    index, weight, valid, _ = taps
    m, K = index.shape
    xm = np.moveaxis(x, axis, -1)
    if K == 0:
        return np.moveaxis(np.zeros(xm.shape[:-1] + (m,), dtype=x.dtype), -1, axis)
    with np.errstate(invalid="ignore", over="ignore"):
        terms = np.where(valid, xm[..., index] * weight, 0)          # (..., m, K)
    out = terms[..., 0]
    for k in range(1, K):
        out = out + terms[..., k]
    return np.moveaxis(out.astype(x.dtype, copy=False), -1, axis)


def transpose_taps(taps: Taps) -> Taps:
    """The taps of the transposed map (the gradient): input j receives weight[i, k] g[i]
    from every valid tap (i, k) with index[i, k] = j, in order of i."""
    index, weight, valid, n = taps
    m, K = index.shape
    keep = valid.ravel()
    i = np.repeat(np.arange(m), K)[keep]
    j = index.ravel()[keep]
    w = weight.ravel()[keep]
    order = np.lexsort((i, j))                      # by j, then by i
    i, j, w = i[order], j[order], w[order]
    counts = np.bincount(j, minlength=n)
    K2 = int(counts.max()) if len(j) else 0
    slot = np.arange(len(j)) - (np.cumsum(counts) - counts)[j]
    index2 = np.zeros((n, K2), dtype=np.int64)
    weight2 = np.zeros((n, K2), dtype=weight.dtype)
    valid2 = np.zeros((n, K2), dtype=bool)
    index2[j, slot], weight2[j, slot], valid2[j, slot] = i, w, True
    return index2, weight2, valid2, m


def _separable(x: np.ndarray, rows: Taps, cols: Taps) -> np.ndarray:
    return _along(_along(x, cols, -1), rows, -2)


class Separable(Rule):
    """out = R x C^T on the last two axes: a linear map along the columns (taps C), then
    along the rows (taps R);   d/dx = R^T g C"""
    name, torch_name, local = "separable", "SeparableBackward0", ("R^T g C",)

    forward = staticmethod(_separable)
    grads = (lambda g, out, x, rows, cols: Separable.apply(
        g, saved=(transpose_taps(rows), transpose_taps(cols))),)


class AdaptiveAvgPool2d(Separable):
    """out[i, j] = mean of x over rows floor(i H/oh) .. ceil((i+1) H/oh) - 1 and the same
    for the columns: taps of weight 1/(window length) over each window."""
    name, torch_name = "adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0"


class UpsampleBilinear2d(Separable):
    """out = linear interpolation along rows and columns: two taps (i0, i1) of weights
    (1 - l, l) per output position."""
    name, torch_name = "upsample_bilinear2d", "UpsampleBilinear2DBackward0"


# ------------------------------------------------------------------ gathers at index arrays
class UpsampleNearest2d(GetItem):
    """out[i, j] = x[src(i), src(j)];   d/dx: g added back at the sources"""
    name, torch_name = "upsample_nearest2d", "UpsampleNearest2DBackward0"


class UpsampleNearest1d(GetItem):
    name, torch_name = "upsample_nearest1d", "UpsampleNearest1DBackward0"


class ReflectionPad1d(GetItem):
    """out = x extended by its mirror images (edge not repeated): a gather"""
    name, torch_name = "reflection_pad1d", "ReflectionPad1DBackward0"


class ReflectionPad2d(GetItem):
    name, torch_name = "reflection_pad2d", "ReflectionPad2DBackward0"


class ReplicationPad1d(GetItem):
    """out = x extended by copies of its edge values: a gather"""
    name, torch_name = "replication_pad1d", "ReplicationPad1DBackward0"


class ReplicationPad2d(GetItem):
    name, torch_name = "replication_pad2d", "ReplicationPad2DBackward0"


class CircularPad(GetItem):
    """out = x extended periodically: a gather"""
    name, torch_name = "circular_pad", "CopySlices"


def _constant_pad(x: np.ndarray, pads: Pads, value: float) -> np.ndarray:
    full = ((0, 0),) * (x.ndim - len(pads)) + tuple(pads)
    shape = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, full))
    out = np.full(shape, value, dtype=x.dtype)
    out[tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape, full))] = x
    return out


class ConstantPad(Rule):
    """out = x surrounded by `value` ((before, after) per trailing axis);   d/dx = g's middle"""
    name, torch_name, local = "constant_pad", "ConstantPadNdBackward0", ("1 inside",)

    forward = staticmethod(_constant_pad)
    grads = (lambda g, out, x, pads, value: GetItem.apply(g, saved=(
        (Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in
                            zip(x.shape[len(x.shape) - len(pads):], pads)),)),)
