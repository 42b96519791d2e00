"""gradcheck, numerical_grad and analytic_grad on Tensors: the whole Jacobian, element by
element, in float64; failures named by input, input element and output element."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, gradcheck, numerical_grad
from autograd.checking import analytic_grad
from autograd.rules import Rule


def t(*shape, seed=0, dtype=None):
    data = np.random.default_rng(seed).standard_normal(shape)
    return ag.tensor(data, requires_grad=True, dtype=dtype)


# ------------------------------------------------------------ custom rules for the tests
class RollWrongWay(Rule):
    """out = a shifted one place to the right (out[k] = a[k-1]); the gradient shifts g to
    the right too, where it should shift it back to the left."""
    name = "roll_wrong_way"
    forward = staticmethod(lambda a: np.roll(a, 1))
    grads = (lambda g, out, a: np.roll(g, 1),)


class SlightlyOffScale(Rule):
    """out = 3a with derivative 3 (1 + 1e-4): off by a relative 1e-4."""
    name = "slightly_off"
    forward = staticmethod(lambda a: 3 * a)
    grads = (lambda g, out, a: g * 3 * (1 + 1e-4),)


class NanGrad(Rule):
    name = "nan_grad"
    forward = staticmethod(lambda a: a * 1.0)
    grads = (lambda g, out, a: g * np.nan,)


# ------------------------------------------------------------ passing
@pytest.mark.parametrize("name, f, xs", [
    ("matmul", lambda a, b: a @ b, [t(2, 3), t(3, 4, seed=1)]),
    ("batched matmul", lambda a, b: (a @ b).tanh(), [t(2, 2, 3), t(3, 2, seed=1)]),
    ("mv", lambda a, b: ag.mv(a, b), [t(2, 3), t(3, seed=1)]),
    ("broadcasting add", lambda a, b: a + b, [t(2, 3), t(3, seed=1)]),
    ("broadcasting mul", lambda a, b: a * b + a, [t(2, 1, 3), t(4, 1, seed=1)]),
    ("sum with dim", lambda a: a.sum(dim=1), [t(2, 3)]),
    ("sum keepdim", lambda a: a.sum(dim=0, keepdim=True) * a, [t(2, 3)]),
    ("mean", lambda a: a.mean(dim=(0, 2)), [t(2, 3, 2)]),
    ("max with dim", lambda a: a.max(dim=1).values, [t(3, 4)]),
    ("basic indexing", lambda a: a[0, 1:] * a[1, :2], [t(2, 3)]),
    ("repeated indices", lambda a: a[[0, 0, 2]] ** 2, [t(3, 2)]),
    ("mask", lambda a: a[a.data > 0].exp(), [t(2, 3)]),
    ("cat", lambda a: ag.cat([a, a * 2], dim=0).sigmoid(), [t(2, 2)]),
    ("stack", lambda a, b: ag.stack([a, b], dim=1), [t(3), t(3, seed=1)]),
    ("reshape transpose", lambda a: a.reshape(3, 2).T @ a.T, [t(2, 3)]),
    ("scalar output", lambda a: (a * a).sum(), [t(4)]),
    ("0-d input", lambda a, b: a * b, [t(), t(3, seed=1)]),
    ("linear", lambda x, w, b: ag.linear(x, w, b), [t(2, 3), t(4, 3, seed=1), t(4, seed=2)]),
    ("mse_loss", lambda a, b: ag.mse_loss(a, b), [t(2, 3), t(2, 3, seed=1)]),
])
def test_correct_functions_pass(name, f, xs):
    assert gradcheck(f, xs) is True


def test_an_unused_input_has_a_zero_jacobian_and_passes():
    assert gradcheck(lambda a, b: a * 2.0, [t(2), t(3, seed=1)])


def test_a_constant_output_passes():
    assert gradcheck(lambda a: ag.zeros(2, 2), [t(2)])


# ------------------------------------------------------------ failing, with the place named
def test_a_cut_graph_fails_and_names_input_element_and_output():
    a = ag.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x * ag.tensor(x.data), [a])     # backward sees x.data, not 2x
    msg = str(info.value)
    # element (0, 0) agrees (both 0); the first disagreement is element (0, 1)
    assert "input 0, element (0, 1), output element (0, 1): analytic 1.0, numerical 2.0" in msg
    (m,) = info.value.mismatches
    assert (m.index, m.element, m.output, m.analytic) == (0, (0, 1), (0, 1), 1.0)
    assert m.numerical == pytest.approx(2.0, rel=1e-8)
    assert m.count == 3                                     # three diagonal entries are off


def test_the_path_through_data_of_one_input_is_reported_for_that_input_only():
    a, b = t(2, 3), t(2, 3, seed=1)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: a * ag.tensor(b.data), [a, b])
    msg = str(info.value)
    assert "for 1 of 2 inputs" in msg
    assert "input 1, element (0, 0), output element (0, 0): analytic 0.0" in msg
    assert "input 0," not in msg
    (m,) = info.value.mismatches
    assert m.index == 1 and m.count == 6


def test_a_wrong_formula_names_the_output_element_that_differs():
    # out[k] = a[k-1]: d out[1] / d a[0] = 1. The wrong rule says d out[2] / d a[0] = 1.
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: RollWrongWay.apply(a), [ag.tensor([1.0, 2.0, 3.0],
                                                                   requires_grad=True)])
    (m,) = info.value.mismatches
    assert (m.element, m.output, m.analytic) == ((0,), (1,), 0.0)
    assert m.numerical == pytest.approx(1.0)
    assert m.count == 6
    assert "input 0, element (0,), output element (1,): analytic 0.0, numerical" in str(info.value)


def test_a_wrong_rule_in_the_library_is_caught(monkeypatch):
    from autograd import rules as R
    monkeypatch.setattr(R.Exp, "grads", (lambda g, out, a: -g * out,))
    with pytest.raises(GradcheckError, match=r"input 0, element \(0,\), output element \(0,\)"):
        gradcheck(lambda a: a.exp(), [t(3)])


def test_a_constant_output_that_should_not_be_fails():
    # the output does not require grad at all: every analytic entry is 0
    with pytest.raises(GradcheckError, match="analytic 0.0"):
        gradcheck(lambda a: ag.tensor(a.data * 2.0), [t(2)])


def test_tolerances_are_applied():
    f = lambda a: SlightlyOffScale.apply(a)    # relative error 1e-4
    x = t(2, 2)
    assert gradcheck(f, [x])
    with pytest.raises(GradcheckError):
        gradcheck(f, [x], rtol=1e-5)
    assert gradcheck(f, [x], rtol=0.0, atol=1e-3)
    with pytest.raises(GradcheckError, match="4 entries"):
        gradcheck(f, [x], rtol=0.0, atol=1e-5)


def test_a_nan_jacobian_entry_fails():
    with pytest.raises(GradcheckError, match="nan"):
        gradcheck(lambda a: NanGrad.apply(a), [t(2)])


# ------------------------------------------------------------ the caller's state
def test_inputs_and_their_grads_are_untouched_and_float32_is_checked_in_float64():
    a = ag.tensor([0.5, -1.0], requires_grad=True, dtype=ag.float32)
    a.grad = ag.tensor([7.0, 7.0], dtype=ag.float32)
    before = np.array(a.data)
    seen = []

    def f(x):
        seen.append(x.dtype)
        return x.exp() * x

    assert gradcheck(f, [a])
    assert set(seen) == {np.dtype(np.float64)}              # f only ever saw float64 copies
    np.testing.assert_array_equal(a.data, before)
    assert a.dtype == np.float32 and a.data is not None and a.is_leaf and a.requires_grad
    np.testing.assert_array_equal(a.grad.data, [7.0, 7.0])


def test_float32_inputs_are_checked_to_float64_precision():
    # the reason for the upcast: central differences in float32 at eps=1e-6 are noise
    a = ag.tensor([0.3, 0.7], requires_grad=True, dtype=ag.float32)
    assert gradcheck(lambda x: (x * x).sum(), [a], atol=1e-7, rtol=1e-7)


def test_grads_of_closed_over_and_interior_tensors_are_untouched():
    w = t(3, seed=3)
    w.grad = ag.tensor([1.0, 2.0, 3.0])
    h = t(3, seed=4) * 2                # an interior node, used as an input
    h.retain_grad()
    assert gradcheck(lambda x: (x * w).tanh(), [h])
    np.testing.assert_array_equal(w.grad.data, [1.0, 2.0, 3.0])
    assert h.grad is None and not h.is_leaf
    h.sum().backward()                  # its graph still works afterwards
    assert h.grad is not None


def test_inputs_that_do_not_require_grad_are_skipped():
    a, c = t(2), ag.tensor([1.0, 2.0])
    # the path through c is cut, but c is a constant: nothing to check there
    assert gradcheck(lambda a, c: a * ag.tensor(c.data) + c, [a, c])
    assert numerical_grad(lambda a, c: a * c, [a, c])[1] is None
    assert analytic_grad(lambda a, c: a * c, [a, c])[1] is None


def test_an_integer_index_tensor_can_be_an_input():
    idx = ag.tensor([2, 0, 2])
    assert idx.dtype.kind == "i"
    assert gradcheck(lambda a, i: a[i] ** 2, [t(3), idx])


def test_nothing_to_check_passes():
    assert gradcheck(lambda c: c * 2, [ag.tensor([1.0])])


# ------------------------------------------------------------ numerical_grad and analytic_grad
def test_numerical_grad_of_a_scalar_has_the_inputs_shape():
    x = t(2, 3)
    (g,) = numerical_grad(lambda a: (a * a).sum(), [x])
    assert g.shape == (2, 3) and g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * x.data, rtol=1e-8)


def test_numerical_and_analytic_jacobians_of_matmul():
    a, b = t(2, 3), t(3, 4, seed=1)
    na, nb = numerical_grad(lambda a, b: a @ b, [a, b])
    aa, ab = analytic_grad(lambda a, b: a @ b, [a, b])
    assert na.shape == aa.shape == (2, 4, 2, 3) and nb.shape == ab.shape == (2, 4, 3, 4)
    # d (ab)_ij / d a_kl = [i = k] b_lj
    expected = np.einsum("ik,lj->ijkl", np.eye(2), b.data)
    np.testing.assert_allclose(na, expected, atol=1e-8)
    np.testing.assert_array_equal(aa, expected)
    expected_b = np.einsum("ik,jl->ijkl", a.data, np.eye(4))   # d (ab)_ij / d b_kl = a_ik [j = l]
    np.testing.assert_allclose(nb, expected_b, atol=1e-8)
    np.testing.assert_allclose(ab, expected_b, atol=1e-15)


def test_numerical_grad_names_the_element_where_f_is_undefined():
    class StrictLog(Rule):
        name = "strict_log"

        @staticmethod
        def forward(a):
            if (a <= 0).any():
                raise ValueError("log of a non-positive number")
            return np.log(a)
        grads = (lambda g, out, a: g / a,)

    x = ag.tensor([1.0, 1e-7], requires_grad=True)
    with pytest.raises(ValueError, match=r"input 0, element \(1,\)"):
        numerical_grad(lambda a: StrictLog.apply(a), [x])


# ------------------------------------------------------------ bad arguments
@pytest.mark.parametrize("check", [gradcheck, numerical_grad, ag.gradgradcheck])
def test_bad_arguments(check):
    x = t(2)
    with pytest.raises(TypeError, match="must return a Tensor"):
        check(lambda a: a.detach().numpy() * 2, [x])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be an autograd.Tensor.*Value"):
        check(lambda a, v: a, [x, ag.Value(1.0)])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be an autograd.Tensor.*ndarray"):
        check(lambda a, b: a, [x, np.ones(2)])
    with pytest.raises(TypeError, match="list or tuple"):
        check(lambda a: a, x)
    with pytest.raises(ValueError, match="eps"):
        check(lambda a: a, [x], eps=math.inf)


def test_exports():
    module = sys.modules["autograd.checking.gradcheck"]
    assert ag.gradgradcheck is module.gradgradcheck and ag.gradcheck is module.gradcheck
    for name in ("gradcheck", "gradgradcheck", "numerical_grad", "GradcheckError"):
        assert name in ag.__all__
