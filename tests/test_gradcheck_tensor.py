"""gradcheck and numerical_grad on Tensors; the tensor strategies of autograd.testing."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import GradcheckError, gradcheck, numerical_grad
from autograd.testing import arrays, assert_grad_matches, broadcastable_shapes, shapes, tensors


def t(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("f, xs", [
    (lambda a, b: (a @ b).tanh(), [t(2, 3), t(3, 4, seed=1)]),
    (lambda a, b: a * b + a, [t(2, 3), t(3, seed=1)]),
    (lambda a: a.sum(dim=1, keepdim=True) * a, [t(2, 3)]),
    (lambda a: a[[0, 0, 1], 1:] ** 2, [t(3, 3)]),
    (lambda a: ag.cat([a, a * 2], dim=0).sigmoid(), [t(2, 2)]),
    (lambda a: (a * a).sum(), [t(4)]),
])
def test_correct_functions_pass(f, xs):
    assert gradcheck(f, xs)


def test_a_cut_graph_fails_and_names_input_element_and_output():
    a, b = t(2, 3), t(2, 3, seed=1)
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda a, b: a * ag.tensor(b.data), [a, b])     # b's path is cut
    msg = str(e.value)
    assert "input 1, element (0, 0), output element (0, 0)" in msg
    assert "analytic 0.0" in msg and "numerical" in msg
    (m,) = e.value.mismatches
    assert m.index == 1 and m.element == (0, 0) and m.count == 6


def test_a_wrong_rule_is_caught(monkeypatch):
    from autograd import rules as R
    monkeypatch.setattr(R.Exp, "grads", (lambda g, out, a: -g * out,))
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(lambda a: a.exp(), [t(3)])


def test_inputs_and_their_grads_are_untouched_and_float32_is_checked_in_float64():
    a = ag.tensor(np.array([0.5, -1.0], dtype=np.float32), requires_grad=True)
    a.grad = ag.tensor(np.array([7.0, 7.0], dtype=np.float32))
    before = a.data.copy()
    assert gradcheck(lambda x: x.exp().sum(), [a])
    np.testing.assert_array_equal(a.data, before)
    np.testing.assert_array_equal(a.grad.data, [7.0, 7.0])
    assert a.dtype == np.float32


def test_inputs_that_do_not_require_grad_are_skipped():
    a, c = t(2), ag.tensor([1.0, 2.0])
    assert gradcheck(lambda a, c: a * c, [a, c])


def test_numerical_grad_of_a_scalar_has_the_inputs_shape():
    (g,) = numerical_grad(lambda a: (a * a).sum(), [t(2, 3)])
    assert g.shape == (2, 3)


@given(st.data())
@settings(deadline=None, max_examples=20)
def test_the_tensor_strategies(data):
    s = data.draw(shapes(min_dims=1, max_dims=2, max_side=3))
    a = data.draw(arrays(s, -1, 1, avoid=[0.0]))
    assert a.shape == s and np.all(np.abs(a) >= 0.1) and np.all(np.abs(a) <= 1)
    s1, s2 = data.draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    np.broadcast_shapes(s1, s2)                           # raises if they do not broadcast
    x = data.draw(tensors(s1, 0.5, 2.0))
    y = data.draw(tensors(s2, -2.0, 2.0))
    assert x.requires_grad
    assert_grad_matches(lambda x, y: (x.log() * y).sum(), [x, y])
