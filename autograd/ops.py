"""The elementwise operations that `Value` and `Tensor` share, one method per rule of
`rules.ELEMENTWISE`; `function` turns a method into its `autograd.NAME` function.

Both classes inherit `Ops` and supply `_unary(rule, *saved)`, which runs a rule on the
node's own data and records the result as a new node of the same class. So `x.exp()` is
one line here for a Value and a Tensor alike, a traceback names `exp`, and a type
checker sees `Value.exp() -> Value` and `Tensor.exp() -> Tensor`.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Protocol, TypeVar, cast, overload

from . import rules as R

__all__ = ["Ops", "function", "elementwise", "UnaryFunction"]

N = TypeVar("N", bound="Ops")
F = TypeVar("F", bound=Callable[..., Any])


class Ops:
    """Methods of every elementwise rule (the math is in each rule's docstring)."""

    __slots__ = ()

    def _unary(self: N, rule: type[R.Rule], *saved: Any) -> N:
        """`rule` applied to this node (with `saved` arguments): a new node."""
        raise NotImplementedError

    def _binary(self: N, rule: type[R.Rule], other: Any, reflected: bool = False) -> Any:
        """`rule` on (self, other), or (other, self) when reflected: a new node, or
        NotImplemented for an operand of the wrong type (so Python tries the other side)."""
        raise NotImplementedError

    def _named(self: N, rule: type[R.Rule], other: Any) -> N:
        out = self._binary(rule, other)
        if out is NotImplemented:
            raise TypeError(f"{rule.name}: expected a {type(self).__name__} or a number, got "
                            f"{type(other).__name__}")
        return out

    def add(self: N, other: Any) -> N:
        """self + other;  d/dself = 1, d/dother = 1."""
        return self._named(R.Add, other)

    def sub(self: N, other: Any) -> N:
        """self - other;  d/dself = 1, d/dother = -1."""
        return self._named(R.Sub, other)

    def mul(self: N, other: Any) -> N:
        """self * other;  d/dself = other, d/dother = self."""
        return self._named(R.Mul, other)

    def div(self: N, other: Any) -> N:
        """self / other;  d/dself = 1/other, d/dother = -self/other^2."""
        return self._named(R.Div, other)

    def pow(self: N, exponent: Any) -> N:
        """self ** exponent;  d/dself = e self^(e-1), d/de = self^e ln(self)."""
        return self._named(R.Pow, exponent)

    def neg(self: N) -> N:
        """-x;  d/dx = -1."""
        return self._unary(R.Neg)

    def exp(self: N) -> N:
        """e^x;  d/dx e^x = e^x."""
        return self._unary(R.Exp)

    def log(self: N) -> N:
        """ln x (x > 0);  d/dx ln x = 1/x."""
        return self._unary(R.Log)

    def log1p(self: N) -> N:
        """ln(1 + x) (x > -1), exact for small x;  d/dx = 1/(1 + x)."""
        return self._unary(R.Log1p)

    def sin(self: N) -> N:
        """sin x;  d/dx sin x = cos x."""
        return self._unary(R.Sin)

    def cos(self: N) -> N:
        """cos x;  d/dx cos x = -sin x."""
        return self._unary(R.Cos)

    def sqrt(self: N) -> N:
        """sqrt(x) (x >= 0);  d/dx sqrt(x) = 1/(2 sqrt(x)), inf at 0."""
        return self._unary(R.Sqrt)

    def tanh(self: N) -> N:
        """tanh(x);  d/dx tanh(x) = 1 - tanh(x)^2."""
        return self._unary(R.Tanh)

    def sigmoid(self: N) -> N:
        """1/(1+e^-x);  d/dx sigma(x) = sigma(x)(1 - sigma(x))."""
        return self._unary(R.Sigmoid)

    def relu(self: N) -> N:
        """max(x, 0);  derivative 1 for x > 0, else 0."""
        return self._unary(R.Relu)

    def abs(self: N) -> N:
        """|x|;  derivative sign(x) (0 at 0)."""
        return self._unary(R.Abs)

    def __neg__(self: N) -> N:
        return self._unary(R.Neg)

    def __abs__(self: N) -> N:
        return self._unary(R.Abs)

    def __pos__(self: N) -> N:
        return self


def function(method: F) -> F:
    """`method` as a function of its first argument, as PyTorch spells them:
    `autograd.exp(x)` is `x.exp()`. Anything but a Value or a Tensor is a TypeError."""
    name = method.__name__

    @functools.wraps(method)
    def call(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Ops):
            raise TypeError(f"{name}: expected a Tensor or a Value, got "
                            f"{type(input).__name__} ({input!r:.60})")
        return method(input, *args, **kwargs)
    return cast(F, call)



class UnaryFunction(Protocol):
    """The type of `autograd.exp` and its kin: a node gives a node of its own kind, a
    number a float."""

    @overload
    def __call__(self, input: N) -> N: ...

    @overload
    def __call__(self, input: float) -> float: ...


def elementwise(rule: type[R.Rule]) -> UnaryFunction:
    """The function `autograd.NAME` of a one-input rule: `x.NAME()` for a Value or a Tensor
    (the method of `Ops`), the plain number for a number (`autograd.exp(0) == 1.0`)."""
    name = rule.name

    def call(input: Any) -> Any:
        if isinstance(input, Ops):
            return input._unary(rule)
        return rule.forward(R._raw(input, name))

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(Ops, name).__doc__
    return cast(UnaryFunction, call)
