"""nn.optim against torch.optim, float64 on both sides, from the same starting weights:
parameter trajectories over 500 steps (several steps compared, rtol 1e-9), the optimizers'
state in PyTorch's layout, state-dict round trips mid-run, and every learning-rate
schedule's rates (and OneCycleLR's momentum) to 1e-12. Skipped without PyTorch.

The optimizer grid injects the same gradient into both sides each step, computed in
numpy from each side's own current parameter: g(x) = a (x - c) + 0.1 x^3 + noise_k (a
fixed noise sequence), so any difference in the updates shows up in the trajectories.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import nn  # noqa: E402
from nn.optim import lr_scheduler as sched  # noqa: E402

STEPS = 500
CHECKS = (1, 2, 3, 10, 50, 100, 250, 499, 500)     # steps at which parameters are compared
RTOL = 1e-9


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """The tensors are tiny: torch's worker threads would only wait on each other (on a
    busy machine a 0.3 s loop took 24 s). The setting is restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------- a synthetic problem
SHAPES = [(3, 5), (4,)]             # 15 elements (a vector width of 4 and a tail), and 4


class Problem:
    """Parameter k (shape SHAPES[k % 2]) of the synthetic loss, its start and its noise."""

    def __init__(self, k: int) -> None:
        rng = np.random.default_rng(1000 + k)
        shape = SHAPES[k % 2]
        self.a = rng.uniform(0.5, 2.0, shape)
        self.ac = self.a * rng.uniform(1.0, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
        self.x0 = rng.standard_normal(shape)
        self.noise = 0.1 * rng.standard_normal((STEPS + 1, *shape)) - self.ac

    def gradient(self, x: np.ndarray, step: int, sign: float) -> np.ndarray:
        """g(x) = a (x - c) + 0.1 x^3 + noise_step, times sign (-1 for maximize: then the
        optimizer ascends -loss, which still descends the loss)."""
        return sign * (self.a * x + 0.1 * x * x * x + self.noise[step])


_PROBLEMS: dict[int, Problem] = {}


def problem(k: int) -> Problem:
    if k not in _PROBLEMS:
        _PROBLEMS[k] = Problem(k)
    return _PROBLEMS[k]


def make_pair(kind: str, groups: list[dict[str, Any]], defaults: dict[str, Any]):
    """nn.optim.<kind> and torch.optim.<kind> over the same groups, one parameter each
    (group k's is problem(k)'s), from the same start."""
    po = [autograd.tensor(problem(k).x0.copy(), requires_grad=True) for k in range(len(groups))]
    pt = [torch.tensor(problem(k).x0.copy(), requires_grad=True) for k in range(len(groups))]
    ours = getattr(nn.optim, kind)([{**g, "params": [p]} for g, p in zip(groups, po)],
                                   **defaults)
    theirs = getattr(torch.optim, kind)([{**g, "params": [p]} for g, p in zip(groups, pt)],
                                        **defaults)
    return ours, theirs


def run(ours: Any, theirs: Any, steps: int, start: int = 0):
    """`steps` steps of both optimizers, each parameter given the same gradient on both
    sides (computed from that side's own value); the parameters at the CHECKS steps."""
    seen_o: dict[int, list[np.ndarray]] = {}
    seen_t: dict[int, list[np.ndarray]] = {}
    pairs = [(k, go["params"][0], gt["params"][0], -1.0 if go["maximize"] else 1.0)
             for k, (go, gt) in enumerate(zip(ours.param_groups, theirs.param_groups))]
    for step in range(start + 1, start + steps + 1):
        for k, p, q, sign in pairs:
            grad = problem(k).gradient
            p.grad = autograd.tensor(grad(p._data, step, sign))
            q.grad = torch.from_numpy(grad(q.detach().numpy(), step, sign))
        ours.step()
        theirs.step()
        if step in CHECKS:
            seen_o[step] = [p._data.copy() for _, p, _, _ in pairs]
            seen_t[step] = [q.detach().numpy().copy() for _, _, q, _ in pairs]
    return seen_o, seen_t


WORST: dict[str, float] = {}        # the largest relative difference seen, per optimizer


def assert_same_trajectory(seen_o, seen_t, labels: list[str], kind: str = ""):
    assert seen_o.keys() == seen_t.keys() and seen_o
    for step in seen_o:
        for k, (a, b) in enumerate(zip(seen_o[step], seen_t[step])):
            if kind:
                WORST[kind] = max(WORST.get(kind, 0.0), float(np.max(np.abs(a - b) / np.abs(b))))
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=0,
                                       err_msg=f"group {k} ({labels[k]}) after step {step}")


def assert_same_state(ours, theirs, rtol=RTOL):
    """Our state_dict in PyTorch's layout: same parameter indices, same state keys (our
    arrays against its tensors, our float step against its 0-d tensor), our group
    settings a subset of its, with equal values."""
    so, st = ours.state_dict(), theirs.state_dict()
    assert so["state"].keys() == st["state"].keys()
    for i, s in st["state"].items():
        assert so["state"][i].keys() == s.keys(), i
        for key, value in s.items():
            mine = so["state"][i][key]
            if key == "step":
                assert isinstance(mine, float) and mine == float(value)
            else:
                np.testing.assert_allclose(mine, value.numpy(), rtol=rtol, atol=1e-300,
                                           err_msg=f"state[{i}][{key!r}]")
    for go, gt in zip(so["param_groups"], st["param_groups"], strict=True):
        assert go.keys() <= gt.keys(), go.keys() - gt.keys()
        for key, value in go.items():
            assert value == (tuple(gt[key]) if key == "betas" else gt[key]), key


# ---------------------------------------------------------------- the grid
def _grid(**axes: list[Any]) -> list[dict[str, Any]]:
    return [dict(zip(axes, values)) for values in itertools.product(*axes.values())]


SGD_GRID = [hp for hp in _grid(momentum=[0.0, 0.9], dampening=[0.0, 0.5],
                               nesterov=[False, True], weight_decay=[0.0, 1e-2])
            if not (hp["nesterov"] and (hp["momentum"] == 0 or hp["dampening"] != 0))
            and not (hp["momentum"] == 0 and hp["dampening"] != 0)]
SGD_GRID += [dict(maximize=True), dict(maximize=True, momentum=0.9, weight_decay=1e-2),
             dict(maximize=True, momentum=0.9, nesterov=True), dict(lr=0.1),
             dict(lr=0.003, momentum=0.5, dampening=0.1, weight_decay=0.1, maximize=True),
             dict(lr=0.01, momentum=0.99, nesterov=True, weight_decay=1e-3)]

ADAM_GRID = _grid(betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0.0, 0.1],
                  amsgrad=[False, True])
ADAM_GRID += [dict(amsgrad=True, maximize=True, weight_decay=0.1), dict(maximize=True),
              dict(lr=0.1, eps=1e-3, betas=(0.8, 0.95)),
              dict(lr=1e-3, eps=1e-6, betas=(0.0, 0.5), weight_decay=0.5)]

RMSPROP_GRID = _grid(alpha=[0.99, 0.6], momentum=[0.0, 0.9], centered=[False, True])
RMSPROP_GRID += [dict(momentum=0.5, centered=True, maximize=True, weight_decay=1e-2),
                 dict(lr=0.003, maximize=True, eps=1e-3), dict(lr=0.05, alpha=0.0),
                 dict(weight_decay=1e-2), dict(weight_decay=0.1, centered=True, alpha=0.9),
                 dict(weight_decay=1e-2, momentum=0.9, alpha=0.6)]

# PyTorch fills every group's "sum" with the constructor's initial_accumulator_value: one
# optimizer per value.
ADAGRAD_GRID = _grid(lr_decay=[0.0, 0.05], weight_decay=[0.0, 1e-2], maximize=[False, True])
ADAGRAD_GRID += [dict(lr=0.5, eps=1e-3), dict(lr=0.02, lr_decay=1.0)]

GRIDS = [("SGD", dict(lr=0.03), SGD_GRID),
         ("Adam", dict(lr=0.01), ADAM_GRID),
         ("AdamW", dict(lr=0.01), [hp for hp in ADAM_GRID            # where AdamW differs
                                   if hp.get("weight_decay", 1e-2) or hp.get("maximize")]),
         ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True, betas=(0.7, 0.99)),
          [{}, dict(lr=0.005), dict(amsgrad=False, maximize=True)]),
         ("RMSprop", dict(lr=0.01), RMSPROP_GRID),
         ("Adagrad", dict(lr=0.1), ADAGRAD_GRID),
         ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5), ADAGRAD_GRID[::2])]


def _label(hp: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in hp.items()) or "defaults"


@pytest.mark.parametrize("kind, defaults, grid", GRIDS,
                         ids=[f"{g[0]}-{_label(g[1])}" for g in GRIDS])
def test_trajectories_match_torch_over_a_grid_of_settings(kind, defaults, grid):
    """One optimizer per family with one parameter group per grid point (so every point
    is also a group with settings of its own, the constructor's defaults filling the
    rest), against torch.optim given the same groups: 500 steps."""
    ours, theirs = make_pair(kind, grid, defaults)
    seen_o, seen_t = run(ours, theirs, STEPS)
    assert_same_trajectory(seen_o, seen_t, [_label(hp) for hp in grid], kind)
    assert_same_state(ours, theirs)
    for group, hp in zip(ours.param_groups, grid):
        assert group["lr"] == hp.get("lr", defaults["lr"])


@pytest.mark.parametrize("kind, hp", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                      ("Adam", dict(lr=0.01, amsgrad=True)),
                                      ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01)),
                                      ("Adagrad", dict(lr=0.1))])
def test_one_group_from_a_parameter_list_matches_torch(kind, hp):
    """The plain form, `Optimizer(params, ...)`, with two parameters in its one group."""
    po = [autograd.tensor(problem(k).x0.copy(), requires_grad=True) for k in range(2)]
    pt = [torch.tensor(problem(k).x0.copy(), requires_grad=True) for k in range(2)]
    ours, theirs = getattr(nn.optim, kind)(po, **hp), getattr(torch.optim, kind)(pt, **hp)
    for step in range(1, 201):
        for k, (p, q) in enumerate(zip(po, pt)):
            p.grad = autograd.tensor(problem(k).gradient(p._data, step, 1.0))
            q.grad = torch.from_numpy(problem(k).gradient(q.detach().numpy(), step, 1.0))
        ours.step()
        theirs.step()
    for p, q in zip(po, pt):
        np.testing.assert_allclose(p._data, q.detach().numpy(), rtol=RTOL, atol=0)
    assert_same_state(ours, theirs)


ROUND_TRIP = [("SGD", dict(lr=0.03, momentum=0.9, nesterov=True)),
              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
              ("AdamW", dict(lr=0.01, betas=(0.8, 0.99))),
              ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1))]


@pytest.mark.parametrize("kind, hp", ROUND_TRIP, ids=[c[0] for c in ROUND_TRIP])
@pytest.mark.parametrize("source", ["ours", "torch"])
def test_state_dict_round_trip_mid_run_continues_identically(kind, hp, source):
    """60 steps, then a fresh optimizer (other settings, other parameter objects) loads
    the state (our own state_dict, or torch's, tensors and all) and runs 90 more: the same
    trajectory as torch's uninterrupted 150 steps."""
    groups = [{}, {"lr": hp["lr"] / 2, "maximize": True}]
    ours, theirs = make_pair(kind, groups, hp)
    seen_o, seen_t = run(ours, theirs, 60)
    saved = (ours if source == "ours" else theirs).state_dict()
    fresh = [autograd.tensor(g["params"][0]._data.copy(), requires_grad=True)
             for g in ours.param_groups]
    resumed = getattr(nn.optim, kind)([{"params": [p]} for p in fresh], lr=0.5)
    resumed.load_state_dict(saved)
    assert [g["lr"] for g in resumed.param_groups] == [hp["lr"], hp["lr"] / 2]
    later_o, later_t = run(resumed, theirs, 90, start=60)
    assert_same_trajectory({**seen_o, **later_o}, {**seen_t, **later_t}, ["", ""])
    assert_same_state(resumed, theirs)


# ---------------------------------------------------------------- a real MLP
def _mlp_pair(seed: int = 0):
    rng = np.random.default_rng(seed)
    sizes = [(1, 8), (8, 8), (8, 1)]
    ours = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                 torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    weights = []
    for i, o in sizes:
        weights += [rng.uniform(-1, 1, (o, i)) / np.sqrt(i), rng.uniform(-1, 1, o) / np.sqrt(i)]
    ours.load_state_dict(dict(zip([k for k, _ in ours.named_parameters()], weights)))
    with torch.no_grad():
        for q, w in zip(theirs.parameters(), weights):
            q.copy_(torch.from_numpy(w))
    return ours, theirs


@pytest.mark.parametrize("make", [
    lambda lib, ps: lib.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    lambda lib, ps: lib.Adam(ps, lr=3e-3),
], ids=["SGD-momentum", "Adam"])
def test_mlp_training_matches_torch(make):
    """Forward, backward and step on both sides (full batch, MSE): the weights agree at
    every checked step and the loss fell."""
    ours, theirs = _mlp_pair()
    x = np.linspace(-2, 2, 32).reshape(-1, 1)
    y = np.sin(2 * x)
    X, Y, Xt, Yt = autograd.tensor(x), autograd.tensor(y), torch.from_numpy(x), torch.from_numpy(y)
    opt_o, opt_t = make(nn.optim, ours.parameters()), make(torch.optim, theirs.parameters())
    losses = []
    for step in range(1, STEPS + 1):
        opt_o.zero_grad()
        loss = nn.MSELoss()(ours(X), Y)
        loss.backward()
        opt_o.step()
        opt_t.zero_grad()
        torch.nn.MSELoss()(theirs(Xt), Yt).backward()
        opt_t.step()
        losses.append(loss.item())
        if step in CHECKS:
            for p, q in zip(ours.parameters(), theirs.parameters()):
                np.testing.assert_allclose(p._data, q.detach().numpy(), rtol=RTOL, atol=1e-13,
                                           err_msg=f"after step {step}")
    assert losses[-1] < losses[0] / 5
    assert_same_state(opt_o, opt_t)


# ---------------------------------------------------------------- schedules
def _sched_optimizers(kind: str = "SGD"):
    """Our and torch's optimizer over two groups with rates 0.1 and 0.02."""
    po = [autograd.tensor(np.zeros(2), requires_grad=True) for _ in range(2)]
    pt = [torch.zeros(2, dtype=torch.float64, requires_grad=True) for _ in range(2)]
    kw = dict(momentum=0.9) if kind == "SGD" else {}
    ours = getattr(nn.optim, kind)([{"params": [po[0]], "lr": 0.1},
                                    {"params": [po[1]], "lr": 0.02}], **kw)
    theirs = getattr(torch.optim, kind)([{"params": [pt[0]], "lr": 0.1},
                                         {"params": [pt[1]], "lr": 0.02}], **kw)
    return ours, theirs


def _momenta(opt) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


SCHEDULES: list[tuple[str, Callable[[Any, Any], Any], int]] = [
    ("StepLR", lambda lib, o: lib.StepLR(o, step_size=30, gamma=0.5), 300),
    ("MultiStepLR", lambda lib, o: lib.MultiStepLR(o, [30, 80, 80, 150], gamma=0.3), 300),
    ("ExponentialLR", lambda lib, o: lib.ExponentialLR(o, gamma=0.99), 300),
    ("CosineAnnealingLR", lambda lib, o: lib.CosineAnnealingLR(o, T_max=70, eta_min=1e-3), 400),
    ("CosineAnnealingLR-0", lambda lib, o: lib.CosineAnnealingLR(o, T_max=100), 300),
    ("LambdaLR", lambda lib, o: lib.LambdaLR(o, lambda e: 0.97 ** e), 200),
    ("LambdaLR-list", lambda lib, o: lib.LambdaLR(
        o, [lambda e: 1 / (1 + e), lambda e: min(1.0, (e + 1) / 10)]), 200),
    ("MultiplicativeLR", lambda lib, o: lib.MultiplicativeLR(o, lambda e: 0.98), 200),
    ("LinearLR", lambda lib, o: lib.LinearLR(o, start_factor=0.25, end_factor=0.9,
                                             total_iters=40), 100),
    ("LinearLR-down", lambda lib, o: lib.LinearLR(o, start_factor=1.0, end_factor=0.0,
                                                  total_iters=30), 60),
    ("ConstantLR", lambda lib, o: lib.ConstantLR(o, factor=0.5, total_iters=20), 60),
    ("SequentialLR", lambda lib, o: lib.SequentialLR(
        o, [lib.LinearLR(o, start_factor=0.1, total_iters=20),
            lib.CosineAnnealingLR(o, T_max=80, eta_min=1e-4),
            lib.ExponentialLR(o, gamma=0.95)], milestones=[20, 100]), 200),
    ("ChainedScheduler", lambda lib, o: lib.ChainedScheduler(
        [lib.ConstantLR(o, factor=0.3, total_iters=10), lib.ExponentialLR(o, gamma=0.98),
         lib.StepLR(o, step_size=25, gamma=0.5)]), 150),
    ("OneCycleLR", lambda lib, o: lib.OneCycleLR(o, max_lr=[1.0, 0.2], total_steps=300), 300),
    ("OneCycleLR-linear", lambda lib, o: lib.OneCycleLR(
        o, max_lr=0.5, epochs=10, steps_per_epoch=25, pct_start=0.25,
        anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0,
        base_momentum=0.8, max_momentum=[0.9, 0.99]), 250),
    ("OneCycleLR-three-phase", lambda lib, o: lib.OneCycleLR(
        o, max_lr=0.3, total_steps=200, three_phase=True, pct_start=0.35), 200),
    ("OneCycleLR-no-momentum", lambda lib, o: lib.OneCycleLR(
        o, max_lr=0.3, total_steps=100, cycle_momentum=False), 100),
]


def _record(opt: Any, scheduler: Any) -> list[float]:
    """The rates in the groups, get_last_lr(), and the momenta (or beta1s)."""
    return [g["lr"] for g in opt.param_groups] + scheduler.get_last_lr() + _momenta(opt)


def _assert_close(a: list[list[float]], b: list[list[float]], what: str) -> None:
    """Row i: after step i (of a run, or from the cut of a resumed one)."""
    a_, b_ = np.array(a), np.array(b)
    assert a_.shape == b_.shape
    bad = np.nonzero(~np.isclose(a_, b_, rtol=1e-12, atol=0).all(axis=1))[0]
    assert not bad.size, f"{what}: first differs at row {bad[0]}: {a[bad[0]]} != {b[bad[0]]}"


@pytest.mark.parametrize("name, make, steps", SCHEDULES, ids=[s[0] for s in SCHEDULES])
@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_schedule_matches_torch(name, make, steps, kind):
    """Each group's rate after construction and after each of `steps` steps, as set in
    the group and as get_last_lr() reports it (and OneCycleLR's momentum or beta1)."""
    ours, theirs = _sched_optimizers(kind)
    so, st = make(sched, ours), make(torch.optim.lr_scheduler, theirs)
    ours.step()                                     # (the optimizer steps first: no warning)
    theirs.step()
    rows_o, rows_t = [_record(ours, so)], [_record(theirs, st)]
    for _ in range(steps):
        so.step()
        st.step()
        rows_o.append(_record(ours, so))
        rows_t.append(_record(theirs, st))
    _assert_close(rows_o, rows_t, name)
    assert len(set(r[0] for r in rows_t)) >= 2      # the rate did change
    if name.startswith("OneCycleLR"):               # its schedule has ended
        with pytest.raises(ValueError):
            st.step()
        with pytest.raises(ValueError, match="total_steps"):
            so.step()


@pytest.mark.parametrize("name, make, steps", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_state_dict_round_trip_continues_identically(name, make, steps):
    """Save optimizer and schedule part way, rebuild both (schedule first, as PyTorch
    advises), load, continue: the rates are those of torch's uninterrupted run."""
    ours, theirs = _sched_optimizers("SGD")
    so, st = make(sched, ours), make(torch.optim.lr_scheduler, theirs)
    ours.step()
    theirs.step()
    cut = steps // 2 + 1
    rows_t = []
    for step in range(steps + 1):
        if step:
            st.step()
        rows_t.append(_record(theirs, st))
    for _ in range(cut):
        so.step()
    saved_opt, saved_sched = ours.state_dict(), so.state_dict()
    ours2, _ = _sched_optimizers("SGD")
    so2 = make(sched, ours2)
    ours2.load_state_dict(saved_opt)
    so2.load_state_dict(saved_sched)
    rows_o = [_record(ours2, so2)]
    for _ in range(cut, steps):
        so2.step()
        rows_o.append(_record(ours2, so2))
    _assert_close(rows_o, rows_t[cut:], name)


def _metrics(seed: int, n: int = 300) -> list[float]:
    """A loss-like sequence: falling, with noise and long plateaus."""
    rng = np.random.default_rng(seed)
    level, out = 1.0, []
    for k in range(n):
        if k % 60 < 35:
            level *= 0.97
        out.append(level * (1 + 0.02 * rng.standard_normal()))
    return out


PLATEAU = [
    dict(),
    dict(patience=3, factor=0.5),
    dict(patience=2, factor=0.5, cooldown=4, min_lr=[1e-3, 5e-4], threshold=0.01),
    dict(mode="max", threshold_mode="abs", threshold=1e-3, patience=5, factor=0.3),
    dict(mode="max", patience=0, factor=0.7, eps=1e-3, min_lr=1e-4),
    dict(threshold_mode="abs", threshold=0.0, patience=1, cooldown=2, factor=0.9),
]


@pytest.mark.parametrize("hp", PLATEAU, ids=[str(i) for i in range(len(PLATEAU))])
def test_reduce_lr_on_plateau_matches_torch(hp):
    """A generated metric sequence; half way our side is saved and rebuilt."""
    ours, theirs = _sched_optimizers("SGD")
    so = sched.ReduceLROnPlateau(ours, **hp)
    st = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **hp)
    sign = -1.0 if hp.get("mode") == "max" else 1.0
    rows_o, rows_t = [], []
    for step, m in enumerate(_metrics(len(hp))):
        if step == 150:                              # a state-dict round trip on our side
            saved_opt, saved_sched = ours.state_dict(), so.state_dict()
            ours, _ = _sched_optimizers("SGD")
            so = sched.ReduceLROnPlateau(ours)
            ours.load_state_dict(saved_opt)
            so.load_state_dict(saved_sched)
        so.step(sign * m)
        st.step(sign * m)
        rows_o.append(_record(ours, so) + [so.num_bad_epochs, so.cooldown_counter,
                                           so.last_epoch, so.best])
        rows_t.append(_record(theirs, st) + [st.num_bad_epochs, st.cooldown_counter,
                                             st.last_epoch, st.best])
    _assert_close(rows_o, rows_t, "ReduceLROnPlateau")
    assert len(set(r[0] for r in rows_t)) >= 3      # it did reduce, more than once


RESUMABLE = [
    ("StepLR", lambda lib, o, e: lib.StepLR(o, step_size=5, gamma=0.5, last_epoch=e)),
    ("CosineAnnealingLR", lambda lib, o, e: lib.CosineAnnealingLR(o, T_max=12, last_epoch=e)),
    ("LinearLR", lambda lib, o, e: lib.LinearLR(o, start_factor=0.2, total_iters=15,
                                                last_epoch=e)),
    ("OneCycleLR", lambda lib, o, e: lib.OneCycleLR(o, max_lr=0.5, total_steps=40,
                                                    last_epoch=e)),
]


@pytest.mark.parametrize("name, make", RESUMABLE, ids=[r[0] for r in RESUMABLE])
def test_schedule_resumed_with_last_epoch_matches_torch(name, make):
    """7 steps, then a new schedule on the same optimizer with last_epoch=7."""
    rows = []
    for lib, opt in zip((sched, torch.optim.lr_scheduler), _sched_optimizers("SGD")):
        s = make(lib, opt, -1)
        opt.step()
        for _ in range(7):
            s.step()
        s = make(lib, opt, 7)
        rows.append([_record(opt, s)])
        for _ in range(25):
            s.step()
            rows[-1].append(_record(opt, s))
    _assert_close(rows[0], rows[1], name)
