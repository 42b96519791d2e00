"""autograd.compile: a recorded and replayed step gives bit-identical results to eager
(lecture MLP with SGD and Adam, the lecture's regression, the micrograd-style scalar MLP,
a small conv net when nn.Conv2d exists), records again when the guard fails, falls back to
eager (with a warning) where a replay could be wrong, and prints a readable program."""
from __future__ import annotations

import ast
import random
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, engine
from autograd.compile import _V_RELU, _VBACK, Compiled, CompileWarning, compile, explain, sanitize
from benchmarks.lecture_mlp import make_problem
from benchmarks.scalar_mlp import build_mlp, make_data, training_step


def lecture_net(opt: str = "sgd", n: int = 200) -> tuple:
    x, y, weights, biases = make_problem(n=n)
    net = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU(),
                        nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 1))
    for layer, w, b in zip(net[::2], weights, biases):
        layer.weight.data[...] = w
        layer.bias.data[...] = b
    loss_func = nn.MSELoss()
    optimizer = (nn.optim.SGD(net.parameters(), lr=0.01) if opt == "sgd" else
                 nn.optim.Adam(net.parameters(), lr=0.01))

    def step(X: autograd.Tensor, Y: autograd.Tensor) -> autograd.Tensor:
        optimizer.zero_grad()
        loss = loss_func(net(X), Y)
        loss.backward()
        optimizer.step()
        return loss
    return net, step, autograd.tensor(x), autograd.tensor(y)


def same_params(m1: nn.Module, m2: nn.Module) -> None:
    for (n1, p), (_, q) in zip(m1.named_parameters(), m2.named_parameters()):
        assert np.array_equal(p._data, q._data), n1
        assert (p.grad is None) == (q.grad is None), n1
        if p.grad is not None and q.grad is not None:
            assert np.array_equal(p.grad._data, q.grad._data), n1


def no_observers() -> None:
    from nn.optim import optimizer
    assert engine._observers == [] and optimizer._observers == []


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_lecture_mlp_bit_identical(opt: str) -> None:
    net1, eager, X, Y = lecture_net(opt)
    net2, step, _, _ = lecture_net(opt)
    compiled = compile(step)
    for _ in range(40):
        a, b = eager(X, Y), compiled(X, Y)
        assert a.shape == b.shape and np.array_equal(a._data, b._data)
        assert a.dtype == b.dtype
    same_params(net1, net2)
    assert compiled.replays == 39 and compiled.fallback is None
    no_observers()


def test_new_inputs_are_bound_by_position_and_a_new_shape_records_again() -> None:
    net1, eager, X, Y = lecture_net()
    net2, step, _, _ = lecture_net()
    compiled = compile(step, verbose=True)
    rng = np.random.default_rng(1)
    batches = [(autograd.tensor(rng.standard_normal((n, 1))),) for n in (50, 50, 50, 30, 30, 50)]
    with pytest.warns(CompileWarning, match=r"recording again: argument tensor 0: shape"):
        for (xb,) in batches:
            yb = xb * xb + 3
            assert np.array_equal(eager(xb, yb)._data, compiled(xb, yb)._data)
    same_params(net1, net2)
    # 50 recorded, 30 recorded, the last 50 replays the first recording (kept)
    assert len(compiled.recompiles) == 1 and compiled.replays == 4
    assert len(compiled.programs) == 2


def test_lecture_regression_program_and_results() -> None:
    def setup() -> tuple:
        autograd.manual_seed(0)
        w = autograd.randn(3, requires_grad=True)
        b = autograd.randn(1, requires_grad=True)
        X = autograd.randn(100, 3)
        y = autograd.mv(X, autograd.Tensor([1, 2, 3])) + 5
        gamma = 0.01

        def step(X: autograd.Tensor, y: autograd.Tensor) -> float:
            w.grad = None
            b.grad = None
            y_pred = autograd.mv(X, w) + b
            loss = autograd.mean((y - y_pred) ** 2)
            loss.backward()
            w.data -= gamma * w.grad.data  # type: ignore[attr-defined]
            b.data -= gamma * b.grad.data  # type: ignore[attr-defined]
            return loss.item()
        return w, b, X, y, step
    w1, b1, X, y, eager = setup()
    w2, b2, _, _, step = setup()
    compiled = compile(step)
    for _ in range(20):
        a, c = eager(X, y), compiled(X, y)
        assert type(c) is float and a == c
    assert np.array_equal(w1._data, w2._data) and np.array_equal(b1._data, b2._data)
    assert w1.grad is not None and w2.grad is not None
    assert np.array_equal(w1.grad._data, w2.grad._data)
    code = compiled.code
    ast.parse(code)
    for line in ("def step(X, y):", "y_pred = t1 + b", "t1 = X @ w", "d_w = X.T @ d_t1",
                 "d_b = sum_to(d_y_pred, (1,))", "w.grad += d_w", "w[...] = t5",
                 "return loss.item()", "w.grad = None"):
        assert line in code, line
    assert "# (100,)  add" in code
    assert "(3,)" in code and "loss = t3.mean()" in code
    doc = (Path(__file__).resolve().parent.parent / "docs" / "compile.md").read_text()
    start = doc.index("```python\ndef step(X, y):\n") + len("```python\n")
    assert doc[start:doc.index("```", start)] == code, "docs/compile.md shows another program"


def test_item_used_before_more_ops_falls_back_to_eager() -> None:
    net1, _, X, Y = lecture_net()
    net2, _, _, _ = lecture_net()

    def make(net: nn.Module) -> Compiled:
        opt = nn.optim.SGD(net.parameters(), lr=0.01)

        def step(X: autograd.Tensor, Y: autograd.Tensor) -> float:
            opt.zero_grad()
            loss = ((net(X) - Y) ** 2).mean()
            if loss.item() > 1.0:           # a branch on data
                loss = loss * 0.5
            loss.backward()
            opt.step()
            return loss.item()
        return step  # type: ignore[return-value]
    eager = make(net1)
    compiled = compile(make(net2))
    with pytest.warns(CompileWarning, match=r"item\(\) of a tensor was used before more"):
        compiled(X, Y)
    eager(X, Y)
    for _ in range(5):
        assert eager(X, Y) == compiled(X, Y)
    assert compiled.fallback is not None and compiled.replays == 0
    same_params(net1, net2)
    no_observers()


def test_random_numbers_drawn_inside_are_drawn_again_by_a_replay() -> None:
    def make() -> tuple:
        autograd.manual_seed(3)
        w = autograd.randn(4, 3, requires_grad=True)
        g = autograd.Generator().manual_seed(5)

        def step() -> autograd.Tensor:
            w.grad = None
            noise = autograd.randn(4, 3) + autograd.rand(3, generator=g, dtype=autograd.float64)
            loss = (w * noise).sum() + autograd.randint(0, 5, (4, 3)).sum()
            loss.backward()
            return loss
        return w, g, step
    w1, g1, eager = make()
    out1 = [eager()._data.copy() for _ in range(6)]
    w2, g2, step = make()
    compiled = compile(step)
    out2 = [compiled()._data for _ in range(6)]
    assert compiled.fallback is None and compiled.replays == 5
    assert all(np.array_equal(a, b) for a, b in zip(out1, out2))
    assert len({a.tobytes() for a in out2}) == 6            # new draws each step
    assert w1.grad is not None and w2.grad is not None
    assert np.array_equal(w1.grad._data, w2.grad._data)
    assert np.array_equal(g1.get_state(), g2.get_state())
    assert np.array_equal(autograd.generator().random(3), autograd.generator().random(3)) is False


@pytest.mark.parametrize("draw", ["python", "legacy", "numpy_method", "unreached"])
def test_random_numbers_a_replay_cannot_draw_fall_back(draw: str) -> None:
    w = autograd.randn(4, requires_grad=True)

    def step() -> autograd.Tensor:
        if draw == "python":
            x = autograd.tensor([random.random()] * 4)
        elif draw == "legacy":
            x = autograd.tensor(np.random.random_sample(4))
        elif draw == "numpy_method":
            x = autograd.tensor(autograd.generator().standard_normal(4))
        else:       # a generator made inside the step: a replay could not follow it
            x = autograd.randn(4, generator=autograd.Generator().manual_seed(1))
        loss = (w * x).sum()
        loss.backward()
        return loss
    compiled = compile(step)
    with pytest.warns(CompileWarning, match="random numbers"):
        compiled()
    assert compiled.fallback is not None
    compiled()
    assert compiled.replays == 0


def test_returning_an_untracked_number_falls_back() -> None:
    w = autograd.randn(4, requires_grad=True)
    total = []

    def step() -> float:
        loss = (w * w).sum()
        loss.backward()
        total.append(1)
        return len(total) * 1.5
    compiled = compile(step)
    with pytest.warns(CompileWarning, match="computed outside the recorded ops"):
        compiled()
    assert compiled() == 3.0


def test_hostile_names_never_reach_the_code() -> None:
    evil = "x = __import__('os').system('echo pwned') #"
    w = autograd.randn(3, requires_grad=True)
    X = autograd.randn(5, 3)

    def step(X: autograd.Tensor) -> autograd.Tensor:
        loss = (X @ w).sum()
        loss.backward()
        return loss
    code = explain(step, X, names={evil: w})
    ast.parse(code)
    assert "__import__(" not in code and "'os'" not in code and "echo pwned" not in code
    assert "t1 = X @ x_____import____os___system__echo_pwned_" in code   # an identifier
    assert sanitize(evil).isidentifier()
    assert sanitize("class") == "v_class" and sanitize("1x") == "v_1x" and sanitize("") == "v_"


def test_module_parameter_names_in_the_code() -> None:
    net, step, X, Y = lecture_net()
    code = explain(step, X, Y)
    ast.parse(code)
    assert "net.0.weight" not in code      # dots are not identifier characters
    assert "net_0_weight" in code and "d_net_0_weight" in code
    assert "np.maximum(" in code and "sgd.zero_grad()" in code
    assert "net_6_bias -= 0.01 * net_6_bias.grad" in code


# ---------------------------------------------------------------- scalar graphs
def scalar_setup(n: int) -> tuple:
    rng = random.Random(0)
    layers = build_mlp(Value, rng)
    X, Y = make_data(rng, n)
    return layers, X, Y


def scalar_params(layers: list) -> list:
    return [p for layer in layers for weights, bias in layer for p in weights + [bias]]


def test_micrograd_style_scalar_step_bit_identical() -> None:
    l1, X, Y = scalar_setup(6)
    l2, _, _ = scalar_setup(6)
    compiled = compile(lambda X, Y: training_step(Value, l2, X, Y))
    for _ in range(6):
        a, b = training_step(Value, l1, X, Y), compiled(X, Y)
        assert type(b) is float and a == b
    assert compiled.replays == 4        # the inputs are Values made inside: recorded twice
    for p, q in zip(scalar_params(l1), scalar_params(l2)):
        assert p._data == q._data and p._g == q._g
    plan = next(ev[1] for ev in compiled.program.events if ev[0] == _VBACK)
    assert plan.levels is not None and plan.back_levels is not None    # numpy, per level
    assert "v_" not in compiled.code.splitlines()[0]
    ast.parse(compiled.code)
    # new data of the same structure: the guard compares the arguments' values
    X2 = [[a + 0.5, b] for a, b in X]
    assert training_step(Value, l1, X2, Y) == compiled(X2, Y)
    assert compiled.recompiles == ["argument 0 changed"]


def test_scalar_fused_lincomb_and_pow_bit_identical() -> None:
    l1, X, Y = scalar_setup(4)
    l2, _, _ = scalar_setup(4)

    def step(layers: list) -> float:
        return training_step(Value, layers, X, Y, fused=True)
    compiled = compile(lambda: step(l2))
    for _ in range(4):
        assert step(l1) == compiled()
    for p, q in zip(scalar_params(l1), scalar_params(l2)):
        assert p._data == q._data and p._g == q._g

    a1, a2 = Value(0.7), Value(0.7)

    def pw(a: Value) -> float:
        a.grad = 0.0
        y = (a ** 3 - a.exp() / (a + 2)).tanh() + a.sigmoid() * a.log()
        y.backward()
        a.data -= 0.1 * a.grad
        return y.data
    cp = compile(lambda: pw(a2))
    for _ in range(5):
        assert pw(a1) == cp()
        assert a1.data == a2.data and a1.grad == a2.grad


def test_scalar_comparison_before_backward_falls_back() -> None:
    a = Value(2.0)

    def step() -> float:
        y = a * a
        if y > 3:                       # a branch on data
            y = y * 2
        a.grad = 0.0
        y.backward()
        a.data -= 0.1 * a.grad
        return y.data
    compiled = compile(step)
    with pytest.warns(CompileWarning, match=r"gt\(\) of a Value was used before"):
        compiled()
    assert compiled.fallback is not None


# ---------------------------------------------------------------- many rules, any shapes
shapes = st.sampled_from([(), (1,), (3,), (2, 3), (0, 3), (2, 1)])


dtypes = st.sampled_from([np.float64, np.float32])


@given(shapes, shapes, st.integers(0, 2 ** 31 - 1), dtypes, dtypes)
def test_generic_rules_broadcasting_bit_identical(sa: tuple, sb: tuple, seed: int,
                                                  dt: type, dx: type) -> None:
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        return
    rng = np.random.default_rng(seed)
    da: np.ndarray = rng.uniform(0.5, 2, sa).astype(dt)
    db: np.ndarray = rng.uniform(0.5, 2, sb).astype(dt)

    def make() -> tuple:
        a = autograd.tensor(da.copy(), requires_grad=True)
        b = autograd.tensor(db.copy(), requires_grad=True)

        def step(x: autograd.Tensor) -> autograd.Tensor:
            a.grad = None
            b.grad = None
            y = (a * x).exp() / (b + 1) - a.sqrt() * b.tanh() + (a - b).abs().log1p()
            loss = (y.sigmoid() ** 2).sum() + a.sum() * b.mean()
            loss.backward()
            with autograd.no_grad():
                a.sub_(0.1 * a.grad)  # type: ignore[operator]
                b.sub_(0.1 * b.grad)  # type: ignore[operator]
            return loss
        return a, b, step
    a1, b1, eager = make()
    a2, b2, step = make()
    compiled = compile(step)
    for _ in range(3):
        x = autograd.tensor(rng.uniform(-1, 1, sa).astype(dx))
        r1, r2 = eager(x), compiled(x)
        assert r1.dtype == r2.dtype
        np.testing.assert_array_equal(r1._data, r2._data)
        for p, q in ((a1, a2), (b1, b2)):
            np.testing.assert_array_equal(p._data, q._data)
            np.testing.assert_array_equal(p.grad._data, q.grad._data)
    assert compiled.replays == 2


# ---------------------------------------------------------------- a conv net, if there is one
def test_small_conv_net_bit_identical() -> None:
    conv = pytest.importorskip("nn.conv")
    flatten = pytest.importorskip("nn.flatten")

    def make() -> tuple:
        autograd.manual_seed(0)
        net = nn.Sequential(conv.Conv2d(1, 4, 3), nn.ReLU(), flatten.Flatten(),
                            nn.Linear(4 * 6 * 6, 10))
        opt = nn.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

        def step(x: autograd.Tensor, t: autograd.Tensor) -> autograd.Tensor:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), t)
            loss.backward()
            opt.step()
            return loss
        return net, step
    net1, eager = make()
    net2, step = make()
    compiled = compile(step)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = autograd.tensor(rng.standard_normal((8, 1, 8, 8)))
        t = autograd.tensor(rng.integers(0, 10, 8))
        with warnings.catch_warnings():
            warnings.simplefilter("error", CompileWarning)
            assert np.array_equal(eager(x, t)._data, compiled(x, t)._data)
    same_params(net1, net2)
    assert compiled.replays == 4


def test_a_buffer_changed_on_the_raw_array_falls_back() -> None:
    w = autograd.randn(3, requires_grad=True)
    stats = autograd.zeros(3)

    def step() -> autograd.Tensor:
        loss = (w * w).sum()
        loss.backward()
        stats._data += 1.0          # outside any op: a replay would not see it
        return loss
    compiled = compile(step)
    with pytest.warns(CompileWarning, match="changed outside the recorded ops"):
        compiled()
    compiled()
    assert stats._data[0] == 2.0


def test_value_zero_grad_inside_the_step_is_replayed() -> None:
    def make() -> tuple:
        a, b = Value(1.5), Value(-0.5)

        def step() -> float:
            y = (a * b + a).relu() + b * b
            y.zero_grad()
            y.backward()
            a.data -= 0.1 * a.grad
            b.data = b.data - 0.1 * b.grad
            return y.data
        return a, b, step
    a1, b1, eager = make()
    a2, b2, step = make()
    compiled = compile(step)
    for _ in range(5):
        assert eager() == compiled()
        assert (a1.data, a1.grad, b1.data, b1.grad) == (a2.data, a2.grad, b2.data, b2.grad)
    assert compiled.replays == 4


def test_constants_made_inside_are_checked_by_a_second_recording() -> None:
    def make() -> tuple:
        w = autograd.tensor([0.5, -1.0, 2.0], requires_grad=True)

        def step(x: autograd.Tensor) -> autograd.Tensor:
            w.grad = None
            scale = autograd.tensor([1.0, 2.0, 3.0])        # the same every call
            loss = (x * w * scale).sum()
            loss.backward()
            with autograd.no_grad():
                w.sub_(0.1 * w.grad)  # type: ignore[operator]
            return loss
        return w, step
    w1, eager = make()
    w2, step = make()
    compiled = compile(step)
    x = autograd.tensor([1.0, 1.5, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        for _ in range(5):
            assert np.array_equal(eager(x)._data, compiled(x)._data)
    assert np.array_equal(w1._data, w2._data)
    assert compiled.replays == 3 and compiled.fallback is None


def test_running_statistics_from_data_fall_back() -> None:
    w = autograd.randn(3, requires_grad=True)
    stats = autograd.zeros(3)

    def step(x: autograd.Tensor) -> autograd.Tensor:
        loss = (x * w).sum()
        loss.backward()
        new = 0.9 * stats._data + 0.1 * x._data.mean(0)       # on the raw arrays
        stats.copy_(autograd.as_tensor(new))
        return loss
    compiled = compile(step)
    rng = np.random.default_rng(0)
    xs = [autograd.tensor(rng.standard_normal((4, 3))) for _ in range(4)]
    with pytest.warns(CompileWarning, match="changes from call to call"):
        for x in xs:
            compiled(x)
    expected = np.zeros(3)
    for x in xs:
        expected = 0.9 * expected + 0.1 * x._data.mean(0)
    assert np.array_equal(stats._data, expected) and compiled.replays == 0


def test_batch_norm_training_step_is_never_wrong() -> None:
    norm = pytest.importorskip("nn.normalization")

    def make() -> tuple:
        autograd.manual_seed(0)
        net = nn.Sequential(nn.Linear(3, 4), norm.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
        opt = nn.optim.SGD(net.parameters(), lr=0.1)

        def step(x: autograd.Tensor, y: autograd.Tensor) -> autograd.Tensor:
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        return net, step
    net1, eager = make()
    net2, step = make()
    compiled = compile(step)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)
        for _ in range(4):
            x = autograd.tensor(rng.standard_normal((8, 3)))
            y = autograd.tensor(rng.standard_normal((8, 1)))
            assert np.array_equal(eager(x, y)._data, compiled(x, y)._data)
    for (_, a), (_, b) in zip(net1.state_dict().items(), net2.state_dict().items()):
        assert np.array_equal(np.asarray(a._data), np.asarray(b._data))


def test_backward_outside_the_compiled_function_falls_back() -> None:
    w = autograd.randn(3, requires_grad=True)
    compiled = compile(lambda: (w * w).sum())
    with pytest.warns(CompileWarning, match="call backward"):
        loss = compiled()
    loss.backward()
    compiled().backward()
    assert w.grad is not None and np.array_equal(w.grad._data, 4 * w._data)


def test_a_compiled_call_inside_a_recording_runs_eagerly() -> None:
    def make() -> tuple:
        w = autograd.tensor([1.0, -2.0], requires_grad=True)
        inner = compile(lambda x: (x * w).sum())

        def outer(x: autograd.Tensor) -> autograd.Tensor:
            w.grad = None
            loss = inner(x) * inner(x + 1)
            loss.backward()
            return loss
        return w, inner, outer
    w1, _, eager = make()
    w2, inner, outer = make()
    compiled = compile(outer)
    x = autograd.tensor([0.5, 0.25])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)   # inner returns a graph: eager
        for _ in range(3):
            assert np.array_equal(eager(x)._data, compiled(x)._data)
    assert w1.grad is not None and w2.grad is not None
    assert np.array_equal(w1.grad._data, w2.grad._data) and compiled.replays == 2


# ---------------------------------------------------------------- the digits CNN
def cnn(seed: int = 0) -> tuple:
    """benchmarks/digits_cnn.py's model (Conv2d + BatchNorm2d + ReLU + MaxPool2d twice,
    Flatten, Dropout(0.25), Linear), float32, cross-entropy, Adam; seeded, so that two
    calls start the same and draw the same dropout masks."""
    from benchmarks.digits_cnn import build
    autograd.manual_seed(seed)
    net = build(nn).float()
    opt = nn.optim.Adam(net.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()

    def step(x: autograd.Tensor, y: autograd.Tensor) -> autograd.Tensor:
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss
    return net, opt, step


def digit_batches(sizes: list[int], seed: int = 0) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return [(autograd.from_numpy(rng.uniform(0, 1, (n, 1, 8, 8)).astype(np.float32)),
             autograd.from_numpy(rng.integers(0, 10, n))) for n in sizes]


def same_state(net1: nn.Module, opt1: nn.optim.Optimizer, net2: nn.Module,
               opt2: nn.optim.Optimizer) -> None:
    """Every parameter, .grad, buffer and optimizer state entry equal bit for bit."""
    same_params(net1, net2)
    for (k, a), (_, b) in zip(net1.named_buffers(), net2.named_buffers()):
        assert a._data.dtype == b._data.dtype and np.array_equal(a._data, b._data), k
    for p, q in zip(net1.parameters(), net2.parameters()):
        s1, s2 = opt1.state.get(id(p), {}), opt2.state.get(id(q), {})
        assert s1.keys() == s2.keys()
        for key in s1:
            assert np.array_equal(np.asarray(s1[key]), np.asarray(s2[key])), key


def test_digits_cnn_training_with_dropout_and_batch_norm_bit_identical() -> None:
    # 3 batches of 16 and one of 7 (a new shape: recorded once, then both recordings are
    # kept and replayed), 26 steps
    data = digit_batches([16, 16, 16, 7])
    order = [0, 1, 2] * 7 + [3, 0, 3, 1, 2]
    net1, opt1, eager = cnn()
    expected = [eager(*data[i])._data.copy() for i in order]
    net2, opt2, step = cnn()
    compiled = compile(step)
    got = [compiled(*data[i])._data for i in order]
    assert compiled.fallback is None and compiled.replays == len(order) - 2
    for a, b in zip(expected, got):
        assert a.dtype == b.dtype == np.float32 and np.array_equal(a, b)
    same_state(net1, opt1, net2, opt2)
    assert int(net2[1].num_batches_tracked.item()) == len(order)
    # the masks are drawn again at each replay: the same generator state as eager after it
    assert np.array_equal(autograd.generator().random(4), autograd.generator().random(4)) \
        is False
    no_observers()


def test_digits_cnn_eval_mode_follows_the_running_statistics() -> None:
    data = digit_batches([16, 16, 16])
    x_eval = digit_batches([10], seed=1)[0][0]

    def run(compiled: bool) -> tuple:
        net, opt, step = cnn(seed=2)
        w = net[-1].weight

        def evaluate(x: autograd.Tensor) -> autograd.Tensor:
            w.grad = None
            out = net(x)
            out.sum().backward()        # gradients through BatchNorm's eval form too
            return out
        train = compile(step) if compiled else step
        ev = compile(evaluate) if compiled else evaluate
        outs = []
        for rounds in range(4):
            net.train()
            for i in range(3):
                outs.append(train(*data[(i + rounds) % 3])._data.copy())
            net.eval()
            for _ in range(2):
                outs.append(ev(x_eval)._data.copy())
                assert w.grad is not None
                outs.append(w.grad._data.copy())
        return net, opt, outs, (train, ev)
    net1, opt1, expected, _ = run(False)
    net2, opt2, got, (train, ev) = run(True)
    assert isinstance(train, Compiled) and isinstance(ev, Compiled)
    assert train.fallback is None and ev.fallback is None
    assert train.replays == 11 and ev.replays == 7
    for k, (a, b) in enumerate(zip(expected, got)):
        assert np.array_equal(a, b), k
    same_state(net1, opt1, net2, opt2)


@pytest.mark.parametrize("kind", ["dropout", "inplace", "dropout2d", "p=1"])
def test_dropout_masks_are_drawn_again(kind: str) -> None:
    F = nn.functional

    def run(compiled: bool) -> list:
        autograd.manual_seed(7)
        w = autograd.randn(4, 3, 5, 5, requires_grad=True)

        def step(x: autograd.Tensor) -> autograd.Tensor:
            w.grad = None
            h = x * w
            if kind == "dropout":
                h = F.dropout(h, 0.4)
            elif kind == "inplace":
                h = F.dropout(h * 1.0, 0.4, inplace=True)
            elif kind == "dropout2d":
                h = F.dropout2d(h, 0.5)
            else:
                h = F.dropout(h, 1.0)
            loss = (h * h).sum()
            loss.backward()
            return loss
        f = compile(step) if compiled else step
        x = autograd.ones(4, 3, 5, 5)
        out = []
        for _ in range(8):
            out.append(f(x).item())
            assert w.grad is not None
            out.append(w.grad._data.copy())
        if compiled and kind == "inplace":  # in place on a tensor inside the graph: eager
            assert isinstance(f, Compiled) and f.fallback is not None and f.replays == 0
        elif compiled:
            assert isinstance(f, Compiled) and f.fallback is None and f.replays == 7
        return out
    a = run(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)
        b = run(True)
    for u, v in zip(a, b):
        assert np.array_equal(u, v)
    if kind != "p=1":
        assert len({x for x in a if isinstance(x, float)}) > 1     # masks differ per step


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_running_statistics_replayed(momentum: float | None) -> None:
    def make() -> tuple:
        autograd.manual_seed(0)
        net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=momentum), nn.ReLU(),
                            nn.Linear(4, 1))
        opt = nn.optim.SGD(net.parameters(), lr=0.1)

        def step(x: autograd.Tensor, y: autograd.Tensor) -> autograd.Tensor:
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        return net, opt, step
    rng = np.random.default_rng(0)
    data = [(autograd.tensor(rng.standard_normal((8, 3))),
             autograd.tensor(rng.standard_normal((8, 1)))) for _ in range(6)]
    net1, opt1, eager = make()
    net2, opt2, step = make()
    compiled = compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CompileWarning)
        for x, y in data:
            assert np.array_equal(eager(x, y)._data, compiled(x, y)._data)
    same_state(net1, opt1, net2, opt2)
    if momentum is None:        # the cumulative average reads num_batches_tracked.item()
        assert compiled.fallback is not None and "item()" in compiled.fallback
        assert len(caught) == 1
    else:
        assert compiled.fallback is None and compiled.replays == 5 and not caught


def test_recordings_are_kept_per_shape_up_to_the_cache_size() -> None:
    w = autograd.tensor([0.5, -1.0, 2.0], requires_grad=True)

    def step(x: autograd.Tensor) -> autograd.Tensor:
        w.grad = None
        loss = (x * w).sum()
        loss.backward()
        return loss
    compiled = compile(step)
    xs = [autograd.ones(n, 3) for n in range(1, Compiled.cache_size + 3)]
    for x in xs + xs[-Compiled.cache_size:]:
        assert np.array_equal(compiled(x)._data, step(x)._data)
    assert compiled.replays == Compiled.cache_size
    assert len(compiled.programs) == Compiled.cache_size
    compiled(xs[0])                 # the oldest was dropped: recorded again
    assert compiled.replays == Compiled.cache_size
    assert len(compiled.recompiles) == len(xs)


def test_digits_cnn_inference_under_no_grad_follows_training() -> None:
    data = digit_batches([16, 16])
    x_eval = digit_batches([5], seed=3)[0][0]

    def run(compiled: bool) -> list:
        net, _, step = cnn(seed=4)

        def predict(x: autograd.Tensor) -> autograd.Tensor:
            with autograd.no_grad():
                return net(x)

        train = compile(step) if compiled else step
        infer = compile(predict) if compiled else predict
        outs = []
        for i in range(6):
            net.train()
            outs.append(train(*data[i % 2])._data.copy())
            net.eval()
            outs.append(infer(x_eval)._data.copy())
        if compiled:
            assert isinstance(infer, Compiled) and infer.fallback is None
            assert infer.replays == 5
        return outs
    for a, b in zip(run(False), run(True)):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_scalar_forward_by_levels_keeps_relu_and_zero_signs() -> None:
    """A large Value graph replays its forward as numpy operations per level: the relu
    selection and the signs of zeros must be those of Python floats (relu(-0.) is +0.,
    nan passes), bit for bit."""
    inputs = [-0.0, 0.0, -1.5, 2.0, float("nan"), float("inf"), -float("inf"), 1e-300] * 40

    def step(xs: list) -> list:
        for x in xs:
            x.grad = 0.0
        rs = [(x * 1.0).relu() for x in xs]            # 320 relus in one level, of -0. too
        hs = [r * x + r for r, x in zip(rs, xs)]
        total = hs[0]
        for h in hs[1:]:
            total = total + h
        total.backward()
        return [r.data for r in rs] + [h.data for h in hs] + [x.grad for x in xs]

    xs1, xs2 = [Value(v) for v in inputs], [Value(v) for v in inputs]
    compiled = compile(lambda: step(xs2))
    for _ in range(3):
        eager, replayed = step(xs1), compiled()
        assert [struct.pack("<d", v) for v in eager] == [struct.pack("<d", v) for v in replayed]
    plan = next(ev[1] for ev in compiled.program.events if ev[0] == _VBACK)
    assert plan.levels is not None and any(entry[0] == _V_RELU for entry in plan.levels)
    assert plan.back_levels is not None     # (it is dropped if it ever disagreed with the loop)
