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
from typing import Any, Sequence, Union

from . import rules as R
from .engine import Node
from .engine import backward as _backward

__all__ = ["Value", "lincomb"]

Number = Union[int, float]
_new = object.__new__


class Value(Node):
    """A scalar node: `.data` (float), `.grad` (float), `.label`, and the op that made it."""

    __slots__ = ("data", "_g", "label", "_parents", "_rule", "__weakref__")
    _saved = ()     # scalar ops have no non-differentiable arguments

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, Value):
            data = data.data
        elif not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__} "
                            f"({data!r})")
        self.data = float(data)
        self._g = 0.0
        self.label = label
        self._parents: tuple = ()
        self._rule = None

    # ---------------------------------------------------------------- gradient
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
        return f"Value(data={self.data!r}, grad={self.grad!r}{op}{label})"

    def __float__(self) -> float:
        return self.data

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the diagram of its graph (text repr without Graphviz)."""
        from .graphviz import repr_svg
        return repr_svg(self)

    # ---------------------------------------------------------------- ops
    def _apply(self, rule: type[R.Rule]) -> "Value":
        """A unary op: run the rule's forward, record the node."""
        out = _new(Value)
        out.data = rule.forward(self.data)
        out._g = 0.0
        out.label = ""
        out._parents = (self,)
        out._rule = rule
        return out

    def __neg__(self) -> "Value":
        return self._apply(R.Neg)

    def __pos__(self) -> "Value":
        return self

    def exp(self) -> "Value":
        """e^x;  d/dx e^x = e^x."""
        return self._apply(R.Exp)

    def log(self) -> "Value":
        """ln x (x > 0);  d/dx ln x = 1/x."""
        return self._apply(R.Log)

    def sqrt(self) -> "Value":
        """sqrt(x) (x >= 0);  d/dx sqrt(x) = 1/(2 sqrt(x)), inf at 0."""
        return self._apply(R.Sqrt)

    def tanh(self) -> "Value":
        """tanh(x);  d/dx tanh(x) = 1 - tanh(x)^2."""
        return self._apply(R.Tanh)

    def sigmoid(self) -> "Value":
        """1/(1+e^-x);  d/dx sigma(x) = sigma(x)(1 - sigma(x))."""
        return self._apply(R.Sigmoid)

    def relu(self) -> "Value":
        """max(x, 0);  derivative 1 for x > 0, else 0."""
        return self._apply(R.Relu)

    def abs(self) -> "Value":
        """|x|;  derivative sign(x) (0 at 0)."""
        return self._apply(R.Abs)

    __abs__ = abs

    # Comparisons look at .data (handy for max-margin losses); == stays identity,
    # so Values can be dictionary keys and set members.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other)

    __hash__ = Node.__hash__


def _binary(rule: type[R.Rule], reflected: bool = False) -> Any:
    """Make the operator method for a binary rule; `reflected` for 2 * v, 1 / v, 2 ** v.

    Generated once per operator (not per op), so no closure refers to a node.
    """
    forward = rule.forward

    def op(self: Value, other: Any) -> Any:
        if other.__class__ is Value:
            od = other.data
        elif other.__class__ is float or other.__class__ is int or isinstance(other, numbers.Real):
            other = od = float(other)
        else:
            return NotImplemented
        out = _new(Value)
        if reflected:
            out.data = forward(od, self.data)
            out._parents = (other, self)
        else:
            out.data = forward(self.data, od)
            out._parents = (self, other)
        out._g = 0.0
        out.label = ""
        out._rule = rule
        return out

    op.__name__ = f"__{'r' if reflected else ''}{rule.name}__"
    op.__doc__ = rule.__doc__
    return op


for _rule, _name in ((R.Add, "add"), (R.Sub, "sub"), (R.Mul, "mul"), (R.Div, "truediv"),
                     (R.Pow, "pow")):
    setattr(Value, f"__{_name}__", _binary(_rule))
    setattr(Value, f"__r{_name}__", _binary(_rule, reflected=True))
del _rule, _name


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


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
        data = R.LinComb.forward(map(_get_data, weights), map(_get_data, inputs), bias.data)
    else:
        raw = [_constant(p) for p in parents]
        parents = tuple(p if isinstance(p, Value) else r for p, r in zip(parents, raw))
        data = R.LinComb.forward(raw[:n], raw[n:2 * n], raw[-1])
    out = _new(Value)
    out.data = data
    out._parents = parents
    out._g = 0.0
    out.label = ""
    out._rule = R.LinComb
    return out


_JUST_VALUE = {Value}
_get_data = operator.attrgetter("data")


def _constant(x: Any) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"lincomb: expected Values or real numbers, got {type(x).__name__} ({x!r})")
