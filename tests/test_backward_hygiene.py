"""backward() leaves the inputs' data alone and hands out gradients that share memory with
nothing else (no two leaves, no input data, not the upstream seed)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag

# Ops whose gradient formulas could pass the upstream array straight through (add, sub,
# reshape, transpose, expand, indexing) are the ones that could alias: test those hardest.
OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "reshape": lambda a, b: a.reshape(-1) + b.reshape(-1),
    "transpose": lambda a, b: a.T + b.T,
    "expand": lambda a, b: a.sum(dim=0, keepdim=True).expand(*b.shape) + b,
    "getitem": lambda a, b: a[0] + b[0],
    "cat": lambda a, b: ag.cat([a, b]),
    "linear": lambda a, b: ag.linear(a, b, b[0]),
}


@pytest.mark.parametrize("name", list(OPS))
@given(seed=st.integers(0, 2**32 - 1), use_seed=st.booleans())
@settings(deadline=None, max_examples=20)
def test_backward_does_not_modify_inputs_and_grads_do_not_alias(name, seed, use_seed):
    rng = np.random.default_rng(seed)
    a = ag.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    b = ag.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    before = a.data.copy(), b.data.copy()
    out = OPS[name](a, b)
    seed_arr = rng.standard_normal(out.shape)
    seed_copy = seed_arr.copy()
    out.backward(gradient=seed_arr) if use_seed else out.sum().backward()
    np.testing.assert_array_equal(a.data, before[0])
    np.testing.assert_array_equal(b.data, before[1])
    np.testing.assert_array_equal(seed_arr, seed_copy)
    arrays = [a.grad.data, b.grad.data, a.data, b.data, seed_arr]
    for i in range(2):
        for j in range(len(arrays)):
            if i != j:
                assert not np.shares_memory(arrays[i], arrays[j]), (i, j)
    # after a second backward (accumulating in place), zeroing one leaf's grad in place
    # leaves the other's alone
    OPS[name](a, b).sum().backward()
    g_b = b.grad.data.copy()
    a.grad.data[...] = 0
    np.testing.assert_array_equal(b.grad.data, g_b)


def test_a_leaf_used_twice_through_add_gets_its_own_array():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()                 # add passes the same upstream to both inputs
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data[0] = 100.0
    assert b.grad.data[0] == 1.0


@given(st.lists(st.floats(-2, 2).filter(lambda v: abs(v) > 0.1), min_size=3, max_size=3))
@settings(deadline=None, max_examples=40)
def test_value_and_tensor_give_the_same_gradients(xs):
    vs = [ag.Value(x) for x in xs]
    ts = [ag.tensor(x, requires_grad=True) for x in xs]

    def f(a, b, c):
        return (a * b + c).tanh() * (a - c) / (b * b + 1) + (c * c + 0.5).log()

    f(*vs).backward()
    f(*ts).backward()
    for v, t in zip(vs, ts, strict=True):
        assert np.isclose(v.grad, t.grad.item(), rtol=1e-12, atol=1e-15)
