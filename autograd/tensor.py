"""`Tensor`: a numpy array that records the graph it was computed by, PyTorch-style.

    >>> w = autograd.randn(3, requires_grad=True)
    >>> loss = ((X @ w - y) ** 2).mean()
    >>> loss.backward()            # fills w.grad
    >>> with autograd.no_grad():
    ...     w -= 0.1 * w.grad

Every op goes through `_apply`: the rule's forward on the arrays, and, when grad mode
is on and an input requires grad, a graph node. The engine is the same one `Value`
uses; `_finish_grad` is the Tensor's part of it (broadcast axes summed back, dtype,
in-place checks, leaf `.grad`).
"""
from __future__ import annotations

import numbers
import operator
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from . import rules as R
from . import tensor_rules as T
from .engine import Node, _mode
from .engine import backward as _backward

__all__ = ["Tensor", "GradFn"]

_new = object.__new__
# In-place changes are stamped with a global clock: `t._vc[0]` is the time of t's last
# in-place change (shared by views of the same memory), `node._born` the time the node was
# made. A node whose input changed after it was born would compute a wrong gradient.
_clock = [0]
MinMax = namedtuple("MinMax", ["values", "indices"])


class GradFn:
    """What `.grad_fn` returns: the backward node's name, as PyTorch prints it."""

    __slots__ = ("_node",)

    def __init__(self, node: "Tensor") -> None:
        self._node = node

    def name(self) -> str:
        return self._node._rule.torch_name

    @property
    def next_functions(self) -> tuple:
        return tuple((p.grad_fn if isinstance(p, Tensor) and p.requires_grad else None, 0)
                     for p in (self._node._parents or ()))

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class Tensor(Node):
    """An n-dimensional array (numpy, float64 by default) with a gradient."""

    __slots__ = ("_data", "grad", "requires_grad", "_g", "_parents", "_rule", "_saved",
                 "_born", "_vc", "_retains_grad", "__weakref__")
    __array_ufunc__ = None      # numpy must hand `ndarray + Tensor` to our __radd__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        """`Tensor([1, 2, 3])`, as `torch.Tensor`: always floating point (float64 unless
        `dtype` says otherwise)."""
        if isinstance(data, Tensor):
            data = data._data
        arr = np.array(data, dtype=dtype if dtype is not None else np.float64)
        if arr.dtype.kind not in "fc":
            arr = arr.astype(np.float64)
        _init(self, arr, requires_grad)

    # ---------------------------------------------------------------- data and grad
    def _set_data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    # attrgetter: the engine reads .data of every input; a C getter saves a Python call.
    data = property(operator.attrgetter("_data"), _set_data, doc=(
        "The numpy array. Assigning to it (`w.data = w.data - lr * w.grad.data`) bypasses "
        "the graph, as in PyTorch."))

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        return self._rule is None

    @property
    def grad_fn(self) -> GradFn | None:
        return GradFn(self) if self._rule is not None else None

    def dim(self) -> int:
        return self._data.ndim

    def size(self, dim: int | None = None) -> Any:
        return self._data.shape if dim is None else self._data.shape[dim]

    def numel(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a "
                             f"Python number, this one has shape {self.shape}")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("numpy: this tensor requires grad; call tensor.detach().numpy()")
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.numpy() if dtype is None else self.numpy().astype(dtype)

    def tolist(self) -> Any:
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                               "use .any() or .all()")
        return bool(self._data)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    __hash__ = Node.__hash__

    def detach(self) -> "Tensor":
        """The same data (shared, as in PyTorch), cut from the graph."""
        out = _leaf(self._data)
        out._vc = self._vc
        return out

    def clone(self) -> "Tensor":
        return _apply(Clone, (self,))

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only a leaf tensor's flag can be changed; "
                               "use detach() to make a new leaf")
        if requires_grad and self.dtype.kind not in "fc":
            raise RuntimeError(f"requires_grad_: only floating point tensors can require "
                               f"gradients, this one is {self.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this interior tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        self._retains_grad = True

    def backward(self, gradient: Any = None, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Fill `.grad` of the leaves this tensor depends on. A scalar needs no `gradient`;
        the graph's links are released afterwards unless `retain_graph=True`."""
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph "
                               "(did an input have requires_grad=True? was it made under no_grad?)")
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(f"backward: the output has shape {self.shape}; pass "
                                   "gradient= (d loss/d output, same shape) or reduce it first, "
                                   "e.g. y.sum().backward()")
            seed = np.ones(self._data.shape, self._data.dtype)
        else:
            seed = np.asarray(gradient._data if isinstance(gradient, Tensor) else gradient,
                              dtype=self.dtype)
            if seed.shape != self.shape:
                raise RuntimeError(f"backward: gradient has shape {seed.shape}, "
                                   f"the output has shape {self.shape}")
        if create_graph:
            seed = _leaf(seed)
        _backward(self, seed, retain_graph=retain_graph or create_graph, create_graph=create_graph)

    # ---------------------------------------------------------------- engine hooks
    def _finish_grad(self, g: Any, create_graph: bool, store: bool = True) -> Any:
        """The engine hands over this tensor's total gradient: sum broadcast axes,
        check for in-place changes, store `.grad` on leaves (and retain_grad tensors)."""
        self._g = None
        if g is None:
            return None
        data = self._data
        if g.shape != data.shape:
            g = T.sum_to(g, data.shape)
        if g.dtype is not data.dtype and g.dtype != data.dtype and not create_graph:
            g = g.astype(data.dtype)
        if self._rule is None:
            if store:
                self._store_grad(g, create_graph)
            return g
        if _clock[0] > self._born:
            self._check_versions()
        if store and self._retains_grad:
            self._store_grad(g, create_graph)
        return g

    def _reduce_grad(self, g: Any) -> Any:
        """g summed over the axes broadcasting added to this tensor."""
        return g if g.shape == self._data.shape else T.sum_to(g, self._data.shape)

    def _store_grad(self, g: Any, create_graph: bool) -> None:
        grad = self.grad
        if create_graph:
            g = g if isinstance(g, Tensor) else _leaf(np.array(g))
            # clone: g may be another input's gradient too, the caller's seed, or the
            # read-only output of an expand (clone keeps the graph, with an array of its own)
            self.grad = g.clone() if grad is None else grad + g
        elif grad is None or grad._data.shape != g.shape:
            self.grad = _grad_leaf(g.copy())    # a copy: g may be shared with another input
        elif grad.requires_grad or not grad._data.flags.writeable:
            # a gradient from a create_graph backward is a graph node: never change it in place
            self.grad = _grad_leaf(grad._data + g)
        else:   # accumulate in place, as PyTorch does
            np.add(grad._data, g, out=grad._data)

    def _check_versions(self) -> None:
        """Some tensor was changed in place after this node was made: was it one we need?"""
        for i, p in enumerate(self._parents):
            if isinstance(p, Tensor) and p._vc[0] > self._born:
                raise RuntimeError(
                    f"{self._rule.name}: input {i} (shape {p.shape}) was modified in place "
                    "after it was used; its gradient would be wrong. Use an out-of-place op "
                    "(x = x + 1) or clone() it first.")
        if self._vc[0] > self._born:
            raise RuntimeError(
                f"{self._rule.name}: its output (shape {self.shape}) was modified in place "
                "after it was made; its gradient would be wrong.")

    def _release(self) -> None:
        self._parents = None
        self._saved = ()

    def __repr__(self) -> str:
        extra = ""
        if self._rule is not None:
            extra = f", grad_fn=<{self._rule.torch_name}>"
        elif self.requires_grad:
            extra = ", requires_grad=True"
        if self.dtype not in (np.float64, np.int64, np.bool_):
            extra = f", dtype={self.dtype}" + extra
        return f"tensor({_format(self._data)}{extra})"


# ---------------------------------------------------------------- construction
def _init(t: Tensor, arr: np.ndarray, requires_grad: bool = False) -> None:
    if requires_grad and arr.dtype.kind not in "fc":
        raise RuntimeError(f"only floating point tensors can require gradients, got {arr.dtype}")
    t._data = arr
    t.grad = None
    t.requires_grad = bool(requires_grad)
    t._g = None
    t._parents = ()
    t._rule = None
    t._saved = ()
    t._born = 0
    t._vc = [0]
    t._retains_grad = False


def _grad_leaf(arr: np.ndarray) -> Tensor:
    """A `.grad` tensor: a plain leaf around a float array we own (`_init` without checks)."""
    t = _new(Tensor)
    t._data, t.grad, t.requires_grad, t._g, t._parents = arr, None, False, None, ()
    t._rule, t._saved, t._born, t._vc, t._retains_grad = None, (), 0, [0], False
    return t


def _leaf(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    t = _new(Tensor)
    _init(t, arr if arr.__class__ is np.ndarray else np.asarray(arr), requires_grad)
    return t


def _apply(rule: type[R.Rule], parents: tuple, saved: tuple = (), view: Tensor | None = None
           ) -> Tensor:
    """Run `rule` forward on the inputs' arrays; record a graph node if any input needs grad.

    `parents` holds Tensors and plain numbers (constants); `saved` the rule's other
    arguments. `view`: the result shares that tensor's memory (reshape, transpose, ...),
    so it shares its in-place version counter too.
    """
    needs_grad = False
    raws = []
    for p in parents:
        if isinstance(p, Tensor):
            raws.append(p._data)
            needs_grad = needs_grad or p.requires_grad
        else:
            raws.append(p)
    if saved:
        raws.extend(saved)
    try:
        data = rule.forward(*raws)
    except ValueError as e:
        raise ValueError(_shape_message(rule, parents, e)) from None
    out = _new(Tensor)
    out._data = data if data.__class__ is np.ndarray else np.asarray(data)
    out.grad = None
    out._g = None
    out._retains_grad = False
    out._vc = view._vc if view is not None else [0]
    if needs_grad and _mode.enabled:
        out.requires_grad = True
        out._parents = parents
        out._rule = rule
        out._saved = saved
        out._born = _clock[0]
    else:
        out.requires_grad = False
        out._parents = ()
        out._rule = None
        out._saved = ()
        out._born = 0
    return out


def _shape_message(rule: type[R.Rule], parents: tuple, err: Exception) -> str:
    shapes = " and ".join(str(np.shape(p._data if isinstance(p, Tensor) else p)) for p in parents)
    if "broadcast" in str(err):
        return (f"{rule.name}: shapes {shapes} cannot be broadcast together (aligned from the "
                "right, each dimension must be equal or 1)")
    return f"{rule.name}: {err} (input shapes {shapes})"


def _format(a: np.ndarray) -> str:
    opts: dict[str, Any] = {"separator": ", ", "prefix": "tensor("}
    if a.dtype.kind == "f":
        finite = a[np.isfinite(a)]
        if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
            opts.update(precision=0, floatmode="fixed")
            return np.array2string(a, **opts)
        opts.update(precision=4, floatmode="fixed", suppress_small=True)
    return np.array2string(a, **opts)


class Clone(R.Rule):
    """out = a copy of a;   d out/da = 1"""
    name, torch_name, local = "clone", "CloneBackward0", ("1",)

    @staticmethod
    def forward(a):
        return np.array(a, copy=True)

    grads = (lambda g, out, a: g,)


class Cast(R.Rule):
    """out = a converted to `dtype`;   d out/da = 1 (the engine casts g back)"""
    name, torch_name, local = "to", "ToCopyBackward0", ("1",)

    @staticmethod
    def forward(a, dtype):
        return a.astype(dtype)

    grads = (lambda g, out, a, dtype: g,)


def _operand(x: Any) -> Any:
    """A Tensor stays; a Python number stays raw (a constant); an array becomes a Tensor."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (np.ndarray, list, tuple)):
        return _leaf(np.asarray(x))
    if isinstance(x, numbers.Real):
        return float(x)
    return None


def as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else _leaf(np.asarray(x))


def tensors(xs: Sequence[Any], op: str) -> list:
    if not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [as_tensor(x) for x in xs]


from . import tensor_ops  # noqa: E402,F401  (adds the ops to Tensor)
