"""Making tensors: `tensor`, `zeros`, `ones`, `randn`, ..., and the random seed.

Floating point data is float64 unless `dtype` says otherwise (float32 on request);
integers stay int64 and booleans bool, as numpy and PyTorch infer them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor, _leaf

__all__ = ["tensor", "zeros", "ones", "zeros_like", "ones_like", "full", "randn", "rand",
           "arange", "linspace", "eye", "from_numpy", "manual_seed", "generator",
           "float32", "float64", "int64", "bool_"]

float32, float64, int64, bool_ = np.float32, np.float64, np.int64, np.bool_


class _Random:
    rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Make `randn`, `rand` and nn's initialisation reproducible."""
    _Random.rng = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The numpy Generator behind `randn`, `rand` and nn's initialisation."""
    return _Random.rng


def _make(arr: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return _leaf(arr, requires_grad)


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(n) for n in size)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new tensor holding a copy of `data` (a number, nested lists, an array, a Tensor)."""
    if isinstance(data, Tensor):
        data = data.data
    arr = np.array(data, dtype=dtype)
    if arr.dtype.kind not in "fcib":
        raise TypeError(f"tensor: cannot make a tensor of {arr.dtype} data ({type(data).__name__})")
    if dtype is None and arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.floating)):
        arr = arr.astype(np.float64, copy=False)    # Python floats: float64; arrays keep theirs
    return _leaf(arr, requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with `array` (dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    return _leaf(array)


def zeros(*size: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return _make(np.zeros(_size(size)), dtype, requires_grad)


def ones(*size: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return _make(np.ones(_size(size)), dtype, requires_grad)


def full(size: Any, fill_value: float, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return _make(np.full(_size((size,)), float(fill_value)), dtype, requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), None, requires_grad)


def ones_like(t: Tensor, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), None, requires_grad)


def randn(*size: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Standard normal samples."""
    return _make(_Random.rng.standard_normal(_size(size)), dtype, requires_grad)


def rand(*size: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Uniform samples in [0, 1)."""
    return _make(_Random.rng.random(_size(size)), dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, requires_grad: bool = False,
           dtype: Any = None) -> Tensor:
    """start, start + step, ... below end (int64 if all three are integers)."""
    if end is None:
        start, end = 0, start
    return _make(np.arange(start, end, step), dtype, requires_grad)


def linspace(start: float, end: float, steps: int, requires_grad: bool = False,
             dtype: Any = None) -> Tensor:
    return _make(np.linspace(start, end, steps), dtype, requires_grad)


def eye(n: int, m: int | None = None, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return _make(np.eye(n, m), dtype, requires_grad)
