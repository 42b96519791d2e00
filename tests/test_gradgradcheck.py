"""Second derivatives of every op: `gradgradcheck` (a backward through the graph that a
`create_graph=True` backward built) against central differences of first derivatives,
property-tested over hypothesis-generated shapes and values inside each op's domain, away
from kinks and poles.

Ops that are linear (or piecewise linear) have zero second derivatives on their own, which
would leave their double backward unchecked; they are squared first (y * y), so that the
first derivative 2 J^T (go * y) depends on the input through the op and its backward both.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import GradcheckError, Value, gradcheck, gradgradcheck
from autograd import rules as R
from autograd.functions import mse_loss
from autograd.testing import arrays, broadcastable_shapes, shapes, tensors, values

# Half the profile's examples: gradgradcheck builds and differentiates a graph per Jacobian
# row and column, and there are ~75 properties here (default profile: 30 each, ~15 s).
few = settings(max_examples=max(10, settings.default.max_examples // 2), deadline=None)


def sq(y):
    return y * y


# ------------------------------------------------------------ Values
ANY = values(-2.0, 2.0)
NONZERO = values(-2.0, 2.0, avoid=[0.0], margin=0.3)
POSITIVE = values(0.3, 2.0)

VALUE_OPS = {
    "a + b": (lambda a, b: sq(a + b), [ANY, ANY]),
    "a + 1.5": (lambda a: sq(a + 1.5), [ANY]),
    "1.5 + a": (lambda a: sq(1.5 + a), [ANY]),
    "a - b": (lambda a, b: sq(a - b), [ANY, ANY]),
    "a - 0.5, 2 - a": (lambda a: sq(a - 0.5) * (2.0 - a), [ANY]),
    "a * b": (lambda a, b: a * b, [ANY, ANY]),
    "a * 3, 3 * a": (lambda a: sq(a * 3.0) + sq(3.0 * a), [ANY]),
    "a / b": (lambda a, b: a / b, [ANY, NONZERO]),
    "a / 2": (lambda a: sq(a / 2.0), [ANY]),
    "1 / a": (lambda a: 1.0 / a, [NONZERO]),
    "a ** 3.5": (lambda a: a ** 3.5, [POSITIVE]),
    "a ** -1.5": (lambda a: a ** -1.5, [POSITIVE]),
    "a ** 2": (lambda a: a ** 2, [ANY]),
    "a ** 3 (int)": (lambda a: a ** 3, [ANY]),
    # b = 0 exactly is test_value_pow_second_derivative_at_a_zero_exponent (a known bug)
    "a ** b": (lambda a, b: a ** b, [POSITIVE, values(-2.0, 2.0).filter(lambda v: v.data != 0)]),
    "2 ** a": (lambda a: 2.0 ** a, [ANY]),
    "-a": (lambda a: sq(-a), [ANY]),
    "exp": (lambda a: a.exp(), [ANY]),
    "log": (lambda a: a.log(), [POSITIVE]),
    "sqrt": (lambda a: a.sqrt(), [POSITIVE]),
    "tanh": (lambda a: a.tanh(), [ANY]),
    "sigmoid": (lambda a: a.sigmoid(), [ANY]),
    "relu": (lambda a: sq(a.relu()), [NONZERO]),
    "abs": (lambda a: sq(a.abs()), [NONZERO]),
    "lincomb": (lambda a, b, c: ag.lincomb([a, b], [b, c], a), [ANY, ANY, ANY]),
    "a mix": (lambda a, b: (a * b).tanh() * b.exp() - (a / (b * b + 1.0)).sigmoid(),
              [ANY, ANY]),
}


@pytest.mark.parametrize("name", list(VALUE_OPS))
@few
@given(data=st.data())
def test_value_second_derivatives(name, data):
    f, domains = VALUE_OPS[name]
    xs = [data.draw(d, label=f"x{i}") for i, d in enumerate(domains)]
    go = data.draw(st.sampled_from([None, 1.0, -0.75]), label="grad_outputs")
    assert gradgradcheck(f, xs, grad_outputs=go)


def test_value_pow_second_derivative_at_a_zero_exponent():
    a, b = Value(2.0, label="a"), Value(0.0, label="b")
    (da,) = ag.grad(a ** b, [a], create_graph=True)
    assert isinstance(da, Value)          # (passes today: the graph is cut, not dropped)
    assert gradgradcheck(lambda a, b: a ** b, [a, b], grad_outputs=1.0)


def test_tensor_pow_second_derivative_at_a_zero_exponent():
    a = ag.tensor([2.0, 0.5], requires_grad=True)
    b = ag.tensor([0.0, 0.0], requires_grad=True)
    assert gradgradcheck(lambda a, b: a ** b, [a, b])


# ------------------------------------------------------------ Tensors
SMALL = dict(max_dims=2, max_side=3)        # at most 9 elements per input


def draw_go(data, f, xs):
    """A random grad_outputs of f's output shape (entries of magnitude 0.3 to 1.5)."""
    shape = f(*xs).shape
    return data.draw(arrays(shape, -1.5, 1.5, away_from=0.0, margin=0.3), label="go")


def check(data, f, xs):
    assert gradgradcheck(f, xs, grad_outputs=draw_go(data, f, xs))


def any_t(shape):
    return tensors(shape, -2.0, 2.0)


def nonzero_t(shape):
    return tensors(shape, -2.0, 2.0, away_from=0.0, margin=0.3)


def positive_t(shape):
    return tensors(shape, 0.3, 2.0)


# elementwise, two inputs, any broadcastable shapes
BINARY = {
    "add": (lambda a, b: sq(a + b), any_t, any_t),
    "sub": (lambda a, b: sq(a - b), any_t, any_t),
    "mul": (lambda a, b: a * b, any_t, any_t),
    "div": (lambda a, b: a / b, any_t, nonzero_t),
    "pow": (lambda a, b: a ** b, positive_t, any_t),
    "ag.add/sub/mul/div": (lambda a, b: sq(ag.add(a, b)) * ag.sub(a, b) + ag.mul(a, b)
                           + ag.div(a, b), any_t, nonzero_t),
}


@pytest.mark.parametrize("name", list(BINARY))
@few
@given(data=st.data(), pair=broadcastable_shapes(2, **SMALL))
def test_broadcasting_binary_ops(name, data, pair):
    f, gen_a, gen_b = BINARY[name]
    xs = [data.draw(gen_a(pair[0]), label="a"), data.draw(gen_b(pair[1]), label="b")]
    check(data, f, xs)


# elementwise, one input (and constants)
UNARY = {
    "a + 1.5, 1.5 - a": (lambda a: sq(a + 1.5) * (1.5 - a), any_t),
    "a * 3, 3 / a": (lambda a: sq(a * 3.0) + 3.0 / a, nonzero_t),
    "a / 2": (lambda a: sq(a / 2.0), any_t),
    "a ** 2.5": (lambda a: a ** 2.5, positive_t),
    "a ** -1": (lambda a: a ** -1.0, nonzero_t),
    "a ** 3": (lambda a: a ** 3, any_t),
    "2 ** a": (lambda a: 2.0 ** a, any_t),
    "neg": (lambda a: sq(-a), any_t),
    "exp": (lambda a: a.exp(), any_t),
    "log": (lambda a: a.log(), positive_t),
    "sqrt": (lambda a: a.sqrt(), positive_t),
    "tanh": (lambda a: a.tanh(), any_t),
    "sigmoid": (lambda a: a.sigmoid(), any_t),
    "relu": (lambda a: sq(a.relu()), nonzero_t),
    "abs": (lambda a: sq(a.abs()), nonzero_t),
    "ag.exp/log/sqrt/tanh/sigmoid": (lambda a: ag.exp(a) * ag.log(a) + ag.sqrt(a) * ag.tanh(a)
                                     * ag.sigmoid(a), positive_t),
    "clamp": (lambda a: sq(a.clamp(-0.5, 0.5)),
              lambda s: tensors(s, -2.0, 2.0, away_from=[-0.5, 0.5], margin=0.2)),
    "clamp min only": (lambda a: sq(ag.clamp(a, min=0.5)),
                       lambda s: tensors(s, -2.0, 2.0, away_from=0.5, margin=0.2)),
    "clamp max only": (lambda a: sq(ag.clamp(a, max=-0.5)),
                       lambda s: tensors(s, -2.0, 2.0, away_from=-0.5, margin=0.2)),
    "maximum with a number": (lambda a: sq(ag.maximum(a, 0.5)),
                              lambda s: tensors(s, -2.0, 2.0, away_from=0.5, margin=0.2)),
}


@pytest.mark.parametrize("name", list(UNARY))
@few
@given(data=st.data(), shape=shapes(0, **SMALL))
def test_elementwise_unary_ops(name, data, shape):
    f, gen = UNARY[name]
    check(data, f, [data.draw(gen(shape), label="a")])


@pytest.mark.parametrize("op", [ag.maximum, ag.minimum], ids=["maximum", "minimum"])
@few
@given(data=st.data(), shape=shapes(0, **SMALL))
def test_maximum_minimum(op, data, shape):
    a = data.draw(any_t(shape), label="a")
    # b differs from a by 0.2 to 1 in every element, on either side: no ties
    gap = data.draw(arrays(shape, -1.0, 1.0, away_from=0.0, margin=0.2), label="gap")
    b = ag.tensor(a.data + gap, requires_grad=True)
    check(data, lambda a, b: sq(op(a, b)), [a, b])


@few
@given(data=st.data(), pair=broadcastable_shapes(2, **SMALL))
def test_where(data, pair):
    a, b = data.draw(any_t(pair[0]), label="a"), data.draw(any_t(pair[1]), label="b")
    cond = data.draw(hnp.arrays(np.bool_, np.broadcast_shapes(*pair)), label="cond")
    check(data, lambda a, b: sq(ag.where(cond, a, b)) + sq(ag.where(cond, 1.5, a * b)), [a, b])


# reductions
def dims(ndim):
    """None, one axis (negative allowed) or a tuple of distinct axes."""
    axes = st.integers(-ndim, ndim - 1)
    return st.one_of(st.none(), axes,
                     st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                              unique=True).map(tuple))


@pytest.mark.parametrize("name", ["sum", "mean"])
@few
@given(data=st.data(), shape=shapes(1, max_dims=3, max_side=3))
def test_sum_mean(name, data, shape):
    dim, keepdim = data.draw(dims(len(shape)), label="dim"), data.draw(st.booleans(), "keepdim")
    a = data.draw(any_t(shape), label="a")
    fn = getattr(ag, name)
    check(data, lambda a: sq(fn(a, dim=dim, keepdim=keepdim)), [a])


def distinct_t(shape):
    """Tensors whose elements are all different (0.1 apart at least): max/min have no ties."""
    grid = st.integers(-30, 30).map(lambda k: k / 10)
    return hnp.arrays(np.float64, shape, elements=grid, unique=True).map(
        lambda a: ag.tensor(a, requires_grad=True))


@pytest.mark.parametrize("name", ["max", "min"])
@few
@given(data=st.data(), shape=shapes(1, max_dims=3, max_side=3))
def test_max_min(name, data, shape):
    a = data.draw(distinct_t(shape), label="a")
    dim = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)), "dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    if dim is None:
        f = lambda a: sq(getattr(a, name)()) * a       # the full reduction, times a
    else:
        f = lambda a: sq(getattr(a, name)(dim=dim, keepdim=keepdim).values)
    check(data, f, [a])


# matrix products
@few
@given(data=st.data(), n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3),
       batch=st.integers(1, 2),
       form=st.sampled_from(["matmul", "batched", "broadcast batch", "vec @ mat", "mat @ vec",
                             "vec @ vec", "mv", "mm", "dot", "@ then tanh"]))
def test_matrix_products(data, n, k, m, batch, form):
    a_shape, b_shape, f = {
        "matmul": ((n, k), (k, m), lambda a, b: a @ b),
        "batched": ((batch, n, k), (batch, k, m), lambda a, b: ag.matmul(a, b)),
        "broadcast batch": ((batch, n, k), (k, m), lambda a, b: a @ b),
        "vec @ mat": ((k,), (k, m), lambda a, b: a @ b),
        "mat @ vec": ((batch, n, k), (k,), lambda a, b: a @ b),
        "vec @ vec": ((k,), (k,), lambda a, b: a @ b),
        "mv": ((n, k), (k,), lambda a, b: ag.mv(a, b)),
        "mm": ((n, k), (k, m), lambda a, b: ag.mm(a, b)),
        "dot": ((k,), (k,), lambda a, b: sq(ag.dot(a, b))),
        "@ then tanh": ((n, k), (k, m), lambda a, b: (a @ b).tanh()),
    }[form]
    a, b = data.draw(any_t(a_shape), label="a"), data.draw(any_t(b_shape), label="b")
    check(data, f, [a, b])


@few
@given(data=st.data(), lead=st.sampled_from([(), (2,), (2, 2)]), n_in=st.integers(1, 3),
       n_out=st.integers(1, 3), bias=st.booleans())
def test_linear(data, lead, n_in, n_out, bias):
    x = data.draw(any_t(lead + (n_in,)), label="x")
    w = data.draw(any_t((n_out, n_in)), label="w")
    if bias:
        b = data.draw(any_t((n_out,)), label="b")
        check(data, lambda x, w, b: sq(ag.linear(x, w, b)), [x, w, b])
    else:
        check(data, lambda x, w: sq(ag.linear(x, w)), [x, w])


# shapes
@few
@given(data=st.data(), shape=shapes(1, max_dims=3, max_side=3))
def test_reshape_view_flatten(data, shape):
    a = data.draw(any_t(shape), label="a")
    size = int(np.prod(shape))
    new = data.draw(st.sampled_from([(size,), (-1,), (1, size), (size, 1, 1), shape[::-1]]),
                    label="new shape")
    if int(np.prod(new)) != size and -1 not in new:
        new = (size,)
    check(data, lambda a: sq(a.reshape(*new)) + sq(a.view(-1)).sum() * a.flatten()[0], [a])


@few
@given(data=st.data(), shape=shapes(1, max_dims=3, max_side=3))
def test_transpose_permute(data, shape):
    a = data.draw(any_t(shape), label="a")
    n = len(shape)
    d0, d1 = data.draw(st.integers(-n, n - 1), "d0"), data.draw(st.integers(-n, n - 1), "d1")
    perm = data.draw(st.permutations(range(n)), label="perm")
    check(data, lambda a: sq(a.transpose(d0, d1)).sum() * a.sum() + sq(a.permute(*perm))
          + sq(a.T).sum(), [a])


@few
@given(data=st.data(), shape=shapes(0, max_dims=3, min_side=1, max_side=2))
def test_squeeze_unsqueeze(data, shape):
    a = data.draw(any_t(shape), label="a")
    n = len(shape)
    at = data.draw(st.integers(-(n + 1), n), label="unsqueeze dim")
    sdim = data.draw(st.one_of(st.none(), st.integers(-n, n - 1)) if n else st.none(), "squeeze")
    check(data, lambda a: sq(a.unsqueeze(at)) * 2.0 + sq(a.squeeze(sdim)).sum(), [a])


@few
@given(data=st.data(), shape=shapes(0, max_dims=3, min_side=1, max_side=3),
       lead=st.sampled_from([(), (2,)]))
def test_expand(data, shape, lead):
    # some sides of the input are 1 (those grow); the others stay
    ones = data.draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)), "ones")
    small = tuple(1 if o else s for o, s in zip(ones, shape))
    a = data.draw(any_t(small), label="a")
    check(data, lambda a: sq(a.expand(*(lead + shape))), [a])


# indexing
def index_for(data, shape):
    """A basic, advanced (repeats allowed), boolean or mixed index into a tensor of `shape`."""
    m, n = shape
    kind = data.draw(st.sampled_from(["int", "slice", "step", "None/Ellipsis", "list",
                                      "repeated", "2-d array", "mask", "mixed", "tensor"]),
                     label="index kind")
    rows = st.integers(-m, m - 1)
    if kind == "int":
        return data.draw(rows)
    if kind == "slice":
        return (slice(data.draw(st.integers(0, m - 1)), None), slice(None, data.draw(
            st.integers(1, n))))
    if kind == "step":
        return (slice(None, None, -1), slice(None, None, 2))
    if kind == "None/Ellipsis":
        return (None, Ellipsis, data.draw(st.integers(-n, n - 1)))
    if kind == "list":
        return data.draw(st.lists(rows, min_size=1, max_size=4))
    if kind == "repeated":
        i = data.draw(rows)
        return [i, i, i]
    if kind == "2-d array":
        return np.array(data.draw(st.lists(rows, min_size=4, max_size=4))).reshape(2, 2)
    if kind == "mask":
        return data.draw(hnp.arrays(np.bool_, (m, n)))
    if kind == "mixed":
        return (data.draw(st.lists(rows, min_size=1, max_size=3)), slice(None, None, -1))
    return ag.tensor(np.array(data.draw(st.lists(rows, min_size=1, max_size=3))))


@few
@given(data=st.data(), m=st.integers(1, 3), n=st.integers(1, 3))
def test_indexing(data, m, n):
    a = data.draw(any_t((m, n)), label="a")
    index = index_for(data, (m, n))
    check(data, lambda a: sq(a[index]), [a])


# joins
@pytest.mark.parametrize("join", ["cat", "stack"])
@few
@given(data=st.data(), shape=shapes(1, max_dims=2, max_side=3), count=st.integers(1, 3))
def test_cat_stack(join, data, shape, count):
    n = len(shape)
    if join == "cat":
        dim = data.draw(st.integers(-n, n - 1), label="dim")
        sizes = data.draw(st.lists(st.integers(1, 2), min_size=count, max_size=count), "sizes")
        shapes_ = [shape[:dim % n] + (s,) + shape[dim % n + 1:] for s in sizes]
        fn = ag.cat
    else:
        dim = data.draw(st.integers(-(n + 1), n), label="dim")
        shapes_ = [shape] * count
        fn = ag.stack
    xs = [data.draw(any_t(s), label=f"x{i}") for i, s in enumerate(shapes_)]
    check(data, lambda *xs: sq(fn(list(xs), dim=dim)), xs)


# the fused loss
@few
@given(data=st.data(), shape=shapes(0, **SMALL),
       reduction=st.sampled_from(["mean", "sum", "none"]), target_grad=st.booleans())
def test_mse_loss(data, shape, reduction, target_grad):
    a = data.draw(any_t(shape), label="input")
    b = data.draw(tensors(shape, -2.0, 2.0, requires_grad=target_grad), label="target")
    check(data, lambda a, b: mse_loss(a, b, reduction=reduction) * a.tanh(), [a, b])


# ------------------------------------------------------------ gradgradcheck itself
def test_a_rule_that_cuts_its_own_graph_fails_gradgradcheck_but_not_gradcheck(monkeypatch):
    # d/dx tanh x = 1 - tanh^2 x computed on raw data: the right first derivative, but to
    # the second backward the formula is a constant, so the second derivative is lost.
    monkeypatch.setattr(R.Tanh, "grads", (lambda g, out, a: g * (1 - R.data_of(out) ** 2),))
    x = Value(0.4, label="x")
    assert gradcheck(lambda v: v.tanh(), [x])
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda v: v.tanh(), [x], grad_outputs=1.0)
    msg = str(info.value)
    assert msg.startswith("gradgradcheck: second derivatives")
    assert ("input 0 ('x'), output element (0,) (d/d input 0 of the first derivative): "
            "analytic 0.0, numerical") in msg
    (m,) = info.value.mismatches
    assert m.numerical == pytest.approx(-2 * np.tanh(0.4) * (1 - np.tanh(0.4) ** 2), rel=1e-6)

    t = ag.tensor([0.4, -0.3], requires_grad=True)
    assert gradcheck(lambda v: v.tanh(), [t])
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda v: v.tanh(), [t])
    assert ("input 0, element (0,), output element (0,) (d/d input 0 element (0,) of the first "
            "derivative): analytic 0.0") in str(info.value)


def test_a_wrong_second_derivative_of_one_input_names_that_input(monkeypatch):
    # Mul's formula for b uses a's raw data: d/db (a b) = a is right, d/da of it is lost
    monkeypatch.setattr(R.Mul, "grads", (lambda g, out, a, b: g * b,
                                         lambda g, out, a, b: g * R.data_of(a)))
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, -1.0], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda a, b: a * b, [a, b], grad_outputs=np.ones(2))
    (m,) = info.value.mismatches
    # d/da of (d out/db) . go = go: output elements 2, 3 of the first-derivative vector
    assert m.index == 0 and m.element == (0,) and m.output == (2,)
    assert m.analytic == 0.0 and m.numerical == pytest.approx(1.0)
    assert "d/d input 1 element (0,) of the first derivative" in str(info.value)


def test_grad_outputs_can_be_an_array_a_tensor_or_a_number():
    a = ag.tensor([0.5, -1.0], requires_grad=True)
    for go in (np.array([1.0, -2.0]), ag.tensor([1.0, -2.0]), None):
        assert gradgradcheck(lambda x: x.exp() * x, [a], grad_outputs=go)
    for go in (2.0, Value(-0.5), None):
        assert gradgradcheck(lambda x: x.exp() * x, [Value(0.3)], grad_outputs=go)
    with pytest.raises(ValueError, match=r"grad_outputs has shape \(3,\).*\(2,\)"):
        gradgradcheck(lambda x: x * 2, [a], grad_outputs=np.ones(3))
    with pytest.raises(ValueError, match="grad_outputs"):
        gradgradcheck(lambda x: x * 2, [Value(1.0)], grad_outputs=[1.0, 2.0])


def test_gradgradcheck_leaves_inputs_alone_and_skips_constants():
    a = ag.tensor([0.5, -1.0], requires_grad=True, dtype=ag.float32)
    c = ag.tensor([2.0, 3.0])
    a.grad = ag.tensor([9.0, 9.0], dtype=ag.float32)
    before = np.array(a.data)
    # the path through c.data would be wrong, but c does not require grad
    assert gradgradcheck(lambda a, c: (a * a * ag.tensor(c.data)).sum() + c.sum(), [a, c])
    np.testing.assert_array_equal(a.data, before)
    np.testing.assert_array_equal(a.grad.data, [9.0, 9.0])
    assert a.dtype == np.float32 and c.grad is None
    x = Value(0.7)
    x.grad = 4.0
    assert gradgradcheck(lambda v: v.exp() * v, [x])
    assert x.data == 0.7 and x.grad == 4.0


def test_a_linear_function_and_a_constant_have_zero_second_derivatives():
    a = ag.tensor([0.5, -1.0], requires_grad=True)
    assert gradgradcheck(lambda x: x * 3.0 + 1.0, [a])
    assert gradgradcheck(lambda x: ag.ones(3), [a])
    assert gradgradcheck(lambda v, w: v * 2.0 - w, [Value(1.0), Value(2.0)])
    assert gradgradcheck(lambda v: Value(5.0), [Value(1.0)])


def test_gradgradcheck_rejects_mixed_or_bad_inputs():
    with pytest.raises(TypeError, match=r"inputs\[1\] must be an autograd.Value.*Tensor"):
        gradgradcheck(lambda a, b: a, [Value(1.0), ag.tensor([1.0], requires_grad=True)])
    with pytest.raises(TypeError, match="must return a Value"):
        gradgradcheck(lambda a: 2.0, [Value(1.0)])
    with pytest.raises(ValueError, match="atol"):
        gradgradcheck(lambda a: a, [Value(1.0)], atol=-1)


# ------------------------------------------------------------ examples/double_backward.py
def test_the_double_backward_example_matches_its_closed_forms(tmp_path):
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    out = tmp_path / "graph.gv"                 # DOT text: no Graphviz needed
    run = subprocess.run([sys.executable, str(root / "examples" / "double_backward.py"),
                          "--out", str(out)], capture_output=True, text=True, timeout=120,
                         cwd=root / "examples", env=env)
    assert run.returncode == 0, run.stderr
    rows = re.findall(r"^(\S+) += (-?[\d.]+) .*= (-?[\d.]+)$", run.stdout, re.M)
    assert [r[0] for r in rows] == ["y", "dy/dx", "d2y/dx2", "d2y/dxdw"]
    for _, autograd_value, closed_form in rows:
        assert float(autograd_value) == pytest.approx(float(closed_form), abs=1e-12)
    assert float(rows[2][1]) == pytest.approx(-2 * 2.0 * np.tanh(0.5) * (1 - np.tanh(0.5) ** 2))
    source = out.read_text()
    for text in ("forward graph", "built by the first backward", "g = dy/dx", "tanh^2"):
        assert text in source
    assert (root / "docs" / "double_backward.svg").read_text().startswith("<?xml")
