"""Every Tensor op against central differences (tests/tensor_helpers.py), with hypothesis
generating the shapes (broadcasting, size-1 and 0-d included) and the values, and a random
upstream gradient for each example. Inputs are kept away from kinks, poles and ties unless
a test is about them. Also: dtypes, comparisons, and shape errors naming the op and shapes."""
from __future__ import annotations

import operator

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_helpers import check_vjp, distinct, values

import autograd as ag

seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1,
                                          max_side=3)
triples = hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=1,
                                            max_side=3)
quick = settings(deadline=None)


def rng_of(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------ + - * / ** between tensors
# name -> (function, generator of the first input, generator of the second input)
def _any(rng, s):
    return values(rng, s)


def _nonzero(rng, s):
    return values(rng, s, away=[0.0], gap=0.4)


def _positive(rng, s):
    return values(rng, s, 0.4, 2.0)


BINARY = {
    "add": (operator.add, _any, _any),
    "sub": (operator.sub, _any, _any),
    "mul": (operator.mul, _any, _any),
    "truediv": (operator.truediv, _any, _nonzero),
    "pow": (operator.pow, _positive, _any),
    "ag.add": (ag.add, _any, _any),
    "ag.sub": (ag.sub, _any, _any),
    "ag.mul": (ag.mul, _any, _any),
    "ag.div": (ag.div, _any, _nonzero),
    "ag.pow": (ag.pow, _positive, _any),
    "maximum": (ag.maximum, _any, None),
    "minimum": (ag.minimum, _any, None),
    "max(a, b)": (lambda a, b: a.max(b), _any, None),
    "min(a, b)": (lambda a, b: a.min(b), _any, None),
}


def _second(rng, first_gen, second_gen, a_shape, b_shape, a):
    if second_gen is not None:
        return second_gen(rng, b_shape)
    # maximum/minimum: b at least 0.1 away from a (no ties), broadcast-compatible
    b = values(rng, b_shape)
    full = np.broadcast_to(b, np.broadcast_shapes(a_shape, b_shape))
    if np.any(np.abs(np.broadcast_to(a, full.shape) - full) < 0.1):
        b = values(rng, b_shape, 3.0, 4.0) * rng.choice([-1.0, 1.0])   # clear of a's [-2.2, 2.2]
    return b


@quick
@given(name=st.sampled_from(sorted(BINARY)), bs=pairs, seed=seeds)
def test_binary_ops_broadcast(name, bs, seed):
    f, gen_a, gen_b = BINARY[name]
    rng = rng_of(seed)
    sa, sb = bs.input_shapes
    a = gen_a(rng, sa)
    b = _second(rng, gen_a, gen_b, sa, sb, a)
    xs = check_vjp(f, a, b, seed=seed)
    assert f(*xs).shape == bs.result_shape


# op, the tensor's domain, numbers that are safe on the right, numbers safe on the left
NUMBER_OPS = {
    "add": (operator.add, _any, [2.5, -1, 0, np.float64(0.5)], [3, -0.25, np.float32(2.0)]),
    "sub": (operator.sub, _any, [2.5, -1, np.float64(0.5)], [3, -0.25, np.int64(2)]),
    "mul": (operator.mul, _any, [2.5, -3, 0.0, np.float64(0.5)], [3, -0.25, np.int64(2)]),
    "truediv": (operator.truediv, _nonzero, [2.5, -3, np.float64(0.5)], [3, -0.25, 1.0]),
    "pow_int": (operator.pow, _any, [2, 3, 1, 0], None),
    "pow_float": (operator.pow, _positive, [0.5, -1.5, 2.0, np.float64(1.3)], [2.0, 0.5, 3]),
    "maximum": (ag.maximum, _nonzero, [0.0], None),
    "minimum": (ag.minimum, _nonzero, [0.0], None),
}


@quick
@given(name=st.sampled_from(sorted(NUMBER_OPS)), shape=shapes, seed=seeds, data=st.data())
def test_binary_ops_with_a_number_on_either_side(name, shape, seed, data):
    f, gen, right, left = NUMBER_OPS[name]
    rng = rng_of(seed)
    x = gen(rng, shape)
    c = data.draw(st.sampled_from(right), label="right")
    check_vjp(lambda t: f(t, c), x, seed=seed)
    if left is not None:
        c = data.draw(st.sampled_from(left), label="left")
        check_vjp(lambda t: f(c, t), x, seed=seed)


def test_a_number_on_the_left_gives_the_reflected_op():
    x = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    for y, want, dwant in ((5 - x, [4, 3, 1], [-1, -1, -1]),
                           (8 / x, [8, 4, 2], [-8, -2, -0.5]),
                           (2 ** x, [2, 4, 16], np.log(2) * np.array([2, 4, 16])),
                           (3 * x, [3, 6, 12], [3, 3, 3]),
                           (1 + x, [2, 3, 5], [1, 1, 1])):
        x.grad = None
        np.testing.assert_allclose(y.data, want)
        y.sum().backward()
        np.testing.assert_allclose(x.grad.data, dwant)


def test_tensor_divided_by_the_number_zero_is_inf_as_numpy_and_pytorch():
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal((x / ag.tensor(0.0)).data, [np.inf, -np.inf])   # works
        np.testing.assert_array_equal((x / 0.0).data, [np.inf, -np.inf])


def test_numpy_array_on_the_left_is_handed_to_the_tensor():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, ag.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])


# ------------------------------------------------------------ unary functions
UNARY = {
    "neg": (operator.neg, _any),
    "pos": (lambda t: +t * t, _any),
    "exp": (lambda t: t.exp(), _any),
    "ag.exp": (ag.exp, _any),
    "log": (lambda t: t.log(), _positive),
    "ag.log": (ag.log, _positive),
    "sqrt": (lambda t: t.sqrt(), _positive),
    "ag.sqrt": (ag.sqrt, _positive),
    "tanh": (lambda t: t.tanh(), _any),
    "ag.tanh": (ag.tanh, _any),
    "sigmoid": (lambda t: t.sigmoid(), lambda rng, s: values(rng, s, -6, 6)),
    "ag.sigmoid": (ag.sigmoid, _any),
    "relu": (lambda t: t.relu(), _nonzero),
    "ag.relu": (ag.relu, _nonzero),
    "abs": (lambda t: t.abs(), _nonzero),
    "abs()": (abs, _nonzero),
    "ag.abs": (ag.abs, _nonzero),
    "clamp_min": (lambda t: t.clamp(min=-0.5), lambda rng, s: values(rng, s, away=[-0.5])),
    "clamp_max": (lambda t: ag.clamp(t, max=0.7), lambda rng, s: values(rng, s, away=[0.7])),
    "clamp_both": (lambda t: ag.clamp(t, -0.5, 0.7),
                   lambda rng, s: values(rng, s, away=[-0.5, 0.7])),
    "clip": (lambda t: ag.clip(t, min=-1, max=1), lambda rng, s: values(rng, s, away=[-1, 1])),
    "clone": (lambda t: t.clone() * t, _any),
}


@quick
@given(name=st.sampled_from(sorted(UNARY)), shape=shapes, seed=seeds)
def test_unary_ops(name, shape, seed):
    f, gen = UNARY[name]
    x = gen(rng_of(seed), shape)
    xs = check_vjp(f, x, seed=seed)
    assert f(xs[0]).shape == shape


def test_kinks_follow_pytorch():
    x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    (x.relu().sum() + x.abs().sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [0 - 1, 0 + 0, 1 + 1])
    x.grad = None
    ag.clamp(x, -1.0, 2.0).sum().backward()        # the interval's ends count as inside
    np.testing.assert_array_equal(x.grad.data, [1, 1, 1])


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="clamp"):
        ag.clamp(ag.ones(2, requires_grad=True))


# ------------------------------------------------------------ ties split the gradient
def test_maximum_minimum_ties_split_the_gradient_in_half():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([1.0, 0.0, 5.0], requires_grad=True)
    ag.maximum(a, b).backward(ag.tensor([2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(a.grad.data, [1.0, 3.0, 0.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 0.0, 4.0])
    a.grad = b.grad = None
    ag.minimum(a, b).backward(ag.tensor([2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(a.grad.data, [1.0, 0.0, 4.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 3.0, 0.0])


def test_maximum_tie_with_a_number_keeps_half():
    a = ag.tensor([0.0, 1.0, -1.0], requires_grad=True)
    ag.maximum(a, 0.0).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0])


def test_full_max_min_ties_share_the_gradient_evenly_but_dim_picks_the_index():
    x = ag.tensor([[3.0, 1.0, 3.0], [0.0, 3.0, -2.0]], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.data, [[1 / 3, 0, 1 / 3], [0, 1 / 3, 0]])
    x.grad = None
    x.min().backward()
    np.testing.assert_allclose(x.grad.data, [[0, 0, 0], [0, 0, 1]])
    x.grad = None
    values_, indices = x.max(dim=1)
    np.testing.assert_array_equal(indices.data, [0, 1])
    values_.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 0, 0], [0, 1, 0]])


# ------------------------------------------------------------ reductions
@st.composite
def shape_and_dim(draw, allow_tuple=True):
    shape = draw(shapes)
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"] if allow_tuple else ["none", "int"]))
    if kind == "none" or nd == 0:
        return shape, None
    axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    axes = [a - nd if draw(st.booleans()) else a for a in axes]     # negative dims too
    return shape, (axes[0] if kind == "int" else tuple(axes))


@quick
@given(sd=shape_and_dim(), keepdim=st.booleans(), op=st.sampled_from(["sum", "mean"]),
       seed=seeds)
def test_sum_mean(sd, keepdim, op, seed):
    shape, dim = sd
    x = values(rng_of(seed), shape)
    if dim is None and not keepdim:
        f = (lambda t: getattr(t, op)()) if seed % 2 else (lambda t: getattr(ag, op)(t))
    else:
        f = lambda t: getattr(t, op)(dim=dim, keepdim=keepdim)
    xs = check_vjp(f, x, seed=seed)
    want = getattr(np, op)(x, axis=dim, keepdims=keepdim)
    np.testing.assert_allclose(f(xs[0]).data, want)
    assert f(xs[0]).shape == np.shape(want)


def test_numpy_style_axis_keepdims_spelling():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.sum(axis=0, keepdims=True)
    assert y.shape == (1, 3)
    x.mean(axis=-1).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((2, 3), 1 / 3))


@quick
@given(sd=shape_and_dim(allow_tuple=False), keepdim=st.booleans(),
       op=st.sampled_from(["max", "min"]), seed=seeds)
def test_max_min(sd, keepdim, op, seed):
    shape, dim = sd
    x = distinct(rng_of(seed), shape)
    if dim is None:
        f = lambda t: getattr(t, op)()
        check_vjp(f, x, seed=seed)
        assert f(ag.tensor(x)).item() == getattr(np, op)(x)
        return
    out = getattr(ag.tensor(x), op)(dim=dim, keepdim=keepdim)
    assert isinstance(out, tuple) and len(out) == 2
    vals, idx = out
    assert out.values is vals and out.indices is idx
    np.testing.assert_array_equal(vals.data, getattr(np, op)(x, axis=dim, keepdims=keepdim))
    arg = np.argmax if op == "max" else np.argmin
    want_idx = arg(x, axis=dim)
    np.testing.assert_array_equal(idx.data, np.expand_dims(want_idx, dim) if keepdim else want_idx)
    assert idx.dtype == np.int64 and not idx.requires_grad
    check_vjp(lambda t: getattr(t, op)(dim=dim, keepdim=keepdim)[0], x, seed=seed)
    check_vjp(lambda t: getattr(ag, op)(t, dim, keepdim).values, x, seed=seed)


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_with_dim_on_a_0d_tensor(op):
    x = ag.tensor(2.5, requires_grad=True)
    vals, idx = getattr(x, op)(dim=0)
    assert vals.item() == 2.5 and idx.item() == 0
    vals.backward()
    assert x.grad.item() == 1.0


# ------------------------------------------------------------ matrix products
@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "batched", "batched_v", "v_batched"]))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2,
                                                   min_side=1, max_side=3)).input_shapes
    return {"vv": ((k,), (k,)), "mv": ((n, k), (k,)), "vm": ((k,), (k, m)),
            "mm": ((n, k), (k, m)), "batched": (batch[0] + (n, k), batch[1] + (k, m)),
            "batched_v": (batch[0] + (n, k), (k,)), "v_batched": ((k,), batch[1] + (k, m))}[kind]


@quick
@given(ss=matmul_shapes(), seed=seeds, how=st.sampled_from(["@", "matmul", "method"]))
def test_matmul(ss, seed, how):
    rng = rng_of(seed)
    a, b = values(rng, ss[0]), values(rng, ss[1])
    f = {"@": operator.matmul, "matmul": ag.matmul, "method": lambda x, y: x.matmul(y)}[how]
    xs = check_vjp(f, a, b, seed=seed)
    np.testing.assert_allclose(f(*xs).data, np.matmul(a, b))
    check_vjp(f, a, b, seed=seed + 1, wrt=[0])
    check_vjp(f, a, b, seed=seed + 2, wrt=[1])


@quick
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=seeds)
def test_mv_mm_dot(n, k, m, seed):
    rng = rng_of(seed)
    check_vjp(ag.mv, values(rng, (n, k)), values(rng, (k,)), seed=seed)
    check_vjp(ag.mm, values(rng, (n, k)), values(rng, (k, m)), seed=seed)
    check_vjp(ag.dot, values(rng, (k,)), values(rng, (k,)), seed=seed)
    check_vjp(lambda x, y: x.mv(y) * 1, values(rng, (n, k)), values(rng, (k,)), seed=seed)
    check_vjp(lambda x, y: x.mm(y), values(rng, (n, k)), values(rng, (k, m)), seed=seed)
    check_vjp(lambda x, y: x.dot(y), values(rng, (k,)), values(rng, (k,)), seed=seed)


@quick
@given(lead=hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3),
       i=st.integers(1, 3), o=st.integers(1, 3), bias=st.sampled_from(["none", "vec", "1"]),
       seed=seeds)
def test_linear(lead, i, o, bias, seed):
    rng = rng_of(seed)
    x, w = values(rng, lead + (i,)), values(rng, (o, i))
    want = x @ w.T
    if bias == "none":
        xs = check_vjp(lambda x_, w_: ag.linear(x_, w_), x, w, seed=seed)
        out = ag.linear(*xs)
    else:
        b = values(rng, (o,) if bias == "vec" else (1,))
        want = want + b
        xs = check_vjp(ag.linear, x, w, b, seed=seed)
        out = ag.linear(*xs)
        assert out.grad_fn.name() == "AddmmBackward0"
    np.testing.assert_allclose(out.data, want)


@pytest.mark.parametrize("f, a, b, name", [
    (ag.mv, (3,), (3,), "mv"), (ag.mv, (2, 3), (3, 1), "mv"), (ag.mm, (2, 3), (3,), "mm"),
    (ag.dot, (2, 3), (3,), "dot"),
])
def test_matrix_product_ndim_checks_name_the_op_and_shapes(f, a, b, name):
    with pytest.raises(ValueError) as e:
        f(ag.ones(*a, requires_grad=True), ag.ones(*b))
    assert name in str(e.value) and (str(a) in str(e.value) or str(b) in str(e.value))


@pytest.mark.parametrize("f, a, b, name", [
    (ag.mv, (2, 3), (2,), "mv"), (ag.mm, (2, 3), (4, 3), "mm"), (ag.dot, (3,), (2,), "dot"),
])
def test_matrix_product_inner_size_errors_name_the_op_called(f, a, b, name):
    with pytest.raises(ValueError) as e:
        f(ag.ones(*a, requires_grad=True), ag.ones(*b))
    msg = str(e.value)
    assert msg.startswith(name + ":") and str(a) in msg and str(b) in msg


# ------------------------------------------------------------ shapes
@st.composite
def shape_and_new_shape(draw):
    shape = draw(shapes)
    n = int(np.prod(shape))
    factors = [d for d in range(1, n + 1) if n % d == 0]
    a = draw(st.sampled_from(factors))
    new = draw(st.sampled_from([(n,), (a, n // a), (n // a, 1, a), (-1,), (a, -1), (1, n), ()
                                if n == 1 else (n,)]))
    return shape, new


@quick
@given(sn=shape_and_new_shape(), seed=seeds, how=st.sampled_from(["reshape", "view", "tuple",
                                                                  "ag.reshape"]))
def test_reshape_view(sn, seed, how):
    shape, new = sn
    f = {"reshape": lambda t: t.reshape(*new) * t.reshape(*new),
         "view": lambda t: t.view(*new).exp(),
         "tuple": lambda t: t.reshape(new).tanh(),
         "ag.reshape": lambda t: ag.reshape(t, new) * 2}[how]
    xs = check_vjp(f, values(rng_of(seed), shape), seed=seed)
    assert f(xs[0]).shape == np.empty(shape).reshape(new).shape


@quick
@given(shape=shapes, seed=seeds, data=st.data())
def test_transpose_permute_T(shape, seed, data):
    x = values(rng_of(seed), shape)
    nd = len(shape)
    check_vjp(lambda t: t.T * t.T.exp(), x, seed=seed)
    assert ag.tensor(x).T.shape == x.T.shape
    perm = data.draw(st.permutations(range(nd)))
    neg = [p - nd if data.draw(st.booleans()) else p for p in perm]
    check_vjp(lambda t: t.permute(*neg).tanh(), x, seed=seed)
    check_vjp(lambda t: ag.permute(t, tuple(perm)) * 3, x, seed=seed)
    assert ag.tensor(x).permute(*neg).shape == np.transpose(x, perm).shape
    if nd >= 1:
        d0 = data.draw(st.integers(-nd, nd - 1))
        d1 = data.draw(st.integers(-nd, nd - 1))
        f = lambda t: t.transpose(d0, d1).sigmoid()
        check_vjp(f, x, seed=seed)
        assert f(ag.tensor(x)).shape == np.swapaxes(x, d0, d1).shape
        check_vjp(lambda t: ag.transpose(t, d0, d1) * 2, x, seed=seed)
    if nd == 2:
        check_vjp(lambda t: t.t() * 2, x, seed=seed)


@quick
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2), seed=seeds,
       data=st.data())
def test_squeeze_unsqueeze_flatten(shape, seed, data):
    x = values(rng_of(seed), shape)
    nd = len(shape)
    check_vjp(lambda t: t.squeeze().exp(), x, seed=seed)
    assert ag.tensor(x).squeeze().shape == np.squeeze(x).shape
    if nd:
        d = data.draw(st.integers(-nd, nd - 1))
        f = lambda t: t.squeeze(d) * 2
        check_vjp(f, x, seed=seed)
        want = np.squeeze(x, d).shape if shape[d] == 1 else shape       # PyTorch: a no-op
        assert f(ag.tensor(x)).shape == want
    d = data.draw(st.integers(-nd - 1, nd))
    check_vjp(lambda t: ag.unsqueeze(t, d).tanh(), x, seed=seed)
    assert ag.tensor(x).unsqueeze(d).shape == np.expand_dims(x, d).shape
    check_vjp(lambda t: t.flatten() * t.flatten(), x, seed=seed)
    assert ag.tensor(x).flatten().shape == (x.size,)


@quick
@given(bs=pairs, seed=seeds, minus_one=st.booleans())
def test_expand(bs, seed, minus_one):
    small, target = bs.input_shapes[0], bs.result_shape
    lead = len(target) - len(small)
    sizes = tuple(-1 if minus_one and i >= lead and target[i] == small[i - lead] else n
                  for i, n in enumerate(target))
    x = values(rng_of(seed), small)
    f = lambda t: t.expand(*sizes) * 1.5
    xs = check_vjp(f, x, seed=seed)
    assert f(xs[0]).shape == target
    check_vjp(lambda t: t.expand_as(ag.zeros(target)).exp(), x, seed=seed)


# ------------------------------------------------------------ indexing
@quick
@given(data=st.data(), shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
       seed=seeds)
def test_basic_indexing(data, shape, seed):
    index = data.draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True,
                                        allow_ellipsis=True))
    x = values(rng_of(seed), shape)
    if np.empty(shape)[index].size == 0:
        return
    f = lambda t: t[index] * t[index]
    xs = check_vjp(f, x, seed=seed)
    np.testing.assert_array_equal(xs[0][index].data, x[index])


@quick
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       seed=seeds, as_tensor=st.booleans())
def test_integer_array_indexing_repeats_accumulate(data, shape, seed, as_tensor):
    index = data.draw(hnp.integer_array_indices(
        shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)))
    x = values(rng_of(seed), shape)
    idx = tuple(ag.tensor(i) for i in index) if as_tensor else index
    f = lambda t: t[idx].exp()
    xs = check_vjp(f, x, seed=seed)
    np.testing.assert_array_equal(xs[0][idx].data, x[index])


def test_repeated_indices_add_up_in_backward():
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x[[0, 0, 2, 0]].backward(ag.tensor([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [7.0, 0.0, 3.0, 0.0])
    m = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    m[ag.tensor([1, 1, 0]), 1:].sum().backward()
    np.testing.assert_array_equal(m.grad.data, [[0, 1], [0, 2]])


@quick
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), seed=seeds,
       kind=st.sampled_from(["numpy", "tensor", "comparison", "partial"]))
def test_boolean_mask_indexing(shape, seed, kind):
    rng = rng_of(seed)
    x = values(rng, shape, away=[0.0])
    mask = rng.random(shape) < 0.5
    if kind == "numpy":
        f = lambda t: t[mask] * 2
    elif kind == "tensor":
        f = lambda t: t[ag.tensor(mask)].exp()
    elif kind == "comparison":
        f = lambda t: t[t > 0] * t[t > 0]
    else:   # a mask over the first axis only
        m0 = mask.reshape(shape[0], -1)[:, 0]
        f = lambda t: t[m0].tanh()
    check_vjp(f, x, seed=seed)


def test_slices_with_steps_none_and_ellipsis():
    x = ag.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    y = x[..., ::-2][None, :, 1:, None]
    want_y = np.arange(24.0).reshape(2, 3, 4)[..., ::-2][None, :, 1:, None]
    np.testing.assert_array_equal(y.data, want_y)
    y.sum().backward()
    want = np.zeros((2, 3, 4))
    want[:, 1:, 1::2] = 1
    np.testing.assert_array_equal(x.grad.data, want)


# ------------------------------------------------------------ setitem (CopySlices)
@quick
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
       seed=seeds, value_kind=st.sampled_from(["full", "broadcast", "number"]))
def test_setitem_basic_in_a_graph(data, shape, seed, value_kind):
    index = data.draw(hnp.basic_indices(shape, min_dims=0, allow_ellipsis=True))
    rng = rng_of(seed)
    x = values(rng, shape)
    target = np.empty(shape)[index].shape
    vshape = target if value_kind == "full" else target[len(target) // 2 + 1:]
    v = values(rng, vshape)

    def f(t, val):
        y = t * 1.0
        y[index] = 0.5 if value_kind == "number" else val * val
        return y * t
    xs = check_vjp(f, x, v, seed=seed, wrt=[0] if value_kind == "number" else None)
    out = f(*[ag.tensor(a) for a in (x, v)])
    want = x.copy()
    want[index] = 0.5 if value_kind == "number" else v * v
    np.testing.assert_allclose(out.data, want * x)
    assert f(*xs).grad_fn.name() == "MulBackward0"


@quick
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), seed=seeds,
       kind=st.sampled_from(["mask", "int array"]))
def test_setitem_advanced_in_a_graph(shape, seed, kind):
    rng = rng_of(seed)
    x = values(rng, shape)
    if kind == "mask":
        index = rng.random(shape) < 0.5
        n = int(index.sum())
        vshape = (n,)
    else:
        index = ag.tensor(rng.permutation(shape[0])[: max(1, shape[0] - 1)])   # no repeats
        vshape = (len(index),) + shape[1:]
    v = values(rng, vshape)

    def f(t, val):
        y = t.sin()         # (exp's backward reads its output: PyTorch refuses after setitem)
        y[index] = val * 3.0
        return y
    check_vjp(f, x, v, seed=seed)


def test_setitem_grad_fn_is_copyslices():
    x = ag.ones(3, requires_grad=True)
    y = x * 2
    y[1] = 5.0
    assert y.grad_fn.name() == "CopySlices"
    assert "CopySlices" in repr(y)


# ------------------------------------------------------------ cat, stack
@st.composite
def join_shapes(draw, same=False):
    base = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    nd = len(base)
    count = draw(st.integers(1, 3))
    dim = draw(st.integers(-nd, nd - 1)) if not same else draw(st.integers(-nd - 1, nd))
    if same:
        return [base] * count, dim
    d = dim % nd
    out = [base[:d] + (draw(st.integers(1, 3)),) + base[d + 1:] for _ in range(count)]
    return out, dim


@quick
@given(sd=join_shapes(), seed=seeds)
def test_cat(sd, seed):
    ss, dim = sd
    rng = rng_of(seed)
    arrays = [values(rng, s) for s in ss]
    f = lambda *ts: ag.cat(list(ts), dim=dim) ** 2
    xs = check_vjp(f, *arrays, seed=seed)
    np.testing.assert_allclose(ag.cat(xs, dim).data, np.concatenate(arrays, axis=dim))


@quick
@given(sd=join_shapes(same=True), seed=seeds)
def test_stack(sd, seed):
    ss, dim = sd
    rng = rng_of(seed)
    arrays = [values(rng, s) for s in ss]
    f = lambda *ts: ag.stack(ts, dim=dim).exp()
    xs = check_vjp(f, *arrays, seed=seed)
    np.testing.assert_allclose(ag.stack(xs, dim).data, np.stack(arrays, axis=dim))


def test_cat_and_stack_with_a_constant_input():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    ag.cat([ag.zeros(3), a, ag.ones(1)]).backward(ag.tensor([1.0, 2, 3, 4, 5, 6]))
    np.testing.assert_array_equal(a.grad.data, [4.0, 5.0])
    a.grad = None
    ag.stack([ag.zeros(2), a], dim=1).backward(ag.tensor([[1.0, 2], [3, 4]]))
    np.testing.assert_array_equal(a.grad.data, [2.0, 4.0])


# ------------------------------------------------------------ where
@quick
@given(bs=triples, seed=seeds, kind=st.sampled_from(["tensors", "number_left", "number_right",
                                                      "cond_tensor"]))
def test_where(bs, seed, kind):
    rng = rng_of(seed)
    sc, sa, sb = bs.input_shapes
    cond = rng.random(sc) < 0.5
    a, b = values(rng, sa), values(rng, sb)
    if kind == "tensors":
        xs = check_vjp(lambda x, y: ag.where(cond, x, y), a, b, seed=seed)
        np.testing.assert_array_equal(ag.where(cond, *xs).data, np.where(cond, a, b))
    elif kind == "number_left":
        check_vjp(lambda y: ag.where(cond, 1.5, y), b, seed=seed)
    elif kind == "number_right":
        check_vjp(lambda x: ag.where(cond, x, -2), a, seed=seed)
    else:
        check_vjp(lambda x, y: ag.where(ag.tensor(cond), x * 2, y.exp()), a, b, seed=seed)


# ------------------------------------------------------------ one input, several uses
def test_an_input_used_with_and_without_broadcasting():
    x = ag.ones(4, 3)
    b = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ((x + b).sum() + (b * b).sum()).backward()
    np.testing.assert_allclose(b.grad.data, 4 + 2 * b.data)     # got 4 * (1 + 2 b)


@quick
@given(bs=pairs, seed=seeds)
def test_shared_inputs_across_broadcasting_ops(bs, seed):
    rng = rng_of(seed)
    sa, sb = bs.input_shapes
    f = lambda a, b: (a * b + b.exp()) - a.tanh() * (b + 1)
    check_vjp(f, values(rng, sa), values(rng, sb), seed=seed)


# ------------------------------------------------------------ casts and dtypes
def test_casts_pass_the_gradient_back_in_the_input_dtype():
    x = ag.tensor([1.0, -2.0, 3.5], requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32 and y.grad_fn.name() == "ToCopyBackward0"
    z = y.to(np.float64)
    assert z.dtype == np.float64
    z.backward(ag.tensor([1.0, 2.0, 3.0]))
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [1.0, 2.0, 3.0])
    x32 = ag.tensor([1.0, 2.0], requires_grad=True, dtype=ag.float32)
    (x32.double() * 3).sum().backward()
    assert x32.grad.dtype == np.float32
    np.testing.assert_array_equal(x32.grad.data, [3.0, 3.0])
    assert x.double() is x and x32.float() is x32


def test_clone_copies_and_passes_the_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert not np.shares_memory(c.data, x.data) and c.grad_fn.name() == "CloneBackward0"
    (c * 4).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 4.0])


FLOAT32_OPS = {
    "arith": lambda x, y: (x + y) * x - y / (y * y + 1) + 2.0 * x - 1 - (-x),
    "pow": lambda x, y: (x * x + 1) ** 1.5 + 2 ** x + (y * y + 1) ** x,
    "unary": lambda x, y: x.exp() + (y * y + 1).log() + (x * x + 1).sqrt() + x.tanh()
    + y.sigmoid() + x.relu() + y.abs() + ag.clamp(x, -0.5, 0.5),
    "reduce": lambda x, y: x.sum(0) + y.mean(0, keepdim=True) + x.max(0)[0] + y.min() + x.max(),
    "shape": lambda x, y: x.T.reshape(3, 2).transpose(0, 1).unsqueeze(0).squeeze(0)
    + y.expand(2, 3),
    "index": lambda x, y: x[0, ::2] * y[[1, 1], 0] + ag.where(x > 0, x, y)[1, 1:],
    "join": lambda x, y: ag.cat([x, y]).sum(0) + ag.stack([x, y], 1).sum(1)[0],
    "matmul": lambda x, y: x @ y.T + ag.mm(x, y.T) + ag.linear(x, y, x[:, 0]),
    "pairwise": lambda x, y: ag.maximum(x, y) + ag.minimum(x, 0.0),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_OPS))
def test_float32_stays_float32_through_ops_and_grads(name):
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True, dtype=ag.float32)
    y = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True, dtype=ag.float32)
    out = FLOAT32_OPS[name](x, y)
    assert out.dtype == np.float32, out.dtype
    out.sum().backward()
    for t in (x, y):
        if t.grad is not None:
            assert t.grad.dtype == np.float32
    assert x.grad is not None


def test_float64_is_the_default():
    assert ag.Tensor([1, 2, 3]).dtype == np.float64
    assert ag.tensor([1.0, 2.0]).dtype == np.float64
    assert ag.tensor([1, 2, 3]).dtype == np.int64
    assert ag.tensor([True]).dtype == np.bool_
    assert ag.randn(2).dtype == ag.rand(2).dtype == ag.zeros(2).dtype == np.float64
    assert (ag.tensor([1, 2]) * 0.5).dtype == np.float64


def test_requires_grad_on_an_int_tensor_is_an_error():
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2, 3]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        ag.arange(3, requires_grad=True)


# ------------------------------------------------------------ comparisons
@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge, operator.eq,
                                operator.ne])
def test_comparisons_are_boolean_and_do_not_require_grad(op):
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([[2.0], [3.0]], requires_grad=True)
    for r, want in ((op(a, b), op(a.data, b.data)), (op(a, 2.0), op(a.data, 2.0)),
                    (op(2, a), op(2, a.data)), (op(a, np.float64(2.0)), op(a.data, 2.0))):
        assert isinstance(r, ag.Tensor)
        assert r.dtype == np.bool_ and not r.requires_grad and r.grad_fn is None
        np.testing.assert_array_equal(r.data, want)


# ------------------------------------------------------------ shape errors
SHAPE_ERRORS = [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("add", ag.add),
    ("maximum", ag.maximum), ("minimum", ag.minimum),
    ("where", lambda a, b: ag.where(np.ones(a.shape, bool), a, b)),
    ("matmul", lambda a, b: a @ b), ("matmul", lambda a, b: ag.matmul(a, b)),
    ("cat", lambda a, b: ag.cat([a, b], dim=1)), ("stack", lambda a, b: ag.stack([a, b])),
]


@pytest.mark.parametrize("name, f", SHAPE_ERRORS, ids=[f"{n}-{i}" for i, (n, _) in
                                                        enumerate(SHAPE_ERRORS)])
def test_shape_errors_name_the_op_and_both_shapes(name, f):
    a = ag.ones(2, 3, requires_grad=True)
    b = ag.ones(4, 3)
    with pytest.raises(ValueError) as e:
        f(a, b)
    msg = str(e.value)
    assert name in msg
    assert "(2, 3)" in msg
    assert "(4, 3)" in msg or "(3, 4)" in msg


def test_other_shape_errors_are_clear():
    a = ag.ones(2, 3, requires_grad=True)
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        a.reshape(4, 2)
    with pytest.raises(ValueError, match=r"expand.*\(2, 3\).*\(4, 3\)"):
        a.expand(4, 3)
    with pytest.raises(ValueError, match=r"linear.*\(2, 3\).*\(4, 5\)"):
        ag.linear(a, ag.ones(4, 5), ag.ones(4))
    with pytest.raises(ValueError, match="permute"):
        a.permute(0, 0)
    with pytest.raises(IndexError, match="sum"):
        a.sum(dim=2)
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        a[5]
    with pytest.raises(IndexError, match="transpose"):
        a.transpose(0, 3)
    with pytest.raises(IndexError, match="unsqueeze"):
        a.unsqueeze(4)
