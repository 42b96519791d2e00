"""Activation functions (`nn.functional.relu`, ...), PyTorch's names.

    softmax(x)_i     = e^(x_i - m) / sum_j e^(x_j - m)            (m = max_j x_j: no overflow)
    log_softmax(x)_i = (x_i - m) - log sum_j e^(x_j - m)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd import rules as R
from autograd import tensor_rules as T
from autograd.dtypes import ShapeError
from autograd.ops import OptionError
from autograd.rules import Rule

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax", "softmin",
           "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign",
           "hardtanh", "relu6", "hardsigmoid", "hardswish", "logsigmoid", "glu"]


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x)."""
    return x.tanh()


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b."""
    return autograd.linear(x, weight, bias)


def _softmax_dim(dim: Any, ndim: int, op: str) -> int:
    if dim is None:                  # PyTorch's old implicit choice: 1 unless 0-d, 1-d or 3-d
        return 0 if ndim in (0, 1, 3) else 1
    return int(dim)


def softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^x_i / sum_j e^x_j along `dim`, one fused node (the maximum is subtracted first, so
    nothing overflows); `dtype` casts the input first."""
    return input.softmax(_softmax_dim(dim, input.ndim, "softmax"), dtype=dtype)


def log_softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None
                ) -> Tensor:
    """x_i - log sum_j e^x_j along `dim`, one fused node (no overflow, no log(0))."""
    return input.log_softmax(_softmax_dim(dim, input.ndim, "log_softmax"), dtype=dtype)


def softmin(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x): e^-x_i / sum_j e^-x_j along `dim`."""
    x = input.to(dtype) if dtype is not None else input
    return (-x).softmax(_softmax_dim(dim, x.ndim, "softmin"))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along `dim`: each slice scaled to unit p-norm (a slice whose
    norm is below eps is divided by eps instead, so zeros stay zeros)."""
    x = _float_input(input, "normalize")
    return x / x.norm(p, dim, keepdim=True).clamp(min=eps)


# ---------------------------------------------------------------- activations
# Each is one fused graph node (a rule below), except softsign (a composition, as in
# PyTorch). These rules are elementwise (`elementwise = True`) but they are not methods of
# Value and Tensor (PyTorch has no such methods), so they are not in `rules.ELEMENTWISE`.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = 0.707106781186547524401               # 1/sqrt(2)
_TWO_OVER_SQRT_PI = 1.12837916709551257390          # 2/sqrt(pi)
# 1/sqrt(2 pi) and sqrt(2/pi), as products of those constants (the last bits as PyTorch's)
_INV_SQRT_2PI = _TWO_OVER_SQRT_PI * _SQRT_HALF * 0.5
_SQRT_2_OVER_PI = 1.41421356237309504880 * _TWO_OVER_SQRT_PI * 0.5
_GELU_C = 0.044715
# PyTorch's hardsigmoid gradient uses 1/6 rounded to float32, in float64 too
_SIXTH_F32 = float(np.float32(1.0 / 6.0))


def _mask(cond: Any, a: Any, b: Any) -> Any:
    """a where the raw boolean array `cond` holds, else b (selecting, never multiplying)."""
    return R.where_(cond, a, b)


def _d(x: Any) -> Any:
    return R.data_of(x)


class LeakyRelu(Rule):
    """out = a if a > 0 else s a;   d out/da = 1 if a > 0 else s   (s at 0, as PyTorch).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "leaky_relu", "LeakyReluBackward0", ("[a>0] + s[a<=0]",)
    elementwise = True

    @staticmethod
    def forward(a, slope):
        return np.where(a > 0, a, a * a.dtype.type(slope))

    grads = (lambda g, out, a, slope: _mask(_d(a) > 0, g, g * slope),)


def _elu_forward(a: Any, alpha: float, scale: float, input_scale: float) -> Any:
    with np.errstate(all="ignore"):
        t = a.dtype.type
        return np.where(a > 0, a * t(scale), np.expm1(a * t(input_scale)) * t(alpha * scale))


class Elu(Rule):
    """out = scale a for a > 0, else alpha scale (e^(input_scale a) - 1) (elu, selu);
    d out/da = scale, else alpha scale input_scale e^(input_scale a)   (the second at 0).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "elu", "EluBackward0", ("scale or alpha*scale*s*exp(s*a)",)
    elementwise = True
    forward = staticmethod(_elu_forward)
    grads = (lambda g, out, a, alpha, scale, input_scale: _elu_grad(g, a, alpha, scale,
                                                                     input_scale),)


def _elu_grad(g: Any, a: Any, alpha: float, scale: float, input_scale: float) -> Any:
    # the negative branch where a <= 0 (so a nan input takes the positive one, as PyTorch)
    with np.errstate(all="ignore"):
        return _mask(_d(a) <= 0, g * (alpha * scale * input_scale) * R.Exp.apply(a * input_scale),
                     g * scale)


class Celu(Elu):
    """out = a for a > 0, else alpha (e^(a/alpha) - 1);   d out/da = 1, else e^(a/alpha).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name = "celu", "CeluBackward0"


def _gelu_forward(a: Any, approximate: str) -> Any:
    t = a.dtype.type
    if approximate == "tanh":
        inner = t(_SQRT_2_OVER_PI) * (a + t(_GELU_C) * (a * a * a))
        return t(0.5) * a * (1 + np.tanh(inner))
    return a * t(0.5) * (1 + R.Erf.forward(a * t(_SQRT_HALF)))


def _gelu_grad(g: Any, a: Any, approximate: str) -> Any:
    with np.errstate(all="ignore"):
        return _gelu_grad_of(g, a, approximate)


def _gelu_grad_of(g: Any, a: Any, approximate: str) -> Any:
    if approximate == "tanh":
        square = a * a
        th = R.Tanh.apply(_SQRT_2_OVER_PI * (a + _GELU_C * (square * a)))
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * square)
        return g * (0.5 * (1 + th) + 0.5 * a * (1 - th * th) * d_inner)
    cdf = 0.5 * (1 + R.Erf.apply(a * _SQRT_HALF))
    pdf = _INV_SQRT_2PI * R.Exp.apply(a * a * -0.5)
    return g * (cdf + a * pdf)


class Gelu(Rule):
    """out = a Phi(a) = a/2 (1 + erf(a/sqrt 2)); d out/da = Phi(a) + a phi(a)
    (approximate="tanh": a/2 (1 + tanh(sqrt(2/pi)(a + 0.044715 a^3)))).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "gelu", "GeluBackward0", ("Phi(a)+a*phi(a)",)
    elementwise = True
    forward = staticmethod(_gelu_forward)
    grads = (lambda g, out, a, approximate: _gelu_grad(g, a, approximate),)


class Silu(Rule):
    """out = a sigma(a);   d out/da = sigma(a) (1 + a (1 - sigma(a))).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "silu", "SiluBackward0", ("s(a)*(1+a*(1-s(a)))",)
    elementwise = True

    @staticmethod
    def forward(a):
        with np.errstate(all="ignore"):
            return a * R._sigmoid(a)

    grads = (lambda g, out, a: _silu_grad(g, a),)


def _silu_grad(g: Any, a: Any) -> Any:
    s = R.Sigmoid.apply(a)
    with np.errstate(all="ignore"):
        return g * s * (1 + a * (1 - s))


def _softplus_raw(z: Any) -> Any:
    """ln(1 + e^z) without overflow: max(z, 0) + ln(1 + e^-|z|)."""
    with np.errstate(all="ignore"):
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class Mish(Rule):
    """out = a tanh(softplus(a));   d out/da = t + a (1 - t^2) sigma(a), t = tanh(softplus(a)).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "mish", "MishBackward0", ("t+a*(1-t^2)*s(a)",)
    elementwise = True

    @staticmethod
    def forward(a):
        with np.errstate(all="ignore"):
            return a * np.tanh(_softplus_raw(a))

    grads = (lambda g, out, a: _mish_grad(g, a),)


def _mish_grad(g: Any, a: Any) -> Any:
    if T.is_raw(a):
        t = np.tanh(_softplus_raw(a))
    else:
        t = R.Tanh.apply(Softplus.apply(a, saved=(1.0, math.inf)))
    with np.errstate(all="ignore"):
        return g * (t + a * (1 - t * t) * R.Sigmoid.apply(a))


class Softplus(Rule):
    """out = ln(1 + e^(beta a)) / beta (a itself where beta a > threshold);
    d out/da = sigma(beta a) (1 above the threshold).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "softplus", "SoftplusBackward0", ("s(beta*a)",)
    elementwise = True

    @staticmethod
    def forward(a, beta, threshold):
        t = a.dtype.type
        z = a * t(beta)
        return np.where(z > threshold, a, _softplus_raw(z) / t(beta))

    grads = (lambda g, out, a, beta, threshold: _mask(
        _d(a) * beta > threshold, g, g * R.Sigmoid.apply(a * beta)),)


class Hardtanh(Rule):
    """out = a limited to [lo, hi];   d out/da = 1 strictly inside, 0 at the bounds and
    outside (as PyTorch). Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "hardtanh", "HardtanhBackward0", ("[lo<a<hi]",)
    elementwise = True

    @staticmethod
    def forward(a, lo, hi):
        t = a.dtype.type
        return np.where(a < lo, t(lo), np.where(a > hi, t(hi), a))

    grads = (lambda g, out, a, lo, hi: _mask((_d(a) <= lo) | (_d(a) >= hi),
                                             R._zero_grad(g), g),)


class Hardsigmoid(Rule):
    """out = min(max(a + 3, 0), 6) / 6;   d out/da = 1/6 for -3 < a < 3, else 0 (PyTorch's
    1/6 is rounded to float32). Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "hardsigmoid", "HardsigmoidBackward0", ("[-3<a<3]/6",)
    elementwise = True

    @staticmethod
    def forward(a):
        t = a.dtype.type
        return np.minimum(np.maximum(a + t(3), t(0)), t(6)) / t(6)

    grads = (lambda g, out, a: _mask((_d(a) > -3) & (_d(a) < 3), g * _SIXTH_F32,
                                     R._zero_grad(g)),)


class Hardswish(Rule):
    """out = a min(max(a + 3, 0), 6) / 6;   d out/da = 0 for a <= -3, a/3 + 1/2 for
    -3 < a < 3, 1 for a >= 3 (PyTorch's choices at the kinks).
    Elementwise, not in rules.ELEMENTWISE (no Tensor method)."""
    name, torch_name, local = "hardswish", "HardswishBackward0", ("a/3+1/2 on (-3,3)",)
    elementwise = True

    @staticmethod
    def forward(a):
        t = a.dtype.type
        return a * np.minimum(np.maximum(a + t(3), t(0)), t(6)) / t(6)

    grads = (lambda g, out, a: _mask(_d(a) <= -3, R._zero_grad(g),
                                     _mask(_d(a) < 3, g * (a / 3 + 0.5), g)),)


class LogSigmoid(Rule):
    """out = ln sigma(a) = min(a, 0) - ln(1 + e^-|a|) (no overflow);
    d out/da = sigma(-a) = 1 - sigma(a). Elementwise, not in rules.ELEMENTWISE."""
    name, torch_name, local = "logsigmoid", "LogSigmoidBackward0", ("s(-a)",)
    elementwise = True

    @staticmethod
    def forward(a):
        with np.errstate(all="ignore"):
            return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))

    grads = (lambda g, out, a: g * R.Sigmoid.apply(-a),)


def _glu_halves(x: Any, dim: int) -> tuple:
    n = x.shape[dim] // 2
    lead = (slice(None),) * dim
    return x[lead + (slice(0, n),)], x[lead + (slice(n, None),)]


def _glu_grad(g: Any, x: Any, dim: int) -> Any:
    a, b = _glu_halves(x, dim)
    s = R.Sigmoid.apply(b)
    return T.Cat.apply(g * s, g * a * s * (1 - s), saved=(dim,))


class Glu(Rule):
    """out = a sigma(b), where a and b are the halves of the input along `dim`;
    d out/da = sigma(b),  d out/db = a sigma(b)(1 - sigma(b))"""
    name, torch_name, local = "glu", "GluBackward0", ("s(b) | a*s(b)*(1-s(b))",)

    @staticmethod
    def forward(x, dim):
        a, b = _glu_halves(x, dim)
        return a * R._sigmoid(b)

    grads = (lambda g, out, x, dim: _glu_grad(g, x, dim),)


# ---------------------------------------------------------------- the functions
def _float_input(x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point tensor, got {x.dtype}")
    return x


def _run(x: Any, name: str, rule: type[Rule], saved: tuple, inplace: bool) -> Tensor:
    """`rule` on x, or x changed in place to it (inplace=True: through the tensor's in-place
    machinery, so a backward that needs x's old values refuses, as PyTorch's)."""
    x = _float_input(x, name)
    with np.errstate(all="ignore"):         # nan and inf as PyTorch, without numpy's warnings
        if inplace:
            return x._modify(f"{name}_", lambda base: rule.apply(base, saved=saved), None)
        return rule.apply(x, saved=saved)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """input if input > 0 else negative_slope * input."""
    return _run(input, "leaky_relu", LeakyRelu, (float(negative_slope),), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input if input > 0 else alpha (e^input - 1)."""
    return _run(input, "elu", Elu, (float(alpha), 1.0, 1.0), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale (input if input > 0 else alpha (e^input - 1)), with PyTorch's (self-normalising)
    alpha = 1.6732632423543772 and scale = 1.0507009873554805."""
    return _run(input, "selu", Elu, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input if input > 0 else alpha (e^(input/alpha) - 1)."""
    if alpha == 0:
        raise ZeroDivisionError("celu: alpha must not be 0 (it divides the input)")
    return _run(input, "celu", Celu, (float(alpha), 1.0, 1.0 / alpha), inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """input Phi(input) (Phi the standard normal CDF, through erf); approximate="tanh":
    input/2 (1 + tanh(sqrt(2/pi) (input + 0.044715 input^3)))."""
    if approximate not in ("none", "tanh"):
        raise OptionError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _run(input, "gelu", Gelu, (approximate,), False)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """input sigma(input) (swish)."""
    return _run(input, "silu", Silu, (), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """input tanh(softplus(input))."""
    return _run(input, "mish", Mish, (), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """ln(1 + e^(beta input)) / beta, computed without overflow; input itself where
    beta input > threshold."""
    return _run(input, "softplus", Softplus, (float(beta), float(threshold)), False)


def softsign(input: Tensor) -> Tensor:
    """input / (1 + |input|) (a composition, as in PyTorch)."""
    x = _float_input(input, "softsign")
    return x / (x.abs() + 1)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """input limited to [min_val, max_val] (gradient 0 at the bounds)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    return _run(input, "hardtanh", Hardtanh, (min_val, max_val), inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(input, 0), 6) (hardtanh(input, 0, 6))."""
    return _run(input, "relu6", Hardtanh, (0.0, 6.0), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(input + 3) / 6."""
    return _run(input, "hardsigmoid", Hardsigmoid, (), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """input relu6(input + 3) / 6."""
    return _run(input, "hardswish", Hardswish, (), inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """ln sigma(input), computed without overflow."""
    return _run(input, "logsigmoid", LogSigmoid, (), False)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a sigma(b), a and b the two halves of input along `dim` (its size must be even)."""
    x = _float_input(input, "glu")
    if x.ndim == 0:
        raise RuntimeError("glu: glu does not support scalars because halving size must be "
                           "even")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for a tensor with {x.ndim} dimensions")
    d = dim % x.ndim
    if x.shape[d] % 2:
        raise ShapeError(f"glu: halving dimension must be even, but dimension {d} of shape "
                         f"{x.shape} has size {x.shape[d]}")
    return Glu.apply(x, saved=(d,))
