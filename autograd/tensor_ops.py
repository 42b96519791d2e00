"""The Tensor's operations: operators, methods and the matching `autograd.NAME` functions.

Each is a thin layer that checks its arguments and calls `_apply(rule, inputs, saved)`;
the math lives in `rules.py` and `tensor_rules.py`. (A little over 400 lines: it is the one
list of what a Tensor can do, matching PyTorch's API section by section.)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import rules as R
from . import tensor_rules as T
from .engine import _mode
from .tensor import Cast, MinMax, Tensor, _apply, _clock, _leaf, _operand, as_tensor, tensors


# ---------------------------------------------------------------- arithmetic
def _binary(rule: type[R.Rule], reflected: bool = False) -> Any:
    def op(self: Tensor, other: Any) -> Any:
        other = _operand(other)
        if other is None:
            return NotImplemented
        return _apply(rule, (other, self) if reflected else (self, other))
    op.__name__ = f"__{'r' if reflected else ''}{rule.name}__"
    op.__doc__ = rule.__doc__
    return op


for _rule, _name in ((R.Add, "add"), (R.Sub, "sub"), (R.Mul, "mul"), (R.Div, "truediv"),
                     (R.Pow, "pow"), (T.MatMul, "matmul")):
    setattr(Tensor, f"__{_name}__", _binary(_rule))
    setattr(Tensor, f"__r{_name}__", _binary(_rule, reflected=True))


def _unary(rule: type[R.Rule]) -> Any:
    def op(self: Tensor) -> Tensor:
        return _apply(rule, (self,))
    op.__name__ = rule.name
    op.__doc__ = rule.__doc__
    return op


for _rule in (R.Exp, R.Log, R.Sqrt, R.Tanh, R.Sigmoid, R.Relu, R.Abs):
    setattr(Tensor, _rule.name, _unary(_rule))
Tensor.__neg__ = _unary(R.Neg)
Tensor.__abs__ = Tensor.abs
Tensor.__pos__ = lambda self: self


def _compare(ufunc: Any) -> Any:
    def op(self: Tensor, other: Any) -> Any:
        other = _operand(other)
        if other is None:
            return NotImplemented
        return _leaf(np.asarray(ufunc(self._data, other._data if isinstance(other, Tensor)
                                      else other)))
    return op


for _name, _uf in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)):
    setattr(Tensor, f"__{_name}__", _compare(_uf))


def add(a: Any, b: Any) -> Tensor:
    return _apply(R.Add, (_tensor_operand(a, "add"), _operand(b)))


def sub(a: Any, b: Any) -> Tensor:
    return _apply(R.Sub, (_tensor_operand(a, "sub"), _operand(b)))


def mul(a: Any, b: Any) -> Tensor:
    return _apply(R.Mul, (_tensor_operand(a, "mul"), _operand(b)))


def div(a: Any, b: Any) -> Tensor:
    return _apply(R.Div, (_tensor_operand(a, "div"), _operand(b)))


def _tensor_operand(x: Any, op: str) -> Any:
    x = _operand(x)
    if x is None:
        raise TypeError(f"{op}: expected a tensor or a number")
    return x


# ---------------------------------------------------------------- in place
def _inplace(rule: type[R.Rule], name: str) -> Any:
    def op(self: Tensor, other: Any) -> Tensor:
        other = _operand(other)
        if other is None:
            raise TypeError(f"{name}: expected a tensor or a number")
        return _modify(self, name, lambda base: _apply(rule, (base, other)),
                       other if isinstance(other, Tensor) else None)
    op.__name__ = name
    return op


def _modify(self: Tensor, name: str, compute: Any, other: Tensor | None) -> Tensor:
    """Change `self` in place to `compute(self)`, keeping the graph honest.

    Outside a graph: overwrite the array and stamp the change (`_clock`), so a pending
    backward that needs the old values refuses to run. Inside a graph: the old node is
    kept as a snapshot (with a copy of the old values) and `self` becomes the new node.
    """
    graph = _mode.enabled and (self.requires_grad or (other is not None and other.requires_grad))
    if graph and self.requires_grad and _view_of_grad_leaf(self):
        raise RuntimeError(f"{name}: a leaf tensor that requires grad (or a view of one) cannot "
                           "be changed in place "
                           "while grad mode is on; wrap the update in `with autograd.no_grad():` "
                           "(as optimizers do) or assign to .data")
    if not graph:
        with _no_graph():
            new = compute(_leaf(self._data))
        _overwrite(self, new._data, name)
        _clock[0] += 1
        self._vc[0] = _clock[0]
        return self
    old = Tensor.__new__(Tensor)
    for slot in ("requires_grad", "_parents", "_rule", "_saved", "_born", "_retains_grad"):
        setattr(old, slot, getattr(self, slot))
    old._data, old.grad, old._g, old._vc = self._data.copy(), None, None, [self._vc[0]]
    new = compute(old)
    _overwrite(self, new._data, name)
    _clock[0] += 1
    self._vc[0] = _clock[0]
    self.requires_grad, self._parents, self._rule, self._saved = True, new._parents, new._rule, \
        new._saved
    self._born = _clock[0]
    return self


def _view_of_grad_leaf(t: Tensor) -> bool:
    """t is a leaf that requires grad, or a view of one (views share their base's `_vc`)."""
    while (t._rule is not None and t._parents and isinstance(t._parents[0], Tensor)
           and t._parents[0]._vc is t._vc):
        t = t._parents[0]
    return t._rule is None and t.requires_grad


def _overwrite(self: Tensor, value: np.ndarray, name: str) -> None:
    if value.shape != self.shape:
        raise RuntimeError(f"{name}: the result has shape {value.shape} but the tensor being "
                           f"changed in place has shape {self.shape}")
    try:
        np.copyto(self._data, value, casting="same_kind")
    except TypeError:
        raise TypeError(f"{name}: a {value.dtype} result cannot be stored in place in a "
                        f"{self.dtype} tensor") from None


class _no_graph:
    def __enter__(self) -> None:
        self.prev, _mode.enabled = _mode.enabled, False

    def __exit__(self, *exc: Any) -> None:
        _mode.enabled = self.prev


Tensor.add_ = _inplace(R.Add, "add_")
Tensor.sub_ = _inplace(R.Sub, "sub_")
Tensor.mul_ = _inplace(R.Mul, "mul_")
Tensor.div_ = _inplace(R.Div, "div_")
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_


def _zero_(self: Tensor) -> Tensor:
    return _modify(self, "zero_", lambda base: _apply(R.Mul, (base, 0.0)), None)


def _setitem(self: Tensor, index: Any, value: Any) -> None:
    index = _index(index)
    value = _operand(value)
    if value is None:
        raise TypeError("setitem: expected a tensor or a number")
    v = value if isinstance(value, Tensor) else _leaf(np.asarray(value))
    _modify(self, "setitem", lambda base: _apply(T.SetItem, (base, v), (index,)), v)


Tensor.zero_ = _zero_
Tensor.__setitem__ = _setitem


# ---------------------------------------------------------------- matrix products
def matmul(a: Any, b: Any, _op: str = "matmul") -> Tensor:
    """a @ b with numpy's rules (1-d, 2-d, batched)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"{_op}: both inputs need at least one dimension, got shapes "
                         f"{a.shape} and {b.shape}")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ValueError(f"{_op}: shapes {a.shape} and {b.shape} do not line up: the last "
                         f"dimension of the first ({k_a}) must equal the "
                         f"{'second-to-last' if b.ndim > 1 else 'only'} dimension of the "
                         f"second ({k_b})")
    return _apply(T.MatMul, (a, b))


def _check_ndim(op: str, t: Tensor, ndim: int, what: str) -> None:
    if t.ndim != ndim:
        raise ValueError(f"{op}: expected {what} ({ndim}-d), got shape {t.shape}")


def mv(mat: Any, vec: Any) -> Tensor:
    """Matrix (n, k) times vector (k,)."""
    mat, vec = as_tensor(mat), as_tensor(vec)
    _check_ndim("mv", mat, 2, "a matrix")
    _check_ndim("mv", vec, 1, "a vector")
    return matmul(mat, vec, "mv")


def mm(a: Any, b: Any) -> Tensor:
    """Matrix (n, k) times matrix (k, m)."""
    a, b = as_tensor(a), as_tensor(b)
    _check_ndim("mm", a, 2, "a matrix")
    _check_ndim("mm", b, 2, "a matrix")
    return matmul(a, b, "mm")


def dot(a: Any, b: Any) -> Tensor:
    """Dot product of two vectors of the same length."""
    a, b = as_tensor(a), as_tensor(b)
    _check_ndim("dot", a, 1, "a vector")
    _check_ndim("dot", b, 1, "a vector")
    return matmul(a, b, "dot")


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight^T + bias, one fused node (nn.Linear)."""
    if not isinstance(x, Tensor):
        x = as_tensor(x)
    xs, ws = x._data.shape, weight._data.shape
    if not xs or len(ws) != 2 or xs[-1] != ws[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not fit a weight of shape "
                         f"{weight.shape} (the input's last dimension must be in_features = "
                         f"{weight.shape[-1] if weight.ndim else '?'})")
    if bias is None:
        return matmul(x, weight.T)
    return _apply(T.Linear, (x, weight, bias))


Tensor.matmul, Tensor.mv, Tensor.mm, Tensor.dot = matmul, mv, mm, dot


# ---------------------------------------------------------------- reductions
def _dims(dim: Any, ndim: int, op: str) -> tuple | None:
    if dim is None or ndim == 0:
        return None
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims:
        return None
    out = []
    for d in dims:
        if not -ndim <= d < ndim:
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions")
        out.append(d % ndim)
    return tuple(sorted(set(out)))


def _reduce(rule: type[R.Rule]) -> Any:
    def op(self: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
        dim = axis if dim is None else dim
        keepdim = keepdims if keepdims is not None else keepdim
        return _apply(rule, (self,), (_dims(dim, self.ndim, rule.name), bool(keepdim)))
    op.__name__ = rule.name
    op.__doc__ = rule.__doc__
    return op


Tensor.sum = _reduce(T.Sum)
Tensor.mean = _reduce(T.Mean)


def _extreme(rule: type[R.Rule], arg: Any, pairwise: type[R.Rule]) -> Any:
    def op(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):                       # torch.max(a, b) is maximum
            return _apply(pairwise, (self, dim))
        a = self._data
        if dim is None:
            best = rule.forward(a, None, False, None)
            pick = (a == best)
            pick = pick / pick.sum()
            return _apply(rule, (self,), (None, False, pick))
        if self.ndim == 0:                                 # dim 0 or -1, as PyTorch
            if dim not in (0, -1):
                raise IndexError(f"{rule.name}: dim {dim} is out of range for a 0-d tensor")
            values = _apply(rule, (self,), (None, False, np.ones_like(a)))
            return MinMax(values, _leaf(np.zeros((), dtype=np.int64)))
        (d,) = _dims(dim, self.ndim, rule.name) or (0,)
        idx = np.expand_dims(arg(a, axis=d), d)
        pick = np.zeros(a.shape, dtype=a.dtype)
        np.put_along_axis(pick, idx, 1, axis=d)
        values = _apply(rule, (self,), ((d,), bool(keepdim), pick))
        indices = idx if keepdim else np.squeeze(idx, d)
        return MinMax(values, _leaf(indices))
    op.__name__ = rule.name
    return op


Tensor.max = _extreme(T.Extreme, np.argmax, T.Maximum)
Tensor.min = _extreme(T.Min, np.argmin, T.Minimum)


# ---------------------------------------------------------------- elementwise with two inputs
def maximum(a: Any, b: Any) -> Tensor:
    return _apply(T.Maximum, (as_tensor(a), _operand(b)))


def minimum(a: Any, b: Any) -> Tensor:
    return _apply(T.Minimum, (as_tensor(a), _operand(b)))


def clamp(t: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    return _apply(T.Clamp, (as_tensor(t),), (min, max))


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """a where cond is true, else b (cond: a boolean tensor or array)."""
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    return _apply(T.Where, (_operand(a), _operand(b)), (c.astype(bool),))


Tensor.maximum, Tensor.minimum, Tensor.clamp, Tensor.clip = maximum, minimum, clamp, clamp


# ---------------------------------------------------------------- shapes
def _shape_arg(shape: Sequence[Any]) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def reshape(self: Tensor, *shape: Any) -> Tensor:
    return _apply(T.Reshape, (self,), (_shape_arg(shape),), view=self)


def permute(self: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg(dims)
    if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
        raise ValueError(f"permute: {dims} is not an ordering of the {self.ndim} dimensions "
                         f"of a tensor of shape {self.shape}")
    return _apply(T.Permute, (self,), (tuple(d % self.ndim for d in dims),), view=self)


def transpose(self: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(self.ndim))
    try:
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    except IndexError:
        raise IndexError(f"transpose: dims {dim0}, {dim1} are out of range for shape "
                         f"{self.shape}") from None
    return _apply(T.Transpose, (self,), (tuple(dims),), view=self)


def squeeze(self: Tensor, dim: int | None = None) -> Tensor:
    shape = self.shape
    if dim is None:
        new = tuple(n for n in shape if n != 1)
    else:
        (d,) = _dims(dim, self.ndim, "squeeze") or (None,)
        new = shape if d is None or shape[d] != 1 else shape[:d] + shape[d + 1:]
    return _apply(T.Squeeze, (self,), (new,), view=self)


def unsqueeze(self: Tensor, dim: int) -> Tensor:
    n = self.ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a result with {n} dims")
    d = dim % n
    return _apply(T.Unsqueeze, (self,), (self.shape[:d] + (1,) + self.shape[d:],), view=self)


def expand(self: Tensor, *sizes: Any) -> Tensor:
    sizes = _shape_arg(sizes)
    lead = len(sizes) - self.ndim
    if lead < 0:
        raise ValueError(f"expand: cannot expand shape {self.shape} to fewer dims {sizes}")
    shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                  for i, n in enumerate(sizes))
    for i, n in enumerate(self.shape):
        if n != 1 and n != shape[lead + i]:
            raise ValueError(f"expand: cannot expand shape {self.shape} to {shape} (dimension "
                             f"{i} has size {n}; only size-1 dimensions can grow)")
    return _apply(T.Expand, (self,), (shape,), view=self)


def flatten(self: Tensor) -> Tensor:
    return reshape(self, -1)


def to(self: Tensor, dtype: Any) -> Tensor:
    dtype = np.dtype(dtype)
    return self if dtype == self.dtype else _apply(Cast, (self,), (dtype,))


Tensor.reshape, Tensor.view, Tensor.permute, Tensor.transpose = reshape, reshape, permute, transpose
Tensor.squeeze, Tensor.unsqueeze = squeeze, unsqueeze
Tensor.expand, Tensor.flatten = expand, flatten
Tensor.to = to
Tensor.float = lambda self: to(self, np.float32)
Tensor.double = lambda self: to(self, np.float64)
Tensor.t = lambda self: transpose(self, 0, 1) if self.ndim == 2 else self
Tensor.T = property(lambda self: permute(self, *reversed(range(self.ndim))))
Tensor.expand_as = lambda self, other: expand(self, *other.shape)
Tensor.sum_to_size = lambda self, *shape: T.sum_to(self, _shape_arg(shape))


# ---------------------------------------------------------------- indexing and joins
def _index(index: Any) -> Any:
    # An index tensor is copied: the graph saves it, and the tensor may change in place later.
    if isinstance(index, Tensor):
        return index._data.copy()
    if isinstance(index, tuple):
        return tuple(i._data.copy() if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _getitem(self: Tensor, index: Any) -> Tensor:
    index = _index(index)
    try:
        basic = T._is_basic(index)
        return _apply(T.GetItem, (self,), (index,), view=self if basic else None)
    except IndexError as e:
        raise IndexError(f"getitem: {e} (tensor shape {self.shape})") from None


Tensor.__getitem__ = _getitem


def cat(tensor_list: Sequence[Any], dim: int = 0) -> Tensor:
    ts = tensors(tensor_list, "cat")
    (d,) = _dims(dim, ts[0].ndim, "cat") or (0,)
    return _apply(T.Cat, tuple(ts), (d,))


def stack(tensor_list: Sequence[Any], dim: int = 0) -> Tensor:
    ts = tensors(tensor_list, "stack")
    n = ts[0].ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"stack: dim {dim} is out of range for a result with {n} dims")
    return _apply(T.Stack, tuple(ts), (dim % n,))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2) as one fused node ("sum" or "none" for the other reductions)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return _apply(T.MSELoss, (as_tensor(input), _operand(target)), (reduction,))
