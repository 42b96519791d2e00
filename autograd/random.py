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

import operator
import os
from typing import Any, SupportsIndex, Union

import numpy as np

from .tensor import Tensor, _leaf

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "generator"]

# The seed a new `Generator()` starts from (PyTorch's value, so `initial_seed()` agrees).
_NEW_GENERATOR_SEED = 67280421310721
_U64 = (1 << 64) - 1
_STATE_BYTES = 56   # PCG64 state (16), increment (16), buffered uint32 (8), flag (8), seed (8)

GeneratorLike = Union["Generator", np.random.Generator, None]


def _check_device(device: object, where: str) -> None:
    """Only the CPU exists here: None, "cpu", or an object whose str is "cpu" (torch.device)."""
    if device is None or str(device) == "cpu":
        return
    raise RuntimeError(f"{where}: device={device!r} is not available: chalkgrad has no GPU "
                       "backend and runs on the CPU only (pass device=None or device='cpu')")


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
    function (`autograd.rand(3, generator=g)`, `uniform_(t, generator=g)`) to draw from it
    instead of the default generator.

    A new Generator starts from the fixed seed 67280421310721 (PyTorch's); `manual_seed(s)`
    starts it over from `s`, `seed()` from a fresh seed from the operating system. Each
    Generator has its own stream: drawing from one never moves another.

    `numpy` is the numpy `np.random.Generator` (PCG64) underneath, for code that wants numpy's
    own samplers; drawing from it moves this Generator's stream.
    """

    __slots__ = ("_rng", "_seed")

    def __init__(self, device: object = "cpu") -> None:
        _check_device(device, "Generator")
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

    def get_state(self) -> Tensor:
        """A snapshot of the stream: a new 1-d uint8 tensor for `set_state` to restore (the
        numbers drawn after `set_state(s)` are those drawn after `s = get_state()`). Its layout
        is private: build states only with `get_state`."""
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["uinteger"]).to_bytes(8, "little")
               + int(st["has_uint32"]).to_bytes(8, "little")
               + self._seed.to_bytes(8, "little"))
        return _leaf(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> "Generator":
        """Restore a stream saved by `get_state()` (from this Generator or another one),
        including its `initial_seed()`. Returns the Generator itself."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"Generator.set_state: new_state must be a uint8 tensor made by "
                            f"get_state(), got {type(new_state).__name__}")
        arr = new_state._data
        if arr.dtype != np.uint8:
            raise TypeError(f"Generator.set_state: new_state must be a uint8 tensor made by "
                            f"get_state(), got a {arr.dtype} tensor")
        if arr.size != _STATE_BYTES:
            raise RuntimeError(f"Generator.set_state: expected a state of {_STATE_BYTES} bytes "
                               f"as get_state() makes, got {arr.size}")
        raw = np.ascontiguousarray(arr).reshape(-1).tobytes()
        state = int.from_bytes(raw[0:16], "little")
        inc = int.from_bytes(raw[16:32], "little")
        uinteger = int.from_bytes(raw[32:40], "little")
        has_uint32 = int.from_bytes(raw[40:48], "little")
        if inc % 2 == 0 or has_uint32 > 1 or uinteger >= 1 << 32:
            raise RuntimeError("Generator.set_state: new_state is not a state made by "
                               "get_state() (its bytes do not describe a PCG64 stream)")
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": state, "inc": inc},
            "has_uint32": has_uint32, "uinteger": uinteger}
        self._seed = int.from_bytes(raw[48:56], "little")
        return self

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


def get_rng_state() -> Tensor:
    """The default generator's state, a uint8 tensor for `set_rng_state`."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from `get_rng_state()`."""
    default_generator.set_state(new_state)


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
