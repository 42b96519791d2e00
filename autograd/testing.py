"""Property-based gradient tests of your own functions, with hypothesis (the public name of
`autograd.checking.testing`; see its docstring). Needs hypothesis, a dev dependency."""
from .checking.testing import (
    arrays,
    assert_grad_matches,
    away_from,
    broadcastable_shapes,
    floats_in,
    shapes,
    tensors,
    values,
)

__all__ = ["floats_in", "values", "away_from", "assert_grad_matches", "shapes",
           "broadcastable_shapes", "arrays", "tensors"]
