"""Property-based gradient tests of your own functions, with hypothesis.

    from hypothesis import given
    from autograd.testing import values, assert_grad_matches

    @given(values(min_value=-3, max_value=3), values(min_value=0.1, max_value=3))
    def test_my_fn(x, y):
        assert_grad_matches(lambda a, b: (a * b).tanh() + b.log(), [x, y])

hypothesis draws many input points, and at each one `assert_grad_matches` compares
backward()'s gradients with central differences (`autograd.gradcheck`). Keep the inputs
inside f's domain and away from points where f is not differentiable (|x| and relu at 0,
1/x and log x near 0) with the bounds of `values` and its `avoid=`, or with `away_from`.

For Tensor functions: `shapes`, `broadcastable_shapes`, `arrays` and `tensors`
(built on `hypothesis.extra.numpy`):

    @given(st.data())
    def test_my_tensor_fn(data):
        s1, s2 = data.draw(broadcastable_shapes(2))
        x, y = data.draw(tensors(s1, 0.1, 3)), data.draw(tensors(s2, -3, 3))
        assert_grad_matches(lambda a, b: (a.log() * b).sum(dim=-1), [x, y])

This module needs hypothesis (a dev dependency); `import autograd` does not load it.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor, _leaf
from ..value import Value
from .gradcheck import GradcheckError, gradcheck

__all__ = ["floats_in", "values", "away_from", "assert_grad_matches", "shapes",
           "broadcastable_shapes", "arrays", "tensors"]


def floats_in(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats x with lo <= x <= hi (never nan, inf or subnormal)."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"floats_in: need finite bounds with lo <= hi, got [{lo!r}, {hi!r}]")
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False)


def away_from(points: float | Iterable[float], margin: float = 0.1) -> Callable[[Any], bool]:
    """A predicate for `.filter`: True when |x - p| >= margin for every p in `points`.

    Accepts floats and Values: `values(-2, 2).filter(away_from(0.0))` keeps |x| >= 0.1;
    for arrays and Tensors every element must be that far away.
    """
    pts = [float(points)] if isinstance(points, (int, float)) else [float(p) for p in points]
    if not margin > 0:
        raise ValueError(f"away_from: margin must be positive, got {margin!r}")

    def far_enough(x: Any) -> bool:
        if isinstance(x, (Tensor, np.ndarray)):
            arr = np.asarray(x._data if isinstance(x, Tensor) else x, dtype=np.float64)
            return all(bool(np.all(np.abs(arr - p) >= margin)) for p in pts)
        v = x._data if isinstance(x, Value) else float(x)
        return all(abs(v - p) >= margin for p in pts)

    far_enough.__name__ = f"away_from({pts!r}, margin={margin!r})"
    return far_enough


def values(min_value: float = -10.0, max_value: float = 10.0, label: str = "",
           avoid: Iterable[float] = (), margin: float = 0.1) -> st.SearchStrategy[Value]:
    """Fresh leaf Values (gradient 0) with data in [min_value, max_value], at least
    `margin` away from each point of `avoid` (kinks and poles of the function under test)."""
    strategy = floats_in(min_value, max_value)
    avoid = list(avoid)
    if avoid:
        strategy = strategy.filter(away_from(avoid, margin))
    return st.builds(Value, strategy, label=st.just(label))


def assert_grad_matches(f: Callable[..., Any], inputs: Sequence[Any], *, eps: float = 1e-6,
                        atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Assert that backward()'s gradients of f at `inputs` match central differences.

    `inputs`: Values (f returns a Value) or Tensors (f returns a Tensor of any shape; its
    whole Jacobian is checked). `autograd.gradcheck` with a message that also gives the
    point, at full precision, so a failure hypothesis found can be replayed by hand.
    Raises `GradcheckError`.
    """
    try:
        gradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol)
    except GradcheckError as e:
        point = ", ".join(_replayable(x) for x in inputs)
        raise GradcheckError(f"{e}\nat the point: gradcheck(f, [{point}])",
                             e.mismatches) from None


def _replayable(x: Any) -> str:
    """Python source that rebuilds x exactly (floats print with repr, which round-trips)."""
    if isinstance(x, Value):
        return f"Value({x._data!r}" + (f", label={x.label!r})" if x.label else ")")
    if isinstance(x, Tensor):
        dtype = "" if x.dtype == np.float64 else f", dtype=autograd.{x.dtype.name}"
        grad = ", requires_grad=True" if x.requires_grad else ""
        return f"autograd.tensor({x._data.tolist()!r}{dtype}{grad})"
    return repr(x)


# ---------------------------------------------------------------- tensors
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
           ) -> st.SearchStrategy[tuple]:
    """Array shapes with min_dims..max_dims axes of min_side..max_side elements each
    (`()`, a 0-d tensor, included when min_dims is 0)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[tuple]:
    """Tuples of `num_shapes` shapes that broadcast together under numpy's rules (sizes 1
    and missing leading axes included), e.g. ((2, 1, 3), (4, 1))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda r: r.input_shapes)


def _inward(lo: float, hi: float, dtype: np.dtype) -> tuple[float, float]:
    """The bounds rounded inwards to numbers `dtype` represents exactly (hypothesis asks)."""
    lo_t, hi_t = dtype.type(lo), dtype.type(hi)
    if lo_t < lo:
        lo_t = np.nextafter(lo_t, dtype.type(np.inf))
    if hi_t > hi:
        hi_t = np.nextafter(hi_t, dtype.type(-np.inf))
    return float(lo_t), float(hi_t)


def arrays(shape: Any, min_value: float = -10.0, max_value: float = 10.0,
           dtype: Any = np.float64, away_from: float | Iterable[float] = (),
           margin: float = 0.1) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays of `shape` (a tuple, or a strategy such as `shapes()`) whose elements
    are finite, in [min_value, max_value] and at least `margin` from each point of
    `away_from` (the kinks and poles of the function under test). `dtype`: float64 or
    float32 (elements exactly representable, bounds rounded inwards)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or dtype.itemsize not in (4, 8):
        raise ValueError(f"arrays: dtype must be float32 or float64, got {dtype}")
    lo, hi = float(min_value), float(max_value)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"arrays: need finite bounds with min_value <= max_value, got "
                         f"[{lo!r}, {hi!r}]")
    lo, hi = _inward(lo, hi, dtype)
    elements = st.floats(lo, hi, width=8 * dtype.itemsize, allow_nan=False,
                         allow_infinity=False, allow_subnormal=False)
    points = [float(away_from)] if isinstance(away_from, (int, float)) else list(away_from)
    if points:
        elements = elements.filter(_away(points, margin))
    return hnp.arrays(dtype=dtype, shape=shape, elements=elements)


def tensors(shape: Any, min_value: float = -10.0, max_value: float = 10.0,
            dtype: Any = np.float64, away_from: float | Iterable[float] = (),
            margin: float = 0.1, requires_grad: bool = True) -> st.SearchStrategy[Tensor]:
    """Fresh leaf Tensors (requires_grad=True unless told) holding `arrays(...)` of the
    same arguments; each tensor owns its array and keeps its dtype."""
    return arrays(shape, min_value, max_value, dtype, away_from, margin).map(
        lambda a: _leaf(np.array(a, copy=True), requires_grad=requires_grad))


_away = away_from       # (the name `away_from` is also a parameter of arrays and tensors)
