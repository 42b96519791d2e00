"""Derivative rules that only make sense for arrays: reductions, shapes, indexing,
joins and matrix products. Same form as `rules.py`: `forward(*inputs, *saved)` on
numpy arrays, `grads[i](g, out, *inputs, *saved)` for input i.

Broadcasting needs no code here: the engine sums a gradient over broadcast axes
when it reaches the input (`Tensor._finish_grad`). The small helpers below take a
numpy array or a Tensor, so every formula also runs on Tensors (create_graph).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .engine import Node
from .rules import Rule, _PerInput, data_of
from .rules import where_ as where


# ------------------------------------------------------------ helpers on arrays or Tensors
def sum_to(x: Any, shape: tuple) -> Any:
    """Sum `x` over the axes that broadcasting added or stretched, down to `shape`."""
    if x.shape == shape:
        return x
    lead = len(x.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    if axes == (0,) and len(x.shape) == 2 and x.__class__ is np.ndarray:
        return column_sums(x).reshape(shape)            # a bias broadcast over the rows
    if is_raw(x):
        return x.sum(axis=axes, keepdims=True).reshape(shape) if axes else x.reshape(shape)
    return x.sum(dim=axes, keepdim=True).reshape(shape) if axes else x.reshape(shape)


_ONES: dict = {}


def column_sums(x: np.ndarray) -> np.ndarray:
    """x summed over its rows (axis 0) of a 2-d float array, as one matrix-vector product:
    BLAS does it in a few microseconds, where numpy's reduction along the outer axis of a
    narrow array takes five times longer (30 us for 1000 x 10; it was the largest item
    in the lecture MLP's profile)."""
    if x.dtype.kind != "f":
        return np.add.reduce(x, 0)
    key = (x.shape[0], x.dtype)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 32:
            _ONES.clear()
        ones = _ONES[key] = np.ones(x.shape[0], dtype=x.dtype)
        ones.flags.writeable = False
    return ones @ x


def is_raw(x: Any) -> bool:
    """x is raw data (an array or a number), not a graph node (a Tensor, for gradients of
    gradients). The helpers here take either: numpy's spelling for one, the method's for
    the other."""
    return not isinstance(x, Node)


def broadcast_to(x: Any, shape: tuple) -> Any:
    return np.broadcast_to(x, shape) if is_raw(x) else x.expand(*shape)


def permute(x: Any, dims: tuple) -> Any:
    return x.transpose(dims) if is_raw(x) else x.permute(*dims)


def swap_last(x: Any) -> Any:
    """Swap the last two axes (the transpose of a batch of matrices)."""
    return x.swapaxes(-1, -2) if is_raw(x) else x.transpose(-1, -2)


def unsqueeze(x: Any, dim: int) -> Any:
    return np.expand_dims(x, dim) if is_raw(x) else x.unsqueeze(dim)


def squeeze(x: Any, dim: int) -> Any:
    return np.squeeze(x, dim) if is_raw(x) else x.squeeze(dim)


def scatter_add(g: Any, shape: tuple, index: Any) -> Any:
    """Zeros of `shape` with g added at `index` (repeated indices add up)."""
    if isinstance(g, Node):
        return g._node(ScatterAdd, (g,), (shape, index))
    return ScatterAdd.forward(g, shape, index)


def _kept_shape(shape: tuple, dim: Any) -> tuple:
    """`shape` with the reduced axes kept as size 1 (what keepdim=True gives)."""
    if dim is None:
        return (1,) * len(shape)
    dims = dim if isinstance(dim, tuple) else (dim,)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _expand_back(g: Any, shape: tuple, dim: Any, keepdim: bool) -> Any:
    """The gradient of a reduction: copy g back over the reduced axes."""
    if not keepdim:
        g = g.reshape(_kept_shape(shape, dim))
    return broadcast_to(g, shape)


def _count(shape: tuple, dim: Any) -> int:
    if dim is None:
        return int(np.prod(shape, dtype=np.int64))
    dims = dim if isinstance(dim, tuple) else (dim,)
    return int(np.prod([shape[d] for d in dims], dtype=np.int64))


# ------------------------------------------------------------ reductions
class Sum(Rule):
    """out = sum of a over `dim`;   d out/d a_i = 1 for every summed element"""
    name, torch_name, local = "sum", "SumBackward1", ("1",)

    @staticmethod
    def forward(a, dim, keepdim):
        return np.sum(a, axis=dim, keepdims=keepdim)

    grads = (lambda g, out, a, dim, keepdim: _expand_back(g, a.shape, dim, keepdim),)


class Mean(Rule):
    """out = mean of a over `dim`;   d out/d a_i = 1/n"""
    name, torch_name, local = "mean", "MeanBackward1", ("1/n",)

    @staticmethod
    def forward(a, dim, keepdim):
        if a.size == 0:                 # nothing to average: nan, as PyTorch (no warning)
            with np.errstate(invalid="ignore"):
                return np.sum(a, axis=dim, keepdims=keepdim) / _count(a.shape, dim)
        return np.mean(a, axis=dim, keepdims=keepdim)

    grads = (lambda g, out, a, dim, keepdim:
             _expand_back(g, a.shape, dim, keepdim) / max(_count(a.shape, dim), 1),)


class Max(Rule):
    """out = max (or min) of a;   the gradient goes to the element(s) that were picked.

    `pick` is a 0/1 (or 1/k for k-way ties in a full reduction) array the Tensor method
    computes with the forward, so the gradient is g copied back times `pick`.
    """
    name, torch_name, local = "max", "MaxBackward0", ("[picked]",)

    @staticmethod
    def forward(a, dim, keepdim, pick):
        return np.max(a, axis=dim, keepdims=keepdim)

    grads = (lambda g, out, a, dim, keepdim, pick:
             where(pick > 0, _expand_back(g, a.shape, dim, keepdim) * pick, 0.0),)


class Min(Max):
    name, torch_name = "min", "MinBackward0"

    @staticmethod
    def forward(a, dim, keepdim, pick):
        return np.min(a, axis=dim, keepdims=keepdim)


class MaxAll(Max):
    """out = the largest element of a;   ties share the gradient equally. As PyTorch (which
    finds the ties again at backward), a change of `a` in place makes backward refuse."""
    name, torch_name = "max", "MaxBackward1"
    reads = (frozenset({0}),)


class MinAll(Min):
    """out = the smallest element of a;   ties share the gradient equally (see MaxAll)."""
    name, torch_name = "min", "MinBackward1"
    reads = (frozenset({0}),)


# ------------------------------------------------------------ copies and casts
class Clone(Rule):
    """out = a copy of a;   d out/da = 1"""
    name, torch_name, local = "clone", "CloneBackward0", ("1",)
    elementwise = True

    @staticmethod
    def forward(a):
        return np.array(a, copy=True)

    grads = (lambda g, out, a: g,)


class Cast(Rule):
    """out = a converted to `dtype`;   d out/da = 1 (the engine casts g back)"""
    name, torch_name, local = "to", "ToCopyBackward0", ("1",)
    elementwise = True

    @staticmethod
    def forward(a, dtype):
        return a.astype(dtype)

    grads = (lambda g, out, a, dtype: g,)


# ------------------------------------------------------------ shapes
class Reshape(Rule):
    """out = a with a new shape;   the gradient is g with a's shape"""
    name, torch_name, local = "reshape", "ViewBackward0", ("1",)

    @staticmethod
    def forward(a, shape):
        return a.reshape(shape)

    grads = (lambda g, out, a, shape: g.reshape(a.shape),)

    @staticmethod
    def write_back(base, view, shape):
        """The base after this view was changed in place: the view in the base's shape."""
        return view._node(Reshape, (view,), (base.shape,))


class Squeeze(Reshape):
    name, torch_name = "squeeze", "SqueezeBackward1"


class Unsqueeze(Reshape):
    name, torch_name = "unsqueeze", "UnsqueezeBackward0"


class Permute(Rule):
    """out = a with its axes reordered by `dims`;   the gradient is g put back in order"""
    name, torch_name, local = "permute", "PermuteBackward0", ("1",)

    @staticmethod
    def forward(a, dims):
        return a.transpose(dims)

    grads = (lambda g, out, a, dims: permute(g, tuple(np.argsort(dims))),)

    @staticmethod
    def write_back(base, view, dims):
        """The base after this view was changed in place: the view's axes put back."""
        return view._node(Permute, (view,), (tuple(int(d) for d in np.argsort(dims)),))


class Transpose(Permute):
    name, torch_name = "transpose", "TransposeBackward0"


class Expand(Rule):
    """out = a broadcast to `shape`;   the gradient sums g over the copies"""
    name, torch_name, local = "expand", "ExpandBackward0", ("1",)

    @staticmethod
    def forward(a, shape):
        return np.broadcast_to(a, shape)

    grads = (lambda g, out, a, shape: sum_to(g, a.shape),)


# ------------------------------------------------------------ indexing
class GetItem(Rule):
    """out = a[index];   the gradient adds g into zeros at `index` (repeats add up)"""
    name, torch_name, local = "getitem", "IndexBackward0", ("1 at index",)

    @staticmethod
    def forward(a, index):
        return a[index]

    grads = (lambda g, out, a, index: scatter_add(g, a.shape, index),)

    @staticmethod
    def write_back(base, view, index):
        """The base of a basic-index view after the view was changed in place: the base
        with the view written at `index`."""
        return base._node(SetItem, (base, view), (index,))


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in items)


class ScatterAdd(Rule):
    """out = zeros(shape) with a added at `index`;   the gradient is g[index]"""
    name, torch_name, local = "scatter_add", "IndexPutBackward0", ("1",)

    @staticmethod
    def forward(a, shape, index):
        out = np.zeros(shape, dtype=np.result_type(a))
        if _is_basic(index):
            out[index] = a           # a basic index never repeats an element
        else:
            np.add.at(out, index, a)
        return out

    grads = (lambda g, out, a, shape, index: g[index],)


class SetItem(Rule):
    """out = a with out[index] = v;   d/da: g with zeros at index,  d/dv: g[index]"""
    name, torch_name, local = "setitem", "CopySlices", ("1 off index", "1 at index")

    @staticmethod
    def forward(a, v, index):
        out = np.array(a, copy=True)
        out[index] = v
        return out

    grads = (lambda g, out, a, v, index: where(_off_index(a.shape, index), g, 0.0),
             lambda g, out, a, v, index: g[index])


def _off_index(shape: tuple, index: Any) -> np.ndarray:
    mask = np.ones(shape, dtype=bool)
    mask[index] = False
    return mask


# ------------------------------------------------------------ joins and selection
def _cat_grad(i: int) -> Callable[..., Any]:
    def grad(g, out, *args):
        *arrays, dim = args
        start = sum(x.shape[dim] for x in arrays[:i])
        index = ((slice(None),) * (dim % len(out.shape))
                 + (slice(start, start + arrays[i].shape[dim]),))
        return g[index]
    return grad


class Cat(Rule):
    """out = a_0, a_1, ... joined along `dim`;   input i gets its own slice of g"""
    name, torch_name, local = "cat", "CatBackward0", ("1",)

    @staticmethod
    def forward(*args):
        *arrays, dim = args
        return np.concatenate(arrays, axis=dim)

    grads = _PerInput(_cat_grad)


def _stack_grad(i: int) -> Callable[..., Any]:
    def grad(g, out, *args):
        dim = args[-1] % len(out.shape)
        return g[(slice(None),) * dim + (i,)]
    return grad


class Stack(Rule):
    """out = a_0, a_1, ... stacked along a new axis `dim`;   input i gets g's slice i"""
    name, torch_name, local = "stack", "StackBackward0", ("1",)

    @staticmethod
    def forward(*args):
        *arrays, dim = args
        return np.stack(arrays, axis=dim)

    grads = _PerInput(_stack_grad)


def _share(g: Any, x: Any, loses: Any) -> Any:
    """x's share of g in maximum/minimum: 0 where x loses, half where it ties the other input,
    all of g otherwise (at a nan too: PyTorch passes the gradient to both inputs there)."""
    tie = data_of(x) == data_of(loses[1])
    return where(loses[0], 0.0, g / (1.0 + tie))


class Maximum(Rule):
    """out = max(a, b) elementwise;   the winner gets g, a tie splits it in half"""
    name, torch_name, local = "maximum", "MaximumBackward0", ("[a>b]", "[b>a]")
    elementwise = True

    forward = staticmethod(np.maximum)  # type: ignore[assignment]
    grads = (lambda g, out, a, b: _share(g, a, (data_of(a) < data_of(b), b)),
             lambda g, out, a, b: _share(g, b, (data_of(b) < data_of(a), a)))


class Minimum(Rule):
    """out = min(a, b) elementwise;   the winner gets g, a tie splits it in half"""
    name, torch_name, local = "minimum", "MinimumBackward0", ("[a<b]", "[b<a]")
    elementwise = True

    forward = staticmethod(np.minimum)  # type: ignore[assignment]
    grads = (lambda g, out, a, b: _share(g, a, (data_of(a) > data_of(b), b)),
             lambda g, out, a, b: _share(g, b, (data_of(b) > data_of(a), a)))


def _inside(a: Any, lo: Any, hi: Any) -> Any:
    a = data_of(a)
    inside = np.ones(np.shape(a), dtype=bool)
    if lo is not None:
        inside &= a >= lo
    if hi is not None:
        inside &= a <= hi
    return inside


class Clamp(Rule):
    """out = a limited to [lo, hi];   d out/da = 1 inside the interval, 0 outside"""
    name, torch_name, local = "clamp", "ClampBackward1", ("[lo<=a<=hi]",)
    elementwise = True

    @staticmethod
    def forward(a, lo, hi):
        # selections, not np.clip: an element inside the bounds is kept as it is (-0. stays
        # -0., as in PyTorch) and nan stays nan
        out = a
        if lo is not None:
            out = np.where(out < lo, lo, out)
        if hi is not None:
            out = np.where(out > hi, hi, out)
        return out.astype(a.dtype, copy=False)

    grads = (lambda g, out, a, lo, hi: where(_inside(a, lo, hi), g, 0.0),)


# ------------------------------------------------------------ matrix products
def _matmul_grad_a(g, out, a, b):
    if b.ndim == 1:
        return g * b if a.ndim == 1 else unsqueeze(g, -1) * b      # outer product
    if a.ndim == 1:
        return squeeze(b @ unsqueeze(g, -1), -1)                     # (.., k, m) @ (.., m, 1)
    return g @ swap_last(b)


def _matmul_grad_b(g, out, a, b):
    if a.ndim == 1:
        return g * a if b.ndim == 1 else unsqueeze(a, -1) * unsqueeze(g, -2)
    if b.ndim == 1:
        return squeeze(swap_last(a) @ unsqueeze(g, -1), -1)
    return swap_last(a) @ g


class MatMul(Rule):
    """out = a @ b (numpy's matmul: 1-d, 2-d and batched);
    d/da = g @ b^T,  d/db = a^T @ g  (batch axes summed back by the engine)"""
    name, symbol, torch_name, local = "matmul", "@", "MmBackward0", ("g @ b^T", "a^T @ g")

    forward = staticmethod(np.matmul)  # type: ignore[assignment]
    grads = (_matmul_grad_a, _matmul_grad_b)


def _flat2(x: Any) -> Any:
    """Collapse leading axes: (..., n) -> (N, n)."""
    return x.reshape((-1, x.shape[-1]))


class Linear(Rule):
    """out = x @ W^T + b (nn.Linear, fused: one node instead of three);
    d/dx = g @ W,  d/dW = g^T x,  d/db = sum of g over the batch"""
    name, torch_name, local = "linear", "AddmmBackward0", ("W", "x", "1")

    @staticmethod
    def forward(x, w, b):
        out = np.matmul(x, w.T)
        if out.dtype is b.dtype and b.ndim == 1 and out.ndim >= 1:
            out += b                        # in place: one array fewer to allocate
            return out
        return out + b

    grads = (lambda g, out, x, w, b: g @ w,
             lambda g, out, x, w, b: _weight_grad(g, x),
             lambda g, out, x, w, b: _sum_rows(g))


def _weight_grad(g: Any, x: Any) -> Any:
    """g^T x over all leading axes: (..., out) and (..., in) give (out, in)."""
    if len(g.shape) == 2:
        return g.T @ x
    return swap_last(_flat2(g)) @ _flat2(x)


def _sum_rows(g: Any) -> Any:
    """The bias gradient: g summed over every axis but the last."""
    n = len(g.shape)
    if n == 1:
        return g
    if n == 2 and g.__class__ is np.ndarray:
        return column_sums(g)
    if is_raw(g):
        return np.add.reduce(g.reshape(-1, g.shape[-1]), 0)
    return g.reshape(-1, g.shape[-1]).sum(0)


# ------------------------------------------------------------ fused losses
def _mse_grad(g: Any, d: Any, reduction: str) -> Any:
    """dL/d(difference) for L = mse(d): 2 g d (divided by d's size for the mean)."""
    if reduction == "mean":
        g = g * (2.0 / max(data_of(d).size, 1))     # (an empty loss has no gradient)
    else:
        g = g * 2.0
    return g * d


class MSELoss(Rule):
    """out = mean((a - b)^2) (or the sum, or elementwise);   d out/da = 2 (a - b) / n = -d out/db"""
    name, torch_name, local = "mse_loss", "MseLossBackward0", ("2(a-b)/n", "-2(a-b)/n")

    @staticmethod
    def forward(a, b, reduction):
        d = a - b
        if reduction == "none":
            return d * d
        total = np.vdot(d, d)                  # one pass: sum of squares
        if reduction == "mean":
            return total / d.size if d.size else np.float64(np.nan)   # empty: nan, as PyTorch
        return total

    grads = (lambda g, out, a, b, reduction: _mse_grad(g, a - b, reduction),
             lambda g, out, a, b, reduction: _mse_grad(g, b - a, reduction))
