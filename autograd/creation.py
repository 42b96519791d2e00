"""Making tensors, as PyTorch's functions do: `tensor`, `zeros`, `ones`, `full`, `empty`, the
`*_like` and `new_*` families, ranges (`arange`, `linspace`, `logspace`, `eye`), random tensors
(`rand`, `randn`, `randint`, `randperm`, `normal`, `bernoulli`, `multinomial`) and the in-place
random fills (`uniform_`, `normal_`, `bernoulli_`, `random_`, `exponential_`, `fill_`).

Dtypes follow PyTorch's rules, but the default floating point dtype of this project is float64
(PyTorch's is float32): float results are float64 unless `dtype` says otherwise; `arange` of
integers, `randint` and `randperm` give int64; `full` takes its dtype from the fill value; the
`*_like` and `new_*` functions keep their tensor's dtype. `dtype=` takes anything numpy reads
as a dtype (`autograd.float32`, `np.int64`, `"float64"`) and torch dtypes by name.

`device=` is accepted for PyTorch compatibility: None, "cpu" or an object whose str is "cpu"
(`torch.device("cpu")`); anything else (a GPU) raises RuntimeError: chalkgrad runs on the CPU.

Random functions draw from `generator=` (an `autograd.Generator`), else from the default
generator that `autograd.manual_seed` seeds (see `autograd/random.py`).
"""
from __future__ import annotations

import math
import numbers
import operator
from typing import Any, Sequence, SupportsIndex, Union, overload

import numpy as np
from numpy.typing import DTypeLike

from .engine import is_grad_enabled
from .random import (
    Generator,
    GeneratorLike,
    _check_device,
    _numpy_rng,
    default_generator,
    generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .tensor import Tensor, _leaf

__all__ = [
    # making tensors
    "tensor", "from_numpy", "zeros", "ones", "empty", "full",
    "zeros_like", "ones_like", "empty_like", "full_like",
    "arange", "linspace", "logspace", "eye",
    # random tensors
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
    "normal", "bernoulli", "multinomial",
    # in-place fills and new_* (Tensor methods)
    "uniform_", "normal_", "bernoulli_", "random_", "exponential_", "fill_",
    "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor",
    # generators and seeds
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "generator",
    # dtypes
    "float32", "float64", "int64", "bool_",
]

float32, float64, int64, bool_ = np.float32, np.float64, np.int64, np.bool_

_FLOAT = np.dtype(np.float64)       # the project's default floating point dtype
_COMPLEX = np.dtype(np.complex128)  # its complex counterpart
_INT = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)

Size = Union[SupportsIndex, Sequence[SupportsIndex]]
Number = Union[int, float, bool]
Scalar = Union[int, float, bool, complex]


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
    kinds = "fc" if complex_ok else "f"
    if dt.kind not in kinds:
        raise NotImplementedError(f"{where}: not implemented for dtype {dt}; expected a floating "
                                  f"point{' or complex' if complex_ok else ''} dtype")


def _dim(n: Any, where: str) -> int:
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
    """An integer argument (a Python or numpy integer; not a float, not a bool)."""
    if isinstance(x, Tensor) and x._data.size == 1 and x.dtype.kind in "iu":
        return int(x._data.item())
    if isinstance(x, (bool, np.bool_)) or not hasattr(x, "__index__"):
        raise TypeError(f"{where}: {name} must be an integer, got {type(x).__name__} {x!r}")
    return operator.index(x)


def _real(x: Any, where: str, name: str) -> int | float:
    """A real number argument: a Python or numpy number, or a one-element tensor. Integers stay
    int (arange infers its dtype from them), bools become 0 or 1."""
    if isinstance(x, Tensor):
        if x._data.size != 1:
            raise TypeError(f"{where}: {name} must be a number or a one-element tensor, got a "
                            f"tensor of shape {x.shape}")
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


def _tensor_arg(x: Any, where: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}: {name} must be a Tensor, got {type(x).__name__}")
    return x


def _like(x: Any, where: str) -> np.ndarray:
    """The array of a `*_like` function's input (a Tensor, or a numpy array)."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.ndarray):
        return x
    raise TypeError(f"{where}: input must be a Tensor, got {type(x).__name__}")


def _scalar_as(value: Any, dt: np.dtype, where: str) -> Any:
    """A fill value converted to `dt` as PyTorch converts it (floats truncate towards zero into
    integers, any non-zero number is True), refusing values `dt` cannot hold."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"{where}: a tensor fill value must be 0-d, got a tensor with "
                               f"{value.ndim} dimensions (shape {value.shape})")
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


def _fill_dtype(value: Any, where: str) -> np.dtype:
    """The dtype `full` infers from its fill value: bool, int64, the default float, complex."""
    if isinstance(value, Tensor):
        kind = value.dtype.kind
        return {"b": _BOOL, "i": _INT, "u": _INT, "c": _COMPLEX}.get(kind, _FLOAT)
    if isinstance(value, (bool, np.bool_)):
        return _BOOL
    if isinstance(value, numbers.Integral):
        return _INT
    if isinstance(value, numbers.Real):
        return _FLOAT
    if isinstance(value, numbers.Complex):
        return _COMPLEX
    raise TypeError(f"{where}: fill_value must be a number, got {type(value).__name__} "
                    f"{value!r}")


def _make(arr: np.ndarray, requires_grad: bool, where: str) -> Tensor:
    if requires_grad and arr.dtype.kind not in "fc":
        raise RuntimeError(f"{where}: only floating point tensors can require gradients, got "
                           f"dtype {arr.dtype}")
    return _leaf(arr, requires_grad)


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


# ================================================================ making tensors
def tensor(data: Any, requires_grad: bool = False, dtype: DTypeLike | None = None, *,
           device: object = None) -> Tensor:
    """A new leaf tensor holding a copy of `data` (a number, nested lists, a numpy array or a
    Tensor). Python floats give float64; integers int64; bools bool; arrays keep their dtype
    unless `dtype` is given."""
    _check_device(device, "tensor")
    dt = _dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        data = data._data
    arr = np.array(data, dtype=dt)
    if arr.dtype.kind not in "fciub":
        raise TypeError(f"tensor: cannot make a tensor of {arr.dtype} data ({type(data).__name__})")
    if dt is None and arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.floating)):
        arr = arr.astype(np.float64, copy=False)    # Python floats: float64; arrays keep theirs
    return _make(arr, requires_grad, "tensor")


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with `array` (dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    return _leaf(array)


def zeros(*size: Size, dtype: DTypeLike | None = None, device: object = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape `size` (`zeros(2, 3)` or `zeros((2, 3))`), float64 unless
    `dtype` says otherwise."""
    _check_device(device, "zeros")
    return _make(np.zeros(_shape(size, "zeros"), _dtype(dtype, "zeros") or _FLOAT),
                 requires_grad, "zeros")


def ones(*size: Size, dtype: DTypeLike | None = None, device: object = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape `size`, float64 unless `dtype` says otherwise."""
    _check_device(device, "ones")
    return _make(np.ones(_shape(size, "ones"), _dtype(dtype, "ones") or _FLOAT),
                 requires_grad, "ones")


def empty(*size: Size, dtype: DTypeLike | None = None, device: object = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of shape `size` whose values are unspecified (write them before reading them;
    today they happen to be zeros), float64 unless `dtype` says otherwise."""
    _check_device(device, "empty")
    return _make(np.zeros(_shape(size, "empty"), _dtype(dtype, "empty") or _FLOAT),
                 requires_grad, "empty")


def full(size: Sequence[SupportsIndex], fill_value: Scalar | Tensor, *,
         dtype: DTypeLike | None = None, device: object = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of shape `size` (a tuple or list) filled with `fill_value`. Without `dtype` the
    dtype comes from the value: bool for a bool, int64 for an integer, float64 for a float,
    complex128 for a complex number."""
    _check_device(device, "full")
    shape = _shape_seq(size, "full")
    dt = _dtype(dtype, "full") or _fill_dtype(fill_value, "full")
    return _make(np.full(shape, _scalar_as(fill_value, dt, "full"), dtype=dt),
                 requires_grad, "full")


def zeros_like(input: Tensor, *, dtype: DTypeLike | None = None, device: object = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of `input`'s shape and dtype (or `dtype`)."""
    _check_device(device, "zeros_like")
    a = _like(input, "zeros_like")
    return _make(np.zeros(a.shape, _dtype(dtype, "zeros_like") or a.dtype), requires_grad,
                 "zeros_like")


def ones_like(input: Tensor, *, dtype: DTypeLike | None = None, device: object = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of `input`'s shape and dtype (or `dtype`)."""
    _check_device(device, "ones_like")
    a = _like(input, "ones_like")
    return _make(np.ones(a.shape, _dtype(dtype, "ones_like") or a.dtype), requires_grad,
                 "ones_like")


def empty_like(input: Tensor, *, dtype: DTypeLike | None = None, device: object = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (values unspecified) of `input`'s shape and dtype (or `dtype`)."""
    _check_device(device, "empty_like")
    a = _like(input, "empty_like")
    return _make(np.zeros(a.shape, _dtype(dtype, "empty_like") or a.dtype), requires_grad,
                 "empty_like")


def full_like(input: Tensor, fill_value: Scalar | Tensor, *, dtype: DTypeLike | None = None,
              device: object = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in `input`'s shape and dtype (or `dtype`): the value is converted to that
    dtype (2.7 becomes 2 in an integer tensor), not the other way round."""
    _check_device(device, "full_like")
    a = _like(input, "full_like")
    dt = _dtype(dtype, "full_like") or a.dtype
    return _make(np.full(a.shape, _scalar_as(fill_value, dt, "full_like"), dtype=dt),
                 requires_grad, "full_like")


def arange(start: Number | Tensor | None = None, end: Number | Tensor | None = None,
           step: Number | Tensor = 1, *, dtype: DTypeLike | None = None, device: object = None,
           requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to but excluding `end` (`arange(end)` starts at 0), a 1-d
    tensor of ceil((end - start) / step) values. int64 when start, end and step are all
    integers, else float64, unless `dtype` says otherwise."""
    where = "arange"
    _check_device(device, where)
    if end is None:
        if start is None:
            raise TypeError("arange: missing end (arange(end), arange(start, end) or "
                            "arange(start, end, step))")
        start, end = 0, start
    elif start is None:
        start = 0
    s, e, st = _real(start, where, "start"), _real(end, where, "end"), _real(step, where, "step")
    if st == 0:
        raise RuntimeError(f"arange: step must be nonzero, got step={step}")
    if not all(math.isfinite(v) for v in (s, e, st)):
        raise RuntimeError(f"arange: unsupported range {s} -> {e} with step {st} (the bounds and "
                           "step must be finite)")
    if (e > s and st < 0) or (e < s and st > 0):
        raise RuntimeError(f"arange: end={e} cannot be reached from start={s} with step={st} "
                           "(the step's sign points away from end)")
    ints = all(isinstance(v, int) for v in (s, e, st))
    arr = np.arange(s, e, st, dtype=np.int64 if ints else np.float64)
    dt = _dtype(dtype, where) or (_INT if ints else _FLOAT)
    return _make(arr.astype(dt, copy=False), requires_grad, where)


def linspace(start: Number | Tensor, end: Number | Tensor, steps: SupportsIndex, *,
             dtype: DTypeLike | None = None, device: object = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, both included (float64 unless `dtype`
    says otherwise; an integer dtype truncates the values)."""
    where = "linspace"
    _check_device(device, where)
    n = _index(steps, where, "steps")
    if n < 0:
        raise RuntimeError(f"linspace: steps must be non-negative, got steps={n}")
    arr = np.linspace(_real(start, where, "start"), _real(end, where, "end"), n)
    dt = _dtype(dtype, where) or _FLOAT
    return _make(arr.astype(dt, copy=False), requires_grad, where)


def logspace(start: Number | Tensor, end: Number | Tensor, steps: SupportsIndex,
             base: Number = 10.0, *, dtype: DTypeLike | None = None, device: object = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` values base**start, ..., base**end with evenly spaced exponents, both ends
    included (float64 unless `dtype` says otherwise)."""
    where = "logspace"
    _check_device(device, where)
    n = _index(steps, where, "steps")
    if n < 0:
        raise RuntimeError(f"logspace: steps must be non-negative, got steps={n}")
    exps = np.linspace(_real(start, where, "start"), _real(end, where, "end"), n)
    arr = np.power(float(_real(base, where, "base")), exps)
    dt = _dtype(dtype, where) or _FLOAT
    return _make(arr.astype(dt, copy=False), requires_grad, where)


def eye(n: SupportsIndex, m: SupportsIndex | None = None, *, dtype: DTypeLike | None = None,
        device: object = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n by default): ones on the diagonal, zeros elsewhere;
    float64 unless `dtype` says otherwise."""
    _check_device(device, "eye")
    rows = _index(n, "eye", "n")
    cols = rows if m is None else _index(m, "eye", "m")
    if rows < 0:
        raise RuntimeError(f"eye: n must be non-negative, got n={rows}")
    if cols < 0:
        raise RuntimeError(f"eye: m must be non-negative, got m={cols}")
    return _make(np.eye(rows, cols, dtype=_dtype(dtype, "eye") or _FLOAT), requires_grad, "eye")


# ================================================================ random tensors
def rand(*size: Size, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
         device: object = None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1), of shape `size` (float64 unless `dtype`
    says otherwise; complex dtypes get both parts so)."""
    _check_device(device, "rand")
    dt = _dtype(dtype, "rand") or _FLOAT
    _float_only(dt, "rand")
    shape = _shape(size, "rand")
    return _make(_uniform(_numpy_rng(generator, "rand"), shape, dt), requires_grad, "rand")


def randn(*size: Size, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
          device: object = None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution N(0, 1), of shape `size` (float64 unless
    `dtype` says otherwise; a complex dtype gets E|z|^2 = 1, each part N(0, 1/2))."""
    _check_device(device, "randn")
    dt = _dtype(dtype, "randn") or _FLOAT
    _float_only(dt, "randn")
    shape = _shape(size, "randn")
    return _make(_standard_normal(_numpy_rng(generator, "randn"), shape, dt), requires_grad,
                 "randn")


def rand_like(input: Tensor, *, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
              device: object = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) of `input`'s shape and dtype (or `dtype`; floating point)."""
    _check_device(device, "rand_like")
    a = _like(input, "rand_like")
    dt = _dtype(dtype, "rand_like") or a.dtype
    _float_only(dt, "rand_like")
    return _make(_uniform(_numpy_rng(generator, "rand_like"), a.shape, dt), requires_grad,
                 "rand_like")


def randn_like(input: Tensor, *, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
               device: object = None, requires_grad: bool = False) -> Tensor:
    """N(0, 1) samples of `input`'s shape and dtype (or `dtype`; floating point)."""
    _check_device(device, "randn_like")
    a = _like(input, "randn_like")
    dt = _dtype(dtype, "randn_like") or a.dtype
    _float_only(dt, "randn_like")
    return _make(_standard_normal(_numpy_rng(generator, "randn_like"), a.shape, dt),
                 requires_grad, "randn_like")


_RANDINT_FORMS = ("randint(high, size), randint(low, high, size) or "
                  "randint(low=..., high=..., size=...)")


@overload
def randint(high: SupportsIndex, size: Sequence[SupportsIndex], *,
            generator: GeneratorLike = None, dtype: DTypeLike | None = None, device: object = None,
            requires_grad: bool = False) -> Tensor: ...
@overload
def randint(low: SupportsIndex, high: SupportsIndex, size: Sequence[SupportsIndex], *,
            generator: GeneratorLike = None, dtype: DTypeLike | None = None, device: object = None,
            requires_grad: bool = False) -> Tensor: ...
def randint(*args: Any, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
            device: object = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Integers drawn uniformly from [low, high) (low is 0 unless given), of shape `size` (a
    tuple or list), int64 unless `dtype` says otherwise. As in PyTorch, `randint(high, size)`
    and `randint(low, high, size)` both work."""
    where = "randint"
    _check_device(device, where)
    named = _split_args(where, args, kwargs, ("low", "high", "size"), _RANDINT_FORMS)
    if "high" not in named or "size" not in named:
        raise TypeError(f"randint: missing {'high' if 'high' not in named else 'size'}; call "
                        f"it as {_RANDINT_FORMS}")
    low = _index(named.get("low", 0), where, "low")
    high = _index(named["high"], where, "high")
    shape = _shape_seq(named["size"], where)
    dt = _dtype(dtype, where) or _INT
    arr = _random_ints(_numpy_rng(generator, where), low, high, shape, dt, where)
    return _make(arr, requires_grad, where)


def _split_args(where: str, args: tuple, kwargs: dict, names: tuple[str, ...], forms: str
                ) -> dict[str, Any]:
    """PyTorch's `randint` argument rule: positional arguments fill the trailing names not
    given by keyword, so `f(5, size=s)` is high=5 and `f(2, 5, s)` is low=2, high=5."""
    unknown = set(kwargs) - set(names)
    if unknown:
        raise TypeError(f"{where}: unexpected keyword argument {sorted(unknown)[0]!r}; call it "
                        f"as {forms}")
    free = [n for n in names if n not in kwargs]
    if len(args) > len(free):
        raise TypeError(f"{where}: too many positional arguments ({len(args)}); call it as "
                        f"{forms}")
    if len(args) < len(free) and free[0] == "low":
        free = free[1:]          # too few: low keeps its default, 0
    named = dict(kwargs)
    named.update(zip(free, args))
    return named


@overload
def randint_like(input: Tensor, high: SupportsIndex, *, generator: GeneratorLike = None,
                 dtype: DTypeLike | None = None, device: object = None,
                 requires_grad: bool = False) -> Tensor: ...
@overload
def randint_like(input: Tensor, low: SupportsIndex, high: SupportsIndex, *,
                 generator: GeneratorLike = None, dtype: DTypeLike | None = None,
                 device: object = None, requires_grad: bool = False) -> Tensor: ...
def randint_like(input: Tensor, *args: Any, generator: GeneratorLike = None,
                 dtype: DTypeLike | None = None, device: object = None, requires_grad: bool = False,
                 **kwargs: Any) -> Tensor:
    """Integers drawn uniformly from [low, high) (low is 0 unless given) in `input`'s shape and
    dtype (or `dtype`): `randint_like(x, high)` or `randint_like(x, low, high)`."""
    where = "randint_like"
    _check_device(device, where)
    a = _like(input, where)
    forms = "randint_like(input, high) or randint_like(input, low, high)"
    named = _split_args(where, args, kwargs, ("low", "high"), forms)
    if "high" not in named:
        raise TypeError(f"randint_like: missing high; call it as {forms}")
    low = _index(named.get("low", 0), where, "low")
    high = _index(named["high"], where, "high")
    dt = _dtype(dtype, where) or a.dtype
    arr = _random_ints(_numpy_rng(generator, where), low, high, a.shape, dt, where)
    return _make(arr, requires_grad, where)


def randperm(n: SupportsIndex, *, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
             device: object = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1 (every order equally likely), int64 unless
    `dtype` says otherwise."""
    where = "randperm"
    _check_device(device, where)
    count = _index(n, where, "n")
    if count < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got n={count}")
    dt = _dtype(dtype, where) or _INT
    if dt.kind not in "iuf":
        raise NotImplementedError(f"randperm: not implemented for dtype {dt}; expected an "
                                  "integer or floating point dtype")
    if count > 0 and count - 1 > _int_bounds(dt, where)[1]:
        raise RuntimeError(f"randperm: n={count} is too large for {dt} (its largest exact "
                           f"integer is {_int_bounds(dt, where)[1]})")
    perm = _numpy_rng(generator, where).permutation(count)
    return _make(perm.astype(dt, copy=False), requires_grad, where)


def _check_std(std: float, where: str) -> None:
    if not std >= 0:                     # nan fails too
        raise RuntimeError(f"{where}: expected std >= 0, got std={std}")


def normal(mean: float | Tensor, std: float | Tensor = 1.0,
           size: Sequence[SupportsIndex] | None = None, *, generator: GeneratorLike = None,
           dtype: DTypeLike | None = None, device: object = None, requires_grad: bool = False
           ) -> Tensor:
    """Samples from normal distributions N(mean, std**2), with PyTorch's overloads:

    - `normal(mean_tensor, std_tensor)`, `normal(mean_tensor, std=1.0)`,
      `normal(mean_float, std_tensor)`: one sample per element of the broadcast shape of the
      tensors, in their dtype (floating point);
    - `normal(mean_float, std_float, size)`: a tensor of shape `size` (float64 unless `dtype`
      says otherwise).

    std must be >= 0 (0 gives `mean` exactly). The result is a new leaf: no gradient flows to
    `mean` or `std` (write `mean + std * randn_like(mean)` for a differentiable sample).
    """
    where = "normal"
    _check_device(device, where)
    rng = _numpy_rng(generator, where)
    tensors = [x._data for x in (mean, std) if isinstance(x, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: with a number mean and std, give the size as well: "
                            "normal(0.0, 1.0, (2, 3)), or pass a tensor mean or std")
        m, s = _real(mean, where, "mean"), _real(std, where, "std")
        _check_std(s, where)
        dt = _dtype(dtype, where) or _FLOAT
        _float_only(dt, where)
        z = _standard_normal(rng, _shape_seq(size, where), _COMPLEX if dt.kind == "c" else _FLOAT)
        return _make((m + s * z).astype(dt, copy=False), requires_grad, where)
    if size is not None or dtype is not None or requires_grad:
        raise TypeError("normal: size, dtype and requires_grad are only taken with a number "
                        "mean and std; with a tensor mean or std the result has their "
                        "broadcast shape and dtype")
    dt = np.result_type(*tensors)
    _float_only(dt, where, complex_ok=False)
    m_arr: Any = mean._data if isinstance(mean, Tensor) else _real(mean, where, "mean")
    s_arr: Any = std._data if isinstance(std, Tensor) else _real(std, where, "std")
    if isinstance(std, Tensor):
        bad = ~(s_arr >= 0)
        if bad.any():
            raise RuntimeError(f"normal: expected std >= 0 everywhere, got std="
                               f"{s_arr[bad].flat[0]}")
    else:
        _check_std(s_arr, where)
    try:
        shape = np.broadcast_shapes(np.shape(m_arr), np.shape(s_arr))
    except ValueError:
        raise RuntimeError(f"normal: mean's shape {np.shape(m_arr)} and std's shape "
                           f"{np.shape(s_arr)} do not broadcast") from None
    z = rng.standard_normal(shape)
    return _make((m_arr + s_arr * z).astype(dt, copy=False), False, where)


def _probabilities(p: Any, where: str) -> Any:
    """`p` as a float or an array of probabilities, all in [0, 1] (nan refused)."""
    if isinstance(p, Tensor):
        if p.dtype.kind not in "biuf":
            raise TypeError(f"{where}: p must be a real tensor of probabilities, got dtype "
                            f"{p.dtype}")
        arr = p._data
    else:
        arr = _real(p, where, "p")
    bad = ~((np.asarray(arr) >= 0) & (np.asarray(arr) <= 1))
    if bad.any():
        raise RuntimeError(f"{where}: probabilities must lie in [0, 1], got "
                           f"{np.asarray(arr)[bad].flat[0]}")
    return arr


def bernoulli(input: Tensor, p: float | None = None, *, generator: GeneratorLike = None
              ) -> Tensor:
    """0/1 samples: element i is 1 with probability input[i] (or with probability `p` for
    every element, when `p` is given). The result has `input`'s shape and dtype; `input` must
    then be floating point, with every probability in [0, 1]."""
    where = "bernoulli"
    t = _tensor_arg(input, where)
    if p is None:
        _float_only(t.dtype, where, complex_ok=False)
        probs = _probabilities(t, where)
    else:
        probs = _probabilities(_real(p, where, "p"), where)
    draws = _numpy_rng(generator, where).random(t.shape) < probs
    return _leaf(draws.astype(t.dtype))


def multinomial(input: Tensor, num_samples: SupportsIndex, replacement: bool = False, *,
                generator: GeneratorLike = None) -> Tensor:
    """Category indices drawn from the distribution(s) in `input`: a 1-d tensor of weights (one
    distribution over input.shape[0] categories) or a 2-d one (a distribution per row). The
    weights need not sum to 1 but must be finite, non-negative, with a positive sum per row.

    Returns int64 indices of shape (num_samples,) or (rows, num_samples). With
    `replacement=True` every draw is independent with P(i) = w[i] / sum(w); without it the
    indices of a row are distinct, drawn one after the other in proportion to the weights left
    (categories of weight 0 come only after all the others)."""
    where = "multinomial"
    t = _tensor_arg(input, where)
    w = t._data
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial: input must be a floating point tensor of weights, got "
                           f"dtype {w.dtype}")
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: input must be 1-d (one distribution) or 2-d (one "
                           f"per row), got shape {w.shape}")
    n = _index(num_samples, where, "num_samples")
    if n <= 0:
        raise RuntimeError(f"multinomial: num_samples must be positive, got {n}")
    k = w.shape[-1]
    if not replacement and n > k:
        raise RuntimeError(f"multinomial: cannot draw num_samples={n} distinct categories out "
                           f"of {k} without replacement (pass replacement=True)")
    w2 = np.atleast_2d(w).astype(np.float64)
    if not np.isfinite(w2).all() or (w2 < 0).any():
        raise RuntimeError("multinomial: the weights must be finite and non-negative; input "
                           "holds inf, nan or a negative value")
    if k == 0 or not (w2.max(axis=1, initial=0.0) > 0).all():
        row = 0 if k == 0 else int(np.argmin(w2.max(axis=1)))
        raise RuntimeError(f"multinomial: the weights of row {row} sum to 0 (each distribution "
                           "needs a positive weight)")
    rng = _numpy_rng(generator, where)
    rows = w2.shape[0]
    if replacement:
        w2 /= w2.max(axis=1, keepdims=True)              # no overflow in the sums below
        cdf = np.cumsum(w2, axis=1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows, n))
        out = np.empty((rows, n), dtype=np.int64)
        for r in range(rows):
            out[r] = np.searchsorted(cdf[r], u[r], side="right")
        np.minimum(out, k - 1, out=out)
    else:
        # the exponential race: category i finishes at time E_i / w_i (E_i ~ Exp(1)); the
        # order of finishing is a draw without replacement in proportion to the weights.
        # Compared as logs (no overflow, no underflow); weight-0 categories come last, in a
        # random order of their own.
        e = rng.standard_exponential((rows, k))
        with np.errstate(divide="ignore"):
            keys = np.where(w2 > 0, np.log(np.where(w2 > 0, w2, 1.0)) - np.log(e), -1e6 - e)
        out = np.argsort(-keys, axis=1, kind="stable")[:, :n].astype(np.int64, copy=False)
    return _leaf(out[0] if w.ndim == 1 else out)


# ================================================================ in-place fills
def _target(tensor: Any, where: str) -> Tensor:
    """The tensor an in-place fill may change: not a leaf that requires grad (nor a view of
    one) while grad mode is on, as in PyTorch."""
    t = _tensor_arg(tensor, where, "tensor")
    if is_grad_enabled() and t.requires_grad and t._is_view_of_grad_leaf():
        raise RuntimeError(f"{where}: a leaf tensor that requires grad (or a view of one) cannot "
                           "be filled in place while grad mode is on; do it under `with "
                           "autograd.no_grad():` (as nn's initialisation does)")
    return t


def _store(t: Tensor, values: np.ndarray, where: str) -> Tensor:
    """Write `values` (t's dtype, broadcastable to t's shape) into t in place and return t."""
    if is_grad_enabled() and t.requires_grad:
        # a non-leaf inside a graph: record the overwrite so that backward sends no gradient
        # through the values it replaced
        t[...] = _leaf(np.broadcast_to(values, t.shape).copy())
        return t
    try:
        t._data[...] = values
    except ValueError as e:      # read-only memory: an expanded view, a read-only array
        raise RuntimeError(f"{where}: cannot write into this tensor's memory ({e}); clone() it "
                           "first") from None
    t._bump_version()
    return t


def _aliases(where: str, kwargs: dict, names: dict[str, str]) -> dict[str, Any]:
    unknown = set(kwargs) - set(names)
    if unknown:
        raise TypeError(f"{where}: unexpected keyword argument {sorted(unknown)[0]!r}")
    return {names[k]: v for k, v in kwargs.items()}


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, *,
             generator: GeneratorLike = None, **kwargs: float) -> Tensor:
    """Fill `tensor` in place with samples from the uniform distribution on [a, b) (a == b
    fills with a; complex tensors get both parts so) and return it. PyTorch's keyword names
    `from=` and `to=` are accepted for a and b."""
    where = "uniform_"
    t = _target(tensor, where)
    alias = _aliases(where, kwargs, {"from": "a", "to": "b", "from_": "a"})
    lo = _real(alias.get("a", a), where, "a")
    hi = _real(alias.get("b", b), where, "b")
    _float_only(t.dtype, where)
    biggest = float(np.finfo(t.dtype).max)
    if not (math.isfinite(lo) and math.isfinite(hi) and abs(lo) <= biggest
            and abs(hi) <= biggest and math.isfinite(hi - lo)):
        raise RuntimeError(f"uniform_: the range [{lo}, {hi}) is out of bounds for {t.dtype}")
    if lo > hi:
        raise RuntimeError(f"uniform_: expected a <= b for the range [a, b), got a={lo}, b={hi}")
    return _store(t, _uniform(_numpy_rng(generator, where), t.shape, t.dtype, lo, hi), where)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: GeneratorLike = None) -> Tensor:
    """Fill `tensor` in place with samples from N(mean, std**2) (std >= 0) and return it."""
    where = "normal_"
    t = _target(tensor, where)
    m, s = _real(mean, where, "mean"), _real(std, where, "std")
    _float_only(t.dtype, where)
    _check_std(s, where)
    z = _standard_normal(_numpy_rng(generator, where), t.shape,
                         _COMPLEX if t.dtype.kind == "c" else _FLOAT)
    return _store(t, (m + s * z).astype(t.dtype, copy=False), where)


def exponential_(tensor: Tensor, lambd: float = 1.0, *, generator: GeneratorLike = None
                 ) -> Tensor:
    """Fill `tensor` in place with samples from the exponential distribution of rate `lambd`
    (> 0; density lambd * exp(-lambd * x) on x >= 0, mean 1 / lambd) and return it."""
    where = "exponential_"
    t = _target(tensor, where)
    rate = _real(lambd, where, "lambd")
    if t.dtype.kind != "f":
        raise RuntimeError(f"exponential_: the exponential distribution is continuous; the "
                           f"tensor must be floating point, got dtype {t.dtype}")
    if not rate > 0:
        raise RuntimeError(f"exponential_: expected lambd > 0, got lambd={rate}")
    e = _numpy_rng(generator, where).standard_exponential(t.shape) / rate
    return _store(t, e.astype(t.dtype, copy=False), where)


def bernoulli_(tensor: Tensor, p: float | Tensor = 0.5, *, generator: GeneratorLike = None
               ) -> Tensor:
    """Fill `tensor` in place with 0/1 samples, 1 with probability `p` (a number, or a tensor
    of probabilities broadcastable to tensor's shape; all in [0, 1]); keeps tensor's dtype
    (any: bool, integer, float) and returns it."""
    where = "bernoulli_"
    t = _target(tensor, where)
    if isinstance(p, Tensor) and p.ndim > 0:
        try:
            ok = np.broadcast_shapes(p.shape, t.shape) == t.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"bernoulli_: p of shape {p.shape} does not broadcast to the "
                               f"tensor's shape {t.shape}")
    probs = _probabilities(p, where)
    draws = _numpy_rng(generator, where).random(t.shape) < probs
    return _store(t, draws.astype(t.dtype), where)


@overload
def random_(tensor: Tensor, *, generator: GeneratorLike = None) -> Tensor: ...
@overload
def random_(tensor: Tensor, to: SupportsIndex, *, generator: GeneratorLike = None
            ) -> Tensor: ...
@overload
def random_(tensor: Tensor, from_: SupportsIndex, to: SupportsIndex | None, *,
            generator: GeneratorLike = None) -> Tensor: ...
@overload
def random_(tensor: Tensor, *, generator: GeneratorLike = None,
            **kwargs: SupportsIndex | None) -> Tensor: ...
def random_(tensor: Tensor, *args: Any, generator: GeneratorLike = None,
            **kwargs: Any) -> Tensor:
    """Fill `tensor` in place with integers drawn uniformly and return it, as PyTorch's
    `random_(from=0, to=None)`:

    - `random_(to)`: from [0, to);
    - `random_(from, to)` (or keywords `from=`, `to=`): from [from, to);
    - `random_(from, None)`: from `from` up to the dtype's largest value, included;
    - `random_()`: from 0 up to the dtype's largest value, included.

    The largest value of an integer dtype is its maximum, of bool 1, of a float dtype
    2**(mantissa bits + 1) (2**24 for float32, 2**53 for float64: every integer up to there is
    exact). The bounds must fit the dtype.
    """
    where = "random_"
    t = _target(tensor, where)
    named = _aliases(where, kwargs, {"from": "from", "from_": "from", "to": "to"})
    if len(args) > 2:
        raise TypeError(f"random_: takes at most 2 positional arguments (from, to), got "
                        f"{len(args)}")
    if len(args) == 2:
        if named:
            raise TypeError("random_: from and to given both by position and by keyword")
        named = {"from": args[0], "to": args[1]}
    elif len(args) == 1:
        if "to" in named and "from" in named:
            raise TypeError("random_: from and to given both by position and by keyword")
        named["from" if "to" in named else "to"] = args[0]
        named.setdefault("from", 0)
    _, largest = _int_bounds(t.dtype, where)
    low = _index(named.get("from", 0), where, "from")
    to = named.get("to")
    high = largest + 1 if to is None else _index(to, where, "to")
    arr = _random_ints(_numpy_rng(generator, where), low, high, t.shape, t.dtype, where,
                       ("from", "to"))
    return _store(t, arr, where)


def fill_(tensor: Tensor, value: Scalar | Tensor) -> Tensor:
    """Fill `tensor` in place with `value` (a number or a 0-d tensor, converted to tensor's
    dtype as PyTorch converts it: 2.7 becomes 2 in an integer tensor) and return it. A 0-d
    tensor value that requires grad receives the sum of the gradient."""
    where = "fill_"
    t = _target(tensor, where)
    scalar = _scalar_as(value, t.dtype, where)    # checks the value even on the graph path
    if (isinstance(value, Tensor) and value.requires_grad and is_grad_enabled()
            and t.dtype.kind in "fc"):
        t[...] = value                                      # the graph carries value's gradient
        return t
    return _store(t, np.asarray(scalar, dtype=t.dtype), where)


# ================================================================ new_* (Tensor methods)
def new_zeros(tensor: Tensor, *size: Size, dtype: DTypeLike | None = None, device: object = None,
              requires_grad: bool = False) -> Tensor:
    """Zeros of shape `size` with `tensor`'s dtype (or `dtype`)."""
    t = _tensor_arg(tensor, "new_zeros", "tensor")
    _check_device(device, "new_zeros")
    dt = _dtype(dtype, "new_zeros") or t.dtype
    return _make(np.zeros(_shape(size, "new_zeros"), dt), requires_grad, "new_zeros")


def new_ones(tensor: Tensor, *size: Size, dtype: DTypeLike | None = None, device: object = None,
             requires_grad: bool = False) -> Tensor:
    """Ones of shape `size` with `tensor`'s dtype (or `dtype`)."""
    t = _tensor_arg(tensor, "new_ones", "tensor")
    _check_device(device, "new_ones")
    dt = _dtype(dtype, "new_ones") or t.dtype
    return _make(np.ones(_shape(size, "new_ones"), dt), requires_grad, "new_ones")


def new_empty(tensor: Tensor, *size: Size, dtype: DTypeLike | None = None, device: object = None,
              requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (values unspecified) of shape `size` with `tensor`'s dtype (or
    `dtype`)."""
    t = _tensor_arg(tensor, "new_empty", "tensor")
    _check_device(device, "new_empty")
    dt = _dtype(dtype, "new_empty") or t.dtype
    return _make(np.zeros(_shape(size, "new_empty"), dt), requires_grad, "new_empty")


def new_full(tensor: Tensor, size: Sequence[SupportsIndex], fill_value: Scalar | Tensor, *,
             dtype: DTypeLike | None = None, device: object = None,
             requires_grad: bool = False) -> Tensor:
    """`fill_value` in shape `size` (a tuple or list) with `tensor`'s dtype (or `dtype`; the
    value is converted to it)."""
    t = _tensor_arg(tensor, "new_full", "tensor")
    _check_device(device, "new_full")
    dt = _dtype(dtype, "new_full") or t.dtype
    shape = _shape_seq(size, "new_full")
    return _make(np.full(shape, _scalar_as(fill_value, dt, "new_full"), dtype=dt),
                 requires_grad, "new_full")


def new_tensor(tensor: Tensor, data: Any, *, dtype: DTypeLike | None = None, device: object = None,
               requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of `data` in `tensor`'s dtype (or `dtype`), whatever
    data's own dtype (as PyTorch: `float32_tensor.new_tensor([1, 2])` is float32)."""
    t = _tensor_arg(tensor, "new_tensor", "tensor")
    _check_device(device, "new_tensor")
    dt = _dtype(dtype, "new_tensor") or t.dtype
    src = data._data if isinstance(data, Tensor) else data
    try:
        arr = np.array(src)
    except ValueError as e:
        raise TypeError(f"new_tensor: cannot make a tensor of this {type(data).__name__} ({e})"
                        ) from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"new_tensor: cannot make a tensor of {arr.dtype} data "
                        f"({type(data).__name__})")
    return _make(arr.astype(dt, copy=True), requires_grad, "new_tensor")
