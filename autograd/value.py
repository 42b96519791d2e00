"""`Value`: a scalar that remembers how it was computed, micrograd-style.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + 1
    >>> c.backward()
    >>> a.grad, b.grad          # dc/da = b, dc/db = a
    (-3.0, 2.0)

Every operator looks up its `Rule` in `rules.py`; `backward()` is the shared engine.
A plain number on either side of an operator is a constant: it is kept in the op's
inputs (so diagrams can show it) but gets no gradient.
"""
from __future__ import annotations

import numbers
import operator
from typing import Any, Callable, Sequence, Union

from . import rules as R
from .engine import Node, topological_order
from .engine import backward as _backward
from .ops import Ops

__all__ = ["Value", "lincomb", "zero_grad"]

Number = Union[int, float]
Operand = Union["Value", int, float]
_new = object.__new__


def _operator(rule: type[R.Rule], reflected: bool = False
              ) -> Callable[["Value", Operand], "Value"]:
    """The operator method for a binary rule; `reflected` for 2 * v, 1 / v, 2 ** v.

    Made once per operator (not per op), so no closure refers to a node; the node is
    built inline because this is the hottest code of a scalar graph.
    """
    forward = rule.forward

    def op(self: Value, other: Operand) -> Value:
        if other.__class__ is Value:
            od = other._data
        elif other.__class__ is float or other.__class__ is int or isinstance(other, numbers.Real):
            other = od = float(other)
        else:
            return NotImplemented
        out = _new(Value)
        if reflected:
            out._data = forward(od, self._data)
            out._parents = (other, self)
        else:
            out._data = forward(self._data, od)
            out._parents = (self, other)
        out._g = 0.0
        out.label = ""
        out._rule = rule
        return out

    name = f"__{'r' if reflected else ''}{ {'div': 'truediv'}.get(rule.name, rule.name)}__"
    # tracebacks name the operator (co_qualname exists from Python 3.11 on)
    names: dict[str, Any] = {"co_name": name}
    if hasattr(op.__code__, "co_qualname"):
        names["co_qualname"] = f"Value.{name}"
    op.__code__ = op.__code__.replace(**names)
    op.__name__, op.__qualname__, op.__doc__ = name, f"Value.{name}", rule.__doc__
    return op


class Value(Ops, Node):
    """A scalar node: `.data` (float), `.grad` (float), `.label`, and the op that made it."""

    __slots__ = ("_data", "_g", "label", "_parents", "_rule", "__weakref__")
    label: str
    _saved: tuple = ()      # the arguments of a rule that takes some (see _ValueWithArgs)

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, Value):
            data = data._data
        elif not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__} "
                            f"({data!r})")
        self._data = float(data)
        self._g = 0.0
        self.label = label
        self._parents: tuple = ()
        self._rule: Any = None

    # ---------------------------------------------------------------- data and gradient
    @property
    def data(self) -> float:
        """The number (a float). Assigning to it changes the value, outside the graph."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        self._data = float(value)

    @property
    def grad(self) -> Any:
        """dL/d(self) from the latest backward (leaves: summed over all backward calls)."""
        g = self._g
        return 0.0 if g is None else g

    @grad.setter
    def grad(self, value: Any) -> None:
        self._g = value

    def backward(self, gradient: Any = 1.0, retain_graph: bool = True,
                 create_graph: bool = False) -> None:
        """Fill `.grad` of every value this one depends on, by the chain rule.

        The seed d(self)/d(self) is `gradient` (1.0). Leaves accumulate across calls, as in
        PyTorch: set `v.grad = 0.0` between steps. Interior values hold this call's gradient.
        """
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def zero_grad(self) -> None:
        """Set the gradient of this value and of every value it depends on to 0."""
        zero_grad(self)

    # ---------------------------------------------------------------- graph facts
    @property
    def op(self) -> str:
        """Name of the op that produced this value ('' for a leaf)."""
        return self._rule.name if self._rule is not None else ""

    @property
    def parents(self) -> tuple:
        """The op's inputs in argument order (Values, or floats for constants)."""
        return self._parents or ()

    @property
    def is_leaf(self) -> bool:
        return self._rule is None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._rule is not None else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{op}{label})"

    def __float__(self) -> float:
        return self._data

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the diagram of its graph (text repr without Graphviz)."""
        from .diagrams import repr_svg  # the one upward import: tools draw the core
        return repr_svg(self)

    # ---------------------------------------------------------------- making nodes
    @classmethod
    def _node(cls, rule: Any, parents: tuple, saved: tuple = ()) -> "Value":
        """`rule` on the parents' data (constants stay numbers), as a new node."""
        raw = [p._data if isinstance(p, Value) else _constant(p, rule.name) for p in parents]
        parents = tuple(p if isinstance(p, Value) else r for p, r in zip(parents, raw))
        return _record(float(rule.forward(*raw, *saved)), rule, parents, saved)

    def _binary(self, rule: type[R.Rule], other: Any, reflected: bool = False) -> Any:
        if not isinstance(other, (Value, numbers.Real)):
            return NotImplemented
        return Value._node(rule, (other, self) if reflected else (self, other))

    def _unary(self, rule: type[R.Rule], *saved: Any) -> "Value":
        if saved:
            return _record(rule.forward(self._data, *saved), rule, (self,), saved)
        out = _new(Value)
        out._data = rule.forward(self._data)
        out._g = 0.0
        out.label = ""
        out._parents = (self,)
        out._rule = rule
        return out

    # ---------------------------------------------------------------- arithmetic
    __add__ = _operator(R.Add)
    __radd__ = _operator(R.Add, reflected=True)
    __sub__ = _operator(R.Sub)
    __rsub__ = _operator(R.Sub, reflected=True)
    __mul__ = _operator(R.Mul)
    __rmul__ = _operator(R.Mul, reflected=True)
    __truediv__ = _operator(R.Div)
    __rtruediv__ = _operator(R.Div, reflected=True)
    __pow__ = _operator(R.Pow)
    __rpow__ = _operator(R.Pow, reflected=True)

    # Comparisons look at .data (handy for max-margin losses); == stays identity,
    # so Values can be dictionary keys and set members.
    def __lt__(self, other: Operand) -> bool:
        return self._data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self._data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self._data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self._data >= _data(other)

    __hash__ = Node.__hash__


class _ValueWithArgs(Value):
    """A Value made by a rule with arguments besides its inputs (Function's context, a
    number of decimals): the one kind of Value node that needs a slot for them."""

    __slots__ = ("_saved",)


def _record(data: float, rule: Any, parents: tuple, saved: tuple = ()) -> Value:
    """The result `data` of `rule` on `parents` as a new Value node."""
    out: Value
    if saved:
        out = _new(_ValueWithArgs)
        out._saved = saved
    else:
        out = _new(Value)
    out._data = data
    out._g = 0.0
    out.label = ""
    out._parents = parents
    out._rule = rule
    return out


def _data(x: Any) -> float:
    return x._data if isinstance(x, Value) else x


def _constant(x: Any, op: str) -> float:
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"{op}: expected Values or real numbers, got {type(x).__name__} ({x!r:.60})")


def zero_grad(root: Value) -> None:
    """Set `.grad` to 0 for `root` and every Value it depends on (before a new backward:
    leaves accumulate otherwise)."""
    for node in topological_order(root):
        node._g = 0.0


def lincomb(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = 0.0) -> Value:
    """bias + sum_i weights[i] * inputs[i] as one graph node (a neuron's pre-activation).

    The number `sum((w * x for w, x in zip(weights, inputs)), bias)` computes, with the products
    summed exactly (math.fsum, one rounding), as one node instead of 2n: backward visits one
    node that hands x_i to w_i, w_i to x_i and 1 to the bias. Plain numbers are constants.
    """
    n = len(weights)
    if len(inputs) != n:
        raise ValueError(f"lincomb: {n} weights but {len(inputs)} inputs; they pair up one to one")
    parents = (*weights, *inputs, bias)
    if set(map(type, parents)) == _JUST_VALUE:          # the usual case: all Values
        data = R.LinComb.forward(map(_get_data, weights), map(_get_data, inputs), bias._data)
    else:
        raw = [p._data if isinstance(p, Value) else _constant(p, "lincomb") for p in parents]
        parents = tuple(p if isinstance(p, Value) else r for p, r in zip(parents, raw))
        data = R.LinComb.forward(raw[:n], raw[n:2 * n], raw[-1])
    out = _new(Value)
    out._data = data
    out._parents = parents
    out._g = 0.0
    out.label = ""
    out._rule = R.LinComb
    return out


_JUST_VALUE = {Value}
_get_data = operator.attrgetter("_data")
