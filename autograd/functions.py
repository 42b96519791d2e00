"""The `autograd.NAME` functions, as PyTorch spells them (`torch.exp(x)`, `torch.cat(...)`).

Most are the methods of `Value` and `Tensor` called as functions (`function(Tensor.sum)`):
one definition, in the class. The rest build a node from several tensors (`cat`,
`stack`, `where`) or fuse an op (`linear`, `mse_loss`).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import rules as R
from . import tensor_rules as T
from .dtypes import ShapeError
from .ops import Ops, elementwise, function
from .tensor import Tensor, _apply, _dims, _operand, _operand_or_fail, _tensors, as_tensor

__all__ = [
    # elementwise, one per rule of rules.ELEMENTWISE (Values and Tensors)
    "neg", "exp", "log", "log1p", "sin", "cos", "sqrt", "tanh", "sigmoid", "relu", "abs",
    "add", "sub", "mul", "div", "pow",
    # tensors
    "matmul", "mv", "mm", "dot", "linear", "maximum", "minimum", "clamp", "clip", "where",
    "cat", "stack", "mse_loss", "sum", "mean", "max", "min", "reshape", "transpose", "permute",
    "squeeze", "unsqueeze", "flatten",
]

# ---------------------------------------------------------------- elementwise
neg = elementwise(R.Neg)
exp = elementwise(R.Exp)
log = elementwise(R.Log)
log1p = elementwise(R.Log1p)
sin = elementwise(R.Sin)
cos = elementwise(R.Cos)
sqrt = elementwise(R.Sqrt)
tanh = elementwise(R.Tanh)
sigmoid = elementwise(R.Sigmoid)
relu = elementwise(R.Relu)
abs = elementwise(R.Abs)


def add(input: Any, other: Any) -> Any:
    """input + other."""
    return _binary(R.Add, input, other)


def sub(input: Any, other: Any) -> Any:
    """input - other."""
    return _binary(R.Sub, input, other)


def mul(input: Any, other: Any) -> Any:
    """input * other."""
    return _binary(R.Mul, input, other)


def div(input: Any, other: Any) -> Any:
    """input / other."""
    return _binary(R.Div, input, other)


def pow(input: Any, exponent: Any) -> Any:
    """input ** exponent."""
    return _binary(R.Pow, input, exponent)


def _binary(rule: type[R.Rule], a: Any, b: Any) -> Any:
    """A two-input elementwise rule on Values or Tensors (numbers are constants); on two
    numbers, the plain result (`autograd.pow(2, 10) == 1024.0`)."""
    if isinstance(a, Ops) or isinstance(b, Ops):
        return rule.apply(a, b)
    if rule is R.Pow:
        return R.pow_(a, b)
    return rule.forward(R._raw(a, rule.name), R._raw(b, rule.name))


def matmul(input: Any, other: Any) -> Tensor:
    """input @ other with numpy's rules (1-d, 2-d, batched)."""
    return as_tensor(input).matmul(other)


def mv(input: Any, vec: Any) -> Tensor:
    """Matrix (n, k) times vector (k,)."""
    return as_tensor(input).mv(vec)


def mm(input: Any, mat2: Any) -> Tensor:
    """Matrix (n, k) times matrix (k, m)."""
    return as_tensor(input).mm(mat2)


def dot(input: Any, other: Any) -> Tensor:
    """Dot product of two vectors of the same length."""
    return as_tensor(input).dot(other)


def linear(input: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight^T + bias, one fused node (nn.Linear)."""
    x = input if isinstance(input, Tensor) else as_tensor(input)
    xs, ws = x._data.shape, weight._data.shape
    if x._data.dtype is not weight._data.dtype and x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"linear: the input is {x.dtype} and the weight {weight.dtype}; "
                           "they must match, as in PyTorch: convert the input (x.double(), "
                           "x.float()) or the model (model.double(), model.to(x.dtype))")
    if not xs or len(ws) != 2 or xs[-1] != ws[1]:
        raise ShapeError(f"linear: input of shape {x.shape} does not fit a weight of shape "
                         f"{weight.shape} (the input's last dimension must be in_features = "
                         f"{weight.shape[-1] if weight.ndim else '?'})")
    if bias is None:
        return x.matmul(weight.T)
    return _apply(T.Linear, (x, weight, bias))


def maximum(input: Any, other: Any) -> Tensor:
    """The elementwise maximum."""
    return as_tensor(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:
    """The elementwise minimum."""
    return as_tensor(input).minimum(other)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """Each element limited to [min, max]."""
    return as_tensor(input).clamp(min, max)


clip = clamp


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition is true, else other (condition: a boolean tensor or array)."""
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    return _apply(R.Where, (_operand_or_fail(input, "where"), _operand_or_fail(other, "where")),
                  (c.astype(bool),))


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors joined along an existing dimension."""
    ts = _tensors(tensors, "cat")
    (d,) = _dims(dim, ts[0].ndim, "cat") or (0,)
    return _apply(T.Cat, tuple(ts), (d,))


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors joined along a new dimension."""
    ts = _tensors(tensors, "stack")
    n = ts[0].ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"stack: dim {dim} is out of range for a result with {n} dims")
    return _apply(T.Stack, tuple(ts), (dim % n,))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2) as one fused node ("sum" or "none" for the other reductions)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return _apply(T.MSELoss, (as_tensor(input), _operand(target)), (reduction,))


# ---------------------------------------------------------------- methods as functions
sum = function(Tensor.sum)
mean = function(Tensor.mean)
max = function(Tensor.max)
min = function(Tensor.min)
reshape = function(Tensor.reshape)
transpose = function(Tensor.transpose)
permute = function(Tensor.permute)
squeeze = function(Tensor.squeeze)
unsqueeze = function(Tensor.unsqueeze)
flatten = function(Tensor.flatten)
