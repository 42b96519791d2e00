"""Data types and devices, with PyTorch's names.

A dtype is a numpy dtype (`autograd.float32` is `numpy.float32`); `tensor.dtype` gives
numpy's dtype object, which compares equal to these names. The default floating point
dtype is float64 (PyTorch's is float32): `Tensor([1, 2])`, `randn`, an integer tensor
divided or mixed with a Python float, all give float64 unless asked otherwise.

Type promotion between tensors is PyTorch's (`result_type`): the higher category wins
(bool < integer < floating point < complex), and a zero-dimensional tensor counts for its
category but not its size, so `float32 tensor + int64 tensor` stays float32 and
`float32 tensor + float64 0-d tensor` stays float32, where numpy would give float64.

There is one device, the CPU: `autograd.device("cpu")`; `"cuda"` can be named but not used
(`autograd.cuda.is_available()` is False, and moving a tensor there is a clear error).
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["float16", "float32", "float64", "half", "double", "int8", "int16", "int32",
           "int64", "long", "short", "uint8", "bool_", "complex64", "complex128", "cfloat",
           "cdouble", "device", "result_type", "promote_types", "get_default_dtype"]

float16 = half = np.float16
float32 = np.float32
float64 = double = np.float64
int8, int16, short, int32, int64, long = np.int8, np.int16, np.int16, np.int32, np.int64, np.int64
uint8 = np.uint8
bool_ = np.bool_
complex64 = cfloat = np.complex64
complex128 = cdouble = np.complex128

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def get_default_dtype() -> np.dtype:
    """The dtype of floating point tensors made without one: float64."""
    return np.dtype(np.float64)


def as_dtype(dtype: Any, where: str) -> np.dtype:
    """`dtype` as a numpy dtype: a numpy dtype or type, a name ("float32"), or a torch dtype
    (read by its name, so code written for torch can pass torch.float32)."""
    if type(dtype).__module__ == "torch":
        dtype = str(dtype).rpartition(".")[2]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: expected a dtype (autograd.float32, 'float64', ...), got "
                        f"{dtype!r}") from None
    if dt.kind not in _CATEGORY:
        raise TypeError(f"{where}: expected a boolean, integer, floating point or complex "
                        f"dtype, got {dt}")
    return dt


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype of an op on tensors of dtypes a and b (both with dimensions): the higher
    category's dtype, or within one category the larger (numpy's promotion)."""
    a, b = np.dtype(a), np.dtype(b)
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca == cb or max(ca, cb) == 3:
        return np.promote_types(a, b)
    return a if ca > cb else b


def result_type(a_dtype: Any, a_ndim: int, b_dtype: Any, b_ndim: int) -> np.dtype:
    """PyTorch's promotion for two tensors: a zero-dimensional one decides only when its
    category is higher than the other's (or both are zero-dimensional)."""
    a, b = np.dtype(a_dtype), np.dtype(b_dtype)
    if a == b:
        return a
    if (a_ndim == 0) == (b_ndim == 0):
        return promote_types(a, b)
    dims, zero = (a, b) if b_ndim == 0 else (b, a)
    if _CATEGORY[zero.kind] > _CATEGORY[dims.kind]:
        return zero
    return dims


class device:
    """A device, as `torch.device`: `device("cpu")`, `device("cuda", 0)`, `device("cuda:0")`.
    Only the CPU can hold tensors; naming another device is allowed, using it is not."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = str(type), None
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string like 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"device: expected one of cpu, cuda, mps, meta device type at "
                               f"start of device string: {type!r}")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(number)
        self.type: str = name
        self.index: int | None = index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(where: Any, where_name: str) -> None:
    """`where` must be the CPU (None, "cpu", device("cpu"), or anything printing as "cpu")."""
    if where is None or str(where) == "cpu":
        return
    raise RuntimeError(f"{where_name}: device {str(where)!r} is not available: chalkgrad has no "
                       "GPU backend yet and every tensor lives on the CPU "
                       "(autograd.cuda.is_available() is False; use device='cpu' or None)")


class ShapeError(RuntimeError, ValueError):
    """A shape or argument that does not fit the op (matmul's inner sizes, a reshape to a
    different number of elements, shapes that do not broadcast, ...). PyTorch raises
    RuntimeError for these and numpy ValueError: this is both, so code written for either
    catches it."""
