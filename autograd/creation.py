"""Making tensors, as PyTorch's functions do: `tensor`, `zeros`, `ones`, `full`, `empty`, the
`*_like` family, ranges (`arange`, `linspace`, `logspace`, `eye`), random tensors (`rand`,
`randn`, `randint`, `randperm`, `normal`, `bernoulli`, `multinomial`) and the default
generator's state (`get_rng_state`, `set_rng_state`). The Tensor methods that fill a tensor in
place with random numbers (`t.uniform_()`, `normal_`, `bernoulli_`, `random_`,
`exponential_`) and `t.new_zeros()`, `new_ones`, `new_empty`, `new_full`, `new_tensor` are in
`random.RandomFills`; the helpers both modules use are in `_sampling.py`.

Dtypes follow PyTorch's rules, but the default floating point dtype of this project is float64
(PyTorch's is float32): float results are float64 unless `dtype` says otherwise; `arange` of
integers, `randint` and `randperm` give int64; `full` takes its dtype from the fill value; the
`*_like` functions keep their tensor's dtype. `dtype=` takes anything numpy reads as a dtype
(`autograd.float32`, `np.int64`, `"float64"`) and torch dtypes by name.

`device=` is accepted for PyTorch compatibility: None, "cpu" or an object whose str is "cpu"
(`torch.device("cpu")`); anything else (a GPU) raises RuntimeError: chalkgrad runs on the CPU.

Random functions draw from `generator=` (an `autograd.Generator`), else from the default
generator that `autograd.manual_seed` seeds (see `autograd/random.py`).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence, SupportsIndex, overload

import numpy as np
from numpy.typing import DTypeLike

from ._sampling import (
    _BOOL,
    _COMPLEX,
    _FLOAT,
    _INT,
    Number,
    Scalar,
    Size,
    _check_grad_dtype,
    _check_std,
    _dtype,
    _float_only,
    _index,
    _int_bounds,
    _probabilities,
    _random_ints,
    _real,
    _scalar_as,
    _shape,
    _shape_seq,
    _standard_normal,
    _uniform,
)
from .dtypes import check_device
from .random import (
    Generator,
    GeneratorLike,
    _numpy_rng,
    default_generator,
    generator,
    initial_seed,
    manual_seed,
    seed,
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
    # generators and seeds
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "generator",
]



# ================================================================ argument checking
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
    """A new leaf around `arr` (only floating point ones may require grad)."""
    _check_grad_dtype(arr.dtype, requires_grad, where)
    return _leaf(arr, requires_grad)


# ================================================================ making tensors
def tensor(data: Any, requires_grad: bool = False, dtype: DTypeLike | None = None, *,
           device: object = None) -> Tensor:
    """A new leaf tensor holding a copy of `data` (a number, nested lists, a numpy array or a
    Tensor). Python floats give float64; integers int64; bools bool; arrays keep their dtype
    unless `dtype` is given."""
    check_device(device, "tensor")
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
    check_device(device, "zeros")
    return _make(np.zeros(_shape(size, "zeros"), _dtype(dtype, "zeros") or _FLOAT),
                 requires_grad, "zeros")


def ones(*size: Size, dtype: DTypeLike | None = None, device: object = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape `size`, float64 unless `dtype` says otherwise."""
    check_device(device, "ones")
    return _make(np.ones(_shape(size, "ones"), _dtype(dtype, "ones") or _FLOAT),
                 requires_grad, "ones")


def empty(*size: Size, dtype: DTypeLike | None = None, device: object = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of shape `size` whose values are unspecified (write them before reading them;
    today they happen to be zeros), float64 unless `dtype` says otherwise."""
    check_device(device, "empty")
    return _make(np.zeros(_shape(size, "empty"), _dtype(dtype, "empty") or _FLOAT),
                 requires_grad, "empty")


def full(size: Sequence[SupportsIndex], fill_value: Scalar | Tensor, *,
         dtype: DTypeLike | None = None, device: object = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of shape `size` (a tuple or list) filled with `fill_value`. Without `dtype` the
    dtype comes from the value: bool for a bool, int64 for an integer, float64 for a float,
    complex128 for a complex number."""
    check_device(device, "full")
    shape = _shape_seq(size, "full")
    dt = _dtype(dtype, "full") or _fill_dtype(fill_value, "full")
    return _make(np.full(shape, _scalar_as(fill_value, dt, "full"), dtype=dt),
                 requires_grad, "full")


def zeros_like(input: Tensor, *, dtype: DTypeLike | None = None, device: object = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of `input`'s shape and dtype (or `dtype`)."""
    check_device(device, "zeros_like")
    a = _like(input, "zeros_like")
    return _make(np.zeros(a.shape, _dtype(dtype, "zeros_like") or a.dtype), requires_grad,
                 "zeros_like")


def ones_like(input: Tensor, *, dtype: DTypeLike | None = None, device: object = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of `input`'s shape and dtype (or `dtype`)."""
    check_device(device, "ones_like")
    a = _like(input, "ones_like")
    return _make(np.ones(a.shape, _dtype(dtype, "ones_like") or a.dtype), requires_grad,
                 "ones_like")


def empty_like(input: Tensor, *, dtype: DTypeLike | None = None, device: object = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (values unspecified) of `input`'s shape and dtype (or `dtype`)."""
    check_device(device, "empty_like")
    a = _like(input, "empty_like")
    return _make(np.zeros(a.shape, _dtype(dtype, "empty_like") or a.dtype), requires_grad,
                 "empty_like")


def full_like(input: Tensor, fill_value: Scalar | Tensor, *, dtype: DTypeLike | None = None,
              device: object = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in `input`'s shape and dtype (or `dtype`): the value is converted to that
    dtype (2.7 becomes 2 in an integer tensor), not the other way round."""
    check_device(device, "full_like")
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
    check_device(device, where)
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
    check_device(device, where)
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
    check_device(device, where)
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
    check_device(device, "eye")
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
    check_device(device, "rand")
    dt = _dtype(dtype, "rand") or _FLOAT
    _float_only(dt, "rand")
    shape = _shape(size, "rand")
    return _make(_uniform(_numpy_rng(generator, "rand"), shape, dt), requires_grad, "rand")


def randn(*size: Size, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
          device: object = None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution N(0, 1), of shape `size` (float64 unless
    `dtype` says otherwise; a complex dtype gets E|z|^2 = 1, each part N(0, 1/2))."""
    check_device(device, "randn")
    dt = _dtype(dtype, "randn") or _FLOAT
    _float_only(dt, "randn")
    shape = _shape(size, "randn")
    return _make(_standard_normal(_numpy_rng(generator, "randn"), shape, dt), requires_grad,
                 "randn")


def rand_like(input: Tensor, *, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
              device: object = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) of `input`'s shape and dtype (or `dtype`; floating point)."""
    check_device(device, "rand_like")
    a = _like(input, "rand_like")
    dt = _dtype(dtype, "rand_like") or a.dtype
    _float_only(dt, "rand_like")
    return _make(_uniform(_numpy_rng(generator, "rand_like"), a.shape, dt), requires_grad,
                 "rand_like")


def randn_like(input: Tensor, *, generator: GeneratorLike = None, dtype: DTypeLike | None = None,
               device: object = None, requires_grad: bool = False) -> Tensor:
    """N(0, 1) samples of `input`'s shape and dtype (or `dtype`; floating point)."""
    check_device(device, "randn_like")
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
    check_device(device, where)
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
    check_device(device, where)
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
    check_device(device, where)
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
    check_device(device, where)
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


# ================================================================ the default generator's state
def get_rng_state() -> Tensor:
    """The default generator's state: a new 1-d uint8 tensor for `set_rng_state` (as
    `torch.get_rng_state()`; `default_generator.get_state()` gives the same bytes as a numpy
    array)."""
    return _leaf(default_generator.get_state())


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from `get_rng_state()` (a uint8 tensor; the numpy
    array of `Generator.get_state()` is taken too). Returns None."""
    default_generator._set_state(new_state, "set_rng_state")
