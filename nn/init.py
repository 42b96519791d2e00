"""`nn.init`: fill a weight tensor in place with PyTorch's initialisation schemes.

Every function writes into the tensor's own array (outside the graph, as PyTorch's do under
`no_grad`), records the in-place change (so a pending backward that used the old values
refuses to run), and returns the tensor. Random ones draw from `autograd.generator()` (the
numpy Generator that `autograd.manual_seed` reseeds) or from a `generator=` you pass.

Fans, for a weight of shape (out, in, *kernel): fan_in = in * prod(kernel) and
fan_out = out * prod(kernel) (a Linear weight (out, in) has fan_in = in). Schemes:

    xavier_uniform_    U(-a, a),  a = gain * sqrt(6 / (fan_in + fan_out))
    xavier_normal_     N(0, std), std = gain * sqrt(2 / (fan_in + fan_out))
    kaiming_uniform_   U(-b, b),  b = gain * sqrt(3 / fan)
    kaiming_normal_    N(0, std), std = gain / sqrt(fan)
                       (fan = fan_in or fan_out by `mode`, gain = calculate_gain(
                       nonlinearity, a); PyTorch's Linear default is kaiming_uniform_ with
                       a=sqrt(5), which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)))

Glorot & Bengio (2010) and He et al. (2015) derive them: keep the variance of activations
(forward) and of gradients (backward) the same from layer to layer.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_",
           "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """The factor by which to scale a weight's std so that the nonlinearity keeps the
    activations' variance: 1 for linear layers, convolutions and sigmoid, 5/3 for tanh,
    sqrt(2) for relu, sqrt(2 / (1 + negative_slope^2)) for leaky_relu (`param` is the
    negative slope, 0.01 by default), 3/4 for selu. ValueError for anything else."""
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope: float = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain('leaky_relu', param): the negative slope must be "
                             f"a number, got {type(param).__name__} {param!r}")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r} (one of "
                     f"{', '.join(_LINEAR)}, tanh, relu, leaky_relu, selu)")


# ---------------------------------------------------------------- helpers
def _check(tensor: Any, fn: str, floating: bool = False) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{fn}: expected a Tensor, got {type(tensor).__name__}")
    if floating and tensor._data.dtype.kind != "f":
        raise RuntimeError(f"nn.init.{fn}: needs a floating point tensor, this one is "
                           f"{tensor._data.dtype}")
    return tensor


def _rng(generator: np.random.Generator | None, fn: str) -> np.random.Generator:
    if generator is None:
        return autograd.generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"nn.init.{fn}: generator must be a numpy.random.Generator, got "
                        f"{type(generator).__name__}")
    return generator


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Overwrite the tensor's array in place (memory kept: views and state dicts see it)."""
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): (in * prod(kernel),
    out * prod(kernel)). ValueError for fewer than 2 dimensions."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"Fan in and fan out can not be computed for tensor with fewer than "
                         f"2 dimensions (this one has shape {shape})")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    m = mode.lower() if isinstance(mode, str) else mode
    if m not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init: mode {mode!r} not supported, please use one of ['fan_in', "
                         f"'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if m == "fan_in" else fan_out


# ---------------------------------------------------------------- plain fills
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: np.random.Generator | None = None) -> Tensor:
    """Fill with draws from U(a, b) (mean (a + b) / 2, std (b - a) / sqrt(12))."""
    _check(tensor, "uniform_", floating=True)
    if a > b:
        raise RuntimeError(f"nn.init.uniform_: expects a <= b, got a={a} > b={b}")
    return _write(tensor, _rng(generator, "uniform_").uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    _check(tensor, "normal_", floating=True)
    if std < 0:
        raise RuntimeError(f"nn.init.normal_: expects std >= 0, got std={std}")
    return _write(tensor, _rng(generator, "normal_").normal(mean, std, tensor.shape))


def _standard_truncated(alpha: float, beta: float, n: int, rng: np.random.Generator
                        ) -> np.ndarray:
    """n draws of a standard normal conditioned on [alpha, beta], by exact rejection
    sampling with a proposal that suits the interval (Robert, 1995): the normal itself for
    a wide interval around 0, a uniform for a narrow one, a shifted exponential for a
    tail. Every proposal accepts a good fraction (about 1/3 or more) of its draws."""
    sign = 1.0
    if beta <= 0:                       # mirror a left-side interval to the right
        alpha, beta, sign = -beta, -alpha, -1.0
    if alpha < 0:                       # 0 inside [alpha, beta]
        if beta - alpha >= math.sqrt(2 * math.pi):
            def propose(k: int) -> np.ndarray:
                z = rng.standard_normal(k)
                return z[(z >= alpha) & (z <= beta)]
        else:
            def propose(k: int) -> np.ndarray:
                z = rng.uniform(alpha, beta, k)
                return z[rng.random(k) <= np.exp(-z * z / 2)]
    else:                               # [alpha, beta] on the right of 0
        width = beta - alpha
        if math.isfinite(width) and alpha * width + width * width / 2 <= 1:
            def propose(k: int) -> np.ndarray:
                z = rng.uniform(alpha, beta, k)
                return z[rng.random(k) <= np.exp((alpha * alpha - z * z) / 2)]
        else:
            lam = (alpha + math.sqrt(alpha * alpha + 4)) / 2
            def propose(k: int) -> np.ndarray:
                z = alpha + rng.exponential(1 / lam, k)
                ok = (z <= beta) & (rng.random(k) <= np.exp(-(z - lam) ** 2 / 2))
                return z[ok]
    parts, have = [], 0
    while have < n:
        got = propose(max(2 * (n - have), 16))
        parts.append(got)
        have += got.size
    return sign * np.concatenate(parts)[:n]


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: np.random.Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std^2) conditioned on [a, b] (a and b are values, not
    numbers of stds: the defaults truncate at +-2 only when std is 1). Exact for any
    interval, the far tails included."""
    _check(tensor, "trunc_normal_", floating=True)
    if std < 0:
        raise RuntimeError(f"nn.init.trunc_normal_: expects std >= 0, got std={std}")
    if a > b:
        raise RuntimeError(f"nn.init.trunc_normal_: expects a <= b, got a={a} > b={b}")
    rng = _rng(generator, "trunc_normal_")
    n = tensor._data.size
    if std == 0 or a == b:
        values = np.full(n, float(mean))
    else:
        values = mean + std * _standard_truncated((a - mean) / std, (b - mean) / std, n, rng)
    return _write(tensor, np.clip(values, a, b).reshape(tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value `val`."""
    return _write(_check(tensor, "constant_"), val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _write(_check(tensor, "ones_"), 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _write(_check(tensor, "zeros_"), 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal of a rectangular
    one): a Linear layer that starts as the identity map."""
    _check(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"nn.init.eye_: only tensors with 2 dimensions are supported, got "
                         f"shape {tuple(tensor.shape)}")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight (out, in, *kernel) with the Dirac delta: a 1
    at the kernel's centre for output channel i and input channel i (per group), so the
    convolution starts as the identity on as many channels as it can keep."""
    _check(tensor, "dirac_")
    shape = tuple(tensor.shape)
    if len(shape) not in (3, 4, 5):
        raise ValueError(f"nn.init.dirac_: only tensors with 3, 4, or 5 dimensions are "
                         f"supported, got shape {shape}")
    if groups < 1 or shape[0] % groups != 0:
        raise ValueError(f"nn.init.dirac_: dim 0 (size {shape[0]}) must be divisible by "
                         f"groups={groups}")
    per_group = shape[0] // groups
    values = np.zeros(shape)
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min(per_group, shape[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _write(tensor, values)


# ---------------------------------------------------------------- variance-preserving
def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: np.random.Generator | None = None) -> Tensor:
    """Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), so
    std = gain * sqrt(2 / (fan_in + fan_out))."""
    _check(tensor, "xavier_uniform_", floating=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, _rng(generator, "xavier_uniform_"))


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: np.random.Generator | None = None) -> Tensor:
    """Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    _check(tensor, "xavier_normal_", floating=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, _rng(generator, "xavier_normal_"))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """He/Kaiming uniform: U(-b, b) with b = gain * sqrt(3 / fan), so std = gain / sqrt(fan);
    fan = fan_in (`mode="fan_in"`, keeps the forward pass's variance) or fan_out (keeps the
    backward pass's), gain = calculate_gain(nonlinearity, a) (a: leaky_relu's negative
    slope; the default gives sqrt(2), right for relu). A tensor with no elements is left
    as it is (with a warning)."""
    _check(tensor, "kaiming_uniform_", floating=True)
    if 0 in tensor.shape:
        warnings.warn("nn.init.kaiming_uniform_: initializing a zero-element tensor is a "
                      "no-op", UserWarning, stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, _rng(generator, "kaiming_uniform_"))


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """He/Kaiming normal: N(0, std^2) with std = gain / sqrt(fan) (fan and gain as in
    `kaiming_uniform_`)."""
    _check(tensor, "kaiming_normal_", floating=True)
    if 0 in tensor.shape:
        warnings.warn("nn.init.kaiming_normal_: initializing a zero-element tensor is a "
                      "no-op", UserWarning, stacklevel=2)
        return tensor
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, _rng(generator, "kaiming_normal_"))


def orthogonal_(tensor: Tensor, gain: float = 1,
                generator: np.random.Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix times `gain` (Saxe et al., 2013): the tensor seen as
    (rows = shape[0], cols = the rest) gets orthonormal rows or columns, whichever are
    fewer, drawn uniformly (QR of a Gaussian matrix with the signs fixed)."""
    _check(tensor, "orthogonal_", floating=True)
    if tensor.ndim < 2:
        raise ValueError(f"nn.init.orthogonal_: only tensors with 2 or more dimensions are "
                         f"supported, got shape {tuple(tensor.shape)}")
    if tensor._data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor._data.size // rows
    flat = _rng(generator, "orthogonal_").standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, gain * q.reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01,
            generator: np.random.Generator | None = None) -> Tensor:
    """A 2-D tensor with N(0, std^2) entries, of which ceil(sparsity * rows) in each column
    (at random rows) are zero (Martens, 2010)."""
    _check(tensor, "sparse_", floating=True)
    if tensor.ndim != 2:
        raise ValueError(f"nn.init.sparse_: only tensors with 2 dimensions are supported, "
                         f"got shape {tuple(tensor.shape)}")
    rng = _rng(generator, "sparse_")
    rows, cols = tensor.shape
    zeros = math.ceil(sparsity * rows)
    values = rng.normal(0.0, std, (rows, cols))
    for c in range(cols):
        values[rng.permutation(rows)[:zeros], c] = 0
    return _write(tensor, values)
