"""The fast `backward()` and the reference loop (`engine.backprop_steps`) give the same
gradients, on random graphs of Values and of Tensors whose nodes are reused (shared
subgraphs, a leaf used several times, broadcasting)."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.engine import backprop_steps, topological_order

UNARY = [lambda a: a.tanh(), lambda a: a.sin(), lambda a: a.sigmoid(), lambda a: -a,
         lambda a: a * 0.5, lambda a: (a * a + 1).log(), lambda a: a.relu(),
         lambda a: (a * 0.3).exp()]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
          lambda a, b: a / (b * b + 1), lambda a, b: 2 - a * b]


@st.composite
def programs(draw):
    """(number of leaves, ops): each op names its inputs by position in the growing pool."""
    n_leaves = draw(st.integers(1, 4))
    ops = []
    size = n_leaves
    for _ in range(draw(st.integers(1, 14))):
        if draw(st.booleans()):
            ops.append(("u", draw(st.integers(0, len(UNARY) - 1)),
                        draw(st.integers(0, size - 1))))
        else:
            ops.append(("b", draw(st.integers(0, len(BINARY) - 1)),
                        draw(st.integers(0, size - 1)), draw(st.integers(0, size - 1))))
        size += 1
    outputs = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=3))
    return n_leaves, ops, outputs


def run(program, leaves, total):
    """Build the program's graph on `leaves`; `total(nodes)` joins the outputs into a root."""
    _, ops, outputs = program
    pool = list(leaves)
    for op in ops:
        if op[0] == "u":
            pool.append(UNARY[op[1]](pool[op[2]]))
        else:
            pool.append(BINARY[op[1]](pool[op[2]], pool[op[3]]))
    return total([pool[i] for i in outputs])


def reference_grads(root, seed):
    totals = {}
    for step in backprop_steps(root, seed):
        totals[step.input] = step.total
    return totals


@given(programs(), st.lists(st.floats(-2, 2), min_size=4, max_size=4))
def test_values(program, data):
    leaves = [Value(x) for x in data[:program[0]]]
    root = run(program, leaves, lambda outs: sum(outs[1:], outs[0]) * 1.0)
    if not isinstance(root, Value) or root._rule is None:
        return
    reference = reference_grads(root, 1.0)
    root.backward()
    for leaf in leaves:
        expected = reference.get(leaf, 0.0)
        assert leaf.grad == expected or abs(leaf.grad - expected) <= 1e-12 * (1 + abs(expected))
    for node in topological_order(root)[1:]:          # interior nodes too
        if node in reference:
            assert abs(node.grad - reference[node]) <= 1e-12 * (1 + abs(reference[node]))


SHAPES = [(3,), (2, 3), (1, 3), (2, 1), ()]


@given(programs(), st.data())
def test_tensors_with_broadcasting(program, data):
    shapes = [data.draw(st.sampled_from(SHAPES)) for _ in range(program[0])]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    leaves = [autograd.tensor(rng.uniform(-2, 2, s), requires_grad=True) for s in shapes]
    root = run(program, leaves, lambda outs: sum(o.sum() for o in outs[1:]) + outs[0].sum())
    if root._rule is None or not root.requires_grad:
        return
    reference = reference_grads(root, np.ones(root.shape))
    root.backward()
    for leaf in leaves:
        expected = reference.get(leaf)
        if expected is None:
            assert leaf.grad is None
            continue
        np.testing.assert_allclose(leaf.grad.numpy(), expected, rtol=1e-12, atol=1e-12)
