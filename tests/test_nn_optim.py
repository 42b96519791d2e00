"""Optimizers against a straightforward float64 numpy reference of PyTorch's documented
update rules, on the lecture's MLP (forward and backward written out by hand here)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn

SIZES = [(1, 6), (6, 10), (10, 6), (6, 1)]


def problem(seed: int = 0, n: int = 64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1))
    y = x ** 2 + 3
    params = []
    for i, o in SIZES:
        params += [rng.uniform(-1, 1, (o, i)) / np.sqrt(i), rng.uniform(-1, 1, o) / np.sqrt(i)]
    return x, y, params


def reference_loss_and_grads(params: list, x: np.ndarray, y: np.ndarray):
    """MSE of the ReLU MLP and its gradients, by the chain rule written out."""
    acts, h = [x], x
    for k in range(4):
        h = h @ params[2 * k].T + params[2 * k + 1]
        if k < 3:
            h = np.maximum(h, 0)
        acts.append(h)
    diff = h - y
    grads = [None] * 8
    g = 2 * diff / diff.size
    for k in reversed(range(4)):
        if k < 3:
            g = g * (acts[k + 1] > 0)
        grads[2 * k], grads[2 * k + 1] = g.T @ acts[k], g.sum(0)
        g = g @ params[2 * k]
    return float(np.mean(diff ** 2)), grads


def reference_curve(kind: str, steps: int, **hp) -> list[float]:
    x, y, params = problem()
    state = [dict() for _ in params]
    curve = []
    for t in range(1, steps + 1):
        loss, grads = reference_loss_and_grads(params, x, y)
        curve.append(loss)
        for p, g, s in zip(params, grads, state, strict=True):
            g = g + hp.get("weight_decay", 0) * p
            if kind == "sgd":
                mu = hp.get("momentum", 0)
                if mu:
                    damp = hp.get("dampening", 0)
                    s["b"] = g.copy() if "b" not in s else mu * s["b"] + (1 - damp) * g
                    g = g + mu * s["b"] if hp.get("nesterov") else s["b"]
                p -= hp["lr"] * g
            else:
                b1, b2 = hp.get("betas", (0.9, 0.999))
                s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
                s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
                m_hat, v_hat = s["m"] / (1 - b1 ** t), s["v"] / (1 - b2 ** t)
                p -= hp.get("lr", 1e-3) * m_hat / (np.sqrt(v_hat) + hp.get("eps", 1e-8))
    return curve


def our_curve(kind: str, steps: int, **hp) -> list[float]:
    x, y, params = problem()
    net = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU(),
                        nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 1))
    net.load_state_dict(dict(zip([k for k, _ in net.named_parameters()], params, strict=True)))
    opt = (nn.optim.SGD if kind == "sgd" else nn.optim.Adam)(net.parameters(), **hp)
    X, Y, loss_fn = autograd.tensor(x), autograd.tensor(y), nn.MSELoss()
    curve = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(net(X), Y)
        loss.backward()
        opt.step()
        curve.append(loss.item())
    return curve


@pytest.mark.parametrize("kind, hp", [
    ("sgd", dict(lr=0.01)),
    ("sgd", dict(lr=0.01, momentum=0.9, weight_decay=1e-3)),
    ("sgd", dict(lr=0.01, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    ("sgd", dict(lr=0.01, momentum=0.8, nesterov=True, weight_decay=1e-3)),
    ("adam", dict(lr=1e-3)),
    ("adam", dict(lr=2e-3, betas=(0.85, 0.995), eps=1e-6, weight_decay=1e-2)),
])
def test_loss_curve_matches_the_documented_update_rule(kind, hp):
    ours, ref = our_curve(kind, 1000, **hp), reference_curve(kind, 1000, **hp)
    assert ref[-1] < ref[0] / 5                          # it did train
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


def test_parameters_without_grad_are_skipped_and_state_dict_round_trips():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0], requires_grad=True)
    opt = nn.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    assert b.data[0] == 3.0 and a.data[0] != 1.0
    sd = opt.state_dict()
    assert sd["param_groups"][0]["lr"] == 0.1 and sd["state"][0]["step"] == 1
    opt2 = nn.Adam([a, b], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.1 and opt2.state[id(a)]["step"] == 1


def test_zero_grad_and_param_groups():
    a = autograd.tensor([1.0], requires_grad=True)
    b = autograd.tensor([1.0], requires_grad=True)
    opt = nn.optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    (a * 2 + b * 2).sum().backward()
    opt.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.8, -1.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_an_optimizer_step_invalidates_a_pending_graph():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    opt = nn.SGD([w], lr=0.1)
    loss = (w * w).sum()
    (w * 3).sum().backward()
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_bad_settings_are_clear_errors():
    w = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="learning rate -0.1"):
        nn.SGD([w], lr=-0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        nn.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="does not require grad"):
        nn.SGD([autograd.tensor([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        nn.Adam([w], betas=(1.0, 0.9))
    with pytest.raises(TypeError, match="iterable"):
        nn.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        nn.Adam([{"params": [w]}, {"params": [w], "lr": 0.1}])
    assert nn.optim.SGD is nn.SGD and nn.optim.Adam is nn.Adam


# ---------------------------------------------------------------- the rest of nn.optim
ALL = [
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("Adam", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
]
ALL_IDS = [k for k, _ in ALL]


def quadratic_run(kind: str, steps: int = 30, sign: float = 1.0, opt=None, w=None, **hp):
    """Minimise sum((w - 1)^2 w_scale) by injected gradients times `sign`; returns w's
    value after each step."""
    if w is None:
        w = autograd.tensor([3.0, -2.0, 0.5], requires_grad=True)
    opt = opt or getattr(nn.optim, kind)([w], **hp)
    out = []
    for _ in range(steps):
        w.grad = autograd.tensor(sign * 2 * (w.data - 1) * np.array([1.0, 3.0, 0.3]))
        opt.step()
        out.append(np.array(w.data))
    return np.array(out), opt, w


def test_the_package_layout():
    import nn.optim.lr_scheduler as sched
    from nn.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop, lr_scheduler
    assert lr_scheduler is sched and sched.StepLR.__module__ == "nn.optim.lr_scheduler"
    for cls in (SGD, Adam, AdamW, RMSprop, Adagrad):
        assert issubclass(cls, Optimizer) and cls.__doc__ and "<-" in cls.__doc__
    assert issubclass(AdamW, Adam)


@pytest.mark.parametrize("kind, hp", ALL, ids=ALL_IDS)
def test_every_optimizer_descends_and_maximize_is_descent_on_the_negated_gradient(kind, hp):
    plain, _, _ = quadratic_run(kind, **hp)
    assert np.abs(plain[-1] - 1).max() < np.abs(plain[0] - 1).max()
    flipped, _, _ = quadratic_run(kind, sign=-1.0, maximize=True, **hp)
    np.testing.assert_array_equal(flipped, plain)     # -(-g) is g exactly


@pytest.mark.parametrize("kind, hp", ALL, ids=ALL_IDS)
def test_every_optimizer_step_invalidates_a_pending_graph(kind, hp):
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    opt = getattr(nn.optim, kind)([w], **hp)
    loss = (w * w).sum()
    (w * 3).sum().backward()
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("kind, hp", ALL, ids=ALL_IDS)
def test_float32_parameters_stay_float32(kind, hp):
    w = autograd.tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    opt = getattr(nn.optim, kind)([w], **hp)
    for _ in range(3):
        w.grad = autograd.tensor(np.array([0.5, -0.5], np.float32))
        opt.step()
    assert w.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state_dict()["state"][0].values()
               if isinstance(v, np.ndarray))


def test_first_steps_by_hand():
    """Step 1 of each rule, written out for a gradient g = 2 at p = 1."""
    def one(kind, **hp):
        w = autograd.tensor([1.0], requires_grad=True)
        opt = getattr(nn.optim, kind)([w], **hp)
        w.grad = autograd.tensor([2.0])
        opt.step()
        return w.data[0].item()
    assert one("Adam", lr=0.1) == pytest.approx(1 - 0.1 * 2 / (2 + 1e-8))      # m̂ = g, v̂ = g²
    assert one("AdamW", lr=0.1, weight_decay=0.5) == pytest.approx(
        1 * (1 - 0.1 * 0.5) - 0.1 * 2 / (2 + 1e-8))
    assert one("Adam", lr=0.1, weight_decay=0.5) == pytest.approx(1 - 0.1)      # g + λp, still
    assert one("RMSprop", lr=0.01, alpha=0.9) == pytest.approx(
        1 - 0.01 * 2 / (np.sqrt(0.1 * 4) + 1e-8))
    assert one("RMSprop", lr=0.01, alpha=0.9, centered=True) == pytest.approx(
        1 - 0.01 * 2 / (np.sqrt(0.1 * 4 - 0.2 ** 2) + 1e-8))
    assert one("Adagrad", lr=0.1, initial_accumulator_value=5.0) == pytest.approx(
        1 - 0.1 * 2 / (np.sqrt(9.0) + 1e-10))
    assert one("SGD", lr=0.1, weight_decay=0.5, maximize=True) == pytest.approx(1 + 0.1 * 1.5)


def test_adamw_with_no_gradient_signal_only_decays():
    w = autograd.tensor([2.0, -4.0], requires_grad=True)
    opt = nn.optim.AdamW([w], lr=0.1)                 # weight_decay defaults to 1e-2
    assert opt.defaults["weight_decay"] == 1e-2 and opt.defaults["decoupled_weight_decay"]
    w.grad = autograd.tensor([0.0, 0.0])
    opt.step()
    np.testing.assert_allclose(w.data, [2.0 * (1 - 1e-3), -4.0 * (1 - 1e-3)], rtol=1e-15)


def test_amsgrad_keeps_the_running_maximum():
    w = autograd.tensor([0.0], requires_grad=True)
    opt = nn.optim.Adam([w], lr=0.01, amsgrad=True)
    peak = 0.0
    for g in [5.0, 0.1, 0.1, 3.0, 0.0]:
        w.grad = autograd.tensor([g])
        opt.step()
        state = opt.state[id(w)]
        peak = max(peak, state["exp_avg_sq"][0])
        assert state["max_exp_avg_sq"][0] == peak >= state["exp_avg_sq"][0]


def test_adagrad_lr_decay_shrinks_the_step_as_documented():
    w = autograd.tensor([0.0], requires_grad=True)
    opt = nn.optim.Adagrad([w], lr=1.0, lr_decay=0.5, eps=0.0)
    assert opt.state[id(w)] == {"step": 0.0, "sum": np.zeros(1)}    # made at construction
    moves = []
    for t in range(1, 5):
        w.grad = autograd.tensor([1.0])
        before = w.data[0].item()
        opt.step()
        moves.append(before - w.data[0].item())
        assert moves[-1] == pytest.approx(1.0 / (1 + (t - 1) * 0.5) / np.sqrt(t))


def test_closure_is_called_and_its_loss_returned():
    w = autograd.tensor([1.0], requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == 1.0 and w.data[0] == pytest.approx(0.8)


def test_zero_grad_keeping_the_arrays():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    opt = nn.optim.Adam([a])
    (a * a).sum().backward()
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g and np.all(g.data == 0)


def test_groups_defaults_fill_the_rest_and_add_param_group():
    a, b, c = (autograd.tensor([1.0], requires_grad=True) for _ in range(3))
    opt = nn.optim.Adam([{"params": [a]}, {"params": b, "lr": 0.5, "amsgrad": True}],
                        lr=0.1, betas=[0.8, 0.9])
    g0, g1 = opt.param_groups
    assert (g0["lr"], g1["lr"], g0["amsgrad"], g1["amsgrad"]) == (0.1, 0.5, False, True)
    assert g0["betas"] == g1["betas"] == (0.8, 0.9) and g1["params"] == [b]
    opt.add_param_group({"params": [c], "eps": 1e-3})
    assert opt.param_groups[2]["eps"] == 1e-3 and opt.param_groups[2]["lr"] == 0.1
    with pytest.raises(ValueError, match=r"more than once \(it is already in parameter group 1"):
        opt.add_param_group({"params": [b]})
    with pytest.raises(ValueError, match="Adam: invalid learning rate -1 in parameter group 3"):
        opt.add_param_group({"params": [autograd.tensor([1.0], requires_grad=True)], "lr": -1})
    with pytest.raises(TypeError, match="not a set"):
        opt.add_param_group({"params": {autograd.tensor([1.0], requires_grad=True)}})
    with pytest.raises(TypeError, match="dict"):
        opt.add_param_group([autograd.tensor([1.0], requires_grad=True)])
    assert len(opt.param_groups) == 3


@pytest.mark.parametrize("make, match", [
    (lambda w: nn.optim.SGD(w, momentum=-0.5), "SGD: invalid momentum -0.5: must be >= 0"),
    (lambda w: nn.optim.SGD(w, weight_decay=-1.0), "SGD: invalid weight_decay -1.0"),
    (lambda w: nn.optim.SGD(w, momentum=0.9, dampening=0.1, nesterov=True),
     "SGD: Nesterov momentum needs momentum > 0 and dampening = 0, got momentum 0.9"),
    (lambda w: nn.optim.Adam(w, lr=float("nan")), "Adam: invalid learning rate nan"),
    (lambda w: nn.optim.Adam(w, betas=(0.9, 1.0)), r"Adam: invalid betas \(0.9, 1.0\): "
     r"betas\[1\] must lie in \[0, 1\)"),
    (lambda w: nn.optim.Adam(w, betas=(0.9,)), "must be a pair"),
    (lambda w: nn.optim.Adam(w, eps=-1e-8), "Adam: invalid eps -1e-08"),
    (lambda w: nn.optim.AdamW(w, betas=(-0.1, 0.9)), r"AdamW: invalid betas .* betas\[0\]"),
    (lambda w: nn.optim.AdamW(w, weight_decay=-0.1), "AdamW: invalid weight_decay -0.1"),
    (lambda w: nn.optim.RMSprop(w, alpha=-0.1), "RMSprop: invalid alpha -0.1"),
    (lambda w: nn.optim.RMSprop(w, momentum=-1), "RMSprop: invalid momentum -1"),
    (lambda w: nn.optim.RMSprop(w, eps=-1.0), "RMSprop: invalid eps -1.0"),
    (lambda w: nn.optim.Adagrad(w, lr_decay=-0.1), "Adagrad: invalid lr_decay -0.1"),
    (lambda w: nn.optim.Adagrad(w, initial_accumulator_value=-1.0),
     "Adagrad: invalid initial_accumulator_value -1.0"),
    (lambda w: nn.optim.Adagrad(w, eps=-1.0), "Adagrad: invalid eps -1.0"),
    (lambda w: nn.optim.SGD([{"params": w}, {"params": [autograd.tensor(
        [1.0], requires_grad=True)], "momentum": -2}], lr=0.1),
     "SGD: invalid momentum -2 in parameter group 1"),
])
def test_bad_settings_of_every_optimizer_name_it_the_argument_and_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make([autograd.tensor([1.0], requires_grad=True)])


@pytest.mark.parametrize("kind, hp", ALL, ids=ALL_IDS)
def test_state_dict_layout_and_round_trip_mid_run(kind, hp):
    whole, _, _ = quadratic_run(kind, 40, **hp)
    first, opt, w = quadratic_run(kind, 15, **hp)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"} and sd["param_groups"][0]["params"] == [0]
    assert sd["param_groups"][0]["lr"] == hp["lr"] and "params" in sd["param_groups"][0]
    state = sd["state"][0]
    expected = {"SGD": {"momentum_buffer"}, "Adam": {"step", "exp_avg", "exp_avg_sq"},
                "AdamW": {"step", "exp_avg", "exp_avg_sq"},
                "RMSprop": {"step", "square_avg", "momentum_buffer", "grad_avg"},
                "Adagrad": {"step", "sum"}}[kind]
    assert set(state) == expected
    if "step" in state:
        assert state["step"] == 15.0 and isinstance(state["step"], float)
    for v in state.values():                            # copies, not the live buffers
        if isinstance(v, np.ndarray):
            v += 100.0
    w2 = autograd.tensor(np.array(w.data), requires_grad=True)
    opt2 = getattr(nn.optim, kind)([w2], lr=123.0)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[0]["lr"] == hp["lr"] and opt2.param_groups[0]["params"] == [w2]
    rest, _, _ = quadratic_run(kind, 25, opt=opt2, w=w2)
    np.testing.assert_array_equal(np.concatenate([first, rest]), whole)


def test_load_state_dict_refuses_a_mismatch():
    a, b = (autograd.tensor([1.0], requires_grad=True) for _ in range(2))
    sd = nn.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match=r"saved groups hold \[2\] parameters, this "
                                         r"optimizer's groups \[1\]"):
        nn.optim.SGD([a], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="saved state has 1 parameter groups, this optimizer 2"):
        nn.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    sd["param_groups"][0]["lr"] = -5.0
    with pytest.raises(ValueError, match="invalid learning rate -5.0"):
        nn.optim.SGD([a, b], lr=0.1).load_state_dict(sd)


def test_sgd_without_momentum_keeps_no_state_and_repr_lists_the_groups():
    w = autograd.tensor([1.0], requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1, weight_decay=0.1)
    w.grad = autograd.tensor([1.0])
    opt.step()
    assert opt.state_dict()["state"] == {}
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.1" in text
