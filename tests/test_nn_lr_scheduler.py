"""nn.optim.lr_scheduler without PyTorch: closed forms, the schedules' documented shapes,
validation errors and state dicts. (Rate for rate agreement with torch.optim is in
test_optim_torch_parity.py.)"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
import nn.optim.lr_scheduler as sched


def optimizer(lrs=(0.1,), kind=nn.optim.SGD, **kw):
    groups = [{"params": [autograd.tensor([1.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return kind(groups, **kw)


def rates(opt, scheduler, steps):
    """[lr of every group] after construction and after each step."""
    out = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        out.append([g["lr"] for g in opt.param_groups])
        assert scheduler.get_last_lr() == out[-1]
    return np.array(out)


def test_import_paths():
    assert nn.optim.lr_scheduler is sched
    from nn.optim.lr_scheduler import LRScheduler, OneCycleLR  # noqa: F401
    assert issubclass(sched.StepLR, sched.LRScheduler)
    assert issubclass(sched._LRScheduler, sched.LRScheduler)


def test_construction_records_initial_lr_and_takes_the_first_step():
    opt = optimizer((0.1, 0.02))
    s = sched.StepLR(opt, step_size=3)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.02] == s.base_lrs
    assert s.last_epoch == 0 and s.get_last_lr() == [0.1, 0.02]
    s.get_last_lr().append(5.0)                      # a copy
    assert s.get_last_lr() == [0.1, 0.02]
    opt.param_groups[0]["lr"] = 0.5                  # a second schedule keeps initial_lr
    assert sched.ExponentialLR(opt, gamma=0.5).base_lrs == [0.1, 0.02]


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(optimizer(), step_size=2, last_epoch=4)
    opt = optimizer()
    opt.param_groups[0]["initial_lr"] = 1.0
    s = sched.StepLR(opt, step_size=2, gamma=0.5, last_epoch=4)
    assert s.last_epoch == 5 and s.base_lrs == [1.0]


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="StepLR: expected an nn.optim.Optimizer, got a list"):
        sched.StepLR([1, 2], step_size=1)
    with pytest.raises(TypeError, match="ReduceLROnPlateau"):
        sched.ReduceLROnPlateau("sgd")


@given(step_size=st.integers(1, 20), gamma=st.floats(0.1, 0.99), lr=st.floats(1e-4, 1.0))
def test_step_lr_closed_form(step_size, gamma, lr):
    opt = optimizer((lr,))
    got = rates(opt, sched.StepLR(opt, step_size=step_size, gamma=gamma), 60)[:, 0]
    want = [lr * gamma ** (e // step_size) for e in range(61)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_multistep_lr_counts_repeated_milestones():
    opt = optimizer((1.0,))
    got = rates(opt, sched.MultiStepLR(opt, [3, 7, 7], gamma=0.5), 10)[:, 0]
    np.testing.assert_allclose(got, [1, 1, 1, .5, .5, .5, .5, .125, .125, .125, .125])


@given(gamma=st.floats(0.5, 1.0), lr=st.floats(1e-4, 1.0))
def test_exponential_lr_closed_form(gamma, lr):
    opt = optimizer((lr,))
    got = rates(opt, sched.ExponentialLR(opt, gamma=gamma), 100)[:, 0]
    np.testing.assert_allclose(got, lr * gamma ** np.arange(101), rtol=1e-12)


@given(T=st.integers(1, 60), eta_min=st.sampled_from([0.0, 1e-3, 0.05]))
def test_cosine_annealing_recursion_follows_the_closed_form(T, eta_min):
    """The recursion PyTorch steps by stays on the closed form (over several periods, up
    and down again), to rounding."""
    opt = optimizer((0.1,))
    got = rates(opt, sched.CosineAnnealingLR(opt, T_max=T, eta_min=eta_min), 3 * T + 5)[:, 0]
    e = np.arange(3 * T + 6)
    want = eta_min + (0.1 - eta_min) * (1 + np.cos(np.pi * e / T)) / 2
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


def test_a_resumed_schedule_keeps_the_current_rates_and_recurses_on():
    opt = optimizer((0.1,))
    opt.param_groups[0]["initial_lr"] = 0.1
    s = sched.CosineAnnealingLR(opt, T_max=10, eta_min=0.0, last_epoch=3)
    assert s.last_epoch == 4 and opt.param_groups[0]["lr"] == 0.1
    opt.step()
    s.step()
    ratio = (1 + math.cos(math.pi * 5 / 10)) / (1 + math.cos(math.pi * 4 / 10))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * ratio, rel=1e-15)


def test_lambda_and_multiplicative_lr():
    opt = optimizer((0.1, 1.0))
    got = rates(opt, sched.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: e + 1]), 4)
    np.testing.assert_allclose(got, [[0.1 * 0.5 ** e, e + 1.0] for e in range(5)])
    opt = optimizer((1.0,))
    got = rates(opt, sched.MultiplicativeLR(opt, lambda e: 0.9), 3)[:, 0]
    np.testing.assert_allclose(got, [1, 0.9, 0.81, 0.729])
    with pytest.raises(ValueError, match="lr_lambda has 3 values but the optimizer has 2"):
        sched.LambdaLR(optimizer((0.1, 0.2)), [abs, abs, abs])
    with pytest.raises(TypeError, match="lr_lambda 0 must be a function"):
        sched.MultiplicativeLR(optimizer(), 0.9)


@given(start=st.floats(0.05, 1.0), end=st.floats(0.0, 1.0), n=st.integers(1, 30))
def test_linear_lr_recursion_follows_the_closed_form(start, end, n):
    opt = optimizer((0.2,))
    got = rates(opt, sched.LinearLR(opt, start_factor=start, end_factor=end, total_iters=n),
                n + 5)[:, 0]
    e = np.minimum(np.arange(n + 6), n)
    np.testing.assert_allclose(got, 0.2 * (start + (end - start) * e / n), rtol=1e-9,
                               atol=1e-15)


def test_constant_lr():
    opt = optimizer((0.3,))
    got = rates(opt, sched.ConstantLR(opt, factor=0.5, total_iters=3), 5)[:, 0]
    np.testing.assert_allclose(got, [0.15, 0.15, 0.15, 0.3, 0.3, 0.3])


@pytest.mark.parametrize("make, match", [
    (lambda o: sched.StepLR(o, step_size=0), "StepLR: invalid step_size 0"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: invalid T_max 0"),
    (lambda o: sched.LinearLR(o, start_factor=0.0), "LinearLR: invalid start_factor 0.0"),
    (lambda o: sched.LinearLR(o, end_factor=1.5), "LinearLR: invalid end_factor 1.5"),
    (lambda o: sched.ConstantLR(o, factor=2.0), "ConstantLR: invalid factor 2.0"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), "ReduceLROnPlateau: invalid factor 1.0"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="up"), "invalid mode 'up'"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="x"), "invalid threshold_mode 'x'"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), "min_lr has 2 values"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0), "total_steps, or both epochs"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=0), "invalid total_steps 0"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=-1),
     "invalid steps_per_epoch -1"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5),
     "invalid pct_start 1.5"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
     "invalid anneal_strategy 'exp'"),
    (lambda o: sched.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), "max_lr has 2 values"),
])
def test_bad_settings_are_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make(optimizer())


def test_one_cycle_shape():
    opt = optimizer((0.0,), momentum=0.9)
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=100, div_factor=20.0,
                         final_div_factor=50.0, pct_start=0.2)
    lrs, moms = [opt.param_groups[0]["lr"]], [opt.param_groups[0]["momentum"]]
    for _ in range(99):
        opt.step()
        s.step()
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
    assert lrs[0] == pytest.approx(1.0 / 20) and moms[0] == pytest.approx(0.95)
    assert lrs[19] == pytest.approx(1.0) and moms[19] == pytest.approx(0.85)  # step 0.2*100-1
    assert lrs[99] == pytest.approx(1.0 / 20 / 50) and moms[99] == pytest.approx(0.95)
    assert np.all(np.diff(lrs[:20]) > 0) and np.all(np.diff(lrs[19:]) < 0)
    assert np.all(np.diff(moms[:20]) < 0) and np.all(np.diff(moms[19:]) > 0)
    s.step()                                         # step total_steps itself is allowed
    with pytest.raises(ValueError, match="OneCycleLR: stepped 101 times, past total_steps"):
        s.step()


def test_one_cycle_three_phase_linear_and_adam_betas():
    opt = optimizer((0.0,), kind=nn.optim.Adam, betas=(0.9, 0.99))
    s = sched.OneCycleLR(opt, max_lr=0.4, epochs=4, steps_per_epoch=10, pct_start=0.25,
                         anneal_strategy="linear", three_phase=True, div_factor=4.0,
                         final_div_factor=10.0)
    lrs, b1 = [], []
    for _ in range(40):
        lrs.append(opt.param_groups[0]["lr"])
        b1.append(opt.param_groups[0]["betas"][0])
        assert opt.param_groups[0]["betas"][1] == 0.99
        opt.step()
        s.step()
    np.testing.assert_allclose(lrs[:10], np.linspace(0.1, 0.4, 10))     # up to step 9
    np.testing.assert_allclose(lrs[9:19], np.linspace(0.4, 0.1, 10))    # back down by 18
    np.testing.assert_allclose(lrs[18:], np.linspace(0.1, 0.01, 22))    # then to min_lr
    np.testing.assert_allclose(b1[:10], np.linspace(0.95, 0.85, 10))
    assert opt.param_groups[0]["max_lr"] == 0.4 and opt.param_groups[0]["min_lr"] == 0.01


def test_one_cycle_needs_momentum_to_cycle_it():
    with pytest.raises(ValueError, match="Adagrad has neither"):
        sched.OneCycleLR(optimizer(kind=nn.optim.Adagrad), max_lr=1.0, total_steps=10)
    opt = optimizer(kind=nn.optim.Adagrad)
    sched.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)
    assert "momentum" not in opt.param_groups[0]


def test_reduce_lr_on_plateau_patience_cooldown_and_min_lr():
    opt = optimizer((1.0, 0.1))
    s = sched.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=[0.3, 0.0])
    seen = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3]:
        s.step(autograd.tensor(float(metric)))       # a one-element tensor is accepted
        seen.append(s.get_last_lr())
    # best 4 at epoch 2; epochs 3, 4, 5 bad -> cut at 5; cooldown at 6 (not counted); 7, 8, 9
    # bad -> cut at 9 (the first group stops at min_lr 0.3)
    assert [r[0] for r in seen] == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3]
    assert [r[1] for r in seen] == pytest.approx([.1, .1, .1, .1, .05, .05, .05, .05,
                                                  .025, .025, .025])
    assert s.best == 3 and s.num_bad_epochs == 0 and s.last_epoch == 11


@pytest.mark.parametrize("mode, threshold_mode, better, worse", [
    ("min", "rel", 0.98, 0.995), ("min", "abs", 0.98, 0.995),
    ("max", "rel", 1.02, 1.005), ("max", "abs", 1.02, 1.005)])
def test_reduce_lr_on_plateau_thresholds(mode, threshold_mode, better, worse):
    s = sched.ReduceLROnPlateau(optimizer(), mode=mode, threshold=0.01,
                                threshold_mode=threshold_mode)
    assert s.is_better(better, 1.0) and not s.is_better(worse, 1.0)


def test_reduce_lr_on_plateau_skips_changes_below_eps():
    opt = optimizer((1e-8,))
    s = sched.ReduceLROnPlateau(opt, patience=0, eps=1e-8)
    for m in [1.0, 1.0, 1.0]:
        s.step(m)
    assert opt.param_groups[0]["lr"] == 1e-8


def test_sequential_lr():
    opt = optimizer((1.0,))
    s = sched.SequentialLR(opt, [sched.ConstantLR(opt, factor=0.1, total_iters=2),
                                 sched.ExponentialLR(opt, gamma=0.5)], milestones=[3])
    np.testing.assert_allclose(rates(opt, s, 6)[:, 0], [0.1, 0.1, 1, 1, 0.5, 0.25, 0.125])
    with pytest.raises(ValueError, match="2 schedulers need 1 milestones, got 2"):
        sched.SequentialLR(opt, [sched.StepLR(opt, 1), sched.StepLR(opt, 1)], milestones=[1, 2])
    with pytest.raises(ValueError, match="another optimizer"):
        sched.SequentialLR(opt, [sched.StepLR(optimizer(), 1)], milestones=[])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        sched.ChainedScheduler([sched.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="at least one"):
        sched.ChainedScheduler([])


def test_chained_scheduler_multiplies_the_factors():
    opt = optimizer((1.0,))
    s = sched.ChainedScheduler([sched.ExponentialLR(opt, gamma=0.5),
                                sched.StepLR(opt, step_size=2, gamma=0.1)])
    np.testing.assert_allclose(rates(opt, s, 4)[:, 0], [1, .5, .025, .0125, .000625])


def test_step_before_the_optimizer_warns():
    opt = optimizer()
    s = sched.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match=r"call optimizer.step\(\) first"):
        s.step()
    opt = optimizer()
    s = sched.StepLR(opt, step_size=1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
        s.step()


class Warmup:
    """A callable with state, which LambdaLR's state dict carries."""

    def __init__(self, n):
        self.n = n

    def __call__(self, e):
        return min(1.0, (e + 1) / self.n)


@pytest.mark.parametrize("make", [
    lambda o: sched.StepLR(o, step_size=4, gamma=0.5),
    lambda o: sched.MultiStepLR(o, [3, 9], gamma=0.5),
    lambda o: sched.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    lambda o: sched.LinearLR(o, start_factor=0.2, total_iters=9),
    lambda o: sched.LambdaLR(o, [Warmup(8), lambda e: 0.9 ** e]),
    lambda o: sched.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20),
    lambda o: sched.SequentialLR(o, [sched.LinearLR(o, total_iters=3),
                                     sched.ExponentialLR(o, gamma=0.8)], milestones=[4]),
    lambda o: sched.ChainedScheduler([sched.ConstantLR(o, total_iters=6),
                                      sched.ExponentialLR(o, gamma=0.9)]),
], ids=["step", "multistep", "cosine", "linear", "lambda", "onecycle", "sequential",
        "chained"])
def test_state_dict_round_trip(make):
    """Save at step 7, rebuild optimizer and schedule, load both: the rest is the same as
    an uninterrupted run."""
    opt = optimizer((0.1, 0.3), momentum=0.9)
    s = make(opt)
    whole = rates(opt, s, 19)
    opt = optimizer((0.1, 0.3), momentum=0.9)
    s = make(opt)
    rates(opt, s, 7)
    saved_opt, saved = opt.state_dict(), s.state_dict()
    assert "optimizer" not in saved
    opt2 = optimizer((0.7, 0.7), momentum=0.1)
    s2 = make(opt2)
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved)
    np.testing.assert_allclose(rates(opt2, s2, 12), whole[7:], rtol=1e-15)


def test_lambda_state_dict_keeps_callable_state_not_functions():
    opt = optimizer((0.1, 0.3))
    s = sched.LambdaLR(opt, [Warmup(8), lambda e: 1.0])
    saved = s.state_dict()
    assert saved["lr_lambdas"] == [{"n": 8}, None]
    s2 = sched.LambdaLR(optimizer((0.1, 0.3)), [Warmup(2), lambda e: 1.0])
    s2.load_state_dict(saved)
    assert s2.lr_lambdas[0].n == 8


def test_reduce_lr_on_plateau_state_dict():
    opt = optimizer()
    s = sched.ReduceLROnPlateau(opt, mode="max", patience=1)
    for m in [1.0, 2.0, 2.0]:
        s.step(m)
    saved = s.state_dict()
    s2 = sched.ReduceLROnPlateau(optimizer())
    s2.load_state_dict(saved)
    assert (s2.mode, s2.best, s2.num_bad_epochs, s2.mode_worse) == ("max", 2.0, 1, -math.inf)
