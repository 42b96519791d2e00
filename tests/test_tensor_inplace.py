"""In-place ops (+=, -=, *=, /=, add_, sub_, mul_, div_, zero_, item assignment): a change
that a pending backward needs is a clear error at backward (version counters, as PyTorch),
never a silently wrong gradient; leaves that require grad are protected outside no_grad; on
a non-leaf, in-place ops give the gradients of the out-of-place version."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag


def leaf():
    return ag.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)


# Each changes `t` in place (t: shape (4,), float64).
INPLACE = {
    "+=": lambda t: t.__iadd__(1.5),
    "-=": lambda t: t.__isub__(ag.ones(4)),
    "*=": lambda t: t.__imul__(2.0),
    "/=": lambda t: t.__itruediv__(4.0),
    "add_": lambda t: t.add_(ag.tensor([1.0, 2.0, 3.0, 4.0])),
    "sub_": lambda t: t.sub_(0.25),
    "mul_": lambda t: t.mul_(3),
    "div_": lambda t: t.div_(2.0),
    "zero_": lambda t: t.zero_(),
    "setitem": lambda t: t.__setitem__(1, 7.0),
    "setitem_slice": lambda t: t.__setitem__(slice(None, None, 2), ag.tensor([5.0, 6.0])),
    "setitem_mask": lambda t: t.__setitem__(t > 1.2, 0.0),
}
OPS = sorted(INPLACE)

# Ways a view of `y` (shape (4,)) is made, and how to find y's element 0 in it.
VIEWS = {
    "self": lambda y: y,
    "reshape": lambda y: y.reshape(2, 2),
    "view": lambda y: y.view(4, 1),
    "transpose": lambda y: y.reshape(2, 2).transpose(0, 1),
    "T": lambda y: y.reshape(2, 2).T,
    "slice": lambda y: y[::2],
    "basic_int": lambda y: y.reshape(2, 2)[0],
    "unsqueeze": lambda y: y.unsqueeze(0),
    "detach": lambda y: y.detach(),
}


def _change(view):
    """Change a view of any shape in place, by every route."""
    return {
        "add_": lambda: view.add_(1.0),
        "mul_": lambda: view.mul_(2.0),
        "zero_": lambda: view.zero_(),
        "setitem": lambda: view.__setitem__(..., 3.0),
    }


# ------------------------------------------------------------ values
@pytest.mark.parametrize("name", OPS)
def test_inplace_ops_compute_the_right_values(name):
    t = ag.tensor([0.5, 1.0, 1.5, 2.0])
    ref = ag.tensor([0.5, 1.0, 1.5, 2.0])
    data = t._data
    r = INPLACE[name](t)
    assert r is t or r is None
    assert t._data is data                         # the same memory, changed
    want = {"+=": ref.data + 1.5, "-=": ref.data - 1, "*=": ref.data * 2, "/=": ref.data / 4,
            "add_": ref.data + [1, 2, 3, 4], "sub_": ref.data - 0.25, "mul_": ref.data * 3,
            "div_": ref.data / 2, "zero_": np.zeros(4), "setitem": [0.5, 7.0, 1.5, 2.0],
            "setitem_slice": [5.0, 1.0, 6.0, 2.0], "setitem_mask": [0.5, 1.0, 0.0, 0.0]}[name]
    np.testing.assert_allclose(t.data, want)


def test_python_inplace_operators_keep_the_same_object():
    t = ag.tensor([1.0, 2.0])
    before = t
    t += 1
    t -= 0.5
    t *= 2
    t /= 3
    assert t is before
    np.testing.assert_allclose(t.data, [1.0, 5 / 3])


def test_inplace_result_dtype_and_shape_are_kept():
    t = ag.tensor([1, 2, 3])
    with pytest.raises(TypeError, match="int64"):
        t /= 2                         # a float result cannot go into an int tensor
    t = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="shape"):
        t += ag.ones(3, 2)


# ------------------------------------------------------------ a leaf that requires grad
@pytest.mark.parametrize("name", OPS)
def test_inplace_on_a_leaf_that_requires_grad_is_an_error(name):
    x = leaf()
    with pytest.raises(RuntimeError, match="leaf"):
        INPLACE[name](x)
    np.testing.assert_array_equal(x.data, [0.5, 1.0, 1.5, 2.0])      # unchanged
    assert x.is_leaf and x.grad_fn is None


@pytest.mark.parametrize("name", OPS)
def test_inplace_on_a_leaf_is_allowed_inside_no_grad(name):
    x = leaf()
    with ag.no_grad():
        INPLACE[name](x)
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_an_sgd_step_inside_no_grad():
    w = ag.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with ag.no_grad():
            w -= 0.25 * w.grad
        w.grad.zero_()
    np.testing.assert_allclose(w.data, np.array([1.0, -2.0]) * 0.5 ** 3)


@pytest.mark.parametrize("view", ["reshape", "slice", "transpose", "basic_int"])
def test_inplace_on_a_view_of_a_leaf_that_requires_grad_is_an_error(view):
    x = leaf()
    v = VIEWS[view](x)
    with pytest.raises(RuntimeError, match="leaf"):
        v.add_(1.0)
    np.testing.assert_array_equal(x.data, [0.5, 1.0, 1.5, 2.0])


# ------------------------------------------------------------ version counter
# Each builds a graph from x (a leaf), returns (loss, the tensor to change later).
# Every rule here needs the changed tensor's values in backward.
NEEDED = {
    "mul input": lambda x: ((lambda y: ((y * y).sum(), y))(x.exp())),
    "exp output": lambda x: ((lambda y: (y.sum(), y))(x.exp())),
    "div denominator": lambda x: ((lambda y: ((1 / y).sum(), y))(x * 2)),
    "pow base": lambda x: ((lambda y: ((y ** 3).sum(), y))(x + 1)),
    "matmul input": lambda x: ((lambda y: ((y @ y).sum(), y))(x.tanh())),
    "sigmoid output": lambda x: ((lambda y: (y.sum(), y))(x.sigmoid())),
    "log input": lambda x: ((lambda y: (y.log().sum(), y))(x * 1)),
    "max picks": lambda x: ((lambda y: (y.max() * y.sum(), y))(x * 1)),
    "constant operand": lambda x: ((lambda c: ((x * c).sum(), c))(ag.tensor([1.0, 2, 3, 4]))),
}


@pytest.mark.parametrize("case", sorted(NEEDED))
@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("how", ["add_", "mul_", "zero_", "setitem"])
def test_changing_a_needed_tensor_is_an_error_at_backward(case, view, how):
    x = leaf()
    loss, needed = NEEDED[case](x)
    v = VIEWS[view](needed)
    with ag.no_grad():
        _change(v)[how]()               # no error yet: nothing is wrong until backward
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("name", OPS)
def test_every_inplace_op_bumps_the_version(name):
    x = leaf()
    y = x.exp()
    loss = (y * y).sum()
    with ag.no_grad():
        INPLACE[name](y)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_changing_a_tensor_no_pending_backward_needs_is_fine():
    x = leaf()
    y = x * 2
    loss = (y + 1).sum()                # add needs neither input's values
    c = ag.tensor([1.0, 2.0, 3.0, 4.0])
    loss2 = (x * c).sum()
    loss2.backward()                    # done with c
    c += 1
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0, 2.0])


def test_an_advanced_index_result_is_a_copy_with_its_own_version():
    x = leaf()
    y = x.exp()
    picked = y[[0, 1]]                  # a copy: changing it does not touch y
    loss = (y * y).sum()
    with ag.no_grad():
        picked.zero_()
    loss.backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.exp(2 * x.data))


# ------------------------------------------------------------ non-leaf in a graph
OUT_OF_PLACE = {
    "+=": lambda t, x: t + x, "-=": lambda t, x: t - x * x, "*=": lambda t, x: t * x,
    "/=": lambda t, x: t / (x + 1), "add_": lambda t, x: t + 2.5, "sub_": lambda t, x: t - x,
    "mul_": lambda t, x: t * 3.0, "zero_": lambda t, x: t * 0.0,
}
IN_PLACE = {
    "+=": lambda t, x: t.__iadd__(x), "-=": lambda t, x: t.__isub__(x * x),
    "*=": lambda t, x: t.__imul__(x), "/=": lambda t, x: t.__itruediv__(x + 1),
    "add_": lambda t, x: t.add_(2.5), "sub_": lambda t, x: t.sub_(x),
    "mul_": lambda t, x: t.mul_(3.0), "zero_": lambda t, x: t.zero_(),
}


@settings(deadline=None)
@given(ops=st.lists(st.sampled_from(sorted(IN_PLACE)), min_size=1, max_size=5),
       xs=st.lists(st.floats(0.2, 2.0), min_size=4, max_size=4))
def test_inplace_on_a_non_leaf_matches_the_out_of_place_version(ops, xs):
    # sin: its backward reads its input, not its output (after exp, whose backward reads
    # the output, PyTorch refuses any of these: test_inplace_after_an_op_that_reads_its_output)
    x1 = ag.tensor(xs, requires_grad=True)
    y1 = x1.sin()
    for op in ops:
        r = IN_PLACE[op](y1, x1)
        assert r is y1
    assert y1.requires_grad and not y1.is_leaf
    (y1 * x1).sum().backward()
    x2 = ag.tensor(xs, requires_grad=True)
    y2 = x2.sin()
    for op in ops:
        y2 = OUT_OF_PLACE[op](y2, x2)
    (y2 * x2).sum().backward()
    np.testing.assert_allclose(y1.data, y2.data, rtol=1e-12)
    np.testing.assert_allclose(x1.grad.data, x2.grad.data, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", sorted(IN_PLACE))
def test_inplace_after_an_op_that_reads_its_output_is_refused_at_backward(op):
    x = ag.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()                          # exp's backward is g * out
    IN_PLACE[op](y, x)
    with pytest.raises(RuntimeError, match="exp: its output .* modified in place"):
        (y * x).sum().backward()


@pytest.mark.parametrize("index, value", [
    (1, 7.0), (slice(1, 3), "x"), (slice(None, None, -2), "x2"), (np.array([True, False, True,
                                                                           False]), "x2"),
    (np.array([3, 0]), "x2"), (Ellipsis, 0.5),
])
def test_setitem_on_a_non_leaf_matches_torch_style_copyslices(index, value):
    xs = [0.5, 1.0, 1.5, 2.0]
    x = ag.tensor(xs, requires_grad=True)
    y = x * 2.0          # (not exp: its backward reads its output, so PyTorch refuses this)
    val = {"x": lambda: x[:2] * x[2:], "x2": lambda: x[:2] * 3}.get(value, lambda: value)()
    y[index] = val
    assert y.grad_fn.name() == "CopySlices"
    (y * y).sum().backward()
    # the same by hand, with masks
    xa = np.array(xs)
    mask = np.zeros(4, bool)
    mask[index] = True
    g = np.where(mask, 0.0, 8 * xa)                       # through 2x, outside the index
    if not isinstance(val, float):
        vd = np.broadcast_to(val.data, np.zeros(4)[index].shape)
        gv = np.zeros(4)
        if value == "x":                                    # v = x[:2] * x[2:]
            gv[:2] += 2 * vd * xa[2:]
            gv[2:] += 2 * vd * xa[:2]
        else:                                               # v = 3 x[:2]
            gv[:2] += 2 * vd * 3
        g = g + gv
    np.testing.assert_allclose(x.grad.data, g)


def test_item_assignment_of_a_graph_value_into_a_constant_makes_a_graph_node():
    x = leaf()
    a = ag.zeros(4)
    assert not a.requires_grad
    a[1:3] = x[:2] * 3
    assert a.requires_grad and a.grad_fn.name() == "CopySlices" and not a.is_leaf
    (a * a).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2 * 9 * 0.5, 2 * 9 * 1.0, 0, 0])


@pytest.mark.parametrize("name", ["+=", "-=", "*=", "/=", "add_", "sub_", "mul_"])
def test_inplace_with_a_tensor_that_requires_grad_makes_a_graph_node(name):
    x = leaf()
    a = ag.tensor([1.0, 2.0, 3.0, 4.0])
    op = {"+=": a.__iadd__, "-=": a.__isub__, "*=": a.__imul__, "/=": a.__itruediv__,
          "add_": a.add_, "sub_": a.sub_, "mul_": a.mul_}[name]
    assert op(x) is a
    assert a.requires_grad and not a.is_leaf and a.grad_fn is not None
    a.sum().backward()
    base = np.array([1.0, 2.0, 3.0, 4.0])
    want = {"+=": np.ones(4), "-=": -np.ones(4), "*=": base, "/=": -base / x.data ** 2,
            "add_": np.ones(4), "sub_": -np.ones(4), "mul_": base}[name]
    np.testing.assert_allclose(x.grad.data, want)


def test_inplace_on_a_non_leaf_used_earlier_is_an_error_not_a_wrong_gradient():
    x = leaf()
    y = x * 2
    z = y * x                           # uses y's old values
    y *= 3                              # y becomes a new node
    with pytest.raises(RuntimeError, match="modified in place"):
        (z.sum() + y.sum()).backward()


def test_augmented_item_assignment_on_a_non_leaf():
    x = ag.tensor([0.5, 1.0, 1.5], requires_grad=True)
    y = x * 2
    y[0] += 1
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, 8 * x.data + [4, 0, 0])


@pytest.mark.parametrize("kind", ["int", "mask"])
def test_changing_a_saved_index_tensor_is_caught(kind):
    x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    idx = ag.tensor([0, 1]) if kind == "int" else ag.tensor([True, True, False, False, False])
    y = x[idx]
    if kind == "int":
        idx[0] = 3
    else:
        idx[3] = True
    try:
        y.backward(ag.tensor([1.0, 10.0]))
    except RuntimeError as e:
        assert "modified in place" in str(e)     # an error is fine (PyTorch's choice)
        return
    np.testing.assert_array_equal(x.grad.data, [1.0, 10.0, 0.0, 0.0, 0.0])   # or the old index
