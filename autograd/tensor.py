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

In-place changes are stamped with a global clock: `t._vc[0]` is the time of t's last
in-place change (shared by views of the same memory), `node._born` the time the node was
made. A node whose input changed after it was born would compute a wrong gradient, so
backward refuses it (`_check_versions`); `_bump_version` is the one way to stamp a change.
"""
from __future__ import annotations

import builtins
import numbers
import warnings
from collections import namedtuple
from typing import Any, Callable, Iterator, Sequence, Union

import numpy as np

from . import rules as R
from . import tensor_rules as T
from ._sampling import _scalar_as
from .dtypes import CPU, ShapeError, as_dtype, check_device, result_type
from .dtypes import device as _Device
from .engine import Node, _mode, note_reuse
from .engine import backward as _backward
from .ops import Ops
from .printing import tensor_repr
from .random import RandomFills
from .rules import reads_of

__all__ = ["Tensor", "GradFn", "as_tensor"]

Operand = Union["Tensor", float, int, bool, np.ndarray]
_new = object.__new__
_clock = [0]
_NUMPY_ONLY: Any = object()     # the default of an argument only numpy passes (np.repeat's axis)
MinMax = namedtuple("MinMax", ["values", "indices"])
_TYPE_NAMES = {"float64": "torch.DoubleTensor", "float32": "torch.FloatTensor",
               "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
               "int32": "torch.IntTensor", "int16": "torch.ShortTensor",
               "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
               "bool": "torch.BoolTensor"}


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


class Tensor(Ops, RandomFills, Node):
    """An n-dimensional array (numpy, float64 by default) with a gradient."""

    __slots__ = ("_data", "_grad", "requires_grad", "_g", "_parents", "_rule", "_saved",
                 "_born", "_vc", "_retains_grad", "__weakref__")
    # numpy hands `ndarray + Tensor` to our __radd__ (as for torch tensors), while its
    # functions take a Tensor as an array: np.exp(t) is an ndarray (via __array__)
    __array_priority__ = 1000
    _grad: "Tensor | None"
    requires_grad: bool
    _born: int
    _vc: list[int]
    _retains_grad: bool

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
    def _init_leaf(self, arr: np.ndarray, requires_grad: bool = False) -> None:
        """Make this tensor a fresh leaf around `arr` (no copy, dtype kept)."""
        _init(self, arr, requires_grad)

    @staticmethod
    def _new_leaf(arr: np.ndarray, requires_grad: bool = False) -> "Tensor":
        """A new leaf tensor around `arr` (no copy, dtype kept): the constructor that mixins
        defined below this module (random.RandomFills) use."""
        return _leaf(arr, requires_grad)

    @property
    def data(self) -> "Tensor":
        """The values as a tensor outside the graph, sharing this tensor's memory (PyTorch's
        `.data`). Changing it in place changes this tensor without the graph knowing (it has
        a version counter of its own): `w.data -= lr * w.grad.data` is a gradient step. Use
        `.numpy()` for the numpy array, `detach()` for a view the graph still checks."""
        return _leaf(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        """`t.data = other` makes `other`'s values (a tensor or an array) this tensor's."""
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def grad(self) -> "Tensor | None":
        """d loss / d self after backward: on leaves that require grad (summed over backward
        calls), and on tensors that called `retain_grad()`; None before. Reading it on any
        other tensor warns, as PyTorch does: backward keeps no gradient there."""
        if self._rule is not None and not self._retains_grad:
            warnings.warn(
                f"the .grad of a tensor that is not a leaf (it was made by "
                f"{self._rule.name}) is not kept by backward, so it is None; call .retain_grad() "
                "on it before backward() to keep it, or read the gradient of the leaf you "
                "made with requires_grad=True", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: assigned grad must be a Tensor or None, got "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"grad: assigned grad has shape {value.shape}, the tensor "
                                   f"has shape {self.shape}")
        self._grad = value

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

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The array, for numpy (`np.asarray(t)`: no copy; `np.array(t)`: a copy)."""
        arr = self.numpy()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def tolist(self) -> Any:
        return self._data.tolist()

    def __format__(self, spec: str) -> str:
        """A one-element tensor formats as its number (f"{loss:.4f}"); others as their repr."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                               "use .any() or .all()")
        return bool(self._data)

    def __iter__(self) -> Iterator["Tensor"]:
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
        """A copy with memory of its own (in the graph: d clone/dx = 1)."""
        return _apply(T.Clone, (self,))

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only a leaf tensor's flag can be changed; "
                               "use detach() to make a new leaf")
        if requires_grad and self.dtype.kind != "f":
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
            shape, dtype = self._data.shape, self._data.dtype
            seed: Any = np.array(1, dtype) if shape == () else np.ones(shape, dtype)
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
    @classmethod
    def _node(cls, rule: Any, parents: tuple, saved: tuple = ()) -> "Tensor":
        return _apply(rule, tuple(_operand_or_fail(p, rule.name) for p in parents), saved)

    def _unary(self, rule: type[R.Rule], *saved: Any) -> "Tensor":
        return _apply(rule, (self,), saved)

    def _binary(self, rule: type[R.Rule], other: Any, reflected: bool = False) -> Any:
        """`rule` on (self, other), or (other, self) when reflected; NotImplemented for an
        operand that is not a tensor, a number or an array (so Python tries the other side)."""
        other = _operand(other)
        if other is None:
            return NotImplemented
        if other.__class__ is Tensor and other._data.dtype is not self._data.dtype:
            return self._promoted(rule, other, reflected)
        return _apply(rule, (other, self) if reflected else (self, other))

    def _promoted(self, rule: type[R.Rule], other: "Tensor", reflected: bool) -> "Tensor":
        """`rule` on tensors of different dtypes, both first cast to PyTorch's result type
        (float32 and int64 give float32, where numpy would give float64)."""
        dt = result_type(self.dtype, self.ndim, other.dtype, other.ndim)
        a, b = self.to(dt), other.to(dt)
        return _apply(rule, (b, a) if reflected else (a, b))

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

    def _shaped_grad(self, g: Any) -> Any:
        """g summed over the axes broadcasting added to this tensor."""
        return g if g.shape == self._data.shape else T.sum_to(g, self._data.shape)

    def _store_grad(self, g: Any, create_graph: bool) -> None:
        grad = self._grad
        if create_graph:
            g = g if isinstance(g, Tensor) else _leaf(np.array(g))
            # clone: g may be another input's gradient too, the caller's seed, or the
            # read-only output of an expand (clone keeps the graph, with an array of its own)
            self._grad = g.clone() if grad is None else grad + g
        elif grad is None or grad._data.shape != g.shape:
            self._grad = _grad_leaf(g.copy())   # a copy: g may be shared with another input
        elif grad.requires_grad or not grad._data.flags.writeable:
            # a gradient from a create_graph backward is a graph node: never change it in place
            self._grad = _grad_leaf(grad._data + g)
        else:   # accumulate in place, as PyTorch does
            np.add(grad._data, g, out=grad._data)

    def _release(self) -> None:
        self._parents = None
        self._saved = ()

    # ---------------------------------------------------------------- in-place bookkeeping
    @property
    def _version(self) -> int:
        """When this tensor's memory was last changed in place (0: never), as a tick of the
        global clock; views share it."""
        return self._vc[0]

    def _bump_version(self) -> None:
        """Record an in-place change of this tensor's memory (made outside the graph: an
        optimizer step, `load_state_dict`): a pending backward that still needs the old
        values then refuses to run instead of computing a wrong gradient."""
        Tensor._bump_versions((self,))

    @staticmethod
    def _bump_versions(tensors: "Sequence[Tensor]") -> None:
        """`_bump_version` for the tensors one operation changed together (an optimizer's
        step), with one tick of the clock."""
        _clock[0] += 1
        now = _clock[0]
        for t in tensors:
            t._vc[0] = now

    def _check_versions(self) -> None:
        """Some tensor was changed in place after this node was made: was it one that this
        node's backward reads (`rules.reads_of`: an input, or the output)?"""
        reads = reads_of(self._rule)
        parents = self._parents
        if parents is None:         # released by an earlier backward: the engine says so
            return
        wanted = [i for i, p in enumerate(parents) if isinstance(p, Tensor) and p.requires_grad]
        needed: set = set()
        for i in wanted:
            needed |= set(range(len(parents))) | {"out"} if reads is None else reads[i]
        for i, p in enumerate(parents):
            if i in needed and isinstance(p, Tensor) and p._vc[0] > self._born:
                raise RuntimeError(
                    f"{self._rule.name}: input {i} (shape {p.shape}) was modified in place "
                    "after it was used, and its backward needs the old values; the gradient "
                    "would be wrong. Use an out-of-place op (x = x + 1) or clone() it first.")
        if "out" in needed and self._vc[0] > self._born:
            raise RuntimeError(
                f"{self._rule.name}: its output (shape {self.shape}) was modified in place "
                "after it was made, and its backward needs it; the gradient would be wrong. "
                "Use an out-of-place op or clone() the output first.")

    def _modify(self, name: str, compute: Callable[["Tensor"], "Tensor"],
                other: "Tensor | None") -> "Tensor":
        """Change `self` in place to `compute(self)`, keeping the graph honest.

        Outside a graph: overwrite the array and stamp the change, so a pending backward
        that reads the old values refuses to run. Inside a graph (grad mode on and a
        tensor involved requires grad), as PyTorch: the object `self` becomes the new node,
        computed from a snapshot of what it was (its old values, its old node); nodes made
        before keep meaning the old one (`engine.note_reuse`), and refuse at backward if
        they read its values. A view changed so also changes its base (and the base's base):
        each is rebuilt from its old self and the changed view (`write_back` of the view's
        rule: the view written into the base, as PyTorch's CopySlices).
        """
        graph = _mode.enabled and (self.requires_grad
                                   or (other is not None and other.requires_grad))
        if graph and self.requires_grad and self._is_view_of_grad_leaf():
            raise RuntimeError(f"{name}: a leaf tensor that requires grad (or a view of one) "
                               "cannot be changed in place while grad mode is on; wrap the "
                               "update in `with autograd.no_grad():` (as optimizers do) or "
                               "assign to .data")
        if not graph:
            prev, _mode.enabled = _mode.enabled, False
            try:
                new = compute(_leaf(self._data))
            finally:
                _mode.enabled = prev
            self._overwrite(new._data, name)
            self._bump_version()
            return self
        chain = [self]                      # self, its base, the base's base, ...
        base = self._view_base()
        while base is not None:
            chain.append(base)
            base = base._view_base()
        for view in chain[:-1]:
            if getattr(view._rule, "write_back", None) is None:
                raise RuntimeError(f"{name}: this tensor is a view made by {view._rule.name}, "
                                   "which cannot be written back into its base in place (an "
                                   "expanded tensor shares one element between many "
                                   "positions); clone() it first")
        olds = [t._snapshot() for t in chain]
        changed = compute(olds[0])
        if other is not None and other._vc is self._vc:
            # the operand is this tensor (or shares its memory): the new node keeps its old
            # values, marked as changed after the node was made, so a backward that reads
            # them refuses (as PyTorch: x.mul_(x) cannot be differentiated, x.add_(x) can)
            alias = other._snapshot()
            changed._parents = tuple(alias if p is other else p for p in changed._parents)
        else:
            alias = None
        self._overwrite(changed._data, name)
        self._bump_version()
        now = _clock[0]
        if alias is not None:
            _clock[0] += 1
            alias._vc = [_clock[0]]
        for k in range(1, len(chain)):      # write the change into each base in turn
            view = olds[k - 1]
            changed = view._rule.write_back(olds[k], changed, *view._saved)
        chain[-1]._become(changed._parents, changed._rule, changed._saved, olds[-1], now)
        for k in range(len(chain) - 2, -1, -1):     # each view: its view op of the new base
            view = olds[k]
            chain[k]._become((chain[k + 1],) + tuple(view._parents[1:]), view._rule,
                             view._saved, view, now)
        return self

    def _view_base(self) -> "Tensor | None":
        """The tensor this one is a view of (sharing memory and version), if it is a view
        made by a rule that can write it back (a basic index, a reshape, a permutation)."""
        if self._rule is None or not self._parents:
            return None
        base = self._parents[0]
        if isinstance(base, Tensor) and base._vc is self._vc:
            return base
        return None

    def _snapshot(self) -> "Tensor":
        """A new object holding what this tensor is now: its node and a copy of its values."""
        old = _new(Tensor)
        for slot in ("requires_grad", "_parents", "_rule", "_saved", "_born", "_retains_grad"):
            setattr(old, slot, getattr(self, slot))
        old._data, old._grad, old._g, old._vc = self._data.copy(), None, None, [self._vc[0]]
        return old

    def _become(self, parents: tuple, rule: Any, saved: tuple, old: "Tensor", now: int
                ) -> None:
        """This object now stands for the node (parents, rule, saved), its values already
        written in place; `old` is what it stood for, marked as changed at `now`."""
        self.requires_grad, self._parents, self._rule, self._saved = True, parents, rule, saved
        self._born = now
        old._vc = [now]
        note_reuse(self, old)

    def _is_view_of_grad_leaf(self) -> bool:
        """A leaf that requires grad, or a view of one (views share their base's `_vc`)."""
        t = self
        while (t._rule is not None and t._parents and isinstance(t._parents[0], Tensor)
               and t._parents[0]._vc is t._vc):
            t = t._parents[0]
        return t._rule is None and t.requires_grad

    def _overwrite(self, value: np.ndarray, name: str) -> None:
        if value.shape != self.shape:
            raise RuntimeError(f"{name}: the result has shape {value.shape} but the tensor "
                               f"being changed in place has shape {self.shape}")
        try:
            np.copyto(self._data, value, casting="same_kind")
        except TypeError:
            raise TypeError(f"{name}: a {value.dtype} result cannot be stored in place in a "
                            f"{self.dtype} tensor") from None

    def _inplace(self, rule: type[R.Rule], other: Any, name: str) -> "Tensor":
        operand = _operand(other)
        if operand is None:
            raise TypeError(f"{name}: expected a tensor or a number, got {type(other).__name__}")
        return self._modify(name, lambda base: _apply(rule, (base, operand)),
                            operand if isinstance(operand, Tensor) else None)

    def add_(self, other: Operand) -> "Tensor":
        """self += other, in place."""
        return self._inplace(R.Add, other, "add_")

    def sub_(self, other: Operand) -> "Tensor":
        """self -= other, in place."""
        return self._inplace(R.Sub, other, "sub_")

    def mul_(self, other: Operand) -> "Tensor":
        """self *= other, in place."""
        return self._inplace(R.Mul, other, "mul_")

    def div_(self, other: Operand) -> "Tensor":
        """self /= other, in place."""
        return self._inplace(R.Div, other, "div_")

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def zero_(self) -> "Tensor":
        """Fill with zeros, in place (inf and nan too: nothing is multiplied)."""
        return self.fill_(0)

    def fill_(self, value: Any) -> "Tensor":
        """Set every element to `value` (a number or a 0-d tensor), in place, converted as
        PyTorch converts it (2.7 is 2 in an integer tensor). A 0-d tensor value that requires
        grad receives the gradient of every element it filled."""
        number = _scalar_as(value, self.dtype, "fill_")
        if isinstance(value, Tensor) and value.requires_grad and self.dtype.kind in "fc":
            return self._modify("fill_", lambda base: _apply(T.SetItem, (base, value),
                                                             ((Ellipsis,),)), value)
        return self._modify("fill_", lambda base: _apply(R.Fill, (base,), (number,)), None)

    def copy_(self, src: Any) -> "Tensor":
        """Set this tensor's values to `src`'s (broadcast to this shape), in place."""
        operand = _operand_or_fail(src, "copy_")
        source = operand if isinstance(operand, Tensor) else _leaf(np.asarray(operand))
        return self._modify("copy_", lambda base: _apply(T.SetItem, (base, source),
                                                         ((Ellipsis,),)), source)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        """Limit each element to [min, max], in place."""
        return self._modify("clamp_", lambda base: base.clamp(min, max), None)

    def __setitem__(self, index: Any, value: Any) -> None:
        """self[index] = value, in place (see __getitem__ for the index; value broadcasts)."""
        index = _index(index)
        split = _split_integers(index)
        if split is not None:
            self[split[0]][split[1]] = value        # a view, changed in place: self follows
            return
        operand = _operand(value)
        if operand is None:
            raise TypeError(f"setitem: expected a tensor or a number, got {type(value).__name__}")
        v = operand if isinstance(operand, Tensor) else _leaf(np.asarray(operand))
        self._modify("setitem", lambda base: _apply(T.SetItem, (base, v), (index,)), v)

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other: Operand) -> "Tensor":
        return self._binary(R.Add, other)

    def __radd__(self, other: Operand) -> "Tensor":
        return self._binary(R.Add, other, reflected=True)

    def __sub__(self, other: Operand) -> "Tensor":
        return self._binary(R.Sub, other)

    def __rsub__(self, other: Operand) -> "Tensor":
        return self._binary(R.Sub, other, reflected=True)

    def __mul__(self, other: Operand) -> "Tensor":
        return self._binary(R.Mul, other)

    def __rmul__(self, other: Operand) -> "Tensor":
        return self._binary(R.Mul, other, reflected=True)

    def __truediv__(self, other: Operand) -> "Tensor":
        return self._binary(R.Div, other)

    def __rtruediv__(self, other: Operand) -> "Tensor":
        return self._binary(R.Div, other, reflected=True)

    def __pow__(self, other: Operand) -> "Tensor":
        return self._binary(R.Pow, other)

    def __rpow__(self, other: Operand) -> "Tensor":
        return self._binary(R.Pow, other, reflected=True)

    # Bitwise operators: integer and boolean tensors only, outside the graph, as in PyTorch.
    def _bitwise(self, ufunc: Any, other: Any, name: str, reflected: builtins.bool = False
                 ) -> Any:
        operand = _operand(other)
        if operand is None:
            return NotImplemented
        raw = operand._data if isinstance(operand, Tensor) else operand
        a, b = (raw, self._data) if reflected else (self._data, raw)
        for x in (a, b):
            kind = np.asarray(x).dtype.kind
            if kind not in "biu":
                raise R.BitwiseError(f"{name}: only integer and boolean tensors can be "
                                     f"combined bitwise, got {np.asarray(x).dtype}")
        if "shift" in name and np.asarray(a).dtype.kind == np.asarray(b).dtype.kind == "b":
            raise R.BitwiseError(f"{name}: booleans cannot be shifted by booleans (as in "
                                 "PyTorch); convert one to an integer type")
        return _leaf(np.asarray(ufunc(a, b)))

    def bitwise_and(self, other: Any) -> "Tensor":
        """self & other, bit by bit (logical and for booleans)."""
        return self._bitwise(np.bitwise_and, other, "bitwise_and")

    def bitwise_or(self, other: Any) -> "Tensor":
        """self | other, bit by bit."""
        return self._bitwise(np.bitwise_or, other, "bitwise_or")

    def bitwise_xor(self, other: Any) -> "Tensor":
        """self ^ other, bit by bit."""
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor")

    def bitwise_left_shift(self, other: Any) -> "Tensor":
        """self << other (self * 2^other for integers)."""
        return self._bitwise(np.left_shift, other, "bitwise_left_shift")

    def bitwise_right_shift(self, other: Any) -> "Tensor":
        """self >> other (floor(self / 2^other) for integers)."""
        return self._bitwise(np.right_shift, other, "bitwise_right_shift")

    def bitwise_not(self) -> "Tensor":
        """~self: every bit flipped (logical not for booleans)."""
        if self.dtype.kind not in "biu":
            raise TypeError(f"bitwise_not: ~ is only implemented on integer and boolean "
                            f"tensors, got {self.dtype}")
        return _leaf(np.invert(self._data))

    __and__ = bitwise_and
    __or__ = bitwise_or
    __xor__ = bitwise_xor
    __lshift__ = bitwise_left_shift
    __rshift__ = bitwise_right_shift
    __invert__ = bitwise_not

    def __rand__(self, other: Any) -> "Tensor":
        return self._bitwise(np.bitwise_and, other, "bitwise_and", reflected=True)

    def __ror__(self, other: Any) -> "Tensor":
        return self._bitwise(np.bitwise_or, other, "bitwise_or", reflected=True)

    def __rxor__(self, other: Any) -> "Tensor":
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor", reflected=True)

    def __rlshift__(self, other: Any) -> "Tensor":
        return self._bitwise(np.left_shift, other, "bitwise_left_shift", reflected=True)

    def __rrshift__(self, other: Any) -> "Tensor":
        return self._bitwise(np.right_shift, other, "bitwise_right_shift", reflected=True)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> "Tensor":
        """nan, inf and -inf replaced by `nan`, `posinf` and `neginf` (by default the dtype's
        largest and lowest finite values);  d/dself = 1 where finite, 0 where replaced."""
        if self.dtype.kind != "f":
            return self.clone()
        return _apply(R.NanToNum, (self,), (nan, posinf, neginf))

    def __matmul__(self, other: Any) -> "Tensor":
        operand = _operand(other)
        if operand is None:
            return NotImplemented
        return self.matmul(operand)

    def __rmatmul__(self, other: Any) -> "Tensor":
        operand = _operand(other)
        if operand is None:
            return NotImplemented
        return as_tensor(operand).matmul(self)

    # Comparisons give boolean tensors (outside the graph), as in PyTorch.
    def _compare(self, ufunc: Any, other: Any) -> Any:
        operand = _operand(other)
        if operand is None:
            return NotImplemented
        raw = operand._data if isinstance(operand, Tensor) else operand
        return _leaf(np.asarray(ufunc(self._data, raw)))

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(np.greater_equal, other)

    def isnan(self) -> "Tensor":
        """True where the element is nan."""
        return _leaf(np.isnan(self._data) if self.dtype.kind in "fc"
                     else np.zeros(self.shape, bool))

    def isinf(self) -> "Tensor":
        """True where the element is inf or -inf."""
        return _leaf(np.isinf(self._data) if self.dtype.kind in "fc"
                     else np.zeros(self.shape, bool))

    def isfinite(self) -> "Tensor":
        """True where the element is neither nan nor +-inf."""
        return _leaf(np.isfinite(self._data) if self.dtype.kind in "fc"
                     else np.ones(self.shape, bool))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: builtins.bool = False) -> "Tensor":
        """True where |self - other| <= atol + rtol |other| (equal infinities too; nan only
        with equal_nan)."""
        b = other._data if isinstance(other, Tensor) else np.asarray(other)
        with np.errstate(all="ignore"):
            return _leaf(np.asarray(np.isclose(self._data, b, rtol=rtol, atol=atol,
                                               equal_nan=equal_nan)))

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: builtins.bool = False) -> builtins.bool:
        """Whether every element isclose."""
        return builtins.bool(self.isclose(other, rtol, atol, equal_nan)._data.all())

    def equal(self, other: Any) -> builtins.bool:
        """Whether other has this shape and the same values (nan equals nothing)."""
        b = other._data if isinstance(other, Tensor) else np.asarray(other)
        return self.shape == b.shape and builtins.bool(np.array_equal(self._data, b))

    # ---------------------------------------------------------------- matrix products
    def matmul(self, other: Any, _op: str = "matmul") -> "Tensor":
        """self @ other with numpy's rules (1-d, 2-d, batched); both of one dtype, as in
        PyTorch."""
        b = as_tensor(other)
        if b.dtype != self.dtype:
            raise RuntimeError(f"{_op}: both inputs must have the same dtype, got {self.dtype} "
                               f"and {b.dtype}; convert one (.double(), .float(), .to(...))")
        if self.ndim == 0 or b.ndim == 0:
            raise ShapeError(f"{_op}: both inputs need at least one dimension, got shapes "
                             f"{self.shape} and {b.shape}")
        k_a, k_b = self.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            raise ShapeError(f"{_op}: shapes {self.shape} and {b.shape} do not line up: the "
                             f"last dimension of the first ({k_a}) must equal the "
                             f"{'second-to-last' if b.ndim > 1 else 'only'} dimension of the "
                             f"second ({k_b})")
        return _apply(T.MatMul, (self, b))

    def mv(self, vec: Any) -> "Tensor":
        """Matrix (n, k) times vector (k,)."""
        vec = as_tensor(vec)
        _check_ndim("mv", self, 2, "a matrix")
        _check_ndim("mv", vec, 1, "a vector")
        return self.matmul(vec, "mv")

    def mm(self, mat2: Any) -> "Tensor":
        """Matrix (n, k) times matrix (k, m)."""
        mat2 = as_tensor(mat2)
        _check_ndim("mm", self, 2, "a matrix")
        _check_ndim("mm", mat2, 2, "a matrix")
        return self.matmul(mat2, "mm")

    def dot(self, other: Any) -> "Tensor":
        """Dot product of two vectors of the same length."""
        other = as_tensor(other)
        _check_ndim("dot", self, 1, "a vector")
        _check_ndim("dot", other, 1, "a vector")
        return self.matmul(other, "dot")

    # ---------------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
            axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        """The sum over `dim` (an int or a tuple; all elements when None); integers and bools
        add up in int64 unless `dtype` says otherwise, as PyTorch."""
        rule = T.SumAll if dim is None and axis is None else T.Sum
        return _accumulating(self, dtype, "sum")._reduce(rule, dim, keepdim, axis, keepdims)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
             axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        """The mean over `dim` (an int or a tuple; all elements when None). An integer
        tensor needs a floating `dtype`, as in PyTorch."""
        a = self.to(as_dtype(dtype, "mean")) if dtype is not None else self
        if a.dtype.kind not in "fc":
            raise RuntimeError(f"mean: could not infer the output dtype: the input is "
                               f"{a.dtype}, which is not floating point; pass dtype= (e.g. "
                               "autograd.float64) or convert it (.double(), .float())")
        rule = T.MeanAll if dim is None and axis is None else T.Mean
        return a._reduce(rule, dim, keepdim, axis, keepdims)

    def _reduce(self, rule: type[R.Rule], dim: Any, keepdim: bool, axis: Any,
                keepdims: bool | None) -> "Tensor":
        dim = axis if dim is None else dim
        keepdim = keepdims if keepdims is not None else keepdim
        return _apply(rule, (self,), (_dims(dim, self.ndim, rule.name), bool(keepdim)))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest element; with `dim`, (values, indices) along it; with a tensor,
        the elementwise maximum."""
        return self._extreme(T.Max, np.argmax, T.Maximum, dim, keepdim)  # see T.MaxAll

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The smallest element; with `dim`, (values, indices) along it; with a tensor,
        the elementwise minimum."""
        return self._extreme(T.Min, np.argmin, T.Minimum, dim, keepdim)

    def _extreme(self, rule: type[R.Rule], arg: Any, pairwise: type[R.Rule], dim: Any,
                 keepdim: bool) -> Any:
        if isinstance(dim, Tensor):                       # torch.max(a, b) is maximum
            return _apply(pairwise, (self, dim))
        a = self._data
        if dim is None:
            whole = T.MaxAll if rule is T.Max else T.MinAll
            best = rule.forward(a, None, False, None)
            pick = (a == best) | (np.isnan(a) & np.isnan(best))     # a nan is the extreme
            pick = pick / pick.sum()
            return _apply(whole, (self,), (None, False, pick))
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

    # ---------------------------------------------------------------- elementwise, two inputs
    def maximum(self, other: Any) -> "Tensor":
        """The elementwise maximum (a tie splits the gradient in half)."""
        return _apply(T.Maximum, (self, _operand_or_fail(other, "maximum")))

    def minimum(self, other: Any) -> "Tensor":
        """The elementwise minimum (a tie splits the gradient in half)."""
        return _apply(T.Minimum, (self, _operand_or_fail(other, "minimum")))

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        """Each element limited to [min, max] (either may be None): both numbers, or both
        tensors (broadcasting, each bound then gets its gradient where it is the result)."""
        if min is None and max is None:
            raise ValueError("clamp: give at least one of min and max")
        tensors = [isinstance(b, Tensor) for b in (min, max) if b is not None]
        if any(tensors):
            if not all(tensors):
                raise TypeError(f"clamp: min and max must both be tensors or both numbers, got "
                                f"min={type(min).__name__}, max={type(max).__name__}")
            return _apply(R.ClampTensor, (self, *[None if b is None else b.to(self.dtype)
                                                  for b in (min, max)]))
        return _apply(T.Clamp, (self,), (min, max))

    clip = clamp

    def where(self, condition: Any, other: Any) -> "Tensor":
        """self where `condition` holds, else `other` (as `autograd.where(condition, self,
        other)`)."""
        cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
        return _apply(R.Where, (self, _operand_or_fail(other, "where")), (cond.astype(bool),))

    # ---------------------------------------------------------------- shapes
    def reshape(self, *shape: Any) -> "Tensor":
        """The same elements in a new shape (one dimension may be -1)."""
        return _apply(T.Reshape, (self,), (_shape_arg(shape),), view=self)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Dimensions start_dim to end_dim (all by default) merged into one."""
        if self.ndim == 0:
            _dims((start_dim, end_dim), 0, "flatten")
            return self.reshape(1)
        s = _one_dim(start_dim, self.ndim, "flatten")
        e = _one_dim(end_dim, self.ndim, "flatten")
        if s > e:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = builtins.int(np.prod(self.shape[s:e + 1], dtype=np.int64))
        return self.reshape(self.shape[:s] + (merged,) + self.shape[e + 1:])

    def permute(self, *dims: Any) -> "Tensor":
        """The axes reordered: output axis i is input axis dims[i]."""
        order = _shape_arg(dims)
        if sorted(d % max(self.ndim, 1) for d in order) != list(range(self.ndim)):
            raise ShapeError(f"permute: {order} is not an ordering of the {self.ndim} "
                             f"dimensions of a tensor of shape {self.shape}")
        return _apply(T.Permute, (self,), (tuple(d % self.ndim for d in order),), view=self)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Axes dim0 and dim1 swapped."""
        if self.ndim == 0:
            _dims((dim0, dim1), 0, "transpose")       # 0 or -1, else an IndexError
            return _apply(T.Transpose, (self,), ((),), view=self)
        dims = list(range(self.ndim))
        try:
            dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        except IndexError:
            raise IndexError(f"transpose: dims {dim0}, {dim1} are out of range for shape "
                             f"{self.shape}") from None
        return _apply(T.Transpose, (self,), (tuple(dims),), view=self)

    def t(self) -> "Tensor":
        """A matrix transposed (a 0-d or 1-d tensor unchanged)."""
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self) -> "Tensor":
        """All axes reversed."""
        return self.permute(*reversed(range(self.ndim)))

    def squeeze(self, dim: int | None = None) -> "Tensor":
        """Size-1 dimensions removed (only `dim`, if given and of size 1)."""
        shape = self.shape
        if dim is None:
            new = tuple(n for n in shape if n != 1)
        else:
            (d,) = _dims(dim, self.ndim, "squeeze") or (None,)
            new = shape if d is None or shape[d] != 1 else shape[:d] + shape[d + 1:]
        return _apply(T.Squeeze, (self,), (new,), view=self)

    def unsqueeze(self, dim: int) -> "Tensor":
        """A size-1 dimension inserted at `dim`."""
        n = self.ndim + 1
        if not -n <= dim < n:
            raise IndexError(f"unsqueeze: dim {dim} is out of range for a result with {n} dims")
        d = dim % n
        return _apply(T.Unsqueeze, (self,), (self.shape[:d] + (1,) + self.shape[d:],),
                      view=self)

    def expand(self, *sizes: Any) -> "Tensor":
        """A broadcast view with size-1 dimensions grown to `sizes` (-1 keeps a size)."""
        sizes = _shape_arg(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ShapeError(f"expand: cannot expand shape {self.shape} to fewer dims {sizes}")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                      for i, n in enumerate(sizes))
        for i, n in enumerate(self.shape):
            if n != 1 and n != shape[lead + i]:
                raise ShapeError(f"expand: cannot expand shape {self.shape} to {shape} "
                                 f"(dimension {i} has size {n}; only size-1 dimensions can grow)")
        return _apply(T.Expand, (self,), (shape,), view=self)

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(*other.shape)

    def sum_to_size(self, *shape: Any) -> "Tensor":
        """Summed down to `shape` (the reverse of broadcasting)."""
        return T.sum_to(self, _shape_arg(shape))

    # ---------------------------------------------------------------- dtypes and devices
    @property
    def device(self) -> _Device:
        """Where the tensor lives: always the CPU."""
        return CPU

    def to(self, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,
           non_blocking: bool = False) -> "Tensor":
        """This tensor with another dtype and/or on another device, as PyTorch's `to`:
        `t.to(autograd.float32)`, `t.to("cpu")`, `t.to(device, dtype)`, `t.to(other)` (other's
        dtype). Itself when nothing changes (unless `copy=True`); a cast is differentiable."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype if dtype is None else dtype
            elif isinstance(a, (str, _Device)):
                device = a if device is None else device
            else:
                dtype = a if dtype is None else dtype
        check_device(device, "to")
        dt = self.dtype if dtype is None else as_dtype(dtype, "to")
        if dt == self.dtype:
            return self.clone() if copy else self
        if np.dtype(dt).kind not in "fc":      # integers and booleans carry no gradient
            return _leaf(T.Cast.forward(self._data, dt))
        return _apply(T.Cast, (self,), (dt,))

    def cpu(self) -> "Tensor":
        """The tensor on the CPU: itself."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> "Tensor":
        """Refused: chalkgrad has no GPU backend yet (`autograd.cuda.is_available()` is
        False)."""
        check_device("cuda", "cuda")
        return self                                  # pragma: no cover - check_device raises

    def type(self, dtype: Any = None) -> Any:
        """With no argument, the type's name as PyTorch spells it ('torch.DoubleTensor'); with
        a dtype, the tensor converted to it."""
        if dtype is None:
            return _TYPE_NAMES.get(self.dtype.name, self.dtype.name)
        return self.to(dtype)

    def float(self) -> "Tensor":
        """As float32."""
        return self.to(np.float32)

    def double(self) -> "Tensor":
        """As float64."""
        return self.to(np.float64)

    def half(self) -> "Tensor":
        """As float16."""
        return self.to(np.float16)

    def int(self) -> "Tensor":
        """As int32 (PyTorch's int)."""
        return self.to(np.int32)

    def long(self) -> "Tensor":
        """As int64 (PyTorch's long: class labels, indices)."""
        return self.to(np.int64)

    def short(self) -> "Tensor":
        """As int16."""
        return self.to(np.int16)

    def bool(self) -> "Tensor":
        """As booleans (nonzero is True)."""
        return self.to(np.bool_)

    def byte(self) -> "Tensor":
        """As uint8 (images)."""
        return self.to(np.uint8)

    def is_floating_point(self) -> builtins.bool:
        return self.dtype.kind == "f"

    def element_size(self) -> builtins.int:
        """Bytes per element."""
        return self.dtype.itemsize

    # ---------------------------------------------------------------- indexing
    def __getitem__(self, index: Any) -> "Tensor":
        """self[index], as PyTorch indexes: integers, slices, None, Ellipsis, boolean masks
        and integer arrays (lists, tensors). Integers select first, so an integer and an index
        list separated by a slice keep PyTorch's axis order (a[0, :, [0, 1]] has shape (3, 2)
        for a (2, 3, 4) tensor; numpy would give (2, 3))."""
        index = _index(index)
        split = _split_integers(index)
        if split is not None:
            return self[split[0]][split[1]]
        try:
            return _apply(T.GetItem, (self,), (index,), view=self if T._is_basic(index) else None)
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {self.shape})") from None

    # ---------------------------------------------------------------- reductions and scans (more)
    def var(self, dim: Any = None, unbiased: Any = None, keepdim: builtins.bool = False, *,
            correction: Any = None, axis: Any = None, dtype: Any = None, out: Any = None,
            ddof: Any = None, keepdims: Any = None) -> "Tensor":
        """The variance sum (x - mean)^2 / (n - correction) over `dim` (all when None);
        correction 1 (Bessel's) by default, 0 with unbiased=False. n <= correction gives inf
        or nan, as PyTorch."""
        dim, keepdim, correction = _numpy_style(dim, axis, keepdim, keepdims, correction, ddof)
        return _apply(T.Var, (_floating(self, "var"),), _var_args(self, dim, unbiased, keepdim,
                                                                   correction, "var"))

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: builtins.bool = False, *,
            correction: Any = None, axis: Any = None, dtype: Any = None, out: Any = None,
            ddof: Any = None, keepdims: Any = None) -> "Tensor":
        """The standard deviation sqrt(var) (see var for dim and correction)."""
        dim, keepdim, correction = _numpy_style(dim, axis, keepdim, keepdims, correction, ddof)
        return _apply(T.Std, (_floating(self, "std"),), _var_args(self, dim, unbiased, keepdim,
                                                                   correction, "std"))

    def prod(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None,
             axis: Any = None, out: Any = None, keepdims: Any = None) -> "Tensor":
        """The product of the elements (along one `dim`); integers give int64, as PyTorch.
        The gradient is the product of the other elements (exact where some are zero)."""
        dim, keepdim, _ = _numpy_style(dim, axis, keepdim, keepdims, None, None)
        a = _accumulating(self, dtype, "prod")
        if dim is None:
            return _apply(T.ProdAll, (a,), (None, False))
        d = _one_dim(dim, a.ndim, "prod")
        return _apply(T.Prod, (a,), (d if a.ndim else None, builtins.bool(keepdim)))

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> "Tensor":
        """log(sum(exp(x))) over `dim`, computed without overflow (the maximum is taken out)."""
        a = self if self.dtype.kind == "f" else self.to(np.float64)
        return _apply(T.LogSumExp, (a,), (_dims(dim, a.ndim, "logsumexp"),
                                          builtins.bool(keepdim)))

    def softmax(self, dim: builtins.int, dtype: Any = None) -> "Tensor":
        """e^x / sum(e^x) along `dim` (one fused node, no overflow); `dtype` casts first."""
        a = _cast_first(self, dtype, "softmax")
        return _apply(T.Softmax, (a,), (_dims(dim, a.ndim, "softmax"),))

    def log_softmax(self, dim: builtins.int, dtype: Any = None) -> "Tensor":
        """x - log(sum(e^x)) along `dim` (one fused node, no overflow or log(0))."""
        a = _cast_first(self, dtype, "log_softmax")
        return _apply(T.LogSoftmax, (a,), (_dims(dim, a.ndim, "log_softmax"),))

    def amax(self, dim: Any = (), keepdim: builtins.bool = False) -> "Tensor":
        """The maximum over `dim` (all when ()); tied maxima share the gradient evenly."""
        return _apply(T.Amax, (self,), (_dims(dim, self.ndim, "amax"), builtins.bool(keepdim)))

    def amin(self, dim: Any = (), keepdim: builtins.bool = False) -> "Tensor":
        """The minimum over `dim` (all when ()); tied minima share the gradient evenly."""
        return _apply(T.Amin, (self,), (_dims(dim, self.ndim, "amin"), builtins.bool(keepdim)))

    def argmax(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
               out: Any = None, keepdims: Any = None) -> "Tensor":
        """The index of the largest element (of the flattened tensor when dim is None; the
        first of ties; a nan counts as the largest), int64."""
        dim, keepdim, _ = _numpy_style(dim, axis, keepdim, keepdims, None, None)
        return _arg_extreme(self, np.argmax, dim, keepdim, "argmax")

    def argmin(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
               out: Any = None, keepdims: Any = None) -> "Tensor":
        """The index of the smallest element (first of ties; a nan counts as the smallest)."""
        dim, keepdim, _ = _numpy_style(dim, axis, keepdim, keepdims, None, None)
        return _arg_extreme(self, np.argmin, dim, keepdim, "argmin")

    def any(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
            out: Any = None, keepdims: Any = None) -> "Tensor":
        """True where some element over `dim` is nonzero (a bool tensor)."""
        dim, keepdim, _ = _numpy_style(dim, axis, keepdim, keepdims, None, None)
        return _leaf(np.any(self._data, axis=_dims(dim, self.ndim, "any"),
                            keepdims=builtins.bool(keepdim)))

    def all(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
            out: Any = None, keepdims: Any = None) -> "Tensor":
        """True where every element over `dim` is nonzero (a bool tensor)."""
        dim, keepdim, _ = _numpy_style(dim, axis, keepdim, keepdims, None, None)
        return _leaf(np.all(self._data, axis=_dims(dim, self.ndim, "all"),
                            keepdims=builtins.bool(keepdim)))

    def count_nonzero(self, dim: Any = None) -> "Tensor":
        """The number of nonzero elements over `dim` (int64)."""
        return _leaf(np.asarray(np.count_nonzero(self._data, axis=_dims(dim, self.ndim,
                                                                          "count_nonzero")),
                                dtype=np.int64))

    def cumsum(self, dim: Any = None, *, dtype: Any = None, axis: Any = None, out: Any = None
               ) -> "Tensor":
        """Running sums along `dim` (integers accumulate in int64, as PyTorch)."""
        a = _accumulating(self, dtype, "cumsum")
        if dim is None:                             # numpy's np.cumsum(t, axis)
            a, dim = (a.reshape(-1), 0) if axis is None else (a, axis)
        return _apply(T.Cumsum, (a,), (_one_dim(dim, a.ndim, "cumsum"),))

    def cumprod(self, dim: Any = None, *, dtype: Any = None, axis: Any = None,
                out: Any = None) -> "Tensor":
        """Running products along `dim`; the gradient is exact where elements are zero."""
        a = _accumulating(self, dtype, "cumprod")
        if dim is None:
            a, dim = (a.reshape(-1), 0) if axis is None else (a, axis)
        return _apply(T.Cumprod, (a,), (_one_dim(dim, a.ndim, "cumprod"),))

    def logcumsumexp(self, dim: builtins.int) -> "Tensor":
        """Running log(sum(exp(x))) along `dim`, without overflow."""
        return _apply(T.LogCumSumExp, (_floating(self, "logcumsumexp"),),
                      (_one_dim(dim, self.ndim, "logcumsumexp"),))

    def cummax(self, dim: builtins.int) -> Any:
        """(values, indices) of the running maximum along `dim` (a later tie, or a nan,
        takes over the index, as PyTorch)."""
        return _running(self, dim, np.greater_equal, T.Cummax, "cummax")

    def cummin(self, dim: builtins.int) -> Any:
        """(values, indices) of the running minimum along `dim`."""
        return _running(self, dim, np.less_equal, T.Cummin, "cummin")

    def sort(self, dim: builtins.int = -1, descending: builtins.bool = False,
             stable: builtins.bool = False) -> Any:
        """(values, indices) sorted along `dim`; ties keep their order (stable), nan sorts
        as the largest value."""
        d = _one_dim(dim, self.ndim, "sort")
        order = _order(self._data, d, descending)
        return MinMax(self._take(T.Sort, _along(self.shape, order, d)), _leaf(order))

    def argsort(self, dim: builtins.int = -1, descending: builtins.bool = False,
                stable: builtins.bool = False, *, axis: Any = None, kind: Any = None,
                order: Any = None) -> "Tensor":
        """The indices that sort the tensor along `dim` (see sort)."""
        dim = dim if axis is None else axis
        return _leaf(_order(self._data, _one_dim(dim, self.ndim, "argsort"), descending))

    def topk(self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True,
             sorted: builtins.bool = True) -> Any:
        """(values, indices) of the k largest (or smallest) elements along `dim`, in order.
        Among equal values the first ones are taken (PyTorch may pick others of the ties)."""
        d = _one_dim(dim, self.ndim, "topk")
        n = self.shape[d] if self.ndim else 1
        if not 0 <= k <= n:
            raise IndexError(f"topk: k ({k}) is out of range for dimension {dim} of size {n}")
        order = _order(self._data, d, largest)
        order = order[(slice(None),) * d + (slice(0, k),)] if self.ndim else order
        return MinMax(self._take(T.Topk, _along(self.shape, order, d)), _leaf(order))

    def median(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The lower of the two middle values (a nan if there is one); with `dim`,
        (values, indices) along it. Without dim, tied medians share the gradient."""
        a = self._data
        if dim is None:
            if a.size == 0:
                raise RuntimeError("median: cannot take the median of an empty tensor")
            flat = a.reshape(-1)
            pos = _median_positions(flat, 0)
            best = flat[pos]
            pick = (a == best) | (np.isnan(a) & np.isnan(best))
            return _apply(T.MedianAll, (self,), (pick / pick.sum(),))
        d = _one_dim(dim, self.ndim, "median")
        if self.ndim == 0:
            return MinMax(self._take(T.Median, np.zeros((), dtype=np.intp)),
                          _leaf(np.zeros((), dtype=np.int64)))
        pos = np.expand_dims(_median_positions(a, d), d)
        flat = _along(self.shape, pos, d)
        if not keepdim:
            flat, pos = np.squeeze(flat, d), np.squeeze(pos, d)
        return MinMax(self._take(T.Median, flat), _leaf(pos))

    def mode(self, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        """(values, indices): the most frequent value along `dim` (the smallest of equally
        frequent ones) and the position of its last occurrence, as PyTorch."""
        d = _one_dim(dim, self.ndim, "mode")
        if self.ndim == 0:
            return MinMax(self._take(T.Mode, np.zeros((), dtype=np.intp)),
                          _leaf(np.zeros((), dtype=np.int64)))
        if self.shape[d] == 0:
            raise IndexError(f"mode: dimension {d} is empty")
        x = np.moveaxis(self._data, d, -1)
        rows = x.reshape(-1, x.shape[-1])
        pos = np.empty(rows.shape[0], dtype=np.int64)
        for r, row in enumerate(rows):
            vals, counts = np.unique(row, return_counts=True, equal_nan=False)
            best = vals[np.argmax(counts)]
            hits = np.flatnonzero((row == best) | (np.isnan(row) & np.isnan(best))
                                  if row.dtype.kind in "fc" else row == best)
            pos[r] = hits[-1]
        idx = np.expand_dims(pos.reshape(x.shape[:-1]), d)
        flat = _along(self.shape, idx, d)
        if not keepdim:
            flat, idx = np.squeeze(flat, d), np.squeeze(idx, d)
        return MinMax(self._take(T.Mode, flat), _leaf(idx))

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False,
             dtype: Any = None) -> "Tensor":
        """The p-norm (sum |x|^p)^(1/p) over `dim` (all elements when None): p = 2 or "fro"
        by default, inf (max |x|), -inf (min |x|), 0 (count of nonzeros), any other number."""
        if p == "fro" or p is None:
            p = 2
        if isinstance(p, str):
            raise ValueError(f"norm: p must be a number or 'fro', got {p!r}")
        return _vector_norm(self, float(p), dim, keepdim, dtype, "norm")

    # ---------------------------------------------------------------- indexing (more)
    def _take(self, rule: builtins.type[R.Rule], flat: np.ndarray) -> "Tensor":
        """`rule` (a kind of tensor_rules.Take) picking the elements at the flat positions
        `flat` (an integer array of the result's shape)."""
        return _apply(rule, (self,), (np.asarray(flat, dtype=np.intp),))

    def gather(self, dim: builtins.int, index: Any) -> "Tensor":
        """out[i][j] = self[index[i][j]][j] for dim 0 (index picks along `dim`; index may be
        smaller than self in the other dimensions)."""
        d = _one_dim(dim, self.ndim, "gather")
        idx = _index_tensor(index, "gather", "index")
        p = _along_positions(self.shape, idx, d, "gather")
        return self._take(T.Gather, p)

    def take(self, index: Any, axis: Any = None, out: Any = None, mode: Any = None
             ) -> "Tensor":
        """The elements at `index` of the tensor read as 1-d (negative indices count from
        the end); the result has index's shape."""
        if axis is not None:                        # numpy's np.take(t, index, axis)
            return self.index_select(axis, index)
        idx = _index_tensor(index, "take", "index")
        n = self._data.size
        _check_range(idx, -n, n, "take", "the flattened input", n)
        return self._take(T.Take, np.where(idx < 0, idx + n, idx))

    def index_select(self, dim: builtins.int, index: Any) -> "Tensor":
        """The slices at the positions `index` (a 1-d integer tensor) along `dim`."""
        d = _one_dim(dim, self.ndim, "index_select")
        idx = _index_tensor(index, "index_select", "index")
        if idx.ndim > 1:
            raise ShapeError(f"index_select: index must be 0-d or 1-d, got shape {idx.shape}")
        shape = self.shape if self.ndim else (1,)
        _check_range(idx, 0, shape[d], "index_select", f"dimension {d}", shape[d])
        flat = np.take(_positions(shape), idx.reshape(-1), axis=d)
        return self._take(T.IndexSelect, flat if self.ndim else flat.reshape(()))

    def masked_fill(self, mask: Any, value: Any) -> "Tensor":
        """`value` where `mask` (a bool tensor broadcastable to self) is True, self elsewhere."""
        m = _bool_mask(mask, None, "masked_fill")
        try:
            shape = np.broadcast_shapes(m.shape, self.shape)
        except ValueError:
            raise ShapeError(f"masked_fill: mask of shape {m.shape} and input of shape "
                             f"{self.shape} cannot be broadcast together") from None
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill: a tensor value must be 0-d, got shape "
                                   f"{value.shape}")
            v: Any = value.to(self.dtype) if value.dtype != self.dtype else value
        else:
            v = _scalar_as(value, self.dtype, "masked_fill")
            v = v.item() if isinstance(v, np.generic) else v
        out = _apply(T.MaskedFill, (v, self), (np.broadcast_to(m, shape),))
        if out.dtype != self.dtype:
            out._data = out._data.astype(self.dtype)
        return out

    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        """masked_fill, in place."""
        return self._modify("masked_fill_", lambda base: base.masked_fill(mask, value),
                            value if isinstance(value, Tensor) else None)

    def masked_select(self, mask: Any) -> "Tensor":
        """The elements where `mask` is True, as a 1-d tensor (mask and self broadcast)."""
        m = _bool_mask(mask, None, "masked_select")
        try:
            shape = np.broadcast_shapes(m.shape, self.shape)
        except ValueError:
            raise ShapeError(f"masked_select: mask of shape {m.shape} and input of shape "
                             f"{self.shape} cannot be broadcast together") from None
        flat = np.broadcast_to(_positions(self.shape), shape)[np.broadcast_to(m, shape)]
        return self._take(T.MaskedSelect, flat)

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with
        as_tuple=True one 1-d tensor per dimension."""
        if as_tuple:
            if self.ndim == 0:
                return (_leaf(np.flatnonzero(self._data.reshape(1)).astype(np.int64)),)
            return tuple(_leaf(i.astype(np.int64)) for i in np.nonzero(self._data))
        return _leaf(np.argwhere(self._data).astype(np.int64))

    def scatter(self, dim: builtins.int, index: Any, src: Any = None, value: Any = None, *,
                reduce: Any = None) -> "Tensor":
        """A copy of self with src (a tensor) or value (a number) written at `index` along
        `dim`: self[index[i][j]][j] = src[i][j] for dim 0."""
        if reduce is not None:
            raise NotImplementedError("scatter: reduce= is not supported; use scatter_reduce")
        if src is None:
            src = value
        d = _one_dim(dim, self.ndim, "scatter")
        idx = _index_tensor(index, "scatter", "index")
        p = _along_positions(self.shape, idx, d, "scatter")
        if not isinstance(src, Tensor):
            number = _scalar_as(src, self.dtype, "scatter")
            return _apply(T.ScatterValue, (self,), (p, number))
        return _apply(T.ScatterAlong, (self, src), (p, _src_positions(src, idx, "scatter"),
                                                    None))

    def scatter_add(self, dim: builtins.int, index: Any, src: "Tensor") -> "Tensor":
        """A copy of self with src added at `index` along `dim` (repeated indices add up)."""
        d = _one_dim(dim, self.ndim, "scatter_add")
        idx = _index_tensor(index, "scatter_add", "index")
        p = _along_positions(self.shape, idx, d, "scatter_add")
        return _apply(T.ScatterAddAlong, (self, as_tensor(src)),
                      (p, _src_positions(as_tensor(src), idx, "scatter_add"), "sum"))

    def scatter_reduce(self, dim: builtins.int, index: Any, src: "Tensor", reduce: str, *,
                       include_self: builtins.bool = True) -> "Tensor":
        """A copy of self with src reduced into it at `index` along `dim`: reduce is "sum",
        "prod", "mean", "amax" or "amin"; include_self=False leaves self's values at the
        written positions out of the reduction. (The gradient of "prod" is exact, but its
        own derivative treats the other contributors' product as a constant.)"""
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise RuntimeError(f"scatter_reduce: reduce must be 'sum', 'prod', 'mean', 'amax' "
                               f"or 'amin', got {reduce!r}")
        d = _one_dim(dim, self.ndim, "scatter_reduce")
        idx = _index_tensor(index, "scatter_reduce", "index")
        p = _along_positions(self.shape, idx, d, "scatter_reduce")
        source = as_tensor(src)
        if source.dtype != self.dtype:
            raise RuntimeError(f"scatter_reduce: self is {self.dtype} and src {source.dtype}; "
                               "they must have the same dtype")
        return _apply(T.ScatterReduce, (self, source),
                      (p, _src_positions(source, idx, "scatter_reduce"), reduce,
                       builtins.bool(include_self)))

    def index_add(self, dim: builtins.int, index: Any, source: "Tensor", *, alpha: Any = 1
                  ) -> "Tensor":
        """A copy of self with alpha * source's slices added at the positions `index`
        along `dim`."""
        d = _one_dim(dim, self.ndim, "index_add")
        idx = _index_tensor(index, "index_add", "index").reshape(-1)
        shape = self.shape if self.ndim else (1,)
        _check_range(idx, 0, shape[d], "index_add", f"dimension {d}", shape[d])
        source = as_tensor(source)
        want = shape[:d] + (idx.size,) + shape[d + 1:]
        if source.ndim and source.shape != want or (not source.ndim and want != (1,)):
            raise ShapeError(f"index_add: source has shape {source.shape}, expected {want} "
                             f"(self's shape with dimension {d} the length of index)")
        p = np.take(_positions(shape), idx, axis=d)
        if alpha != 1:
            source = source * alpha
        q = np.arange(source._data.size).reshape(p.shape)
        return _apply(T.IndexAdd, (self, source), (p, q, "sum"))

    # ---------------------------------------------------------------- rearranging
    def flip(self, *dims: Any) -> "Tensor":
        """The elements in reverse order along each of `dims`."""
        ds = _dims(_shape_arg(dims), self.ndim, "flip") or ()
        return self._take(T.Flip, np.flip(_positions(self.shape), ds))

    def roll(self, shifts: Any, dims: Any = None) -> "Tensor":
        """The elements shifted by `shifts` along `dims` (wrapping around); without dims the
        tensor is flattened, shifted and shaped back."""
        base = _positions(self.shape)
        if dims is None:
            flat = np.roll(base.reshape(-1), shifts).reshape(self.shape)
        else:
            ds = dims if isinstance(dims, (tuple, list)) else (dims,)
            ss = shifts if isinstance(shifts, (tuple, list)) else (shifts,)
            if len(ds) != len(ss):
                raise ValueError(f"roll: {len(ss)} shifts for {len(ds)} dims")
            for d in ds:
                _one_dim(d, self.ndim, "roll")
            flat = np.roll(base, tuple(ss), tuple(ds)) if self.ndim else base
        return self._take(T.Roll, flat)

    def repeat(self, *sizes: Any, axis: Any = _NUMPY_ONLY) -> "Tensor":
        """The tensor tiled sizes[i] times along dimension i (sizes may add leading ones)."""
        if axis is not _NUMPY_ONLY:                 # np.repeat(t, n, axis): numpy's meaning
            return self.repeat_interleave(sizes[0], axis)
        reps = _shape_arg(sizes)
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: {len(reps)} repeat counts for a tensor with "
                               f"{self.ndim} dimensions (give at least one per dimension)")
        return self._take(T.Repeat, np.tile(_positions(self.shape), reps))

    def tile(self, *dims: Any) -> "Tensor":
        """As repeat, with missing leading repeat counts taken as 1."""
        reps = _shape_arg(dims)
        reps = (1,) * (self.ndim - len(reps)) + reps
        return self._take(T.Repeat, np.tile(_positions(self.shape), reps))

    def repeat_interleave(self, repeats: Any, dim: Any = None) -> "Tensor":
        """Each element (or slice along `dim`) repeated `repeats` times (an int, or one count
        per element); flattened first when dim is None."""
        reps = repeats._data if isinstance(repeats, Tensor) else repeats
        base = _positions(self.shape)
        if dim is None:
            flat = np.repeat(base.reshape(-1), reps)
        else:
            flat = np.repeat(base, reps, axis=_one_dim(dim, self.ndim, "repeat_interleave")
                             ) if self.ndim else np.repeat(base.reshape(1), reps)
        return self._take(T.RepeatInterleave, flat)

    def split(self, split_size_or_sections: Any, dim: builtins.int = 0) -> tuple:
        """Pieces along `dim`: of `split_size` each (the last may be smaller), or of the
        given sizes (they must add up to the dimension)."""
        d = _one_dim(dim, self.ndim, "split")
        if self.ndim == 0:
            raise RuntimeError("split: cannot split a 0-d tensor")
        n = self.shape[d]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [int(s) for s in split_size_or_sections]
            if builtins.sum(sizes) != n:
                raise RuntimeError(f"split: sizes {sizes} add up to {builtins.sum(sizes)}, but "
                                   f"dimension {d} has size {n}")
        else:
            step = int(split_size_or_sections)
            if step <= 0 and n:
                raise RuntimeError(f"split: split_size must be positive, got {step}")
            sizes = [builtins.min(step, n - s) for s in range(0, n, step)] if n else [0]
        out, start = [], 0
        for s in sizes:
            out.append(self._slice(d, start, start + s, T.Split))
            start += s
        return tuple(out)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        """At most `chunks` pieces of equal size (ceil(n / chunks)) along `dim`."""
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
        d = _one_dim(dim, self.ndim, "chunk")
        n = self.shape[d] if self.ndim else 1
        return self.split(builtins.max(-(-n // chunks), 1), d)

    def unbind(self, dim: builtins.int = 0) -> tuple:
        """The slices along `dim`, that dimension removed."""
        d = _one_dim(dim, self.ndim, "unbind")
        if self.ndim == 0:
            raise IndexError("unbind: a 0-d tensor has no dimension to unbind")
        return tuple(_apply(T.Unbind, (self,), ((slice(None),) * d + (i,),), view=self)
                     for i in range(self.shape[d]))

    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> "Tensor":
        """The slice start:start+length along `dim` (a view)."""
        d = _one_dim(dim, self.ndim, "narrow")
        n = self.shape[d]
        start = start + n if start < 0 else start
        if not (0 <= start <= n and 0 <= length and start + length <= n):
            raise IndexError(f"narrow: start {start} and length {length} do not fit dimension "
                             f"{d} of size {n}")
        return self._slice(d, start, start + length, T.Narrow)

    def _slice(self, d: builtins.int, start: builtins.int, stop: builtins.int,
               rule: builtins.type[R.Rule]) -> "Tensor":
        return _apply(rule, (self,), ((slice(None),) * d + (slice(start, stop),),), view=self)

    def tril(self, diagonal: builtins.int = 0) -> "Tensor":
        """The lower triangle (on and below diagonal `diagonal`) of the last two dims."""
        _at_least_2d(self, "tril")
        return _apply(T.Tril, (self,), (int(diagonal),))

    def triu(self, diagonal: builtins.int = 0) -> "Tensor":
        """The upper triangle (on and above diagonal `diagonal`) of the last two dims."""
        _at_least_2d(self, "triu")
        return _apply(T.Triu, (self,), (int(diagonal),))

    def diagonal(self, offset: builtins.int = 0, dim1: builtins.int = 0,
                 dim2: builtins.int = 1) -> "Tensor":
        """The diagonal `offset` of the matrices in dims dim1, dim2, as a new last dim."""
        _at_least_2d(self, "diagonal")
        d1, d2 = _one_dim(dim1, self.ndim, "diagonal"), _one_dim(dim2, self.ndim, "diagonal")
        if d1 == d2:
            raise RuntimeError(f"diagonal: dim1 and dim2 are the same dimension ({d1})")
        return self._take(T.Diagonal, np.diagonal(_positions(self.shape), offset, d1, d2))

    def diag(self, diagonal: builtins.int = 0) -> "Tensor":
        """A vector made the diagonal `diagonal` of a square matrix, or a matrix's diagonal."""
        if self.ndim == 2:
            return self._take(T.Diagonal, np.diagonal(_positions(self.shape), diagonal))
        if self.ndim != 1:
            raise RuntimeError(f"diag: expected a 1-d or 2-d tensor, got shape {self.shape}")
        n = self.shape[0] + builtins.abs(diagonal)
        where = np.diagonal(_positions((n, n)), diagonal)
        return _apply(T.DiagPlace, (self,), ((n, n), where, 0))

    def trace(self, offset: Any = 0, axis1: Any = 0, axis2: Any = 1, dtype: Any = None,
              out: Any = None) -> "Tensor":
        """The sum of a matrix's diagonal."""
        _check_ndim("trace", self, 2, "a matrix")
        return _apply(T.Trace, (self,))

    def unflatten(self, dim: builtins.int, sizes: Any) -> "Tensor":
        """Dimension `dim` split into `sizes` (one may be -1)."""
        d = _one_dim(dim, self.ndim, "unflatten")
        sizes = tuple(int(s) for s in sizes)
        n = self.shape[d]
        if -1 in sizes:
            known = int(np.prod([s for s in sizes if s != -1]))
            sizes = tuple(n // known if s == -1 and known else s for s in sizes)
        if int(np.prod(sizes)) != n:
            raise RuntimeError(f"unflatten: sizes {sizes} do not multiply to the size {n} of "
                               f"dimension {d}")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def movedim(self, source: Any, destination: Any) -> "Tensor":
        """Dimensions `source` moved to positions `destination` (the others keep their
        order)."""
        src = source if isinstance(source, (tuple, list)) else (source,)
        dst = destination if isinstance(destination, (tuple, list)) else (destination,)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: {len(src)} source dims but {len(dst)} destinations")
        if self.ndim == 0:
            _dims(tuple(src) + tuple(dst), 0, "movedim")
            return self.permute()
        s = [_one_dim(x, self.ndim, "movedim") for x in src]
        t = [_one_dim(x, self.ndim, "movedim") for x in dst]
        if len(set(s)) != len(s) or len(set(t)) != len(t):
            raise RuntimeError(f"movedim: repeated dims in {source} or {destination}")
        rest = iter(i for i in range(self.ndim) if i not in s)
        placed = dict(zip(t, s))
        return self.permute(*[placed[i] if i in placed else next(rest) for i in range(self.ndim)])

    moveaxis = movedim

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> "Tensor":
        """Dimensions axis0 and axis1 exchanged (transpose)."""
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def unfold(self, dimension: builtins.int, size: builtins.int, step: builtins.int) -> "Tensor":
        """The windows of `size` elements every `step` along `dimension`: that dimension
        becomes the number of windows and a new last one of `size` is added."""
        d = _one_dim(dimension, self.ndim, "unfold")
        base = _positions(self.shape if self.ndim else (1,))
        n = base.shape[d]
        if size > n or size < 0:
            raise RuntimeError(f"unfold: size {size} exceeds the size {n} of dimension {d}")
        if step <= 0:
            raise RuntimeError(f"unfold: step must be positive, got {step}")
        win = np.lib.stride_tricks.sliding_window_view(base, size, axis=d)
        win = win[(slice(None),) * d + (slice(None, None, step),)]
        if self.ndim == 0:
            win = win.reshape(-1)
        return self._take(T.Unfold, win)

    def outer(self, vec2: Any) -> "Tensor":
        """The outer product out[i, j] = self[i] * vec2[j] of two vectors."""
        other = as_tensor(vec2)
        _check_ndim("outer", self, 1, "a vector")
        _check_ndim("outer", other, 1, "a vector")
        return self.unsqueeze(1) * other

    ger = outer

    def cross(self, other: Any, dim: Any = None) -> "Tensor":
        """The cross product of 3-vectors along `dim` (the first dimension of size 3 when
        None, as torch.cross); the inputs broadcast."""
        b = as_tensor(other)
        shape = np.broadcast_shapes(self.shape, b.shape)
        if dim is None:
            dim = next((i for i, n in enumerate(shape) if n == 3), None)
            if dim is None:
                raise RuntimeError(f"cross: no dimension of size 3 in shape {shape}")
        d = _one_dim(dim, len(shape), "cross")
        if shape[d] != 3:
            raise RuntimeError(f"cross: dimension {d} has size {shape[d]}, expected 3")
        a = self.expand(*shape) if self.shape != shape else self
        b = b.expand(*shape) if b.shape != shape else b
        return _apply(T.Cross, (a, b), (d,))

    def broadcast_to(self, *size: Any) -> "Tensor":
        """The tensor broadcast to `size` (expand)."""
        return self.expand(*size)

    def contiguous(self, memory_format: Any = None) -> "Tensor":
        """The tensor itself (numpy arrays need no compacting here)."""
        return self

    def view_as(self, other: "Tensor") -> "Tensor":
        """This tensor in other's shape."""
        return self.reshape(other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        """This tensor in other's shape."""
        return self.reshape(other.shape)

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        """As PyTorch prints it (autograd.printing): the values, then the dtype when it is
        not float64, int64 or bool, then grad_fn or requires_grad."""
        return tensor_repr(self._data, self._suffixes())

    def _suffixes(self) -> list[str]:
        out = []
        shown = (np.float64,) if self._data.size == 0 else (np.float64, np.int64, np.bool_)
        if self.dtype not in shown:                 # (an empty tensor shows int64 and bool)
            out.append(f"dtype={self.dtype}")
        if self._rule is not None:
            out.append(f"grad_fn=<{self._rule.torch_name}>")
        elif self.requires_grad:
            out.append("requires_grad=True")
        return out


# ---------------------------------------------------------------- construction
def _init(t: Tensor, arr: np.ndarray, requires_grad: bool = False) -> None:
    if requires_grad and arr.dtype.kind != "f":
        raise RuntimeError(f"only floating point tensors can require gradients, got {arr.dtype}"
                           + (" (complex functions are not differentiated here)"
                              if arr.dtype.kind == "c" else ""))
    t._data = arr
    t._grad = None
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
    t._data, t._grad, t.requires_grad, t._g, t._parents = arr, None, False, None, ()
    t._rule, t._saved, t._born, t._vc, t._retains_grad = None, (), 0, [0], False
    return t


def _leaf(arr: Any, requires_grad: bool = False) -> Tensor:
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
        raise ShapeError(_shape_message(rule, parents, e)) from None
    return _record(data, rule, parents, saved, view, needs_grad)


def _record(data: Any, rule: Any, parents: tuple, saved: tuple = (),
            view: Tensor | None = None, needs_grad: bool = True) -> Tensor:
    """The result `data` of `rule` on `parents` as a Tensor: a graph node when grad mode is
    on and `needs_grad` (an input requires grad), else a plain tensor."""
    out = _new(Tensor)
    out._data = data if data.__class__ is np.ndarray else np.asarray(data)
    out._grad = None
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


# ---------------------------------------------------------------- operands and arguments
def _operand(x: Any) -> Any:
    """A Tensor stays; a Python number stays raw (a constant); an array becomes a Tensor;
    anything else is None."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.generic):        # first: np.float64 is a float, but numpy treats it as
        return x.item()                  # a float64 array (float32 * it would give float64)
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, (np.ndarray, list, tuple)):
        return _leaf(np.asarray(x))
    if isinstance(x, numbers.Real):
        return float(x)
    return None


def _operand_or_fail(x: Any, op: str) -> Any:
    operand = _operand(x)
    if operand is None:
        raise TypeError(f"{op}: expected a tensor or a number, got {type(x).__name__}")
    return operand


def as_tensor(x: Any) -> Tensor:
    """x itself if it is a Tensor, else a tensor of its data (no copy for an array)."""
    return x if isinstance(x, Tensor) else _leaf(np.asarray(x))


def _tensors(xs: Sequence[Any], op: str) -> list:
    if not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [as_tensor(x) for x in xs]


def _check_ndim(op: str, t: Tensor, ndim: int, what: str) -> None:
    if t.ndim != ndim:
        raise ShapeError(f"{op}: expected {what} ({ndim}-d), got shape {t.shape}")


def _dims(dim: Any, ndim: int, op: str) -> tuple | None:
    if dim is None:
        return None
    if ndim == 0:           # a 0-d tensor has one dim to name, as PyTorch: 0 or -1
        for d in (tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)):
            if d not in (0, -1):
                raise IndexError(f"{op}: dim {d} is out of range for a 0-d tensor (expected "
                                 "-1 or 0)")
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


def _shape_arg(shape: Sequence[Any]) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def _split_integers(index: Any) -> tuple | None:
    """For an index that mixes integers with index arrays: (the integers, as a basic index
    that keeps every other axis; the rest), applied one after the other as PyTorch does.
    None for any other index."""
    if not isinstance(index, tuple):
        return None
    ints = [isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))
            for i in index]
    arrays = [isinstance(i, (np.ndarray, list)) for i in index]
    if not any(ints) or not any(arrays):
        return None
    first = tuple(i if is_int or i is None or i is Ellipsis else slice(None)
                  for i, is_int in zip(index, ints))
    rest = tuple(slice(None) if i is None else i for i, is_int in zip(index, ints)
                 if not is_int)
    return first, rest


def _index(index: Any) -> Any:
    # An index tensor is copied: the graph saves it, and the tensor may change in place later.
    if isinstance(index, Tensor):
        return _index_copy(index)
    if isinstance(index, tuple):
        return tuple(_index_copy(i) if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _index_copy(index: Tensor) -> np.ndarray:
    """An index tensor's array (copied); only integers and bools index, as in PyTorch."""
    if index.dtype.kind not in "iub":
        raise IndexError(f"indexing: tensors used as indices must be integer (int64) or bool, "
                         f"got {index.dtype}")
    return index._data.copy()


# ---------------------------------------------------------------- reductions, indexing: helpers
def _one_dim(dim: Any, ndim: int, op: str) -> int:
    """One dimension, checked and made non-negative (a 0-d tensor takes 0 or -1 and gives 0)."""
    if isinstance(dim, (tuple, list)):
        if len(dim) != 1:
            raise TypeError(f"{op}: expected one dim (an int), got {dim}")
        dim = dim[0]
    if isinstance(dim, builtins.bool) or not isinstance(dim, (builtins.int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} "
                         f"dimensions (expected {-n} to {n - 1})")
    return builtins.int(dim) % n


def _floating(t: Tensor, op: str) -> Tensor:
    if t.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype} (convert "
                           "it with .double() or .float())")
    return t


def _var_args(t: Tensor, dim: Any, unbiased: Any, keepdim: Any, correction: Any, op: str
              ) -> tuple:
    if isinstance(dim, builtins.bool):               # var(True): PyTorch's var(unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: give unbiased or correction, not both")
    c = (1 if unbiased is None or unbiased else 0) if correction is None else correction
    return (_dims(dim, t.ndim, op), float(c), builtins.bool(keepdim))


def _accumulating(t: Tensor, dtype: Any, op: str) -> Tensor:
    """The input of a sum-like op: cast to `dtype` if given, integers and bools to int64."""
    if dtype is not None:
        return t.to(as_dtype(dtype, op))
    if t.dtype.kind in "biu" and t.dtype != np.int64:
        return t.to(np.int64)
    return t


def _cast_first(t: Tensor, dtype: Any, op: str) -> Tensor:
    if dtype is not None:
        return t.to(as_dtype(dtype, op))
    if t.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype} (pass "
                           "dtype= or convert it)")
    return t


def _arg_extreme(t: Tensor, arg: Any, dim: Any, keepdim: Any, op: str) -> Tensor:
    a = t._data
    if a.size == 0:
        raise RuntimeError(f"{op}: cannot take the {op} of an empty tensor")
    if dim is None:
        i = np.asarray(arg(a), dtype=np.int64)
        return _leaf(i.reshape((1,) * a.ndim) if keepdim else i)
    d = _one_dim(dim, t.ndim, op)
    if a.ndim == 0:
        return _leaf(np.zeros((), dtype=np.int64))
    return _leaf(np.asarray(arg(a, axis=d, keepdims=builtins.bool(keepdim)), dtype=np.int64))


def _positions(shape: tuple) -> np.ndarray:
    """Each element's position in the flattened tensor, in the tensor's shape."""
    return np.arange(builtins.int(np.prod(shape, dtype=np.int64)), dtype=np.intp).reshape(shape)


def _along(shape: tuple, index: np.ndarray, d: int) -> np.ndarray:
    """The flat positions of the elements that `index` picks along dimension d."""
    if not shape:
        return np.zeros(index.shape, dtype=np.intp)
    return np.take_along_axis(_positions(shape), index.astype(np.intp), d)


def _order(a: np.ndarray, d: int, descending: Any) -> np.ndarray:
    """Stable sorting indices along d (nan last; descending keeps ties in order, nan first)."""
    if a.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        return np.argsort(a, axis=d, kind="stable").astype(np.int64)
    n = a.shape[d]
    r = np.argsort(np.flip(a, d), axis=d, kind="stable")
    return np.flip(n - 1 - r, d).astype(np.int64)


def _median_positions(a: np.ndarray, d: int) -> np.ndarray:
    """Along d: the index of the lower middle value in stable order, or of the first nan."""
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"median: dimension {d} is empty")
    order = np.argsort(a, axis=d, kind="stable")
    mid = np.take(order, (n - 1) // 2, axis=d)
    if a.dtype.kind in "fc":
        nan = np.isnan(a)
        first_nan = np.argmax(nan, axis=d)
        mid = np.where(np.any(nan, axis=d), first_nan, mid)
    return np.asarray(mid, dtype=np.int64)


def _running(t: Tensor, dim: int, better: Any, rule: type[R.Rule], op: str) -> Any:
    d = _one_dim(dim, t.ndim, op)
    if t.ndim == 0:
        return MinMax(t._take(rule, np.zeros((), dtype=np.intp)),
                      _leaf(np.zeros((), dtype=np.int64)))
    x = np.moveaxis(t._data, d, 0)
    idx = np.zeros(x.shape, dtype=np.int64)
    if x.shape[0]:
        cur, where = x[0].copy(), np.zeros(x.shape[1:], dtype=np.int64)
        nan_kind = x.dtype.kind in "fc"
        for i in range(x.shape[0]):
            take = better(x[i], cur)
            if nan_kind:
                take |= np.isnan(x[i])
            cur = np.where(take, x[i], cur)
            where = np.where(take, i, where)
            idx[i] = where
    idx = np.moveaxis(idx, 0, d)
    return MinMax(t._take(rule, _along(t.shape, idx, d)), _leaf(idx))


def _vector_norm(t: Tensor, ord: float, dim: Any, keepdim: Any, dtype: Any, op: str
                 ) -> Tensor:
    a = t.to(as_dtype(dtype, op)) if dtype is not None else t
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {a.dtype}")
    dims = _dims(dim, a.ndim, op)
    if ord < 0 and a._data.size == 0:
        raise RuntimeError(f"{op}: a norm of order {ord} of an empty tensor is undefined")
    return _apply(T.VectorNorm, (a,), (ord, dims, builtins.bool(keepdim)))


def _index_tensor(index: Any, op: str, what: str) -> np.ndarray:
    """An index argument as an integer array; float or bool index tensors are refused."""
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        if arr.size == 0 and arr.dtype.kind == "f" and not isinstance(index, Tensor):
            return arr.astype(np.int64)
        raise RuntimeError(f"{op}: {what} must be an integer tensor (int64), got {arr.dtype}")
    return arr.astype(np.int64, copy=True)


def _check_range(idx: np.ndarray, lo: int, hi: int, op: str, where: str, size: int) -> None:
    bad = (idx < lo) | (idx >= hi)
    if np.any(bad):
        v = builtins.int(idx[bad].reshape(-1)[0])
        raise IndexError(f"{op}: index {v} is out of range for {where} of size {size}")


def _along_positions(shape: tuple, idx: np.ndarray, d: int, op: str) -> np.ndarray:
    """gather/scatter: the flat position in a tensor of `shape` of self[..., idx, ...] for each
    element of idx (index along d; no larger than the tensor in the other dimensions)."""
    shape = shape if shape else (1,)
    idx = idx if idx.ndim else idx.reshape((1,) * len(shape))
    if idx.ndim != len(shape):
        raise RuntimeError(f"{op}: index has {idx.ndim} dimensions, the input {len(shape)}; "
                           "they must have the same number")
    for k, (m, n) in enumerate(zip(idx.shape, shape)):
        if k != d and m > n:
            raise RuntimeError(f"{op}: index has size {m} in dimension {k}, larger than the "
                               f"input's {n}")
    _check_range(idx, 0, shape[d], op, f"dimension {d}", shape[d])
    part = _positions(shape)[tuple(slice(0, m) if k != d else slice(None)
                                   for k, m in enumerate(idx.shape))]
    return np.take_along_axis(part, idx.astype(np.intp), d)


def _src_positions(src: Tensor, idx: np.ndarray, op: str) -> np.ndarray:
    """scatter: the flat positions in src of the elements used (index's shape from the
    corner of src)."""
    shape = src.shape if src.ndim else (1,)
    ishape = idx.shape if idx.ndim else (1,) * len(shape)
    if len(ishape) != len(shape) or builtins.any(m > n for m, n in zip(ishape, shape)):
        raise RuntimeError(f"{op}: index of shape {idx.shape} is larger than src of shape "
                           f"{src.shape}")
    return _positions(shape)[tuple(slice(0, m) for m in ishape)]


def _bool_mask(mask: Any, shape: tuple | None, op: str) -> np.ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{op}: mask must be a bool tensor, got {m.dtype}")
    if shape is not None:
        try:
            ok = np.broadcast_shapes(m.shape, shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(f"{op}: mask of shape {m.shape} cannot be broadcast to the "
                             f"input's shape {shape}")
    return m


def _at_least_2d(t: Tensor, op: str) -> None:
    if t.ndim < 2:
        raise RuntimeError(f"{op}: expected a tensor with at least 2 dimensions, got shape "
                           f"{t.shape}")


def _numpy_style(dim: Any, axis: Any, keepdim: Any, keepdims: Any, correction: Any,
                 ddof: Any) -> tuple:
    """numpy's spelling (np.all(t), np.std(t, ddof=0) call these methods with axis=,
    keepdims=, ddof=) mapped onto PyTorch's."""
    return (axis if dim is None else dim, keepdim if keepdims is None else keepdims,
            ddof if correction is None else correction)
