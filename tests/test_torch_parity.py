"""Same weights, same data: nn and PyTorch agree (outputs, gradients, state-dict keys and
shapes, optimizer trajectories). Skipped when PyTorch is not installed."""
from __future__ import annotations

import numpy as np
import pytest

try:
    import torch
except ImportError:                 # absent, or installed but broken: skip, on any pytest
    pytest.skip("PyTorch is not installed (or does not import)", allow_module_level=True)

import autograd
import nn


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """These tensors are tiny: torch's worker threads only wait on each other (and on a busy
    machine they make a 0.3 s test take 20 s). The setting is restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def pair():
    # Fixed weights: with some draws the trajectories are chaotic (rounding differences of
    # 1e-16 grow past 1e-9 within 300 steps), which says nothing about either library.
    autograd.manual_seed(0)
    ours = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 10), nn.Tanh(),
                         nn.Linear(10, 6), nn.Sigmoid(), nn.Linear(6, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(1, 6), torch.nn.ReLU(), torch.nn.Linear(6, 10),
                                 torch.nn.Tanh(), torch.nn.Linear(10, 6), torch.nn.Sigmoid(),
                                 torch.nn.Linear(6, 1)).double()
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.data))
                            for k, v in ours.state_dict().items()})
    return ours, theirs


def test_state_dict_keys_and_shapes_are_pytorchs():
    ours, theirs = pair()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    back = {k: v.numpy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(back)                       # and back again, through numpy


def test_outputs_and_gradients_agree():
    ours, theirs = pair()
    x = np.random.default_rng(0).standard_normal((20, 1))
    y = x ** 2 + 3
    lo = nn.MSELoss()(ours(autograd.tensor(x)), autograd.tensor(y))
    lt = torch.nn.MSELoss()(theirs(torch.from_numpy(x)), torch.from_numpy(y))
    assert np.isclose(lo.item(), lt.item(), rtol=1e-12)
    lo.backward()
    lt.backward()
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-14,
                                   err_msg=k)


@pytest.mark.parametrize("make", [
    lambda ps, lib: lib.SGD(ps, lr=0.05),
    lambda ps, lib: lib.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    lambda ps, lib: lib.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=True),
    lambda ps, lib: lib.SGD(ps, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=1e-2),
    lambda ps, lib: lib.Adam(ps, lr=1e-2, weight_decay=1e-3),
    lambda ps, lib: lib.Adam(ps, lr=3e-3, betas=(0.8, 0.95), eps=1e-6, weight_decay=1e-2),
])
def test_optimizer_trajectories_agree(make):
    """Loss curves and final weights equal to rounding (float64 both). The settings are
    ones where training is stable: with a large Adam step and a small beta2 the dynamics
    are chaotic and any two implementations' rounding differences grow until they part."""
    ours, theirs = pair()
    x = np.random.default_rng(1).standard_normal((50, 1))
    y = x ** 2 + 3
    opt_o, opt_t = make(ours.parameters(), nn.optim), make(theirs.parameters(), torch.optim)
    X, Y, Xt, Yt = autograd.tensor(x), autograd.tensor(y), torch.from_numpy(x), torch.from_numpy(y)
    curve_o, curve_t = [], []
    for _ in range(300):
        opt_o.zero_grad()
        lo = nn.MSELoss()(ours(X), Y)
        lo.backward()
        opt_o.step()
        opt_t.zero_grad()
        lt = torch.nn.MSELoss()(theirs(Xt), Yt)
        lt.backward()
        opt_t.step()
        curve_o.append(lo.item())
        curve_t.append(lt.item())
    assert curve_t[-1] < curve_t[0] / 5                  # it trained
    np.testing.assert_allclose(curve_o, curve_t, rtol=1e-9)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].data, v.numpy(), rtol=1e-8,
                                   atol=1e-12, err_msg=k)


def test_cross_entropy_and_softmax_agree():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 4)) * 5
    target = rng.integers(0, 4, 6)
    a = autograd.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    la = nn.CrossEntropyLoss()(a, target)
    lb = torch.nn.CrossEntropyLoss()(b, torch.from_numpy(target))
    la.backward()
    lb.backward()
    assert np.isclose(la.item(), lb.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(nn.functional.log_softmax(a, dim=0).data,
                               torch.log_softmax(b, dim=0).detach().numpy(), rtol=1e-12)
