"""The elementwise operations that `Value` and `Tensor` share, one method per rule of
`rules.ELEMENTWISE`; `function` turns a method into its `autograd.NAME` function.

Both classes inherit `Ops` and supply `_unary(rule, *saved)`, which runs a rule on the
node's own data and records the result as a new node of the same class. So `x.exp()` is
one line here for a Value and a Tensor alike, a traceback names `exp`, and a type
checker sees `Value.exp() -> Value` and `Tensor.exp() -> Tensor`.
"""
from __future__ import annotations

import functools
import numbers
from typing import Any, Callable, Protocol, TypeVar, cast, overload

import numpy as np

from . import rules as R

__all__ = ["Ops", "function", "elementwise", "UnaryFunction", "OptionError"]

N = TypeVar("N", bound="Ops")
F = TypeVar("F", bound=Callable[..., Any])


class _Unset:
    """The default of an argument whose absence PyTorch tells from an explicit None (`div`'s
    rounding_mode: DivBackward0, or DivBackward2 when it is given)."""

    def __repr__(self) -> str:
        return "None"


None_ = _Unset()


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

    def add(self: N, other: Any, *, alpha: Any = 1) -> N:
        """self + alpha other;  d/dself = 1, d/dother = alpha."""
        return self._named(R.Add, _scaled(other, alpha))

    def sub(self: N, other: Any, *, alpha: Any = 1) -> N:
        """self - alpha other;  d/dself = 1, d/dother = -alpha."""
        return self._named(R.Sub, _scaled(other, alpha))

    def mul(self: N, other: Any) -> N:
        """self * other;  d/dself = other, d/dother = self."""
        return self._named(R.Mul, other)

    def div(self: N, other: Any, *, rounding_mode: Any = None_) -> N:
        """self / other;  d/dself = 1/other, d/dother = -self/other^2. With
        rounding_mode="trunc" or "floor", the quotient rounded toward 0 or toward -inf
        (integers stay integers), with derivative 0."""
        return self._named(_DIVISIONS[_rounding_mode(rounding_mode, "div")], other)

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

    # ---------------------------------------------------------------- more math
    def tan(self: N) -> N:
        """tan x;  d/dx tan x = 1 + tan(x)^2."""
        return self._unary(R.Tan)

    def asin(self: N) -> N:
        """arcsin x (|x| <= 1);  d/dx = 1/sqrt(1 - x^2)."""
        return self._unary(R.Asin)

    def acos(self: N) -> N:
        """arccos x (|x| <= 1);  d/dx = -1/sqrt(1 - x^2)."""
        return self._unary(R.Acos)

    def atan(self: N) -> N:
        """arctan x;  d/dx = 1/(1 + x^2)."""
        return self._unary(R.Atan)

    def sinh(self: N) -> N:
        """sinh x;  d/dx = cosh x."""
        return self._unary(R.Sinh)

    def cosh(self: N) -> N:
        """cosh x;  d/dx = sinh x."""
        return self._unary(R.Cosh)

    def asinh(self: N) -> N:
        """arsinh x;  d/dx = 1/sqrt(x^2 + 1)."""
        return self._unary(R.Asinh)

    def acosh(self: N) -> N:
        """arcosh x (x >= 1);  d/dx = 1/sqrt(x^2 - 1)."""
        return self._unary(R.Acosh)

    def atanh(self: N) -> N:
        """artanh x (|x| < 1);  d/dx = 1/(1 - x^2)."""
        return self._unary(R.Atanh)

    def exp2(self: N) -> N:
        """2^x;  d/dx = 2^x ln 2."""
        return self._unary(R.Exp2)

    def expm1(self: N) -> N:
        """e^x - 1, exact for small x;  d/dx = e^x."""
        return self._unary(R.Expm1)

    def log2(self: N) -> N:
        """log2 x (x > 0);  d/dx = 1/(x ln 2)."""
        return self._unary(R.Log2)

    def log10(self: N) -> N:
        """log10 x (x > 0);  d/dx = 1/(x ln 10)."""
        return self._unary(R.Log10)

    def rsqrt(self: N) -> N:
        """1/sqrt(x) (x > 0);  d/dx = -1/(2 x^(3/2))."""
        return self._unary(R.Rsqrt)

    def reciprocal(self: N) -> N:
        """1/x;  d/dx = -1/x^2."""
        return self._unary(R.Reciprocal)

    def square(self: N) -> N:
        """x^2;  d/dx = 2x."""
        return self._unary(R.Square)

    def erf(self: N) -> N:
        """erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt;  d/dx = 2/sqrt(pi) e^(-x^2)."""
        return self._unary(R.Erf)

    def erfc(self: N) -> N:
        """erfc x = 1 - erf x;  d/dx = -2/sqrt(pi) e^(-x^2)."""
        return self._unary(R.Erfc)

    def erfinv(self: N) -> N:
        """erf^-1 x (-1 < x < 1);  d/dx = sqrt(pi)/2 e^(erfinv(x)^2)."""
        return self._unary(R.Erfinv)

    def sign(self: N) -> N:
        """-1, 0 or 1 by the sign of x;  derivative 0."""
        return self._unary(R.Sign)

    def floor(self: N) -> N:
        """The largest integer <= x;  derivative 0."""
        return self._unary(R.Floor)

    def ceil(self: N) -> N:
        """The smallest integer >= x;  derivative 0."""
        return self._unary(R.Ceil)

    def trunc(self: N) -> N:
        """x rounded toward 0;  derivative 0."""
        return self._unary(R.Trunc)

    def round(self: N, decimals: Any = None_) -> N:
        """x rounded half to even (at `decimals` digits, 0 by default: round(x 10^d) / 10^d);
        derivative 0."""
        if decimals is None_:
            return self._unary(R.Round)
        return self._unary(R.RoundDecimals, int(decimals))

    def frac(self: N) -> N:
        """x - trunc(x);  d/dx = 1."""
        return self._unary(R.Frac)

    def atan2(self: N, other: Any) -> N:
        """atan2(self, other), the angle of (other, self);  d/dself = other/(self^2 + other^2),
        d/dother = -self/(self^2 + other^2)."""
        return self._named(R.Atan2, other)

    def hypot(self: N, other: Any) -> N:
        """sqrt(self^2 + other^2);  d/dself = self/out, d/dother = other/out."""
        return self._named(R.Hypot, other)

    def logaddexp(self: N, other: Any) -> N:
        """ln(e^self + e^other), without overflow;  d/dself = 1/(1 + e^(other-self))."""
        return self._named(R.Logaddexp, other)

    def copysign(self: N, other: Any) -> N:
        """|self| with the sign of other;  d/dself = out/self (0 at 0), d/dother = 0."""
        return self._named(R.Copysign, other)

    def fmod(self: N, other: Any) -> N:
        """self - trunc(self/other) other (the sign of self);  d/dself = 1,
        d/dother = -trunc(self/other)."""
        return self._named(R.Fmod, other)

    def remainder(self: N, other: Any) -> N:
        """self - floor(self/other) other (the sign of other, Python's %);  d/dself = 1,
        d/dother = -floor(self/other)."""
        return self._named(R.Remainder, other)

    def floor_divide(self: N, other: Any) -> N:
        """floor(self / other) (Python's //); not differentiable, as in PyTorch."""
        return self._named(R.FloorDivide, other)

    def lerp(self: N, end: Any, weight: Any) -> N:
        """self + weight (end - self);  d/dself = 1 - weight, d/dend = weight,
        d/dweight = end - self (weight a number or a node)."""
        if isinstance(weight, Ops):
            return R.Lerp.apply(self, end, weight)
        return R.LerpScalar.apply(self, end, saved=(float(weight),))

    def true_divide(self: N, other: Any) -> N:
        """self / other (PyTorch's alias of div)."""
        return self._named(R.Div, other)

    def multiply(self: N, other: Any) -> N:
        """self * other (PyTorch's alias of mul)."""
        return self._named(R.Mul, other)

    def subtract(self: N, other: Any, *, alpha: Any = 1) -> N:
        """self - alpha other (PyTorch's alias of sub)."""
        return self.sub(other, alpha=alpha)

    def __floordiv__(self: N, other: Any) -> N:
        return self._binary(R.FloorDivide, other)

    def __rfloordiv__(self: N, other: Any) -> N:
        return self._binary(R.FloorDivide, other, reflected=True)

    def __mod__(self: N, other: Any) -> N:
        return self._binary(R.Remainder, other)

    def __rmod__(self: N, other: Any) -> N:
        return self._binary(R.Remainder, other, reflected=True)

    def __neg__(self: N) -> N:
        return self._unary(R.Neg)

    def __abs__(self: N) -> N:
        return self._unary(R.Abs)

    def __pos__(self: N) -> N:
        return self


class OptionError(ValueError, RuntimeError):
    """An argument outside its allowed values (PyTorch raises a RuntimeError there)."""


_DIVISIONS: dict[Any, type[R.Rule]] = {None_: R.Div, None: R.DivMode, "trunc": R.DivTrunc,
                                       "floor": R.DivFloor}


def _rounding_mode(mode: Any, op: str) -> Any:
    if not (mode is None_ or mode is None or (isinstance(mode, str) and mode in _DIVISIONS)):
        raise OptionError(f"{op}: rounding_mode must be None, 'trunc' or 'floor', got {mode!r}")
    return mode


def _scaled(other: Any, alpha: Any) -> Any:
    """alpha * other for add/sub's `alpha=` (other itself when alpha is 1)."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Number):
        raise TypeError(f"alpha must be a number, got {type(alpha).__name__}")
    if alpha == 1:
        return other
    if isinstance(other, (Ops, numbers.Number)):
        return cast(Any, other) * alpha
    return np.asarray(other) * alpha


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
