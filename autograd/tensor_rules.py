"""Derivative rules that only make sense for arrays: reductions, shapes, indexing,
joins and matrix products. Same form as `rules.py`: `forward(*inputs, *saved)` on
numpy arrays, `grads[i](g, out, *inputs, *saved)` for input i.

Broadcasting needs no code here: the engine sums a gradient over broadcast axes
when it reaches the input (`Tensor._finish_grad`). The small helpers below take a
numpy array or a Tensor, so every formula also runs on Tensors (create_graph).
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from . import rules as R
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


# np.dot without its __array_function__ dispatch (a Python call, a third of a small product)
_dot = getattr(np.dot, "_implementation", np.dot)


@functools.lru_cache(maxsize=32)
def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones (kept for the few sizes in use)."""
    ones = np.ones(n, dtype=dtype)
    ones.flags.writeable = False
    return ones


def column_sums(x: np.ndarray) -> np.ndarray:
    """x summed over its rows (axis 0) of a 2-d float array, as one matrix-vector product:
    BLAS does it in a few microseconds, where numpy's reduction along the outer axis of a
    narrow array takes five times longer (30 us for 1000 x 10; it was the largest item
    in the lecture MLP's profile)."""
    if x.dtype.kind != "f":
        return np.add.reduce(x, 0)
    return _ones(x.shape[0], x.dtype) @ x


def add_to_rows(out: np.ndarray, b: np.ndarray) -> None:
    """out += b in every row of a 2-d float array, in place. Short rows get b spread over
    them by BLAS first (ones (n, 1) times b (1, m)) and one flat add: numpy's broadcast add
    runs one inner loop per row (3.6 us slower for 1000 rows of 6). Same numbers: 1 * b is b."""
    n, m = out.shape
    if 1 < m <= 64 and n > 64:
        b = _dot(_ones(n, b.dtype)[:, None], b[None, :])
    out += b


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


class SumAll(Sum):
    """out = the sum of every element (PyTorch names this backward apart from `dim=`'s)"""
    torch_name = "SumBackward0"


class MeanAll(Mean):
    """out = the mean of every element"""
    torch_name = "MeanBackward0"


class Max(Rule):
    """out = max (or min) of a;   the gradient goes to the element(s) that were picked.

    `pick` is a 0/1 (or 1/k for k-way ties in a full reduction) array the Tensor method
    computes with the forward, so the gradient is g copied back times `pick`.
    """
    name, torch_name, local = "max", "MaxBackward0", ("[picked]",)

    @staticmethod
    def forward(a, dim, keepdim, pick):
        if dim is None or pick is None:
            return np.max(a, axis=dim, keepdims=keepdim)
        return _picked(a, dim, keepdim, pick)

    grads = (lambda g, out, a, dim, keepdim, pick:
             where(pick > 0, _expand_back(g, a.shape, dim, keepdim) * pick, 0.0),)


class Min(Max):
    name, torch_name = "min", "MinBackward0"

    @staticmethod
    def forward(a, dim, keepdim, pick):
        if dim is None or pick is None:
            return np.min(a, axis=dim, keepdims=keepdim)
        return _picked(a, dim, keepdim, pick)


def _picked(a: np.ndarray, dim: tuple, keepdim: bool, pick: np.ndarray) -> np.ndarray:
    """The elements `pick` marks (one per slice along the single axis of `dim`): the values
    at PyTorch's indices, so a tie of 0. and -0. gives the picked one's sign."""
    (d,) = dim
    idx = np.expand_dims(np.argmax(pick, axis=d), d)
    out = np.take_along_axis(a, idx, axis=d)
    return out if keepdim else np.squeeze(out, d)


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
def mm(a: Any, b: Any) -> Any:
    """a @ b. Two 2-d arrays go to np.dot: the same BLAS product, where numpy's matmul
    takes a slow loop when a dimension is 1 (20 us against 8 for (1000, 1) @ (1, 6), the
    lecture MLP's first layer; 13 against 4.5 for its last layer's (1000, 1) @ (1, 6) in
    backward)."""
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray and a.ndim == 2 == b.ndim:
        return _dot(a, b)
    return a @ b


def _matmul_grad_a(g, out, a, b):
    if b.ndim == 1:
        return g * b if a.ndim == 1 else unsqueeze(g, -1) * b      # outer product
    if a.ndim == 1:
        return squeeze(b @ unsqueeze(g, -1), -1)                     # (.., k, m) @ (.., m, 1)
    return mm(g, swap_last(b))


def _matmul_grad_b(g, out, a, b):
    if a.ndim == 1:
        return g * a if b.ndim == 1 else unsqueeze(a, -1) * unsqueeze(g, -2)
    if b.ndim == 1:
        return squeeze(swap_last(a) @ unsqueeze(g, -1), -1)
    return mm(swap_last(a), g)


class MatMul(Rule):
    """out = a @ b (numpy's matmul: 1-d, 2-d and batched);
    d/da = g @ b^T,  d/db = a^T @ g  (batch axes summed back by the engine)"""
    name, symbol, torch_name, local = "matmul", "@", "MmBackward0", ("g @ b^T", "a^T @ g")

    forward = staticmethod(mm)
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
        out = mm(x, w.T)
        if out.dtype is b.dtype and b.ndim == 1 and out.ndim >= 1:
            if out.ndim == 2 and out.dtype.kind == "f":
                add_to_rows(out, b)
            else:
                out += b                    # in place: one array fewer to allocate
            return out
        return out + b

    grads = (lambda g, out, x, w, b: mm(g, w),
             lambda g, out, x, w, b: _weight_grad(g, x),
             lambda g, out, x, w, b: _sum_rows(g))


def _weight_grad(g: Any, x: Any) -> Any:
    """g^T x over all leading axes: (..., out) and (..., in) give (out, in)."""
    if len(g.shape) == 2:
        return mm(g.T, x)
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
    """dL/d(difference) for L = mse(d): (2/n) d g for the mean (2 d g for the sum), in
    PyTorch's order: the local derivative first, then the upstream gradient (the same bits).
    The usual upstream, backward()'s seed 1, is not multiplied in: x * 1 is x."""
    norm = 2.0 / max(data_of(d).size, 1) if reduction == "mean" else 2.0   # (0 elements: none)
    local = norm * d
    if g.__class__ is np.ndarray and g.ndim == 0 and g.item() == 1:
        return local
    return local * g


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


# ------------------------------------------------------------ reductions and scans (more)
def _keep(x: Any, shape: tuple, dim: Any, keepdim: bool) -> Any:
    """A reduction's result `x` with the reduced axes of `shape` kept as size 1."""
    return x if keepdim else x.reshape(_kept_shape(shape, dim))


def _sum_keep(x: Any, dim: Any) -> Any:
    """x summed over `dim` (None: everything), the axes kept (raw or node)."""
    if is_raw(x):
        return np.sum(x, axis=dim, keepdims=True)
    return x.sum(dim=dim, keepdim=True)


def _mean_keep(x: Any, dim: Any) -> Any:
    if is_raw(x):
        return np.mean(x, axis=dim, keepdims=True)
    return x.mean(dim=dim, keepdim=True)


def _exp_of(x: Any) -> Any:
    return np.exp(x) if is_raw(x) else x.exp()


def _abs_of(x: Any) -> Any:
    return np.abs(x) if is_raw(x) else x.abs()


def _moved(x: Any, src: int, dst: int) -> Any:
    return np.moveaxis(x, src, dst) if is_raw(x) else x.movedim(src, dst)


def _dof(shape: tuple, dim: Any, correction: float, floor: bool = True) -> float:
    """n - correction, the divisor of var and std: at least 0 in the forward; PyTorch's
    backward divides by it as it is (negative when correction > n)."""
    d = float(_count(shape, dim) - correction)
    return max(d, 0.0) if floor else d


class Var(Rule):
    """out = sum (a - mean)^2 / (n - correction);   d out/da = 2 (a - mean) / (n - correction)"""
    name, torch_name, local = "var", "VarBackward0", ("2(a-mean)/(n-c)",)

    @staticmethod
    def forward(a, dim, correction, keepdim):
        with np.errstate(all="ignore"):
            d = a - np.mean(a, axis=dim, keepdims=True)
            ss = np.sum(d * d, axis=dim, keepdims=keepdim)
            return ss / np.asarray(_dof(a.shape, dim, correction), dtype=a.dtype)

    grads = (lambda g, out, a, dim, correction, keepdim:
             _expand_back(g, a.shape, dim, keepdim) * (a - _mean_keep(a, dim))
             * (2.0 / np.float64(_dof(a.shape, dim, correction, False))),)


class Std(Rule):
    """out = sqrt(var(a));   d out/da = (a - mean) / ((n - correction) out)  (0 where out = 0)"""
    name, torch_name, local = "std", "StdBackward0", ("(a-mean)/((n-c) out)",)

    @staticmethod
    def forward(a, dim, correction, keepdim):
        return np.sqrt(Var.forward(a, dim, correction, keepdim))

    grads = (lambda g, out, a, dim, correction, keepdim:
             where(broadcast_to(_keep(data_of(out), a.shape, dim, keepdim), a.shape) == 0, 0.0,
                   _expand_back(g / (2.0 * out), a.shape, dim, keepdim))
             * (a - _mean_keep(a, dim)) * (2.0 / np.float64(_dof(a.shape, dim, correction,
                                                                  False))),)


def _exclusive_products(a: Any, dim: Any) -> Any:
    """p_i = the product of a_j over j != i along `dim` (None: all elements), exact at
    zeros (no division). Raw: prefix and suffix products; a node: every row with its own
    element replaced by 1, multiplied out (quadratic, but differentiable again)."""
    shape = a.shape
    if dim is None:
        a = a.reshape(-1)
        d = 0
    else:
        d = dim
    if is_raw(a):
        if a.size == 0:
            return np.zeros(shape, dtype=a.dtype)
        x = np.moveaxis(a, d, -1)
        one = np.ones(x.shape[:-1] + (1,), dtype=x.dtype)
        left = np.cumprod(np.concatenate([one, x[..., :-1]], -1), -1)
        right = np.flip(np.cumprod(np.concatenate([one, np.flip(x, -1)[..., :-1]], -1), -1), -1)
        return np.moveaxis(left * right, -1, d).reshape(shape)
    x = a.movedim(d, -1)
    n = x.shape[-1]
    rows = x.unsqueeze(-2).expand(*x.shape[:-1], n, n)
    p = where(np.eye(n, dtype=bool), 1.0, rows).prod(-1)
    return p.movedim(-1, d).reshape(shape)


class Prod(Rule):
    """out = product of a along `dim`;   d out/da_i = product of the other elements"""
    name, torch_name, local = "prod", "ProdBackward1", ("prod_{j!=i} a_j",)

    @staticmethod
    def forward(a, dim, keepdim):
        return np.prod(a, axis=dim, keepdims=keepdim)

    grads = (lambda g, out, a, dim, keepdim:
             _expand_back(g, a.shape, dim, keepdim) * _exclusive_products(a, dim),)


class ProdAll(Prod):
    torch_name = "ProdBackward0"


class LogSumExp(Rule):
    """out = log sum e^a (shifted by the maximum: no overflow);   d out/da = e^(a - out)"""
    name, torch_name, local = "logsumexp", "LogsumexpBackward0", ("e^(a-out)",)

    @staticmethod
    def forward(a, dim, keepdim):
        with np.errstate(all="ignore"):
            if a.size:
                m = np.max(a, axis=dim, keepdims=True)
                m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
            else:
                m = np.zeros(_kept_shape(a.shape, dim), dtype=a.dtype)
            out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
            return out if keepdim else out.reshape(np.sum(a, axis=dim).shape)

    grads = (lambda g, out, a, dim, keepdim:
             _expand_back(g, a.shape, dim, keepdim)
             * _exp_of(a - _keep(out, a.shape, dim, keepdim)),)


def _shift(a: np.ndarray, dim: Any) -> np.ndarray:
    """a minus its maximum along dim (nothing for an empty array)."""
    if a.size == 0:
        return a
    return a - np.max(a, axis=dim, keepdims=True)


class Softmax(Rule):
    """out = e^a / sum e^a along dim;   d/da: out * (g - sum(g * out))"""
    name, torch_name, local = "softmax", "SoftmaxBackward0", ("out (1 - out)",)

    @staticmethod
    def forward(a, dim):
        with np.errstate(all="ignore"):
            e = np.exp(_shift(a, dim))
            return e / np.sum(e, axis=dim, keepdims=True)

    grads = (lambda g, out, a, dim: out * (g - _sum_keep(g * out, dim)),)


class LogSoftmax(Rule):
    """out = a - log sum e^a along dim;   d/da: g - e^out * sum(g)"""
    name, torch_name, local = "log_softmax", "LogSoftmaxBackward0", ("1 - e^out",)

    @staticmethod
    def forward(a, dim):
        with np.errstate(all="ignore"):
            z = _shift(a, dim)
            return z - np.log(np.sum(np.exp(z), axis=dim, keepdims=True))

    grads = (lambda g, out, a, dim: g - _exp_of(out) * _sum_keep(g, dim),)


def _split_ties(g: Any, out: Any, a: Any, dim: Any, keepdim: bool) -> Any:
    """g sent back to the elements of `a` equal to `out` (the picked extreme), shared evenly
    among ties; nan everywhere in a slice whose extreme no element equals (a nan), as
    PyTorch's (g / count) * mask."""
    hit = data_of(a) == broadcast_to(_keep(data_of(out), a.shape, dim, keepdim), a.shape)
    count = np.sum(hit, axis=dim, keepdims=True)
    with np.errstate(all="ignore"):
        share = where(hit, _expand_back(g, a.shape, dim, keepdim)
                      / count.astype(data_of(g).dtype), 0.0)
    if np.any(count == 0):
        share = where(broadcast_to(count == 0, a.shape), np.nan, share)
    return share


class Amax(Rule):
    """out = max of a along dim;   the gradient is shared evenly by the maximal elements"""
    name, torch_name, local = "amax", "AmaxBackward0", ("[a = out] / ties",)

    @staticmethod
    def forward(a, dim, keepdim):
        return np.amax(a, axis=dim, keepdims=keepdim)

    grads = (lambda g, out, a, dim, keepdim: _split_ties(g, out, a, dim, keepdim),)


class Amin(Amax):
    name, torch_name = "amin", "AminBackward0"

    @staticmethod
    def forward(a, dim, keepdim):
        return np.amin(a, axis=dim, keepdims=keepdim)


class VectorNorm(Rule):
    """out = (sum |a|^p)^(1/p) along dim (p = inf: max |a|, -inf: min |a|, 0: the count of
    nonzeros);   d out/da = sign(a) |a|^(p-1) / out^(p-1)  (0 where out = 0 or a = 0)"""
    name, torch_name, local = "norm", "LinalgVectorNormBackward0", ("sign(a)|a|^(p-1)/out^(p-1)",)

    @staticmethod
    def forward(a, ord, dim, keepdim):
        with np.errstate(all="ignore"):
            if ord == 2:
                return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
            mag = np.abs(a)
            if ord == np.inf:
                return np.amax(mag, axis=dim, keepdims=keepdim)
            if ord == -np.inf:
                return np.amin(mag, axis=dim, keepdims=keepdim)
            if ord == 0:
                return np.sum(a != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
            if ord == 1:
                return np.sum(mag, axis=dim, keepdims=keepdim)
            return np.sum(mag ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)

    grads = (lambda g, out, a, ord, dim, keepdim: _norm_grad(g, out, a, ord, dim, keepdim),)


def _norm_grad(g: Any, out: Any, a: Any, ord: float, dim: Any, keepdim: bool) -> Any:
    ad = data_of(a)
    sign = np.sign(ad)
    if ord == 0:
        return where(np.ones(a.shape, dtype=bool), 0.0, _expand_back(g, a.shape, dim, keepdim))
    if ord in (np.inf, -np.inf):
        share = _split_ties(g, out, _abs_of(a), dim, keepdim)
        return where(ad == 0, 0.0, share * sign)
    ge = _expand_back(g, a.shape, dim, keepdim)
    if ord == 1:
        return where(ad == 0, 0.0, ge * sign)
    oe = broadcast_to(_keep(out, a.shape, dim, keepdim), a.shape)
    zero = data_of(oe) == 0
    if ord == 2:
        return where(zero, 0.0, ge * a / oe)
    return where(zero | (ad == 0), 0.0, ge * sign * _abs_of(a) ** (ord - 1) / oe ** (ord - 1))


class Cumsum(Rule):
    """out_i = sum_{j<=i} a_j along dim;   d/da_j = sum_{i>=j} g_i (a reversed cumsum)"""
    name, torch_name, local = "cumsum", "CumsumBackward0", ("1 (j<=i)",)

    @staticmethod
    def forward(a, dim):
        return a.copy() if a.ndim == 0 else np.cumsum(a, axis=dim)

    grads = (lambda g, out, a, dim: _reverse_cumsum(g, dim),)


def _reverse_cumsum(g: Any, dim: int) -> Any:
    if len(g.shape) == 0:
        return g
    if is_raw(g):
        return np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim)
    return g.flip(dim).cumsum(dim).flip(dim)


def _prefix_products_without(x: Any) -> Any:
    """For x of shape (..., n): C[..., i, j] = prod_{k<=j, k != i} x_k."""
    n = x.shape[-1]
    rows = broadcast_to(unsqueeze(x, -2), tuple(x.shape[:-1]) + (n, n))
    cut = where(np.eye(n, dtype=bool), 1.0, rows)
    return np.cumprod(cut, axis=-1) if is_raw(cut) else cut.cumprod(-1)


class Cumprod(Rule):
    """out_i = prod_{j<=i} a_j along dim;   d/da_k = sum_{i>=k} g_i prod_{j<=i, j!=k} a_j
    (exact at zeros: no division)"""
    name, torch_name, local = "cumprod", "CumprodBackward0", ("prod_{j<=i, j!=k} a_j",)

    @staticmethod
    def forward(a, dim):
        return a.copy() if a.ndim == 0 else np.cumprod(a, axis=dim)

    grads = (lambda g, out, a, dim: _cumprod_grad(g, a, dim),)


def _cumprod_grad(g: Any, a: Any, dim: int) -> Any:
    if len(a.shape) == 0:
        return g
    x = _moved(a, dim, -1)
    gl = unsqueeze(_moved(g, dim, -1), -2)                 # (..., 1, n): g_i along j
    n = x.shape[-1]
    c = _prefix_products_without(x)                         # (..., k, i)
    later = np.triu(np.ones((n, n), dtype=bool))            # i >= k
    terms = where(later, gl * c, 0.0)
    total = np.sum(terms, axis=-1) if is_raw(terms) else terms.sum(-1)
    return _moved(total, -1, dim)


class LogCumSumExp(Rule):
    """out_i = log sum_{j<=i} e^(a_j) along dim;   d/da_k = sum_{i>=k} g_i e^(a_k - out_i)"""
    name, torch_name, local = "logcumsumexp", "LogcumsumexpBackward0", ("e^(a_k - out_i)",)

    @staticmethod
    def forward(a, dim):
        if a.ndim == 0:
            return a.copy()
        with np.errstate(all="ignore"):
            return np.logaddexp.accumulate(a, axis=dim)

    grads = (lambda g, out, a, dim: _logcumsumexp_grad(g, out, a, dim),)


def _logcumsumexp_grad(g: Any, out: Any, a: Any, dim: int) -> Any:
    if len(a.shape) == 0:
        return g
    x = unsqueeze(_moved(a, dim, -1), -1)                   # (..., k, 1)
    o = unsqueeze(_moved(out, dim, -1), -2)                 # (..., 1, i)
    gl = unsqueeze(_moved(g, dim, -1), -2)
    n = a.shape[dim]
    later = np.triu(np.ones((n, n), dtype=bool))
    terms = where(later, gl * _exp_of(where(later, x - o, 0.0)), 0.0)
    total = np.sum(terms, axis=-1) if is_raw(terms) else terms.sum(-1)
    return _moved(total, -1, dim)


# ------------------------------------------------------------ selection by flat index
def _flat_put(g: Any, size: int, index: np.ndarray) -> Any:
    """Zeros of `size` elements with g added at the flat positions `index`."""
    if is_raw(g):
        if g.dtype.kind == "f":
            return np.bincount(index.reshape(-1), weights=g.reshape(-1),
                               minlength=size).astype(g.dtype, copy=False)
        out = np.zeros(size, dtype=g.dtype)
        np.add.at(out, index.reshape(-1), g.reshape(-1))
        return out
    return scatter_add(g.reshape(-1), (size,), index.reshape(-1))


class Take(Rule):
    """out = a.flat[index] (index: an integer array of out's shape);   the gradient adds g
    into zeros of a's shape at those positions (repeats add up). Flip, roll, repeat, gather,
    sort, ... are this rule with the index they compute."""
    name, torch_name, local = "take", "TakeBackward0", ("1 at index",)

    @staticmethod
    def forward(a, index):
        return a.reshape(-1)[index]

    grads = (lambda g, out, a, index:
             _flat_put(g, int(np.prod(a.shape, dtype=np.int64)), index).reshape(a.shape),)


def take_kind(name: str, torch_name: str) -> type[Take]:
    return type(name.title().replace("_", ""), (Take,), {
        "name": name, "torch_name": torch_name, "__doc__": Take.__doc__,
        "__module__": __name__})


Flip = take_kind("flip", "FlipBackward0")
Roll = take_kind("roll", "RollBackward0")
Repeat = take_kind("repeat", "RepeatBackward0")
IndexSelect = take_kind("index_select", "IndexSelectBackward0")
Gather = take_kind("gather", "GatherBackward0")
Diagonal = take_kind("diagonal", "DiagonalBackward0")
MaskedSelect = take_kind("masked_select", "MaskedSelectBackward0")
RepeatInterleave = take_kind("repeat_interleave", "IndexSelectBackward0")
Unfold = take_kind("unfold", "UnfoldBackward0")
Sort = take_kind("sort", "SortBackward0")
Topk = take_kind("topk", "TopkBackward0")
Cummax = take_kind("cummax", "CummaxBackward0")
Cummin = take_kind("cummin", "CumminBackward0")
Median = take_kind("median", "MedianBackward1")
Mode = take_kind("mode", "ModeBackward0")
DiagEmbed = take_kind("diag", "DiagEmbedBackward0")


class Placed(Rule):
    """out = zeros of `size` elements (flat, then `shape`) with a.flat at `index`
    (distinct positions);   the gradient is g.flat[index]. diag of a vector, constant pad."""
    name, torch_name, local = "place", "ConstantPadNdBackward0", ("1 at index",)

    @staticmethod
    def forward(a, shape, index, fill):
        out = np.full(int(np.prod(shape, dtype=np.int64)), fill, dtype=a.dtype)
        out[index.reshape(-1)] = a.reshape(-1)
        return out.reshape(shape)

    grads = (lambda g, out, a, shape, index, fill:
             Take.apply(g, saved=(index,)).reshape(a.shape),)


class ConstantPad(Placed):
    name, torch_name = "pad", "ConstantPadNdBackward0"


class DiagPlace(Placed):
    name, torch_name = "diag", "DiagEmbedBackward0"


class Trace(Rule):
    """out = sum of the diagonal of a matrix;   d out/da = the identity"""
    name, torch_name, local = "trace", "TraceBackward0", ("I",)

    @staticmethod
    def forward(a):
        return np.asarray(np.trace(a))

    grads = (lambda g, out, a: where(np.eye(a.shape[0], a.shape[1], dtype=bool),
                                     broadcast_to(g, a.shape), 0.0),)


class Tril(Rule):
    """out = a with the elements above diagonal k zeroed;   the gradient is tril(g)"""
    name, torch_name, local = "tril", "TrilBackward0", ("[j-i<=k]",)

    @staticmethod
    def forward(a, k):
        return np.tril(a, k)

    grads = (lambda g, out, a, k: Tril.apply(g, saved=(k,)),)


class Triu(Rule):
    """out = a with the elements below diagonal k zeroed;   the gradient is triu(g)"""
    name, torch_name, local = "triu", "TriuBackward0", ("[j-i>=k]",)

    @staticmethod
    def forward(a, k):
        return np.triu(a, k)

    grads = (lambda g, out, a, k: Triu.apply(g, saved=(k,)),)


class ScatterAlong(Rule):
    """out = a with src.flat[q] written (reduce None) or added (reduce "sum") at the flat
    positions p of a;   d/da = g (with zeros at p when written), d/dsrc = g.flat[p] at q"""
    name, torch_name, local = "scatter", "ScatterBackward0", ("1 off index", "1 at index")

    @staticmethod
    def forward(a, src, p, q, reduce):
        out = np.array(a, copy=True)
        flat = out.reshape(-1)
        values = np.asarray(src, dtype=a.dtype)
        values = values.reshape(-1)[q] if values.ndim else np.broadcast_to(values, p.shape)
        if reduce == "sum":
            np.add.at(flat, p.reshape(-1), values.reshape(-1))
        else:
            flat[p.reshape(-1)] = values.reshape(-1)
        return out

    grads = (lambda g, out, a, src, p, q, reduce:
             g if reduce == "sum" else where(_hit(a.shape, p), 0.0, g),
             lambda g, out, a, src, p, q, reduce:
             _flat_put(Take.apply(g, saved=(p,)), int(np.prod(src.shape, dtype=np.int64)),
                       q).reshape(src.shape))


def _hit(shape: tuple, p: np.ndarray) -> np.ndarray:
    mask = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=bool)
    mask[p.reshape(-1)] = True
    return mask.reshape(shape)


class ScatterAddAlong(ScatterAlong):
    name, torch_name = "scatter_add", "ScatterAddBackward0"


class IndexAdd(ScatterAlong):
    name, torch_name = "index_add", "IndexAddBackward0"


class ScatterValue(Rule):
    """out = a with `value` written at the flat positions p;   d/da = g with zeros at p"""
    name, torch_name, local = "scatter", "ScatterBackward1", ("1 off index",)

    @staticmethod
    def forward(a, p, value):
        out = np.array(a, copy=True)
        out.reshape(-1)[p.reshape(-1)] = value
        return out

    grads = (lambda g, out, a, p, value: where(_hit(a.shape, p), 0.0, g),)


class Cross(Rule):
    """out = a x b (3-vectors along dim);   d/da = b x g,  d/db = g x a"""
    name, torch_name, local = "cross", "LinalgCrossBackward0", ("b x g", "g x a")

    @staticmethod
    def forward(a, b, dim):
        return np.cross(a, b, axis=dim)

    grads = (lambda g, out, a, b, dim: Cross.apply(b, g, saved=(dim,)),
             lambda g, out, a, b, dim: Cross.apply(g, a, saved=(dim,)))


# ------------------------------------------------------------ einsum
def _einsum_grad(i: int) -> Callable[..., Any]:
    def grad(g, out, *args):
        *ops, spec = args
        ins, res = spec
        mine = ins[i]
        # Repeated letters of operand i become fresh ones tied to the first by an identity
        # matrix; letters found only in operand i are summed there, so the gradient is the
        # same everywhere along them (a ones vector brings them back).
        fresh = iter(c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     if c not in "".join(ins) + res)
        target, extra_subs, extra_ops = "", [], []
        for k, c in enumerate(mine):
            if c in target:
                f = next(fresh)
                target += f
                extra_subs.append(c + f)
                extra_ops.append(np.eye(ops[i].shape[k], dtype=data_of(g).dtype))
            else:
                target += c
        others = [(s, op) for j, (s, op) in enumerate(zip(ins, ops)) if j != i]
        known = res + "".join(s for s, _ in others)
        for k, c in enumerate(mine):
            if c not in known and mine.count(c) == 1:
                extra_subs.append(c)
                extra_ops.append(np.ones(ops[i].shape[k], dtype=data_of(g).dtype))
        subs = [res] + [s for s, _ in others] + extra_subs
        operands = [g] + [op for _, op in others] + extra_ops
        return Einsum.apply(*operands, saved=((tuple(subs), target),))
    return grad


class Einsum(Rule):
    """out = einsum(spec, *operands);   d/d operand i = einsum of g with the other operands,
    written to operand i's subscripts"""
    name, torch_name, local = "einsum", "EinsumBackward0", ("the other operands",)

    @staticmethod
    def forward(*args):
        *ops, spec = args
        ins, res = spec
        return np.asarray(np.einsum(",".join(ins) + "->" + res, *ops))

    grads = _PerInput(_einsum_grad)


# ------------------------------------------------------------ named kinds of existing rules
class MaskedFill(R.Where):
    """out = value where mask, a elsewhere (parents: value, a);   d/da = [not mask]"""
    name, torch_name = "masked_fill", "MaskedFillBackward0"


class Split(GetItem):
    name, torch_name = "split", "SplitBackward0"


class Narrow(GetItem):
    name, torch_name = "narrow", "SliceBackward0"


class Unbind(GetItem):
    name, torch_name = "unbind", "UnbindBackward0"


class MedianAll(Rule):
    """out = the median (the lower middle value; nan if any);   tied medians share g"""
    name, torch_name, local = "median", "MedianBackward0", ("[picked]",)

    @staticmethod
    def forward(a, pick):
        flat = a.reshape(-1)
        s = np.sort(flat, kind="stable")
        if flat.dtype.kind in "fc" and np.isnan(s[-1]):
            return np.asarray(np.nan, dtype=a.dtype)
        return np.asarray(s[(flat.size - 1) // 2])

    grads = (lambda g, out, a, pick: where(pick > 0, g * pick, 0.0),)


# ------------------------------------------------------------ scatter_reduce
_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
             "mean": np.add}


def _scatter_reduce_forward(a: np.ndarray, src: np.ndarray, p: np.ndarray, q: np.ndarray,
                            reduce: str, include_self: bool) -> np.ndarray:
    flat = np.array(a, copy=True).reshape(-1)
    where, values = p.reshape(-1), src.reshape(-1)[q.reshape(-1)]
    if not include_self:
        start = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
        if a.dtype.kind != "f" and reduce in ("amax", "amin"):
            info = np.iinfo(a.dtype)
            start = info.min if reduce == "amax" else info.max
        flat[where] = start
    with np.errstate(all="ignore"):
        _REDUCERS[reduce].at(flat, where, values)
        if reduce == "mean":
            count = np.bincount(where, minlength=flat.size) + (1 if include_self else 0)
            hit = count > 0
            if a.dtype.kind == "f":
                flat[hit] = flat[hit] / count[hit]
            else:
                flat[hit] = np.floor_divide(flat[hit], count[hit])
    return flat.reshape(a.shape)


def _scatter_reduce_factors(a: Any, src: Any, out: Any, p: np.ndarray, q: np.ndarray,
                            reduce: str, include_self: bool) -> tuple:
    """d out / d self (self's shape) and d out / d src at the used elements (index's shape),
    from the data: 1 for sum, 1/count for mean, the tie share of the extreme for amax and
    amin, the product of the other contributors for prod (exact at zeros)."""
    a, src, out = data_of(a), data_of(src), data_of(out)
    n = a.size
    where = p.reshape(-1)
    s = src.reshape(-1)[q.reshape(-1)]
    touched = np.bincount(where, minlength=n) > 0
    fa = np.ones(n, dtype=a.dtype)
    fa[touched] = 1.0 if include_self else 0.0
    flat_a, flat_o = a.reshape(-1), out.reshape(-1)
    if reduce == "sum":
        fs = np.ones(s.shape, dtype=a.dtype)
    elif reduce == "mean":
        count = np.bincount(where, minlength=n) + (1 if include_self else 0)
        fs = 1.0 / count[where]
        if include_self:
            fa[touched] = 1.0 / count[touched]
    elif reduce in ("amax", "amin"):
        ties = np.bincount(where, weights=(s == flat_o[where]).astype(np.float64), minlength=n)
        ties = ties + (flat_a == flat_o)    # as PyTorch: self counts among ties even if excluded
        fs = (s == flat_o[where]) / ties[where]
        if include_self:
            fa[touched] = ((flat_a == flat_o) / np.where(ties == 0, 1, ties))[touched]
    else:                                                   # prod: the other contributors
        zeros = np.bincount(where, weights=(s == 0).astype(np.float64), minlength=n)
        nonzero = np.ones(n, dtype=a.dtype)
        np.multiply.at(nonzero, where, np.where(s == 0, 1, s))
        if include_self:
            zeros = zeros + (flat_a == 0)
            nonzero = nonzero * np.where(flat_a == 0, 1, flat_a)

        def others(v: np.ndarray, k: np.ndarray) -> np.ndarray:
            z = zeros[k] - (v == 0)
            with np.errstate(all="ignore"):
                rest = np.where(v == 0, nonzero[k], nonzero[k] / np.where(v == 0, 1, v))
            return np.where(z > 0, 0.0, rest)
        fs = others(s, where)
        if include_self:
            idx = np.flatnonzero(touched)
            fa[idx] = others(flat_a[idx], idx)
    return fa.reshape(a.shape), np.asarray(fs, dtype=a.dtype).reshape(p.shape)


class ScatterReduce(Rule):
    """out = self with src reduced (sum, prod, mean, amax, amin) into the positions p, self
    included or not;   d/dself and d/dsrc: g times the reduction's local derivative (1,
    1/count, the share of the extreme, the product of the others), taken from the data"""
    name, torch_name, local = "scatter_reduce", "ScatterReduceBackward0", ("d/dself", "d/dsrc")

    @staticmethod
    def forward(a, src, p, q, reduce, include_self):
        return _scatter_reduce_forward(a, src, p, q, reduce, include_self)

    grads = (lambda g, out, a, src, p, q, reduce, include_self:
             _scaled(g, _scatter_reduce_factors(a, src, out, p, q, reduce, include_self)[0]),
             lambda g, out, a, src, p, q, reduce, include_self:
             _flat_put(_scaled(Take.apply(g, saved=(p,)), _scatter_reduce_factors(
                 a, src, out, p, q, reduce, include_self)[1]),
                 int(np.prod(src.shape, dtype=np.int64)), q).reshape(src.shape))


def _scaled(g: Any, factor: np.ndarray) -> Any:
    """g * factor, 0 where the factor is 0 (so an infinite g there gives 0, not nan)."""
    return where(factor != 0, g * factor, 0.0)
