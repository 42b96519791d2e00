"""Pooling and interpolation (`nn.functional.max_pool2d`, `avg_pool2d`, `adaptive_avg_pool2d`,
`interpolate`, ...), PyTorch's signatures and results.

Windows along an axis of length n, kernel k, stride s, padding p, dilation d: output
length floor((n + 2p - d(k-1) - 1) / s) + 1 (ceil instead of floor with ceil_mode, minus
one if the last window would start in the right padding). Adaptive pooling to length m:
window i covers floor(i n / m) .. ceil((i + 1) n / m) - 1.

    max_pool:   the largest element of each window: the first of equal maxima, a nan
                wins (the last nan of the window, as PyTorch); the gradient goes to it
    avg_pool:   the window's sum / its size (with or without the padding: count_include_pad;
                or divisor_override)
    interpolate nearest:  out[i] = x[min(floor(i * scale), n - 1)], scale = n / m (or
                          1 / scale_factor), in float32 arithmetic as PyTorch
    interpolate bilinear: out[i] = (1 - l) x[i0] + l x[i0 + 1] along each axis, source
                          position scale * (i + 1/2) - 1/2 (align_corners=False) or
                          i (n - 1)/(m - 1) (align_corners=True)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd import conv_rules as C
from autograd.dtypes import ShapeError
from autograd.tensor import as_tensor

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
           "adaptive_max_pool2d", "interpolate", "pool_out_size"]


def _pair(value: Any, what: str, op: str) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return _pair(value[0], what, op)
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                    for v in value)):
        return int(value[0]), int(value[1])
    raise ShapeError(f"{op}: {what} must be an int or a pair of ints, got {value!r}")


def _single(value: Any, what: str, op: str) -> int:
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    raise ShapeError(f"{op}: {what} must be an int or a 1-tuple, got {value!r}")


def pool_out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Output length of a pooling window sliding along an axis of length n (PyTorch's)."""
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _check_input(op: str, x: Tensor, spatial: int) -> None:
    if x.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(f"{op}: expected a {spatial + 1}-d (unbatched) or {spatial + 2}-d "
                         f"(batched) input, got input of size: {list(x.shape)}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {x.dtype}")


def _windows_args(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any,
                  dilation: Any, ceil_mode: bool) -> tuple:
    kernel = _pair(kernel_size, "kernel_size", op)
    strides = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _pair(stride, "stride", op)
    pad = _pair(padding, "padding", op)
    dil = _pair(dilation, "dilation", op)
    if any(k < 1 for k in kernel) or any(s < 1 for s in strides) or any(d < 1 for d in dil):
        raise ShapeError(f"{op}: kernel_size, stride and dilation must be greater than zero, "
                         f"got kernel_size={kernel}, stride={strides}, dilation={dil}")
    if any(p < 0 or p > k // 2 for p, k in zip(pad, kernel)):
        raise ShapeError(f"{op}: pad should be smaller than or equal to half of kernel size, "
                         f"but got padW = {pad[1]}, padH = {pad[0]}, kW = {kernel[1]}, "
                         f"kH = {kernel[0]}")
    size = tuple(x.shape[-2:])
    out = tuple(pool_out_size(n, k, s, p, d, ceil_mode)
                for n, k, s, p, d in zip(size, kernel, strides, pad, dil))
    if any(o < 1 for o in out):
        raise ShapeError(f"{op}: given input size: ({'x'.join(map(str, x.shape[-3:]))}). "
                         f"Calculated output size: ({x.shape[-3]}x{out[0]}x{out[1]}). "
                         "Output size is too small")
    # padding after: enough for the last window (ceil_mode may run past the padding)
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, k, s, p, d, o in zip(size, kernel, strides, pad, dil, out))
    return kernel, strides, pads, dil, out


def _first_real(out: int, s: int, p: int, d: int) -> np.ndarray:
    """Per output position, the first window position inside the input (not in padding)."""
    start = np.arange(out) * s - p
    return start + d * np.maximum(0, -(start // d))


_WINDOW_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _window_index(shape: tuple, kernel: tuple, stride: tuple,
                  dil: tuple, out: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For windows inside planes (B, H, W) (no padding): `at` (kh kw, B oh ow), the flat
    index into the planes of kernel position k of each window; `offsets` (kh kw,), the
    plane offset of position k from the window's corner; `corner` (oh ow,), the plane index
    of each window's corner. Small ones are kept (read-only) for the next call: a training
    loop asks for the same few shapes again and again."""
    key = (shape, kernel, stride, dil, out)
    found = _WINDOW_CACHE.get(key)
    if found is not None:
        return found
    made = _make_window_index(shape, kernel, stride, dil, out)
    if made[0].size <= 1 << 18:                     # at most 2 MB each, 8 of them
        if len(_WINDOW_CACHE) >= 8:
            _WINDOW_CACHE.clear()
        _WINDOW_CACHE[key] = made
    return made


def _make_window_index(shape: tuple, kernel: tuple, stride: tuple,
                       dil: tuple, out: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    B, H, W = shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dil, out
    offsets = ((np.arange(kh) * (dh * W))[:, None] + np.arange(kw) * dw).reshape(-1)
    corner = ((np.arange(oh) * (sh * W))[:, None] + np.arange(ow) * sw).reshape(-1)
    plane = offsets[:, None] + corner[None, :]                              # (K, oh ow)
    at = plane[:, None, :] + (np.arange(B) * (H * W))[None, :, None]
    made = (at.reshape(kh * kw, -1).astype(np.intp), offsets.astype(np.int64),
            corner.astype(np.int64))
    for arr in made:
        arr.flags.writeable = False
    return made


def _max_indices_inside(x: np.ndarray, kernel: tuple, stride: tuple, dil: tuple,
                        out: tuple) -> np.ndarray:
    """`_max_indices` when every window lies inside the input (no padding): the windows
    gathered once into rows (kh kw, windows), one contiguous row per kernel position k
    (row-major), then one pass per k keeping the running maximum and the k that holds it.
    k takes over when x_k > best (so the first of equal maxima stays, and a window of -inf
    keeps its first element) or when x_k is nan (the maximum turns nan and only a later
    nan takes over: the last nan wins); the k only grow, so `pick = max(pick, k * take)`."""
    H, W = x.shape[-2:]
    B = x.size // (H * W)
    K = kernel[0] * kernel[1]
    at, offsets, corner = _window_index((B, H, W), tuple(kernel), tuple(stride), tuple(dil),
                                        tuple(out))
    rows = x.reshape(-1).take(at)                                   # (K, B oh ow)
    best = rows[0].copy()
    small = np.int8 if K < 128 else np.int64
    pick = np.zeros(best.shape, dtype=small)
    with np.errstate(invalid="ignore"):
        for k in range(1, K):
            v = rows[k]
            take = v > best
            take |= np.isnan(v)
            np.maximum(pick, np.multiply(take, small(k), dtype=small), out=pick)
            np.maximum(best, v, out=best)
    index = offsets.take(pick).reshape(B, -1)                       # offset in the window
    index += corner
    return index.reshape(x.shape[:-2] + tuple(out))


def _max_indices(x: np.ndarray, kernel: tuple, stride: tuple, pads: tuple, dil: tuple,
                 out: tuple) -> np.ndarray:
    """Flat plane index (i * W + j) of each window's pick: first maximum, last nan; a window
    of -inf only picks its first element inside the input."""
    H, W = x.shape[-2:]
    lead = x.shape[:-2]
    if not any(lo or hi for lo, hi in pads) and 0 not in x.shape and 0 not in out:
        return _max_indices_inside(x, kernel, stride, dil, out)
    x4 = x.reshape((-1, 1, H, W))
    xp = C._padded(x4, pads, -np.inf)
    view = C._windows(xp, kernel, stride, dil, out)        # (B, 1, kh, kw, oh, ow)
    vals: Any = view.reshape((-1, kernel[0] * kernel[1]) + out)
    with np.errstate(invalid="ignore"):
        pick = np.argmax(vals, axis=1)
    nan = np.isnan(vals)
    if nan.any():
        last = vals.shape[1] - 1 - np.argmax(nan[:, ::-1], axis=1)
        pick = np.where(nan.any(axis=1), last, pick)
    ki, kj = np.divmod(pick, kernel[1])
    rows = np.arange(out[0])[:, None] * stride[0] - pads[0][0] + ki * dil[0]
    cols = np.arange(out[1])[None, :] * stride[1] - pads[1][0] + kj * dil[1]
    best = np.take_along_axis(vals, pick[:, None], axis=1)[:, 0]
    empty = best == -np.inf
    if empty.any():
        r0 = _first_real(out[0], stride[0], pads[0][0], dil[0])[:, None]
        c0 = _first_real(out[1], stride[1], pads[1][0], dil[1])[None, :]
        rows = np.where(empty, r0, rows)
        cols = np.where(empty, c0, cols)
    return (rows * W + cols).astype(np.int64).reshape(lead + out)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of each kh x kw window of input (N, C, H, W) or (C, H, W), windows
    `stride` apart (default: kernel_size), on the input padded with -inf, elements of a
    window `dilation` apart. With return_indices, also each pick's flat index i * W + j
    within its plane (what max_unpool takes)."""
    op = "max_pool2d"
    x = as_tensor(input)
    _check_input(op, x, 2)
    kernel, strides, pads, dil, out = _windows_args(op, x, kernel_size, stride, padding,
                                                    dilation, ceil_mode)
    idx = _max_indices(x._data, kernel, strides, pads, dil, out)
    padded = any(lo or hi for lo, hi in pads)       # without padding every pick is inside
    if padded and idx.size and (idx.max() >= x.shape[-2] * x.shape[-1] or idx.min() < 0):
        raise ShapeError(f"{op}: a window lies entirely in the padding (input "
                         f"{list(x.shape)}, kernel_size={kernel}, padding="
                         f"{tuple(p for p, _ in pads)}, dilation={dil}); not supported here "
                         "(PyTorch gives -inf and an index outside the input)")
    result = C.MaxPool2d.apply(x, saved=(idx,))
    return (result, autograd.from_numpy(idx)) if return_indices else result


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of each window of length kernel_size along the last axis of input
    (N, C, L) or (C, L) (see max_pool2d); indices are positions along that axis."""
    op = "max_pool1d"
    x = as_tensor(input)
    _check_input(op, x, 1)
    k = _single(kernel_size, "kernel_size", op)
    s = None if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _single(stride, "stride", op)
    r = max_pool2d(x.unsqueeze(-2), (1, k), None if s is None else (1, s),
                   (0, _single(padding, "padding", op)), (1, _single(dilation, "dilation", op)),
                   ceil_mode, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def _avg_divisor(size: tuple, kernel: tuple, stride: tuple, pad: tuple, out: tuple,
                 count_include_pad: bool, divisor_override: Any, dtype: Any) -> np.ndarray:
    if divisor_override is not None:
        return np.full(out, divisor_override, dtype=dtype)
    counts = []
    for n, k, s, p, o in zip(size, kernel, stride, pad, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    return np.multiply.outer(counts[0], counts[1]).astype(dtype)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each kh x kw window of input (N, C, H, W) or (C, H, W) on the
    zero-padded input: the window's sum divided by its size, counting the padding
    (count_include_pad) or not, or by divisor_override."""
    op = "avg_pool2d"
    x = as_tensor(input)
    _check_input(op, x, 2)
    if divisor_override is not None and (not isinstance(divisor_override, (int, np.integer))
                                         or divisor_override == 0):
        raise ShapeError(f"{op}: divisor must be not zero (an int), got {divisor_override!r}")
    kernel, strides, pads, _, out = _windows_args(op, x, kernel_size, stride, padding, 1,
                                                  ceil_mode)
    divisor = _avg_divisor(tuple(x.shape[-2:]), kernel, strides, tuple(p for p, _ in pads), out,
                           count_include_pad, divisor_override, x.dtype)
    return C.AvgPool2d.apply(x, saved=(kernel, strides, pads, divisor))


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window along the last axis of input (N, C, L) or (C, L)."""
    op = "avg_pool1d"
    x = as_tensor(input)
    _check_input(op, x, 1)
    k = _single(kernel_size, "kernel_size", op)
    s = None if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _single(stride, "stride", op)
    return avg_pool2d(x.unsqueeze(-2), (1, k), None if s is None else (1, s),
                      (0, _single(padding, "padding", op)), ceil_mode,
                      count_include_pad).squeeze(-2)


# ------------------------------------------------------------------ adaptive pooling
def _output_size(op: str, output_size: Any, size: tuple) -> tuple[int, int]:
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size, output_size)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise ShapeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(n if o is None else int(o) for o, n in zip(output_size, size))
    if any(o < 0 for o in sizes):
        raise ShapeError(f"{op}: output_size must be non-negative, got {sizes}")
    return sizes  # type: ignore[return-value]


def _adaptive_bounds(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(m)
    return (i * n) // m, -((-(i + 1) * n) // m)


def _adaptive_check(op: str, x: Tensor) -> None:
    _check_input(op, x, 2)
    if any(n == 0 for n in x.shape[-2:]):
        raise ShapeError(f"{op}: expected input with non-zero sizes for the last two "
                         f"dimensions, but input has sizes {list(x.shape)}")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of input (N, C, H, W) or (C, H, W) to output_size (oh, ow) (an int:
    square; None: keep that axis): window i of an axis of length n covers
    floor(i n / m) .. ceil((i + 1) n / m) - 1; out = the mean over the window (only the
    window's elements take part: a nan or inf stays in its windows, as in PyTorch)."""
    op = "adaptive_avg_pool2d"
    x = as_tensor(input)
    _adaptive_check(op, x)
    sizes = _output_size(op, output_size, tuple(x.shape[-2:]))
    if sizes == (1, 1):                     # a global average: PyTorch takes the mean
        return x.mean(dim=(-2, -1), keepdim=True)
    taps = []
    for n, m in zip(x.shape[-2:], sizes):
        lo, hi = _adaptive_bounds(n, m)
        k = int((hi - lo).max()) if m else 0
        pos = lo[:, None] + np.arange(k)[None, :]
        valid = pos < hi[:, None]
        weight = np.broadcast_to((1.0 / (hi - lo))[:, None], pos.shape).astype(x.dtype)
        taps.append((np.minimum(pos, n - 1), weight, valid, n))
    return C.AdaptiveAvgPool2d.apply(x, saved=tuple(taps))


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of input (N, C, H, W) or (C, H, W) to output_size, windows as in
    adaptive_avg_pool2d; picks as max_pool2d (first maximum, last nan)."""
    op = "adaptive_max_pool2d"
    x = as_tensor(input)
    _adaptive_check(op, x)
    H, W = x.shape[-2:]
    sizes = _output_size(op, output_size, (H, W))
    idx = []
    for n, m in zip((H, W), sizes):
        lo, hi = _adaptive_bounds(n, m)
        k = int((hi - lo).max()) if m else 1
        idx.append(np.minimum(lo[:, None] + np.arange(k)[None, :], hi[:, None] - 1))
    rows, cols = idx                                           # (oh, kh), (ow, kw)
    data = x._data
    vals = data[..., rows[:, :, None, None], cols[None, None, :, :]]   # (..., oh, kh, ow, kw)
    nd = data.ndim
    vals = np.moveaxis(vals, nd - 1, nd).reshape(
        data.shape[:-2] + (sizes[0], sizes[1], rows.shape[1] * cols.shape[1]))
    with np.errstate(invalid="ignore"):
        pick = np.argmax(vals, axis=-1) if vals.shape[-1] else np.zeros(vals.shape[:-1], int)
    nan = np.isnan(vals)
    if nan.any():
        last = vals.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
        pick = np.where(nan.any(axis=-1), last, pick)
    ki, kj = np.divmod(pick, cols.shape[1])
    r = rows[np.arange(sizes[0])[:, None], ki]
    c = cols[np.arange(sizes[1])[None, :], kj]
    flat = (r * W + c).astype(np.int64)
    result = C.AdaptiveMaxPool2d.apply(x, saved=(flat,))
    return (result, autograd.from_numpy(flat)) if return_indices else result


# ------------------------------------------------------------------ interpolation
_INTERP_MODES = ("nearest", "bilinear")


def _nearest_index(n: int, m: int, scale: float | None) -> np.ndarray:
    i = np.arange(m)
    if m == n:
        return i
    if m == 2 * n:
        return i >> 1
    f = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(n) / np.float32(m)
    src = np.floor(i.astype(np.float32) * f).astype(np.int64)
    return np.minimum(src, n - 1)


def _linear_taps(n: int, m: int, scale: float | None, align_corners: bool,
                 dtype: Any) -> tuple:
    """The two taps (i0, i1) and weights (1 - l, l) of linear interpolation from n to m
    positions along one axis, computed as PyTorch (in the input's precision)."""
    t = np.dtype(dtype).type
    if align_corners:
        ratio = t(n - 1) / t(m - 1) if m > 1 else t(0)
        src = ratio * np.arange(m, dtype=dtype)
    else:
        ratio = t(1.0 / scale) if scale is not None and scale > 0 else t(n) / t(m)
        src = np.maximum(ratio * (np.arange(m, dtype=dtype) + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    l1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    l0 = (t(1) - l1).astype(dtype)
    i1 = i0 + (i0 < n - 1)
    return (np.stack([i0, i1], 1), np.stack([l0, l1], 1).astype(dtype),
            np.ones((m, 2), dtype=bool), n)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of input (N, C, L) ("nearest") or (N, C, H, W) ("nearest",
    "bilinear") to `size`, or by `scale_factor` (output floor(n * scale_factor)). Nearest:
    out[i] = x[min(floor(i * scale), n - 1)]; bilinear: linear along each axis between
    the two nearest pixels (align_corners: the corner pixels of input and output line up)."""
    op = "interpolate"
    x = as_tensor(input)
    if mode not in _INTERP_MODES:
        raise NotImplementedError(f"{op}: mode {mode!r} is not implemented here (one of "
                                  f"{', '.join(map(repr, _INTERP_MODES))})")
    if antialias:
        raise NotImplementedError(f"{op}: antialias=True is not implemented here")
    if align_corners is not None and mode == "nearest":
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    spatial = x.ndim - 2
    if spatial not in (1, 2) or (mode == "bilinear" and spatial != 2):
        raise NotImplementedError(f"{op}: got {x.ndim}D input, but {mode} mode needs "
                                  f"{'4D' if mode == 'bilinear' else '3D or 4D'} input "
                                  "(N, C, ...)")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not
                         None else "either size or scale_factor should be defined")
    in_size = tuple(x.shape[2:])
    scales: list[float | None]
    if size is not None:
        sizes = [int(size)] * spatial if isinstance(size, (int, np.integer)) else list(size)
        if len(sizes) != spatial:
            raise ValueError(f"{op}: input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_size)} and output size of {sizes}")
        out = tuple(int(s) for s in sizes)
        scales = [None] * spatial
    else:
        factors = [float(scale_factor)] * spatial if isinstance(scale_factor, (int, float)) \
            else [float(f) for f in scale_factor]
        if len(factors) != spatial:
            raise ValueError(f"{op}: input and scale_factor must have the same number of "
                             f"spatial dimensions, but got input with spatial dimensions of "
                             f"{list(in_size)} and scale_factor of shape {factors}")
        out = tuple(math.floor(float(n) * f) for n, f in zip(in_size, factors))
        scales = [None] * spatial if recompute_scale_factor else list(factors)
    if any(o <= 0 for o in out) or any(n <= 0 for n in in_size):
        raise ShapeError(f"{op}: input and output sizes should be greater than 0, but got "
                         f"input {list(in_size)} and output {list(out)}")
    if mode == "nearest":
        idx = [_nearest_index(n, m, s) for n, m, s in zip(in_size, out, scales)]
        index: tuple = (Ellipsis, idx[0]) if spatial == 1 else \
            (Ellipsis, idx[0][:, None], idx[1][None, :])
        rule = C.UpsampleNearest1d if spatial == 1 else C.UpsampleNearest2d
        return rule.apply(x, saved=(index,))
    ac = bool(align_corners)
    taps = tuple(_linear_taps(n, m, s, ac, x.dtype) for n, m, s in zip(in_size, out, scales))
    return C.UpsampleBilinear2d.apply(x, saved=taps)
