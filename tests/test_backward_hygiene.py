"""What every backward must guarantee, whatever the op: it leaves the inputs' data (and the
seed) alone, and the gradients it hands out share memory with nothing (not each other, not
an input, not the seed, not the output), also for leaves used several times. And a Value
expression and the same expression on 0-d Tensors get the same gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd.functions import mse_loss
from autograd.testing import arrays, tensors

# Every op, each leaf used two or more times (a shared leaf is where gradients could alias:
# add and the shape ops hand the upstream array itself, or a view of it, to their inputs).
OPS = {
    "add": lambda a, b: a + b + a,
    "sub": lambda a, b: a - b - (b - a),
    "mul": lambda a, b: a * b * a,
    "div": lambda a, b: a / (b * b + 1.0) + 1.0 / (a * a + 1.0),
    "pow": lambda a, b: (a * a + 1.0) ** b + a ** 2 + 2.0 ** b,
    "neg": lambda a, b: -a - b + -a,
    "exp/log/sqrt": lambda a, b: a.exp() + (b * b + 1.0).log() + (a * a + 1.0).sqrt(),
    "tanh/sigmoid": lambda a, b: a.tanh() * b.sigmoid() + a.sigmoid(),
    "relu/abs": lambda a, b: a.relu() + b.abs() + a.abs() * b.relu(),
    "clamp": lambda a, b: a.clamp(-0.5, 0.5) + ag.clamp(b, min=0.0) + a,
    "maximum/minimum": lambda a, b: ag.maximum(a, b) + ag.minimum(a, b * 2.0) + a,
    "where": lambda a, b: ag.where(a._data > 0, a, b) + ag.where(b._data > 0, 1.0, a),
    "sum/mean": lambda a, b: a.sum(dim=0) + b.mean(dim=0, keepdim=True) + a.sum(),
    "max/min": lambda a, b: a.max(dim=1, keepdim=True).values + b.min() + a.max(),
    "matmul/mm/mv": lambda a, b: a @ b.T + ag.mm(a, a.T).sum() + ag.mv(b, a[0]).sum(),
    "dot": lambda a, b: ag.dot(a[0], b[0]) + ag.dot(a[0], a[0]),
    "linear": lambda a, b: ag.linear(a, b, b[:, 0]) + ag.linear(a, a).sum(),
    "reshape/view/flatten": lambda a, b: a.reshape(-1) + b.view(-1) + a.flatten(),
    "transpose/permute/T": lambda a, b: a.transpose(0, 1) + b.permute(1, 0) + a.T,
    "squeeze/unsqueeze": lambda a, b: a.unsqueeze(0).squeeze(0) + b.unsqueeze(-1)[..., 0] + a,
    "expand": lambda a, b: a[:1].expand(*a.shape) + b.sum(0, keepdim=True).expand(*b.shape) + a,
    "basic index": lambda a, b: a[0] + b[-1] + a[0, ...],
    "advanced index": lambda a, b: a[[0, 0, -1]] + b[np.array([0, 0, 0])] + a[a._data > 0].sum(),
    "cat": lambda a, b: ag.cat([a, b, a], dim=0),
    "stack": lambda a, b: ag.stack([a, a, b], dim=-1),
    "mse_loss": lambda a, b: mse_loss(a, b) + mse_loss(a, a * 2.0, reduction="sum"),
    "a alone": lambda a, b: a,
    "a + a": lambda a, b: a + a,
    "unused b": lambda a, b: a * 3.0,
}
UNUSED_B = {"a alone", "a + a", "unused b"}


def assert_no_sharing(named: dict) -> None:
    names = list(named)
    for i, p in enumerate(names):
        for q in names[i + 1:]:
            assert not np.shares_memory(named[p], named[q]), f"{p} shares memory with {q}"


def run_backward(data, name, m, n, form):
    """Draw a, b; run OPS[name] and a backward of the given form; check that the inputs and
    the seed are unchanged. Returns (a, b, out, seed or None)."""
    a = data.draw(tensors((m, n), -2.0, 2.0), label="a")
    b = data.draw(tensors((m, n), -2.0, 2.0), label="b")
    arrays_before = (a._data, b._data)
    values_before = (np.array(a._data), np.array(b._data))
    out = OPS[name](a, b)
    seed = None
    if form == "scalar seed":
        out = out.sum()
        out.backward()
    else:
        seed = data.draw(arrays(out.shape, -2.0, 2.0), label="seed")
        seed_before = seed.copy()
        out.backward(gradient=seed, create_graph=(form == "create_graph"))
        np.testing.assert_array_equal(seed, seed_before)       # the seed is not changed
    # the inputs: the same arrays, with the same numbers
    assert a._data is arrays_before[0] and b._data is arrays_before[1]
    np.testing.assert_array_equal(a._data, values_before[0])
    np.testing.assert_array_equal(b._data, values_before[1])
    for x in (a, b):
        assert x.grad is None or x.grad.shape == x.shape
    assert a.grad is not None and (b.grad is None) == (name in UNUSED_B)
    return a, b, out, seed


ops_settings = settings(deadline=None, max_examples=max(10, settings.default.max_examples // 3))


@pytest.mark.parametrize("name", list(OPS))
@ops_settings
@given(data=st.data(), m=st.integers(1, 3), n=st.integers(1, 3),
       form=st.sampled_from(["scalar seed", "array seed"]))
def test_backward_leaves_inputs_alone_and_hands_out_unshared_gradients(name, data, m, n, form):
    a, b, out, seed = run_backward(data, name, m, n, form)
    named = {"a._data": a._data, "b._data": b._data, "a.grad": a.grad._data}
    if b.grad is not None:
        named["b.grad"] = b.grad._data
    if out is not a:
        named["out._data"] = out._data
    if seed is not None:
        named["seed"] = seed
    assert_no_sharing(named)


@pytest.mark.parametrize("name", list(OPS))
@ops_settings
@given(data=st.data(), m=st.integers(1, 3), n=st.integers(1, 3))
def test_create_graph_backward_leaves_inputs_alone(name, data, m, n):
    # create_graph's gradients are graph nodes; they must never share the inputs' memory
    # (nor each other's: test_create_graph_gives_each_leaf_its_own_gradient).
    a, b, out, seed = run_backward(data, name, m, n, "create_graph")
    for x in (a, b):
        if x.grad is not None:
            assert not np.shares_memory(x.grad._data, a._data)
            assert not np.shares_memory(x.grad._data, b._data)


def test_accumulating_twice_keeps_the_gradients_apart():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()                 # add hands the same upstream array to both
    (a + b + a).sum().backward()             # ... and the second pass adds into .grad in place
    np.testing.assert_array_equal(a.grad._data, [3.0, 3.0])
    np.testing.assert_array_equal(b.grad._data, [2.0, 2.0])
    a.grad._data[0] = 100.0
    assert b.grad._data[0] == 2.0


def test_a_retained_interior_gradient_is_not_its_leafs():
    a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = a.reshape(-1)                        # a view: its backward reshapes g back, a view
    h.retain_grad()
    (h * 2.0).sum().backward()
    assert not np.shares_memory(h.grad._data, a.grad._data)
    np.testing.assert_array_equal(h.grad._data, [2.0] * 4)
    np.testing.assert_array_equal(a.grad._data, [[2.0, 2.0], [2.0, 2.0]])


def test_value_gradients_of_a_shared_leaf_sum_over_every_use():
    x = ag.Value(1.5)
    y = x * x + x
    y.backward()
    assert x._data == 1.5 and x.grad == 4.0


# create_graph: each leaf gets a gradient node of its own (a clone), never the caller's seed,
# another leaf's gradient or a read-only view; a later plain backward never writes into it.


def test_create_graph_gives_each_leaf_its_own_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward(create_graph=True)
    assert x.grad is not y.grad
    assert not np.shares_memory(x.grad._data, y.grad._data)


def test_create_graph_does_not_store_the_callers_seed():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([5.0, 6.0])
    x.backward(gradient=seed, create_graph=True)
    seed[0] = 0.0                   # the caller reuses its array
    np.testing.assert_array_equal(x.grad._data, [5.0, 6.0])


def test_a_plain_backward_after_a_create_graph_backward_accumulates():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x + 1.0).sum().backward(create_graph=True)     # x.grad: sum's expanded g, read-only
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [4.0, 4.0])


# ------------------------------------------------------------ Value and Tensor agree
# Expressions over a, b, c: nested tuples, built by hypothesis, evaluated on Values and on
# 0-d Tensors alike. Every op stays in its domain (log and sqrt of t*t + 1, division by
# t*t + 1, a positive base for a power with a variable exponent).
LEAVES = st.sampled_from(["a", "b", "c"]) | st.floats(-2.0, 2.0).map(lambda v: ("const", v))
UNARY = ["neg", "tanh", "sigmoid", "exp_tanh", "log1p_sq", "sqrt1p_sq", "relu", "abs", "sq",
         "cube"]
BINARY = ["add", "sub", "mul", "div_1p_sq", "pow_1p_sq"]


def expressions() -> st.SearchStrategy:
    return st.recursive(
        LEAVES,
        lambda inner: st.tuples(st.sampled_from(UNARY), inner)
        | st.tuples(st.sampled_from(BINARY), inner, inner),
        max_leaves=8)


def evaluate(e, env):
    if isinstance(e, str):
        return env[e]
    op, *args = e
    if op == "const":
        return args[0]
    x = [evaluate(a, env) for a in args]
    if op in ("neg", "tanh", "sigmoid", "relu", "abs", "sq", "cube", "exp_tanh", "log1p_sq",
              "sqrt1p_sq") and isinstance(x[0], float):
        x[0] = env["a"] * 0.0 + x[0]         # a constant under a function: make it a node
    if op == "neg":
        return -x[0]
    if op in ("tanh", "sigmoid", "relu", "abs"):
        return getattr(x[0], op)()
    if op == "exp_tanh":
        return x[0].tanh().exp()
    if op == "log1p_sq":
        return (x[0] * x[0] + 1.0).log()
    if op == "sqrt1p_sq":
        return (x[0] * x[0] + 1.0).sqrt()
    if op == "sq":
        return x[0] ** 2
    if op == "cube":
        return x[0] ** 3.0
    p, q = x
    if op == "add":
        return p + q
    if op == "sub":
        return p - q
    if op == "mul":
        return p * q
    if op == "div_1p_sq":
        return p / (q * q + 1.0)
    return (p * p + 1.0) ** q          # pow_1p_sq


finite = st.floats(-2.0, 2.0)


@settings(deadline=None)
@given(expr=expressions(), point=st.tuples(finite, finite, finite))
def test_value_and_tensor_give_the_same_gradients(expr, point):
    vs = {k: ag.Value(v) for k, v in zip("abc", point)}
    ts = {k: ag.tensor(v, requires_grad=True) for k, v in zip("abc", point)}
    yv, yt = evaluate(expr, vs), evaluate(expr, ts)
    if isinstance(yv, float):                # the expression is a constant
        return
    yt = yt + ts["a"] * 0.0                  # (so that it always requires grad)
    yv = yv + vs["a"] * 0.0
    assert np.isclose(yv._data, yt.item(), rtol=1e-12, atol=1e-300) or (
        np.isnan(yv._data) and np.isnan(yt.item()))
    yv.backward()
    yt.backward()
    for k in "abc":
        assert vs[k]._data == point["abc".index(k)]             # inputs untouched
        tg = 0.0 if ts[k].grad is None else ts[k].grad.item()      # None: not used
        assert np.isclose(vs[k].grad, tg, rtol=1e-12, atol=1e-14), (k, vs[k].grad, tg)
