"""The Tensor's PyTorch-like surface: creation, attributes, repr, backward and the graph's
lifetime, grad modes (thread-local), the lecture's linear-regression listing, and Value vs
Tensor on the same scalar expressions."""
from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Value

quick = settings(deadline=None)


# ------------------------------------------------------------ creation
@pytest.mark.parametrize("make, shape, fill", [
    (lambda **k: ag.zeros(2, 3, **k), (2, 3), 0.0),
    (lambda **k: ag.zeros((2, 3), **k), (2, 3), 0.0),
    (lambda **k: ag.ones(4, **k), (4,), 1.0),
    (lambda **k: ag.ones([1, 2], **k), (1, 2), 1.0),
    (lambda **k: ag.zeros_like(ag.ones(3, 1), **k), (3, 1), 0.0),
    (lambda **k: ag.ones_like(ag.zeros(2), **k), (2,), 1.0),
    (lambda **k: ag.eye(3, **k), (3, 3), None),
    (lambda **k: ag.randn(2, 5, **k), (2, 5), None),
    (lambda **k: ag.rand(3, **k), (3,), None),
    (lambda **k: ag.tensor([[1.0, 2.0]], **k), (1, 2), None),
    (lambda **k: ag.Tensor([1, 2, 3], **k), (3,), None),
    (lambda **k: ag.arange(0.0, 2.0, 0.5, **k), (4,), None),
])
@pytest.mark.parametrize("rg", [False, True])
def test_creation_functions_take_requires_grad(make, shape, fill, rg):
    t = make(requires_grad=rg)
    assert isinstance(t, ag.Tensor)
    assert t.shape == shape and t.dtype == np.float64
    assert t.requires_grad is rg and t.is_leaf and t.grad is None and t.grad_fn is None
    if fill is not None:
        assert np.all(t.data == fill)


def test_creation_values():
    np.testing.assert_array_equal(ag.eye(3).data, np.eye(3))
    np.testing.assert_array_equal(ag.arange(5).data, [0, 1, 2, 3, 4])
    assert ag.arange(5).dtype == np.int64
    np.testing.assert_array_equal(ag.arange(1, 7, 2).data, [1, 3, 5])
    r = ag.rand(1000).numpy()
    assert r.min() >= 0 and r.max() < 1
    n = ag.randn(4000).numpy()
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    assert ag.zeros(2, dtype=ag.float32).dtype == np.float32
    assert ag.randn(2, dtype=ag.float32).dtype == np.float32


def test_tensor_copies_its_data_but_from_numpy_shares_memory():
    a = np.array([1.0, 2.0, 3.0])
    t = ag.tensor(a)
    t.data[0] = 9
    assert a[0] == 1.0
    s = ag.from_numpy(a)
    assert np.shares_memory(s.data, a)
    a[1] = 7.0
    assert s.tolist() == [1.0, 7.0, 3.0]
    assert ag.from_numpy(np.arange(3, dtype=np.int32)).dtype == np.int32
    with pytest.raises(TypeError, match="from_numpy"):
        ag.from_numpy([1.0, 2.0])


def test_manual_seed_makes_randn_and_rand_reproducible():
    ag.manual_seed(123)
    a, b = ag.randn(3, 2).numpy().copy(), ag.rand(4).numpy().copy()
    ag.manual_seed(123)
    np.testing.assert_array_equal(ag.randn(3, 2).data, a)
    np.testing.assert_array_equal(ag.rand(4).data, b)
    ag.manual_seed(124)
    assert not np.array_equal(ag.randn(3, 2).data, a)


def test_dtypes_of_tensor_and_Tensor():
    assert ag.Tensor([1, 2, 3]).dtype == np.float64           # torch.Tensor: always floating
    assert ag.tensor([1, 2, 3]).dtype == np.int64             # torch.tensor: inferred
    assert ag.tensor([1.0, 2.0]).dtype == np.float64
    assert ag.tensor(2.5).shape == () and ag.tensor(2.5).ndim == 0
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2, 3], requires_grad=True)


# ------------------------------------------------------------ attributes
def test_attributes():
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.dim() == 2 and x.dtype == np.float64
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3 and x.numel() == 6
    assert len(x) == 2
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    assert y.grad_fn.name() == "MulBackward0" and repr(y.grad_fn) == "<MulBackward0>"
    s = y.sum()
    assert s.item() == 42.0 and isinstance(s.item(), float)
    assert float(s) == 42.0
    with pytest.raises(ValueError, match="one element"):
        x.item()
    with pytest.raises(TypeError):
        len(s)


@pytest.mark.parametrize("expr, name", [
    (lambda x: x + 1, "AddBackward0"), (lambda x: x - 1, "SubBackward0"),
    (lambda x: x * x, "MulBackward0"), (lambda x: x / 2, "DivBackward0"),
    (lambda x: -x, "NegBackward0"), (lambda x: x.exp(), "ExpBackward0"),
    (lambda x: x.log(), "LogBackward0"), (lambda x: x.tanh(), "TanhBackward0"),
    (lambda x: x.sigmoid(), "SigmoidBackward0"), (lambda x: x.relu(), "ReluBackward0"),
    (lambda x: x.sum(), "SumBackward0"), (lambda x: x.mean(), "MeanBackward0"),
    (lambda x: x.sum(0), "SumBackward1"), (lambda x: x.mean(0), "MeanBackward1"),
    (lambda x: x.reshape(3, 1), "ViewBackward0"), (lambda x: x[0], "IndexBackward0"),
    (lambda x: ag.mv(ag.ones(2, 3), x), "MmBackward0"),
])
def test_grad_fn_names_follow_pytorch(expr, name):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert expr(x).grad_fn.name() == name


def test_numpy_refuses_a_tensor_that_requires_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    a = x.detach().numpy()
    assert isinstance(a, np.ndarray) and np.shares_memory(a, x.data)
    assert ag.tensor([1.0]).numpy().tolist() == [1.0]


def test_data_is_assignable_as_the_lecture_writes():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    gamma = 0.1
    w.data = w.data - gamma * w.grad.data
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    assert w.requires_grad and w.is_leaf
    # .data is a tensor outside the graph, sharing w's memory (PyTorch's)
    assert isinstance(w.data, ag.Tensor) and not w.data.requires_grad
    assert np.shares_memory(w.data.numpy(), w._data)
    w.data = ag.tensor([5.0, 6.0])             # a Tensor: its array is stored
    assert w.tolist() == [5.0, 6.0]
    w.data -= gamma * w.grad.data               # the later listing's spelling
    np.testing.assert_allclose(w.data, [4.8, 5.6])
    w.data = np.array([1.0, 1.0])              # an array works too
    w.grad.data.zero_()                         # the course's idiom
    assert w.grad.tolist() == [0.0, 0.0] and w.tolist() == [1.0, 1.0]


def test_grad_is_a_tensor_or_none_and_can_be_reset():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad is None
    (x * 3).sum().backward()
    assert isinstance(x.grad, ag.Tensor) and not x.grad.requires_grad
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_detach_shares_data_and_leaves_the_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.data, y.data)
    z = d * x
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])     # d is a constant


def test_requires_grad_():
    t = ag.tensor([1.0, 2.0])
    assert t.requires_grad_() is t and t.requires_grad
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad.data, [2.0, 4.0])
    t.requires_grad_(False)
    assert not (t * 2).requires_grad
    y = ag.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_retain_grad_keeps_an_interior_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y * y
    y.retain_grad()
    z.sum().backward()
    np.testing.assert_array_equal(y.grad.data, 2 * y.data)
    with pytest.warns(UserWarning, match="retain_grad"):
        assert z.grad is None                           # not retained
    np.testing.assert_array_equal(x.grad.data, 18 * x.data)
    with pytest.raises(RuntimeError, match="retain_grad"):
        ag.tensor([1.0]).retain_grad()


# ------------------------------------------------------------ repr
def test_repr_is_pytorch_like():
    assert repr(ag.tensor([1.0, 2.0, 3.0], requires_grad=True)) == \
        "tensor([1., 2., 3.], requires_grad=True)"
    assert repr(ag.tensor([1.0, 2.0, 3.0])) == "tensor([1., 2., 3.])"
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4., 6.], grad_fn=<MulBackward0>)"
    assert repr(ag.tensor([1, 2, 3])) == "tensor([1, 2, 3])"
    assert repr(ag.tensor(2.0)) == "tensor(2.)"
    assert repr(ag.tensor([0.5, 0.25])) == "tensor([0.5000, 0.2500])"
    assert "dtype=float32" in repr(ag.tensor([1.0], dtype=ag.float32))
    r = repr(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert r == "tensor([[1., 2.],\n        [3., 4.]])"


# ------------------------------------------------------------ backward
def test_scalar_backward_needs_no_argument():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    y = ag.tensor([3.0], requires_grad=True)     # one element counts as a scalar
    (y * 2).backward()
    assert y.grad.tolist() == [2.0]


def test_non_scalar_backward_without_gradient_is_a_clear_error():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*gradient"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="gradient has shape"):
        (x * 2).backward(ag.ones(3))
    (x * 2).backward(ag.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 20.0])
    x.grad = None
    (x * 2).backward(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_backward_on_a_tensor_without_grad_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).sum().backward()


def test_the_graph_is_released_after_backward_unless_retained():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward(retain_graph=True)
    g1 = np.array(x.grad.data)
    loss.backward()                    # retained: allowed, accumulates
    np.testing.assert_allclose(x.grad.data, 2 * g1)
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()                 # released by the second call
    y = x * 3
    z1, z2 = y.sum(), (y * y).sum()
    z1.backward()
    with pytest.raises(RuntimeError, match="retain_graph|released"):
        z2.backward()                   # shares y's released node


def test_leaves_accumulate_across_backward_calls():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2 + 2, 2 + 4])
    assert x.grad is g          # accumulated in place, as PyTorch does


def test_interior_tensors_keep_no_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.exp()
    w = z.sum()
    w.backward()
    for interior in (y, z, w):
        with pytest.warns(UserWarning, match=r"not a leaf .*retain_grad\(\)"):
            assert interior.grad is None
    assert x.grad is not None


def test_backward_leaves_seed_and_data_alone_and_grads_are_separate_arrays():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([3.0, 4.0], requires_grad=True)
    u = np.array([1.0, -1.0])
    xd, yd = np.array(x.data), np.array(y.data)
    out = x + y                         # Add hands the same g to both inputs
    out.backward(u)
    assert u.tolist() == [1.0, -1.0]
    assert np.array_equal(x.data, xd) and np.array_equal(y.data, yd)
    assert not np.shares_memory(x.grad.data, y.grad.data)
    assert not np.shares_memory(x.grad.data, u)
    x.grad.data[0] = 100.0              # changing one gradient leaves the other alone
    assert y.grad.tolist() == [1.0, -1.0]
    z = ag.tensor([5.0], requires_grad=True)
    z.backward(ag.tensor([2.0]))        # a leaf as the root
    assert not np.shares_memory(z.grad.data, z.data)


# ------------------------------------------------------------ grad modes
def test_no_grad_records_nothing():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        outs = [x * 2, x + x, x.exp(), x.sum(), x[0], x.reshape(2, 1), ag.cat([x, x]),
                x @ x, ag.where(x > 1, x, 0.0), ag.maximum(x, 1.0), x.T, -x, x.clone()]
    assert ag.is_grad_enabled()
    for o in outs:
        assert not o.requires_grad and o.grad_fn is None and o.is_leaf


def test_no_grad_and_enable_grad_as_decorators():
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad()
    def f():
        return x * 2

    @ag.enable_grad()
    def g():
        return x * 2

    assert not f().requires_grad
    with ag.no_grad():
        assert g().requires_grad
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            raise ZeroDivisionError
    assert ag.is_grad_enabled()


def test_grad_mode_is_thread_local():
    x = ag.tensor([1.0], requires_grad=True)
    inside, go, result = threading.Event(), threading.Event(), {}

    def worker():
        with ag.no_grad():
            inside.set()
            go.wait(5)
            result["worker"] = (x * 2).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    result["main"] = (x * 2).requires_grad          # main thread: still recording
    go.set()
    t.join()
    assert result == {"main": True, "worker": False}


def test_a_decorated_function_called_from_two_threads_restores_each_threads_mode():
    a_in, a_out, b_in, b_out = (threading.Event() for _ in range(4))
    result = {}

    @ag.no_grad()
    def f(entered, leave):
        entered.set()
        leave.wait(5)

    def a():
        f(a_in, a_out)                           # grad was on here
        result["a"] = ag.is_grad_enabled()

    def b():
        with ag.set_grad_enabled(False):        # grad was off here
            f(b_in, b_out)
            result["b"] = ag.is_grad_enabled()

    ta, tb = threading.Thread(target=a), threading.Thread(target=b)
    ta.start()
    a_in.wait(5)
    tb.start()
    b_in.wait(5)
    a_out.set()
    ta.join()
    b_out.set()
    tb.join()
    assert result == {"a": True, "b": False}


# ------------------------------------------------------------ the lecture's listing
def test_lecture_linear_regression_listing_recovers_w_and_b():
    torch = ag          # the lecture's PyTorch listing, `torch.` renamed to `autograd.`
    torch.manual_seed(0)

    w_true = torch.Tensor([1, 2, 3])
    b_true = 5

    w = torch.randn(3, requires_grad=True)
    b = torch.randn(1, requires_grad=True)

    X = torch.randn(100, 3)
    y = torch.mv(X, w_true) + b_true

    gamma = 0.01
    losses = []

    for i in range(500):  # noqa: B007  (verbatim)
        w.grad = None
        b.grad = None

        y_pred = torch.mv(X, w) + b

        loss = torch.mean((y-y_pred)**2)
        loss.backward()

        w.data -= gamma * w.grad.data
        b.data -= gamma * b.grad.data

        losses.append(loss.item())

    np.testing.assert_allclose(w.data, [1.0, 2.0, 3.0], atol=1e-2)
    np.testing.assert_allclose(b.data, [5.0], atol=1e-2)
    assert losses[-1] < 1e-3 < losses[0]
    assert all(a >= c for a, c in zip(losses, losses[1:], strict=False))


def test_lecture_listing_with_data_assignment_spelling():
    ag.manual_seed(1)
    w_true = ag.Tensor([1, 2, 3])
    b_true = 5
    w = ag.randn(3, requires_grad=True)
    b = ag.randn(1, requires_grad=True)
    X = ag.randn(100, 3)
    y = ag.mv(X, w_true) + b_true
    gamma = 0.1
    for i in range(100):  # noqa: B007
        w.grad = None
        b.grad = None
        y_pred = ag.mv(X, w) + b
        loss = ag.mean((y - y_pred)**2)
        loss.backward()
        w.data = w.data - gamma * w.grad.data
        b.data = b.data - gamma * b.grad.data
    np.testing.assert_allclose(w.data, [1.0, 2.0, 3.0], atol=1e-2)
    np.testing.assert_allclose(b.data, [5.0], atol=1e-2)


# ------------------------------------------------------------ Value and Tensor agree
def test_sigmoid_circuit_from_the_lecture():
    names = ["w0", "x0", "w1", "x1", "w2"]
    at = dict(w0=2.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0)

    def circuit(w0, x0, w1, x1, w2):
        return 1 / (1 + ag.exp(-(w0 * x0 + w1 * x1 + w2)))

    vs = {k: Value(v) for k, v in at.items()}
    ts = {k: ag.tensor(v, requires_grad=True) for k, v in at.items()}
    yv, yt = circuit(**vs), circuit(**ts)
    yv.backward()
    yt.backward()
    assert yt.shape == () and yt.item() == pytest.approx(yv.data) == pytest.approx(0.7310585786)
    for k in names:
        assert ts[k].grad.shape == ()
        assert ts[k].grad.item() == pytest.approx(vs[k].grad, rel=1e-12)
    # the slide's numbers
    want = dict(w0=-0.20, x0=0.39, w1=-0.39, x1=-0.59, w2=0.20)
    for k in names:
        assert ts[k].grad.item() == pytest.approx(want[k], abs=0.005)
    s = ag.tensor(1.0, requires_grad=True)
    ag.sigmoid(s).backward()
    assert s.grad.item() == pytest.approx(0.196611933, abs=1e-9)


_UNARY = {
    "neg": lambda a: -a,
    "exp": lambda a: ag.exp(a * 0.5),
    "log": lambda a: ag.log(a * a + 1),
    "sqrt": lambda a: ag.sqrt(a * a + 0.5),
    "tanh": ag.tanh,
    "sigmoid": ag.sigmoid,
    "relu": ag.relu,
    "abs": ag.abs,
    "square": lambda a: a ** 2,
    "pow": lambda a: (a * a + 0.5) ** 1.5,
    "rpow": lambda a: 1.5 ** a,
    "rdiv": lambda a: 2 / (a * a + 1),
    "rsub": lambda a: 1 - a,
    "const": lambda a: a * 0.7 + 0.2,
}
_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a * a + 0.5) ** b,
}


def _exprs(n_leaves: int):
    leaf = st.integers(0, n_leaves - 1)
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.tuples(st.sampled_from(sorted(_UNARY)), kids),
            st.tuples(st.sampled_from(sorted(_BINARY)), kids, kids)),
        max_leaves=8)


def _evaluate(expr, leaves):
    if isinstance(expr, int):
        return leaves[expr]
    if len(expr) == 2:
        return _UNARY[expr[0]](_evaluate(expr[1], leaves))
    return _BINARY[expr[0]](_evaluate(expr[1], leaves), _evaluate(expr[2], leaves))


@quick
@given(expr=_exprs(3), xs=st.lists(st.floats(-2, 2).filter(lambda v: abs(v) > 1e-3),
                                   min_size=3, max_size=3))
def test_value_and_tensor_give_the_same_gradients(expr, xs):
    vals = [Value(v) for v in xs]
    try:
        yv = _evaluate(expr, vals)
    except (ArithmeticError, ValueError):
        assume(False)
    if not isinstance(yv, Value):
        assume(False)                       # the expression is a bare leaf
    assume(math.isfinite(yv.data) and abs(yv.data) < 1e6)
    yv.backward()
    assume(all(math.isfinite(v.grad) for v in vals))
    ts = [ag.tensor(v, requires_grad=True) for v in xs]
    yt = _evaluate(expr, ts)
    assert yt.shape == ()
    assert yt.item() == pytest.approx(yv.data, rel=1e-12, abs=1e-12)
    yt.backward()
    for v, t in zip(vals, ts, strict=True):
        got = 0.0 if t.grad is None else t.grad.item()
        assert got == pytest.approx(v.grad, rel=1e-9, abs=1e-12)
