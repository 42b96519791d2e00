"""The helpers that `creation.py` (making tensors) and `random.RandomFills` (the Tensor methods
`uniform_`, ..., `new_zeros`, ...) share: argument checking, dtype rules and the random arrays.

This module imports nothing from autograd but `engine` (for `Node`), so that `random.py`, which
`tensor.py` imports for its mixin, never needs the Tensor module: a tensor is recognised here
as a graph node whose data is a numpy array (`_is_tensor`), and only its array is read.
"""
from __future__ import annotations

import math
import numbers
import operator
from typing import TYPE_CHECKING, Any, Sequence, SupportsIndex, TypeGuard, Union

import numpy as np

from .engine import Node

if TYPE_CHECKING:
    from .tensor import Tensor

# The project's default floating point dtype is float64 (PyTorch's is float32).
_FLOAT = np.dtype(np.float64)
_COMPLEX = np.dtype(np.complex128)  # its complex counterpart
_INT = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)

Size = Union[SupportsIndex, Sequence[SupportsIndex]]
Number = Union[int, float, bool]
Scalar = Union[int, float, bool, complex]


def _is_tensor(x: Any) -> TypeGuard[Tensor]:
    """Whether `x` is a Tensor: a graph node holding a numpy array (a Value holds a float)."""
    return isinstance(x, Node) and isinstance(getattr(x, "_data", None), np.ndarray)


# ================================================================ argument checking
def _dtype(dtype: Any, where: str) -> np.dtype | None:
    """`dtype` as a numpy dtype (None stays None); torch dtypes are read by name."""
    if dtype is None:
        return None
    if type(dtype).__module__ == "torch":           # torch.float32 -> "float32"
        dtype = str(dtype).rpartition(".")[2]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: dtype must be a numeric dtype (autograd.float32, np.int64, "
                        f"'float64', ...), got {dtype!r}") from None
    if dt.kind not in "biufc":
        raise TypeError(f"{where}: dtype must be a boolean, integer, floating point or complex "
                        f"dtype, got {dt}")
    return dt


def _float_only(dt: np.dtype, where: str, complex_ok: bool = True) -> None:
    """Refuse a dtype that is not floating point (nor complex, unless `complex_ok`)."""
    kinds = "fc" if complex_ok else "f"
    if dt.kind not in kinds:
        raise NotImplementedError(f"{where}: not implemented for dtype {dt}; expected a floating "
                                  f"point{' or complex' if complex_ok else ''} dtype")


def _check_grad_dtype(dt: np.dtype, requires_grad: bool, where: str) -> None:
    """Only floating point (and complex) tensors can require gradients."""
    if requires_grad and dt.kind not in "fc":
        raise RuntimeError(f"{where}: only floating point tensors can require gradients, got "
                           f"dtype {dt}")


def _dim(n: Any, where: str) -> int:
    """One size of a shape: an integer (not a bool)."""
    if isinstance(n, (bool, np.bool_)) or not hasattr(n, "__index__"):
        raise TypeError(f"{where}: a size must be an integer, got {type(n).__name__} {n!r}")
    return operator.index(n)


def _check_shape(shape: tuple[int, ...], where: str) -> tuple[int, ...]:
    if any(n < 0 for n in shape):
        raise RuntimeError(f"{where}: sizes must be non-negative, got size {shape}")
    return shape


def _shape(size: tuple, where: str) -> tuple[int, ...]:
    """The shape from `f(2, 3)` or `f((2, 3))` / `f([2, 3])`."""
    if not size:
        raise TypeError(f"{where}: missing the size (write {where}(()) for a 0-d tensor)")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return _check_shape(tuple(_dim(n, where) for n in size), where)


def _shape_seq(size: Any, where: str) -> tuple[int, ...]:
    """The shape from a `size` argument that must be a tuple or list (PyTorch's `full`,
    `randint`, `normal`, `new_full`)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{where}: size must be a tuple or list of integers, got "
                        f"{type(size).__name__} {size!r}")
    return _check_shape(tuple(_dim(n, where) for n in size), where)


def _index(x: Any, where: str, name: str) -> int:
    """An integer argument (a Python or numpy integer, or a one-element integer tensor; not a
    float, not a bool)."""
    if _is_tensor(x) and x._data.size == 1 and x._data.dtype.kind in "iu":
        return int(x._data.item())
    if isinstance(x, (bool, np.bool_)) or not hasattr(x, "__index__"):
        raise TypeError(f"{where}: {name} must be an integer, got {type(x).__name__} {x!r}")
    return operator.index(x)


def _real(x: Any, where: str, name: str) -> int | float:
    """A real number argument: a Python or numpy number, or a one-element tensor. Integers stay
    int (arange infers its dtype from them), bools become 0 or 1."""
    if _is_tensor(x):
        if x._data.size != 1:
            raise TypeError(f"{where}: {name} must be a number or a one-element tensor, got a "
                            f"tensor of shape {x._data.shape}")
        x = x._data.item()
    elif isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"{where}: {name} must be a real number, got {type(x).__name__} {x!r}")


def _scalar_as(value: Any, dt: np.dtype, where: str) -> Any:
    """A fill value converted to `dt` as PyTorch converts it (floats truncate towards zero into
    integers, any non-zero number is True), refusing values `dt` cannot hold."""
    if _is_tensor(value):
        if value._data.ndim != 0:
            raise RuntimeError(f"{where}: a tensor fill value must be 0-d, got a tensor with "
                               f"{value._data.ndim} dimensions (shape {value._data.shape})")
        value = value._data.item()
    elif isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (int, float, complex)):
        raise TypeError(f"{where}: fill value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__} {value!r}")
    if dt.kind == "c":
        return dt.type(value)
    if isinstance(value, complex):
        if value.imag != 0:
            raise RuntimeError(f"{where}: the complex value {value} cannot be stored in a {dt} "
                               "tensor")
        value = value.real
    if dt.kind == "b":
        return np.bool_(value != 0)
    if dt.kind in "iu":
        if isinstance(value, float) and not math.isfinite(value):
            raise RuntimeError(f"{where}: {value} cannot be converted to {dt}")
        v = int(value)
        info = np.iinfo(dt)
        if not info.min <= v <= info.max:
            raise RuntimeError(f"{where}: {value} is out of range for {dt} "
                               f"([{info.min}, {info.max}])")
        return dt.type(v)
    f = float(value)
    if math.isfinite(f) and abs(f) > float(np.finfo(dt).max):
        raise RuntimeError(f"{where}: {value} is out of range for {dt} (its largest value is "
                           f"{np.finfo(dt).max})")
    return dt.type(f)


def _check_std(std: float, where: str) -> None:
    if not std >= 0:                     # nan fails too
        raise RuntimeError(f"{where}: expected std >= 0, got std={std}")


def _probabilities(p: Any, where: str) -> Any:
    """`p` as a float or an array of probabilities, all in [0, 1] (nan refused)."""
    if _is_tensor(p):
        if p._data.dtype.kind not in "biuf":
            raise TypeError(f"{where}: p must be a real tensor of probabilities, got dtype "
                            f"{p._data.dtype}")
        arr = p._data
    else:
        arr = _real(p, where, "p")
    bad = ~((np.asarray(arr) >= 0) & (np.asarray(arr) <= 1))
    if bad.any():
        raise RuntimeError(f"{where}: probabilities must lie in [0, 1], got "
                           f"{np.asarray(arr)[bad].flat[0]}")
    return arr


def _aliases(where: str, kwargs: dict, names: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments renamed by `names` (PyTorch's `from=` is not a Python identifier);
    any other keyword is an error."""
    unknown = set(kwargs) - set(names)
    if unknown:
        raise TypeError(f"{where}: unexpected keyword argument {sorted(unknown)[0]!r}")
    return {names[k]: v for k, v in kwargs.items()}


# ================================================================ random arrays
def _part(dt: np.dtype) -> np.dtype:
    """The real dtype of a complex dtype's parts (complex64 -> float32)."""
    return np.dtype(np.finfo(dt).dtype)


def _uniform(rng: np.random.Generator, shape: tuple, dt: np.dtype,
             a: float = 0.0, b: float = 1.0) -> np.ndarray:
    """Uniform samples on [a, b) in dtype `dt` (complex: both parts so). Rounding into a
    narrower dtype never reaches b: such values are moved to the last one below it."""
    if dt.kind == "c":
        part = _part(dt)
        re = _uniform(rng, shape, part, a, b)
        return (re + 1j * _uniform(rng, shape, part, a, b)).astype(dt)
    u = rng.random(shape)
    if a != 0.0 or b != 1.0:
        u = a + (b - a) * u
    if dt != np.float64:
        u = u.astype(dt)
    lo, hi = dt.type(a), dt.type(b)
    if hi <= lo:                         # [a, b) is empty or below one step of dt
        u[...] = lo
    else:
        np.minimum(u, np.nextafter(hi, lo), out=u)
    return u


def _standard_normal(rng: np.random.Generator, shape: tuple, dt: np.dtype) -> np.ndarray:
    """N(0, 1) samples in dtype `dt`; complex: real and imaginary parts each N(0, 1/2), so
    that E|z|^2 = 1 (as PyTorch)."""
    if dt.kind == "c":
        z = rng.standard_normal((*shape, 2)) * math.sqrt(0.5)
        return (z[..., 0] + 1j * z[..., 1]).astype(dt)
    z = rng.standard_normal(shape)
    return z if dt == np.float64 else z.astype(dt)


def _integers(rng: np.random.Generator, lo: int, hi: int, shape: tuple, where: str
              ) -> np.ndarray:
    """Integers uniform on [lo, hi] (both ends included)."""
    if lo >= 0 and hi > np.iinfo(np.int64).max:
        if hi > np.iinfo(np.uint64).max:
            raise RuntimeError(f"{where}: the upper bound {hi} is beyond 64 bits")
        return rng.integers(lo, hi, size=shape, dtype=np.uint64, endpoint=True)
    if lo < np.iinfo(np.int64).min or hi > np.iinfo(np.int64).max:
        raise RuntimeError(f"{where}: the range [{lo}, {hi}] is beyond 64-bit integers")
    return rng.integers(lo, hi, size=shape, dtype=np.int64, endpoint=True)


def _int_bounds(dt: np.dtype, where: str) -> tuple[int, int]:
    """The smallest and largest integer a dtype holds (floats: +-2**(mantissa bits + 1), the
    range where every integer is exact, as PyTorch's `random_` uses)."""
    if dt.kind == "b":
        return 0, 1
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return int(info.min), int(info.max)
    if dt.kind == "f":
        m = 2 ** (np.finfo(dt).nmant + 1)
        return -m, m
    raise NotImplementedError(f"{where}: random integers are not implemented for dtype {dt}")


def _random_ints(rng: np.random.Generator, low: int, high: int, shape: tuple, dt: np.dtype,
                 where: str, names: tuple[str, str] = ("low", "high")) -> np.ndarray:
    """Integers uniform on [low, high) in dtype `dt` (randint's and random_'s contract; `names`
    are the bounds' argument names, for the errors)."""
    lo_name, hi_name = names
    if low >= high:
        raise RuntimeError(f"{where}: expected {lo_name} < {hi_name}, got {lo_name}={low}, "
                           f"{hi_name}={high}")
    smallest, largest = _int_bounds(dt, where)
    if dt.kind != "f":
        if low < smallest:
            raise RuntimeError(f"{where}: {lo_name}={low} is out of bounds for {dt} (its "
                               f"smallest value is {smallest})")
        if high - 1 > largest:
            raise RuntimeError(f"{where}: {hi_name} - 1 = {high - 1} is out of bounds for {dt} "
                               f"(its largest value is {largest})")
    return _integers(rng, low, high - 1, shape, where).astype(dt, copy=False)
