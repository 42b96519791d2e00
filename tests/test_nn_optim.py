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
