"""Gradient checking: compare backward()'s gradients with finite differences.

For a function f of inputs x_0 .. x_{n-1} returning a scalar, the *numerical* gradient
with respect to x_i is the central difference

    n_i = (f(.., x_i + eps, ..) - f(.., x_i - eps, ..)) / (2 eps),

whose error is O(eps^2) (the Taylor terms of even order cancel) plus rounding of
about |f| * 1e-16 / eps. The *analytic* gradient a_i is what `f(*x).backward()` puts
into `x_i.grad`. `gradcheck` accepts input i when

    |a_i - n_i| <= atol + rtol * |n_i|      (or a_i == n_i, for matching infinities).

Both are computed on fresh copies of the inputs, so neither the inputs' `.data` nor
any `.grad` the caller can see is changed.

Input types are handled by a small adapter (`_Kind`); `_kind_of` is the one place that
dispatches on the type of an input, so supporting `Tensor` means adding one adapter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .engine import Node, topological_order
from .gradcheck_tensor import check_tensor, gradgradcheck, tensor_jacobians
from .tensor import Tensor
from .value import Value

__all__ = ["numerical_grad", "analytic_grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "Mismatch"]


class GradcheckError(AssertionError):
    """backward()'s gradient disagrees with the finite-difference one for some inputs.

    `mismatches` lists them (one `Mismatch` per failing input)."""

    def __init__(self, message: str, mismatches: Sequence["Mismatch"] = ()) -> None:
        super().__init__(message)
        self.mismatches = list(mismatches)


@dataclass(frozen=True)
class Mismatch:
    """One input whose gradients disagree: |analytic - numerical| > tolerance."""

    index: int
    label: str
    analytic: float
    numerical: float
    tolerance: float
    element: tuple | None = None    # Tensor inputs: the input element and the output element
    output: tuple | None = None     # of the first mismatching Jacobian entry
    count: int = 1                  # how many Jacobian entries of this input disagree

    def describe(self) -> str:
        if self.element is not None:
            where = (f"input {self.index}, element {self.element}, output element "
                     f"{self.output}")
            more = f"; {self.count} entries of this input's Jacobian disagree" \
                if self.count > 1 else ""
        else:
            where = f"input {self.index} ({repr(self.label) if self.label else 'unlabelled'})"
            more = ""
        return (f"{where}: analytic {self.analytic!r}, numerical {self.numerical!r} "
                f"(|difference| {abs(self.analytic - self.numerical)!r} > "
                f"{self.tolerance!r}){more}")


# ---------------------------------------------------------------- input kinds
class _Kind:
    """How gradcheck sees a Value input. (Tensor inputs go to `gradcheck_tensor`, which
    compares whole Jacobians element by element.)"""

    node_type: type = Value

    @staticmethod
    def fresh(x: Value, data: float) -> Value:
        """A new leaf with x's label and the given data (no graph, gradient 0)."""
        return Value(data, label=x.label)

    @staticmethod
    def point(x: Value) -> float:
        return x.data

    @staticmethod
    def scalar(out: Any) -> float:
        """The number f returned, as a float (the thing being differentiated)."""
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__} "
                            f"({out!r}); compute the result from the inputs with Value ops")
        return out.data


def _kind_of(inputs: Any, who: str) -> type[_Kind]:
    """Validate `inputs` (a non-empty sequence of Values) and pick their adapter."""
    if isinstance(inputs, Node) or not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(f"{who}: inputs must be a list or tuple of Values (or of Tensors), got "
                        f"{type(inputs).__name__}; wrap a single Value as [x]")
    if len(inputs) == 0:
        raise ValueError(f"{who}: inputs is empty; pass the Values f is a function of")
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"{who}: inputs[{i}] must be an autograd.Value, got "
                            f"{type(x).__name__} ({x!r})")
    return _Kind


def _all_tensors(inputs: Any) -> bool:
    return (isinstance(inputs, (list, tuple)) and len(inputs) > 0
            and all(isinstance(x, Tensor) for x in inputs))


def _check_f(f: Any, who: str) -> None:
    if not callable(f):
        raise TypeError(f"{who}: f must be callable (a function of the inputs), "
                        f"got {type(f).__name__}")


# ---------------------------------------------------------------- the checks
def numerical_grad(f: Callable[..., Value], inputs: Sequence[Value],
                   eps: float = 1e-6) -> list[float]:
    """Central differences: [(f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for each input i].

    f is called as f(*values) on fresh copies of the inputs, so `inputs` are not touched.
    """
    _check_f(f, "numerical_grad")
    if not (isinstance(eps, (int, float)) and eps > 0 and math.isfinite(eps)):
        raise ValueError(f"numerical_grad: eps must be a positive finite number, got {eps!r}")
    if _all_tensors(inputs):
        # one array per input: the gradient (shaped like the input) of a one-element output,
        # else the Jacobian (output size x input size)
        _, numerical, out_shape = tensor_jacobians(f, inputs, eps)
        one = int(np.prod(out_shape)) == 1
        return [None if n is None else (n.reshape(x.shape) if one else n)
                for x, n in zip(inputs, numerical, strict=True)]
    kind = _kind_of(inputs, "numerical_grad")
    if not (isinstance(eps, (int, float)) and eps > 0 and math.isfinite(eps)):
        raise ValueError(f"numerical_grad: eps must be a positive finite number, got {eps!r}")
    point = [kind.point(x) for x in inputs]

    def f_at(i: int, shift: float) -> float:
        args = [kind.fresh(x, p + shift if j == i else p)
                for j, (x, p) in enumerate(zip(inputs, point, strict=True))]
        try:
            out = f(*args)
        except (ArithmeticError, ValueError) as e:
            raise ValueError(f"numerical_grad: f is not defined at input {i} = {point[i]!r} "
                             f"{'+' if shift > 0 else '-'} {eps!r} ({e}); move the point away "
                             "from the edge of f's domain or use a smaller eps") from e
        return kind.scalar(out)

    return [(f_at(i, eps) - f_at(i, -eps)) / (2 * eps) for i in range(len(inputs))]


def analytic_grad(f: Callable[..., Value], inputs: Sequence[Value]) -> list[float]:
    """[d f / d x_i] as `f(*copies).backward()` leaves it in each copy's `.grad`.

    Any other node of f's graph (a Value f closes over) gets its `.grad` back afterwards.
    """
    _check_f(f, "analytic_grad")
    kind = _kind_of(inputs, "analytic_grad")
    copies = [kind.fresh(x, kind.point(x)) for x in inputs]
    out = f(*copies)
    kind.scalar(out)                        # type check before touching anything
    own = set(map(id, copies))
    others = [n for n in topological_order(out) if id(n) not in own]
    saved = [n.grad for n in others]
    try:
        out.backward()
        return [float(c.grad) for c in copies]
    finally:
        for n, g in zip(others, saved, strict=True):
            n.grad = g


def gradcheck(f: Callable[..., Value], inputs: Sequence[Value], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check backward() against central differences; True, or raise `GradcheckError`.

    Input i passes when |a_i - n_i| <= atol + rtol |n_i| (a_i: backward's gradient,
    n_i: `numerical_grad`). The error's message names every failing input by index and
    label with both numbers. A function that cuts its own graph (uses `x.data`) fails,
    because backward cannot see through the cut but finite differences can.
    """
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(tol, (int, float)) and tol >= 0):
            raise ValueError(f"gradcheck: {name} must be a non-negative number, got {tol!r}")
    if _all_tensors(inputs):
        _check_f(f, "gradcheck")
        if not (isinstance(eps, (int, float)) and eps > 0 and math.isfinite(eps)):
            raise ValueError(f"gradcheck: eps must be a positive finite number, got {eps!r}")
        return check_tensor(f, inputs, eps, atol, rtol, Mismatch, GradcheckError)
    analytic = analytic_grad(f, inputs)
    numerical = numerical_grad(f, inputs, eps)
    bad = []
    for i, (x, a, n) in enumerate(zip(inputs, analytic, numerical, strict=True)):
        tolerance = atol + rtol * abs(n)
        if not (a == n or abs(a - n) <= tolerance):     # nan compares False: a mismatch
            bad.append(Mismatch(i, x.label, a, n, tolerance))
    if bad:
        lines = "\n  ".join(m.describe() for m in bad)
        raise GradcheckError(f"gradcheck: backward() disagrees with central differences "
                             f"(eps={eps!r}, atol={atol!r}, rtol={rtol!r}) for {len(bad)} of "
                             f"{len(inputs)} inputs:\n  {lines}", bad)
    return True
