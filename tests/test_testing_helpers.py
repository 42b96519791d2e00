"""`autograd.testing`: the strategies and `assert_grad_matches`, as a user would use them."""
from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from doc_listings import DOCS, run_page
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import GradcheckError, Value
from autograd.testing import (
    arrays,
    assert_grad_matches,
    away_from,
    broadcastable_shapes,
    floats_in,
    shapes,
    tensors,
    values,
)


# ------------------------------------------------------------ the README example, verbatim
@given(values(min_value=-3, max_value=3), values(min_value=0.1, max_value=3))
def test_my_fn(x, y):
    assert_grad_matches(lambda a, b: (a * b).tanh() + b.log(), [x, y])


# ------------------------------------------------------------ strategies
@given(floats_in(-2.5, 7))
def test_floats_in_gives_finite_floats_in_range(x):
    assert type(x) is float and math.isfinite(x) and -2.5 <= x <= 7


@pytest.mark.parametrize("lo, hi", [(1, 0), (0, math.inf), (math.nan, 1)])
def test_floats_in_rejects_bad_bounds(lo, hi):
    with pytest.raises(ValueError, match="floats_in"):
        floats_in(lo, hi)


@given(values(-1, 4, label="w"), values(-1, 4, label="w"))
def test_values_are_fresh_leaves(v, w):
    for x in (v, w):
        assert isinstance(x, Value) and x.is_leaf and x.grad == 0.0 and x.label == "w"
        assert -1 <= x.data <= 4
    assert v is not w


@given(values(-2, 2, avoid=[0.0, 1.0], margin=0.25))
def test_values_avoid_points(v):
    assert abs(v.data) >= 0.25 and abs(v.data - 1.0) >= 0.25


@given(floats_in(-3, 3).filter(away_from([-1, 1], margin=0.5)))
def test_away_from_as_a_filter(x):
    assert abs(x - 1) >= 0.5 and abs(x + 1) >= 0.5


def test_away_from_predicate():
    near_zero = away_from(0.0, margin=0.1)
    assert near_zero(0.1) and near_zero(-0.2) and not near_zero(0.05)
    assert near_zero(Value(1.0)) and not near_zero(Value(-0.01))
    two = away_from([0, math.pi], 1e-3)
    assert two(1.0) and not two(3.1416)
    with pytest.raises(ValueError, match="margin"):
        away_from(0.0, margin=0.0)


# ------------------------------------------------------------ assert_grad_matches
def test_assert_grad_matches_passes_and_leaves_inputs_alone():
    x = Value(0.3, label="x")
    x.grad = 2.0
    assert assert_grad_matches(lambda v: v.sigmoid() * v, [x]) is None
    assert x.data == 0.3 and x.grad == 2.0


def test_assert_grad_matches_message_gives_the_point():
    x, y = Value(0.1 + 0.2, label="x"), Value(-1.5)
    with pytest.raises(GradcheckError) as info:
        assert_grad_matches(lambda a, b: a.data * b + a, [x, y])
    msg = str(info.value)
    assert "input 0 ('x')" in msg
    assert "gradcheck(f, [Value(0.30000000000000004, label='x'), Value(-1.5)])" in msg
    assert [m.index for m in info.value.mismatches] == [0]


def test_a_property_test_of_a_wrong_function_fails():
    # What a user sees when their own function cuts the graph: hypothesis finds a point.
    @settings(max_examples=30, database=None)
    @given(values(min_value=0.5, max_value=3))
    def prop(x):
        assert_grad_matches(lambda a: a * math.sqrt(a.data), [x])

    with pytest.raises(GradcheckError, match="at the point"):
        prop()


@given(st.data())
def test_tolerances_are_passed_through(data):
    x = data.draw(values(1, 2))
    assert_grad_matches(lambda v: v * v, [x], eps=1e-3, atol=0.0, rtol=1e-5)
    with pytest.raises(GradcheckError):
        # x * x * x with eps = 0.1: the O(eps^2) error of central differences is 0.01
        assert_grad_matches(lambda v: v * v * v, [x], eps=0.1, atol=0.0, rtol=1e-5)


# ------------------------------------------------------------ tensor strategies
@given(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
def test_shapes_respect_their_bounds(s):
    assert isinstance(s, tuple) and 1 <= len(s) <= 3 and all(2 <= n <= 4 for n in s)


@given(shapes())
def test_shapes_default_includes_0_d(s):
    assert 0 <= len(s) <= 3 and all(1 <= n <= 4 for n in s)


@given(broadcastable_shapes(3, min_dims=1, max_dims=3, max_side=3))
def test_broadcastable_shapes_broadcast_together(ss):
    assert len(ss) == 3 and all(1 <= len(s) <= 3 for s in ss)
    np.broadcast_shapes(*ss)                   # raises if they do not
    ag.zeros(*ss[0]) + ag.zeros(*ss[1]) + ag.zeros(*ss[2])


@given(arrays(shapes(max_dims=2), -1.0, 2.0, away_from=[0.0, 1.0], margin=0.25))
def test_arrays_are_bounded_and_keep_away(a):
    assert isinstance(a, np.ndarray) and a.dtype == np.float64
    assert np.all(np.isfinite(a)) and np.all((a >= -1.0) & (a <= 2.0))
    assert np.all(np.abs(a) >= 0.25) and np.all(np.abs(a - 1.0) >= 0.25)


@given(arrays((2, 3), 0.1, 0.7, dtype=np.float32, away_from=0.3))
def test_arrays_in_float32(a):
    # the bounds 0.1 and 0.7 are not float32 numbers: they are rounded inwards
    assert a.dtype == np.float32 and a.shape == (2, 3)
    assert np.all(a >= 0.1) and np.all(a <= 0.7) and np.all(np.abs(a - 0.3) >= 0.1)


def test_arrays_reject_bad_arguments():
    with pytest.raises(ValueError, match="float32 or float64"):
        arrays((2,), dtype=np.int64)
    with pytest.raises(ValueError, match="min_value <= max_value"):
        arrays((2,), 1.0, 0.0)


@given(st.data())
def test_tensors_are_fresh_leaves_that_require_grad(data):
    s = data.draw(shapes(max_dims=2))
    x, y = data.draw(tensors(s, -3, 3)), data.draw(tensors(s, -3, 3))
    for t in (x, y):
        assert isinstance(t, ag.Tensor) and t.is_leaf and t.requires_grad and t.grad is None
        assert t.shape == s and t.dtype == np.float64 and np.all(np.abs(t.data) <= 3)
    assert not np.shares_memory(x.data, y.data)
    c = data.draw(tensors(s, dtype=np.float32, requires_grad=False))
    assert c.dtype == np.float32 and not c.requires_grad


def test_away_from_accepts_arrays_and_tensors():
    far = away_from([0.0], margin=0.5)
    assert far(np.array([1.0, -0.6])) and not far(np.array([1.0, 0.1]))
    assert far(ag.tensor([[2.0]])) and not far(ag.tensor([0.2, 3.0], requires_grad=True))


# ------------------------------------------------------------ assert_grad_matches on tensors
@given(st.data())
@settings(max_examples=20)
def test_assert_grad_matches_on_tensor_functions(data):
    s1, s2 = data.draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    x = data.draw(tensors(s1, 0.5, 2.0))
    y = data.draw(tensors(s2, -2.0, 2.0))
    assert_grad_matches(lambda a, b: (a.log() * b).tanh(), [x, y])     # any output shape
    assert_grad_matches(lambda a, b: (a * b).sum(), [x, y])


def test_assert_grad_matches_message_replays_a_tensor_failure():
    x = ag.tensor([[0.1 + 0.2, -1.5]], requires_grad=True, dtype=ag.float32)
    c = ag.tensor([2.0, 3.0])

    def f(a, c):
        return a * ag.tensor(a.data) + c           # cut: backward sees a constant

    with pytest.raises(GradcheckError) as info:
        assert_grad_matches(f, [x, c])
    msg = str(info.value)
    assert "input 0, element (0, 0), output element (0, 0)" in msg
    point = msg.split("at the point: ")[1]
    assert point == ("gradcheck(f, [autograd.tensor([[0.30000001192092896, -1.5]], "
                     "dtype=autograd.float32, requires_grad=True), autograd.tensor([2.0, 3.0])])")
    # the printed call runs as it stands and fails the same way
    with pytest.raises(GradcheckError) as again:
        eval(point, {"gradcheck": ag.gradcheck, "f": f, "autograd": ag})
    assert [m.element for m in again.value.mismatches] == [(0, 0)]


# ------------------------------------------------------------ docs/gradcheck.md
# The five-line property test of docs/gradcheck.md, verbatim:
@given(st.data())
def test_my_function(data):
    s1, s2 = data.draw(broadcastable_shapes(2))
    x, y = data.draw(tensors(s1, 0.1, 3)), data.draw(tensors(s2, -3, 3))
    assert_grad_matches(lambda a, b: (a.log() * b).tanh(), [x, y])


def test_every_listing_in_docs_gradcheck_runs_and_prints_what_the_page_shows():
    namespace = run_page("gradcheck.md", min_listings=5)
    namespace["test_my_function"]()                 # the property test, run by hypothesis
    assert "def test_my_function(data):" in (DOCS / "gradcheck.md").read_text()


# ------------------------------------------------------------ packaging
def test_import_autograd_does_not_import_hypothesis():
    code = ("import sys, autograd; assert 'hypothesis' not in sys.modules; "
            "autograd.testing.values; assert 'hypothesis' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert ag.testing.values is values


def test_hypothesis_profiles():
    active = os.environ.get("HYPOTHESIS_PROFILE", "default")
    assert settings.get_profile("thorough").max_examples >= 1000
    assert settings.get_profile("default").max_examples == 60
    assert settings.get_profile("default").deadline is None
    assert settings.default.max_examples == settings.get_profile(active).max_examples
