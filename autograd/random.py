"""Random numbers: `Generator` (as `torch.Generator`) and the default generator behind
`autograd.rand`, `randn`, `randint`, ..., nn's initialisation and the DataLoader.

A `Generator` wraps a numpy `np.random.Generator` on a PCG64 bit generator. The streams differ
from PyTorch's (another algorithm), the semantics are the same: a seed fixes every number that
follows, `get_state()` / `set_state()` replay a stream from a saved point, and separate
generators are independent of each other.

    >>> g = autograd.Generator().manual_seed(0)
    >>> autograd.rand(3, generator=g)         # the same three numbers on every run

The default generator starts from a seed drawn from the operating system (as PyTorch's does),
so runs differ until `autograd.manual_seed(seed)` is called. `manual_seed` reseeds the default
generator in place: the numpy Generator that `autograd.generator()` returns stays the same
object and follows the new seed. `autograd.manual_seed(s)` gives the same numbers as
`numpy.random.default_rng(s)`.
"""
from __future__ import annotations

import math
import operator
import os
from typing import TYPE_CHECKING, Any, Protocol, Sequence, SupportsIndex, TypeVar, Union, overload

import numpy as np
from numpy.typing import DTypeLike

from ._sampling import (
    _COMPLEX,
    _FLOAT,
    Scalar,
    Size,
    _aliases,
    _check_grad_dtype,
    _check_std,
    _dtype,
    _float_only,
    _index,
    _int_bounds,
    _is_tensor,
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
from .engine import is_grad_enabled

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "generator",
           "RandomFills"]

# The seed a new `Generator()` starts from (PyTorch's value, so `initial_seed()` agrees).
_NEW_GENERATOR_SEED = 67280421310721
_U64 = (1 << 64) - 1
_STATE_BYTES = 56   # PCG64 state (16), increment (16), buffered uint32 (8), flag (8), seed (8)

GeneratorLike = Union["Generator", np.random.Generator, None]


def _seed_value(seed: Any, where: str) -> int:
    """A seed as the unsigned 64-bit number it stands for (negative seeds wrap round, as in
    PyTorch): integers in [-2**63, 2**64) only."""
    if isinstance(seed, (float, complex, str, bytes)) or not hasattr(seed, "__index__"):
        raise RuntimeError(f"{where}: seed must be an integer, got {type(seed).__name__} "
                           f"{seed!r}")
    value = operator.index(seed)
    if not -(1 << 63) <= value <= _U64:
        raise ValueError(f"{where}: seed {value} does not fit in 64 bits (expected an integer "
                         f"in [-2**63, 2**64))")
    return value & _U64


class Generator:
    """A source of random numbers, as `torch.Generator`: pass it as `generator=` to any random
    function (`autograd.rand(3, generator=g)`, `t.uniform_(generator=g)`) to draw from it
    instead of the default generator.

    A new Generator starts from the fixed seed 67280421310721 (PyTorch's); `manual_seed(s)`
    starts it over from `s`, `seed()` from a fresh seed from the operating system. Each
    Generator has its own stream: drawing from one never moves another.

    `numpy` is the numpy `np.random.Generator` (PCG64) underneath, for code that wants numpy's
    own samplers; drawing from it moves this Generator's stream.
    """

    __slots__ = ("_rng", "_seed")

    def __init__(self, device: object = "cpu") -> None:
        check_device(device, "Generator")
        self._seed = _NEW_GENERATOR_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    @property
    def device(self) -> str:
        """Where the numbers are made: always "cpu"."""
        return "cpu"

    @property
    def numpy(self) -> np.random.Generator:
        """The numpy Generator behind this one (the same object for the Generator's life)."""
        return self._rng

    def manual_seed(self, seed: SupportsIndex) -> "Generator":
        """Start the stream over from `seed` (an integer in [-2**63, 2**64); a negative seed
        stands for its 64-bit two's complement, as in PyTorch). Returns the Generator itself,
        so `g = autograd.Generator().manual_seed(0)` works."""
        value = _seed_value(seed, "Generator.manual_seed")
        self._rng.bit_generator.state = np.random.PCG64(value).state
        self._seed = value
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy (not reproducible) and return the new
        seed, a non-negative integer below 2**64."""
        value = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed the stream last started from (a non-negative integer below 2**64)."""
        return self._seed

    def get_state(self) -> np.ndarray:
        """A snapshot of the stream: a new 1-d uint8 numpy array of 56 bytes for `set_state`
        to restore (the numbers drawn after `set_state(s)` are those drawn after
        `s = get_state()`). PyTorch returns a ByteTensor; `autograd.get_rng_state()` returns a
        Tensor (this module does not make tensors). The layout is private: build states only
        with `get_state`."""
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["uinteger"]).to_bytes(8, "little")
               + int(st["has_uint32"]).to_bytes(8, "little")
               + self._seed.to_bytes(8, "little"))
        return np.frombuffer(raw, dtype=np.uint8).copy()

    def set_state(self, new_state: np.ndarray | Tensor) -> "Generator":
        """Restore a stream saved by `get_state()` (from this Generator or another one),
        including its `initial_seed()`: `new_state` is that uint8 array, or a uint8 tensor
        holding it (`autograd.get_rng_state()`). Returns the Generator itself."""
        self._set_state(new_state, "Generator.set_state")
        return self

    def _set_state(self, new_state: Any, where: str) -> None:
        """`set_state`, with errors that name `where` (`set_rng_state` shares it)."""
        arr = new_state._data if hasattr(new_state, "_data") else new_state
        try:
            arr = np.asarray(arr)
        except (TypeError, ValueError):
            arr = np.asarray(None, dtype=object)
        if arr.dtype != np.uint8:
            raise TypeError(f"{where}: new_state must be the uint8 array (or tensor) that "
                            f"get_state() makes, got {type(new_state).__name__} of dtype "
                            f"{arr.dtype}")
        if arr.size != _STATE_BYTES:
            raise RuntimeError(f"{where}: expected a state of {_STATE_BYTES} bytes as "
                               f"get_state() makes, got {arr.size}")
        raw = np.ascontiguousarray(arr).reshape(-1).tobytes()
        state = int.from_bytes(raw[0:16], "little")
        inc = int.from_bytes(raw[16:32], "little")
        uinteger = int.from_bytes(raw[32:40], "little")
        has_uint32 = int.from_bytes(raw[40:48], "little")
        if inc % 2 == 0 or has_uint32 > 1 or uinteger >= 1 << 32:
            raise RuntimeError(f"{where}: new_state is not a state made by get_state() (its "
                               "bytes do not describe a PCG64 stream)")
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": state, "inc": inc},
            "has_uint32": has_uint32, "uinteger": uinteger}
        self._seed = int.from_bytes(raw[48:56], "little")

    def __repr__(self) -> str:
        return f"<autograd.Generator initial_seed={self._seed}>"


default_generator = Generator()
"""The Generator that random functions draw from when given no `generator=`."""
default_generator.seed()


def manual_seed(seed: SupportsIndex | float) -> Generator:
    """Reseed the default generator (in place), making `rand`, `randn`, `randint`, the in-place
    fills, nn's initialisation and the DataLoader's shuffling reproducible. `seed` is an integer
    in [-2**63, 2**64) (a float is truncated, as PyTorch does). Returns `default_generator`."""
    if isinstance(seed, float):
        seed = int(seed)
    return default_generator.manual_seed(_seed_value(seed, "manual_seed"))


def seed() -> int:
    """Reseed the default generator from the operating system; returns the new seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return default_generator.initial_seed()


def generator() -> np.random.Generator:
    """The numpy Generator behind the default generator (the same object for the whole
    session; `manual_seed` reseeds it in place)."""
    return default_generator._rng


def _numpy_rng(gen: GeneratorLike, where: str) -> np.random.Generator:
    """The numpy Generator to draw from: `gen`'s, or the default one's when `gen` is None.
    A numpy Generator is taken as it is (the project's data utilities use those)."""
    if gen is None:
        return default_generator._rng
    if isinstance(gen, Generator):
        return gen._rng
    if isinstance(gen, np.random.Generator):
        return gen
    raise TypeError(f"{where}: generator must be an autograd.Generator (or None for the "
                    f"default one), got {type(gen).__name__}")


# ================================================================ the Tensor methods
class _Fillable(Protocol):
    """What `RandomFills` uses of the object it is mixed into (a Tensor has all of it)."""

    _data: np.ndarray
    requires_grad: bool

    @property
    def shape(self) -> tuple: ...
    @property
    def dtype(self) -> np.dtype: ...
    def _is_view_of_grad_leaf(self) -> bool: ...
    def _bump_version(self) -> None: ...
    def __setitem__(self, index: Any, value: Any) -> None: ...
    @staticmethod
    def _new_leaf(arr: np.ndarray, requires_grad: bool = False) -> Tensor: ...


_T = TypeVar("_T", bound=_Fillable)


def _target(t: _T, where: str) -> _T:
    """`t`, checked that an in-place fill may change it: not a leaf that requires grad (nor a
    view of one) while grad mode is on, as in PyTorch."""
    if is_grad_enabled() and t.requires_grad and t._is_view_of_grad_leaf():
        raise RuntimeError(f"{where}: a leaf tensor that requires grad (or a view of one) cannot "
                           "be filled in place while grad mode is on; do it under `with "
                           "autograd.no_grad():` (as nn's initialisation does)")
    return t


def _store(t: _T, values: np.ndarray, where: str) -> _T:
    """Write `values` (t's dtype, broadcastable to t's shape) into t in place and return t."""
    if is_grad_enabled() and t.requires_grad:
        # a non-leaf inside a graph: record the overwrite so that backward sends no gradient
        # through the values it replaced
        t[...] = t._new_leaf(np.broadcast_to(values, t.shape).copy())
        return t
    try:
        t._data[...] = values
    except ValueError as e:      # read-only memory: an expanded view, a read-only array
        raise RuntimeError(f"{where}: cannot write into this tensor's memory ({e}); clone() it "
                           "first") from None
    t._bump_version()
    return t


def _new(t: _Fillable, arr: np.ndarray, requires_grad: bool, where: str) -> Tensor:
    """A new leaf around `arr` (one of the `new_*` methods' results)."""
    _check_grad_dtype(arr.dtype, requires_grad, where)
    return t._new_leaf(arr, requires_grad)


class RandomFills:
    """The Tensor methods that fill a tensor in place with random numbers (`uniform_`,
    `normal_`, `exponential_`, `bernoulli_`, `random_`) and that make a new tensor of the same
    dtype (`new_zeros`, `new_ones`, `new_empty`, `new_full`, `new_tensor`), as PyTorch's.

    A mixin of `Tensor`: it lives here, not in tensor.py, next to the generators it draws from,
    and reads only what a Tensor offers (`_data`, `shape`, `dtype`, `requires_grad`,
    `_is_view_of_grad_leaf()`, `_bump_version()`, `self[...] = value` and `_new_leaf`), so this
    module never imports the Tensor module. A fill draws from `generator=` (an
    `autograd.Generator`), else from the default generator, and returns the tensor itself.

    A fill refuses a leaf that requires grad (or a view of one) while grad mode is on (fill it
    under `autograd.no_grad()`, as nn's initialisation does); on a non-leaf inside a graph the
    overwrite is recorded, so that no gradient flows through the values it replaced.
    """

    __slots__ = ()

    def uniform_(self: _T, a: float = 0.0, b: float = 1.0, *,
                 generator: GeneratorLike = None, **kwargs: float) -> _T:
        """Fill this tensor in place with samples from the uniform distribution on [a, b)
        (a == b fills with a; complex tensors get both parts so) and return it. PyTorch's
        keyword names `from=` and `to=` are accepted for a and b."""
        where = "uniform_"
        t = _target(self, where)
        alias = _aliases(where, kwargs, {"from": "a", "to": "b", "from_": "a"})
        lo = _real(alias.get("a", a), where, "a")
        hi = _real(alias.get("b", b), where, "b")
        _float_only(t.dtype, where)
        biggest = float(np.finfo(t.dtype).max)
        if not (math.isfinite(lo) and math.isfinite(hi) and abs(lo) <= biggest
                and abs(hi) <= biggest and math.isfinite(hi - lo)):
            raise RuntimeError(f"uniform_: the range [{lo}, {hi}) is out of bounds for "
                               f"{t.dtype}")
        if lo > hi:
            raise RuntimeError(f"uniform_: expected a <= b for the range [a, b), got a={lo}, "
                               f"b={hi}")
        return _store(t, _uniform(_numpy_rng(generator, where), t.shape, t.dtype, lo, hi),
                      where)

    def normal_(self: _T, mean: float = 0.0, std: float = 1.0, *,
                generator: GeneratorLike = None) -> _T:
        """Fill this tensor in place with samples from N(mean, std**2) (std >= 0) and return
        it."""
        where = "normal_"
        t = _target(self, where)
        m, s = _real(mean, where, "mean"), _real(std, where, "std")
        _float_only(t.dtype, where)
        _check_std(s, where)
        z = _standard_normal(_numpy_rng(generator, where), t.shape,
                             _COMPLEX if t.dtype.kind == "c" else _FLOAT)
        return _store(t, (m + s * z).astype(t.dtype, copy=False), where)

    def exponential_(self: _T, lambd: float = 1.0, *, generator: GeneratorLike = None) -> _T:
        """Fill this tensor in place with samples from the exponential distribution of rate
        `lambd` (> 0; density lambd * exp(-lambd * x) on x >= 0, mean 1 / lambd) and return
        it."""
        where = "exponential_"
        t = _target(self, where)
        rate = _real(lambd, where, "lambd")
        if t.dtype.kind != "f":
            raise RuntimeError(f"exponential_: the exponential distribution is continuous; the "
                               f"tensor must be floating point, got dtype {t.dtype}")
        if not rate > 0:
            raise RuntimeError(f"exponential_: expected lambd > 0, got lambd={rate}")
        e = _numpy_rng(generator, where).standard_exponential(t.shape) / rate
        return _store(t, e.astype(t.dtype, copy=False), where)

    def bernoulli_(self: _T, p: float | Tensor = 0.5, *, generator: GeneratorLike = None
                   ) -> _T:
        """Fill this tensor in place with 0/1 samples, 1 with probability `p` (a number, or a
        tensor of probabilities broadcastable to this tensor's shape; all in [0, 1]); keeps the
        tensor's dtype (any: bool, integer, float) and returns it."""
        where = "bernoulli_"
        t = _target(self, where)
        if _is_tensor(p) and p._data.ndim > 0:
            try:
                ok = np.broadcast_shapes(p._data.shape, t.shape) == t.shape
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(f"bernoulli_: p of shape {p._data.shape} does not broadcast "
                                   f"to the tensor's shape {t.shape}")
        probs = _probabilities(p, where)
        draws = _numpy_rng(generator, where).random(t.shape) < probs
        return _store(t, draws.astype(t.dtype), where)

    @overload
    def random_(self: _T, *, generator: GeneratorLike = None) -> _T: ...
    @overload
    def random_(self: _T, to: SupportsIndex, *, generator: GeneratorLike = None) -> _T: ...
    @overload
    def random_(self: _T, from_: SupportsIndex, to: SupportsIndex | None, *,
                generator: GeneratorLike = None) -> _T: ...
    @overload
    def random_(self: _T, *, generator: GeneratorLike = None,
                **kwargs: SupportsIndex | None) -> _T: ...
    def random_(self: _T, *args: Any, generator: GeneratorLike = None, **kwargs: Any) -> _T:
        """Fill this tensor in place with integers drawn uniformly and return it, as PyTorch's
        `random_(from=0, to=None)`:

        - `random_(to)`: from [0, to);
        - `random_(from, to)` (or keywords `from=`, `to=`): from [from, to);
        - `random_(from, None)`: from `from` up to the dtype's largest value, included;
        - `random_()`: from 0 up to the dtype's largest value, included.

        The largest value of an integer dtype is its maximum, of bool 1, of a float dtype
        2**(mantissa bits + 1) (2**24 for float32, 2**53 for float64: every integer up to there
        is exact). The bounds must fit the dtype.
        """
        where = "random_"
        t = _target(self, where)
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

    # ------------------------------------------------------------ new tensors, same dtype
    def new_zeros(self: _Fillable, *size: Size, dtype: DTypeLike | None = None,
                  device: object = None, requires_grad: bool = False) -> Tensor:
        """Returns a new leaf tensor of zeros of shape `size` (`new_zeros(2, 3)` or
        `new_zeros((2, 3))`) with this tensor's dtype (or `dtype`)."""
        check_device(device, "new_zeros")
        dt = _dtype(dtype, "new_zeros") or self.dtype
        return _new(self, np.zeros(_shape(size, "new_zeros"), dt), requires_grad, "new_zeros")

    def new_ones(self: _Fillable, *size: Size, dtype: DTypeLike | None = None,
                 device: object = None, requires_grad: bool = False) -> Tensor:
        """Returns a new leaf tensor of ones of shape `size` with this tensor's dtype (or
        `dtype`)."""
        check_device(device, "new_ones")
        dt = _dtype(dtype, "new_ones") or self.dtype
        return _new(self, np.ones(_shape(size, "new_ones"), dt), requires_grad, "new_ones")

    def new_empty(self: _Fillable, *size: Size, dtype: DTypeLike | None = None,
                  device: object = None, requires_grad: bool = False) -> Tensor:
        """Returns a new leaf tensor of shape `size` whose values are unspecified (write them
        before reading them), with this tensor's dtype (or `dtype`)."""
        check_device(device, "new_empty")
        dt = _dtype(dtype, "new_empty") or self.dtype
        return _new(self, np.zeros(_shape(size, "new_empty"), dt), requires_grad, "new_empty")

    def new_full(self: _Fillable, size: Sequence[SupportsIndex], fill_value: Scalar | Tensor,
                 *, dtype: DTypeLike | None = None, device: object = None,
                 requires_grad: bool = False) -> Tensor:
        """Returns a new leaf tensor of shape `size` (a tuple or list) filled with
        `fill_value`, with this tensor's dtype (or `dtype`; the value is converted to it: 2.7
        becomes 2 in an integer tensor)."""
        check_device(device, "new_full")
        dt = _dtype(dtype, "new_full") or self.dtype
        shape = _shape_seq(size, "new_full")
        return _new(self, np.full(shape, _scalar_as(fill_value, dt, "new_full"), dtype=dt),
                    requires_grad, "new_full")

    def new_tensor(self: _Fillable, data: Any, *, dtype: DTypeLike | None = None,
                   device: object = None, requires_grad: bool = False) -> Tensor:
        """Returns a new leaf tensor holding a copy of `data` in this tensor's dtype (or
        `dtype`), whatever data's own dtype (as PyTorch: `float32_tensor.new_tensor([1, 2])`
        is float32)."""
        check_device(device, "new_tensor")
        dt = _dtype(dtype, "new_tensor") or self.dtype
        src = data._data if _is_tensor(data) else data
        try:
            arr = np.array(src)
        except ValueError as e:
            raise TypeError(f"new_tensor: cannot make a tensor of this {type(data).__name__} "
                            f"({e})") from None
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"new_tensor: cannot make a tensor of {arr.dtype} data "
                            f"({type(data).__name__})")
        return _new(self, arr.astype(dt, copy=True), requires_grad, "new_tensor")
