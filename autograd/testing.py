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

This module needs hypothesis (a dev dependency); `import autograd` does not load it.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

from hypothesis import strategies as st

from .gradcheck import GradcheckError, gradcheck
from .value import Value

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

    Accepts floats and Values: `values(-2, 2).filter(away_from(0.0))` keeps |x| >= 0.1.
    """
    pts = [float(points)] if isinstance(points, (int, float)) else [float(p) for p in points]
    if not margin > 0:
        raise ValueError(f"away_from: margin must be positive, got {margin!r}")

    def far_enough(x: Any) -> bool:
        v = x.data if isinstance(x, Value) else float(x)
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
    """Assert that backward()'s gradients of f at `inputs` (Values, or Tensors) match
    central differences.

    `autograd.gradcheck` with a message that also gives the point, at full precision, so a
    failure hypothesis found can be replayed by hand. Raises `GradcheckError`.
    """
    try:
        gradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol)
    except GradcheckError as e:
        point = ", ".join(f"Value({x.data!r}" + (f", label={x.label!r})" if x.label else ")")
                          if isinstance(x, Value) else f"tensor({x.data.tolist()!r})"
                          for x in inputs)
        raise GradcheckError(f"{e}\nat the point: gradcheck(f, [{point}])",
                             e.mismatches) from None


# ---------------------------------------------------------------- tensors
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
           ) -> st.SearchStrategy[tuple]:
    """Array shapes, 0-d (`()`) included when min_dims is 0."""
    from hypothesis.extra import numpy as hnp
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[tuple]:
    """`num_shapes` shapes that broadcast together (numpy's rules), e.g. ((2, 1, 3), (4, 1))."""
    from hypothesis.extra import numpy as hnp
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims,
                                             max_dims=max_dims, min_side=min_side,
                                             max_side=max_side).map(lambda r: r.input_shapes)


def arrays(shape: Any, min_value: float = -10.0, max_value: float = 10.0,
           dtype: Any = "float64", avoid: Iterable[float] = (), margin: float = 0.1
           ) -> st.SearchStrategy[Any]:
    """numpy arrays of `shape` (a tuple or a strategy of tuples) with every element in
    [min_value, max_value] and at least `margin` from each point of `avoid`."""
    from hypothesis.extra import numpy as hnp
    elements = floats_in(min_value, max_value)
    avoid = list(avoid)
    if avoid:
        elements = elements.filter(away_from(avoid, margin))
    if str(dtype) == "float32":
        elements = elements.map(lambda v: float(__import__("numpy").float32(v)))
    return hnp.arrays(dtype=dtype, shape=shape, elements=elements)


def tensors(shape: Any, min_value: float = -10.0, max_value: float = 10.0,
            dtype: Any = "float64", avoid: Iterable[float] = (), margin: float = 0.1,
            requires_grad: bool = True) -> st.SearchStrategy[Any]:
    """Leaf Tensors (requires_grad=True by default) holding `arrays(...)`."""
    from .creation import tensor
    return arrays(shape, min_value, max_value, dtype, avoid, margin).map(
        lambda a: tensor(a, requires_grad=requires_grad))
