"""Gradients of gradients: create_graph, autograd.grad and autograd.functional."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd as ag
from autograd import Value
from autograd import functional as F

finite = st.floats(-2.0, 2.0, allow_nan=False)
positive = st.floats(0.2, 3.0, allow_nan=False)

# Scalar functions of one input, each with the domain it is smooth on.
SCALAR_FUNCTIONS = {
    "add": (lambda x: x + 1.5 + x, finite),
    "sub": (lambda x: 2.0 - x * 3.0 - x, finite),
    "mul": (lambda x: x * x * 1.5, finite),
    "div": (lambda x: 1.0 / x + x / 2.0, positive),
    "neg": (lambda x: -(x * x), finite),
    "pow_const": (lambda x: x ** 3.0, finite),
    "pow_base": (lambda x: 2.0 ** x, finite),
    "pow_both": (lambda x: x ** x, positive),
    "exp": (lambda x: ag.exp(x * 0.5), finite),
    "log": (lambda x: ag.log(x * x), positive),
    "sqrt": (lambda x: ag.sqrt(x), positive),
    "tanh": (lambda x: ag.tanh(x), finite),
    "sigmoid": (lambda x: ag.sigmoid(x), finite),
    "relu": (lambda x: ag.relu(x) * x, finite),
    "abs": (lambda x: ag.abs(x) * x, finite),
}


def _first_derivative(f, x: float) -> float:
    v = Value(x)
    f(v).backward()
    return v.grad


def _second_derivative(f, x: float) -> float:
    v = Value(x)
    f(v).backward(create_graph=True)
    g = v.grad
    v.grad = 0.0
    if isinstance(g, Value):
        g.backward()
        return v.grad
    return 0.0          # the first derivative was a constant


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
@given(data=st.data())
def test_second_derivative_of_every_scalar_op(name, data):
    f, domain = SCALAR_FUNCTIONS[name]
    x = data.draw(domain)
    if name in ("relu", "abs"):
        assume(abs(x) > 1e-3)
    eps = 1e-5
    numeric = (_first_derivative(f, x + eps) - _first_derivative(f, x - eps)) / (2 * eps)
    analytic = _second_derivative(f, x)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-5)


TENSOR_FUNCTIONS = {
    "mul_broadcast": lambda x: (x * x[:1] * 1.5).sum(),
    "div": lambda x: (1.0 / (x * x + 1.0)).sum(),
    "exp_log": lambda x: (ag.exp(x * 0.3) + ag.log(x * x + 1.0)).sum(),
    "sqrt": lambda x: ag.sqrt(x * x + 1.0).sum(),
    "tanh_sigmoid": lambda x: (ag.tanh(x) * ag.sigmoid(x)).sum(),
    "pow": lambda x: ((x * x + 1.0) ** 1.5).sum(),
    "matmul": lambda x: (x.reshape(2, 2) @ x.reshape(2, 2)).sum() * x.sum(),
    "sum_mean": lambda x: x.sum() * x.mean() + (x.reshape(2, 2).sum(0) ** 2).sum(),
    "max": lambda x: x.max() * x.sum() + (x.reshape(2, 2).max(dim=1).values ** 2).sum(),
    "shapes": lambda x: (x.reshape(2, 2).T.unsqueeze(0).expand(3, 2, 2) ** 2).sum(),
    "index": lambda x: (x[[0, 0, 3]] ** 3).sum() + (x[1:3] * x[::-1][1:3]).sum(),
    "cat_stack": lambda x: (ag.cat([x, x * x]) ** 2).sum() + (ag.stack([x, x]) ** 3).sum(),
    "where_clamp": lambda x: (ag.where(x > 0, x * x, x * 3.0) + ag.clamp(x, -0.5, 0.5) * x).sum(),
    "maximum": lambda x: (ag.maximum(x, x * 0.5) * x).sum(),
    "linear": lambda x: ag.linear(x.reshape(2, 2), x.reshape(2, 2), x[:2]).sum() ** 2,
    "mse": lambda x: ag.mse_loss(x * x, x[::-1]) * x.sum(),
}


# Four distinct values away from the kinks at 0 and +-0.5 (relu-like ops, clamp, ties).
kink_free = st.tuples(
    st.sets(st.integers(5, 200).filter(lambda k: abs(k - 50) > 2), min_size=4, max_size=4),
    st.lists(st.sampled_from([-1.0, 1.0]), min_size=4, max_size=4),
).map(lambda t: np.array(sorted(t[0])) / 100.0 * np.array(t[1]))


@pytest.mark.parametrize("name", sorted(TENSOR_FUNCTIONS))
@given(kink_free)
def test_hessian_of_tensor_ops_matches_finite_differences(name, x0):
    f = TENSOR_FUNCTIONS[name]
    H = F.hessian(f, ag.tensor(x0)).data

    def gradient(x):
        return F.grad(f)(ag.tensor(x)).data

    eps = 1e-5
    numeric = np.stack([(gradient(x0 + eps * e) - gradient(x0 - eps * e)) / (2 * eps)
                        for e in np.eye(4)], axis=1)
    np.testing.assert_allclose(H, numeric, rtol=1e-4, atol=1e-4)


@given(st.floats(-1.5, 1.5, allow_nan=False))
def test_third_derivatives_against_closed_forms(x):
    t = math.tanh(x)
    assert F.grad(F.grad(F.grad(ag.tanh)))(x) == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t))
    s = 1 / (1 + math.exp(-x))
    assert F.grad(F.grad(F.grad(ag.sigmoid)))(x) == pytest.approx(
        s * (1 - s) * (1 - 6 * s + 6 * s * s))
    assert F.grad(F.grad(F.grad(ag.exp)))(x) == pytest.approx(math.exp(x))
    assert F.grad(F.grad(F.grad(lambda v: v ** 4.0)))(x) == pytest.approx(24 * x)
    y = x + 2.0     # log needs a positive input
    assert F.grad(F.grad(F.grad(ag.log)))(y) == pytest.approx(2 / y ** 3)


def test_hessian_of_quadratic_form_is_a_plus_a_transpose():
    A = np.random.default_rng(0).standard_normal((4, 4))
    H = F.hessian(lambda x: x @ ag.tensor(A) @ x, ag.tensor(np.ones(4)))
    np.testing.assert_allclose(H.data, A + A.T, rtol=1e-12, atol=1e-12)


def test_grad_returns_a_tuple_and_leaves_dot_grad_alone():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.grad = ag.tensor([5.0, 5.0])
    y = (x ** 3).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])


def test_grad_of_values_and_interior_nodes():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = c + a
    a.grad = 7.0
    assert ag.grad(d, [a, b, c]) == (4.0, 2.0, 1.0)
    assert a.grad == 7.0
    ga, = ag.grad(d, [a], create_graph=True)
    assert isinstance(ga, Value) and ga.data == 4.0


def test_grad_unused_input_and_grad_outputs():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    z = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not used"):
        ag.grad((x * 2).sum(), [x, z])
    assert ag.grad((x * 2).sum(), [x, z], allow_unused=True)[1] is None
    (g,) = ag.grad(x * 2, x, grad_outputs=ag.tensor([1.0, 10.0]))
    np.testing.assert_allclose(g.data, [2.0, 20.0])
    with pytest.raises(RuntimeError, match="grad_outputs"):
        ag.grad(x * 2, x)


def test_grad_retain_graph_default_releases_tensor_graphs():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    ag.grad(y, x)
    with pytest.raises(RuntimeError, match="released"):
        ag.grad(y, x)


def test_backward_create_graph_on_tensors_and_values():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w ** 3).sum().backward(create_graph=True)
    gw = w.grad
    assert gw.requires_grad
    w.grad = None
    gw.sum().backward()
    np.testing.assert_allclose(w.grad.data, 6 * np.array([1.0, 2.0]))
    v = Value(0.5)
    (v * v * v).backward(create_graph=True)
    g = v.grad
    v.grad = 0.0
    g.backward()
    assert v.grad == pytest.approx(6 * 0.5)


def test_jacobian_vjp_jvp_hvp_agree_with_each_other():
    rng = np.random.default_rng(1)
    W = ag.tensor(rng.standard_normal((3, 4)))
    x0 = ag.tensor(rng.standard_normal(4))

    def f(x):
        return ag.tanh(W @ x) * x[:3]

    J = F.jacobian(f, x0).data
    assert J.shape == (3, 4)
    u, v = rng.standard_normal(3), rng.standard_normal(4)
    np.testing.assert_allclose(F.vjp(f, x0, ag.tensor(u))[1].data, u @ J, rtol=1e-10)
    np.testing.assert_allclose(F.jvp(f, x0, ag.tensor(v))[1].data, J @ v, rtol=1e-10)
    eps = 1e-6
    numeric = np.stack([(f(x0 + eps * e).data - f(x0 - eps * e).data) / (2 * eps)
                        for e in ag.eye(4).data], axis=1)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-8)

    def scalar(x):
        return (f(x) ** 2).sum()

    H = F.hessian(scalar, x0).data
    np.testing.assert_allclose(F.hvp(scalar, x0, ag.tensor(v))[1].data, H @ v, rtol=1e-9)
    np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-12)


def test_value_and_grad_and_argnums():
    value, g = F.value_and_grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 3.0)
    assert value == 9.0 and g == (3.0, 3.0)
    assert F.grad(lambda x, y: x * y, argnums=1)(2.0, 3.0) == 2.0
    with pytest.raises(TypeError, match="scalar"):
        F.grad(lambda x: x * 2)(ag.tensor([1.0, 2.0]))
