r"""Learning-rate schedules (`torch.optim.lr_scheduler`): they rewrite each parameter
group's "lr" (OneCycleLR also its momentum) once per `step()`.

Construct a schedule after its optimizer; it records each group's starting rate as
`group["initial_lr"]` (the schedule's `base_lrs`) and sets `last_epoch = 0`. Call
`scheduler.step()` after `optimizer.step()`, once per epoch (or per batch for
OneCycleLR); `get_last_lr()` is the list of rates it set last. With e = last_epoch,
lr_e the rate of a group after e steps and lr_0 its base rate:

    StepLR             lr_e = lr_0 γ^floor(e / step_size)
    MultiStepLR        lr_e = lr_0 γ^(number of milestones <= e)
    ExponentialLR      lr_e = lr_0 γ^e
    CosineAnnealingLR  lr_e = η_min + (lr_0 - η_min) (1 + cos(π e / T_max)) / 2
    LambdaLR           lr_e = lr_0 λ(e)
    MultiplicativeLR   lr_e = lr_(e-1) λ(e)   (e >= 1)
    ConstantLR         lr_e = lr_0 factor  (e < total_iters),  lr_0 after
    LinearLR           lr_e = lr_0 (s + (f - s) min(e, total_iters) / total_iters)
    OneCycleLR         warm up from max_lr / div_factor to max_lr, then anneal to
                       initial_lr / final_div_factor (cos or linear; see the class)
    ReduceLROnPlateau  lr <- max(lr factor, min_lr) after `patience` epochs without
                       improvement of the metric passed to step(metric)

Like PyTorch, most schedules compute e's rate from e-1's (`get_lr`, "chainable": other
changes to the rate are kept) and the numbers are PyTorch's: CosineAnnealingLR, for one,
steps by the recursion

    lr_e = η_min + (1 + cos(π e / T)) / (1 + cos(π (e - 1) / T)) (lr_(e-1) - η_min)

(and lr_e = lr_(e-1) + (lr_0 - η_min)(1 - cos(π / T)) / 2 where e - 1 - T is a
multiple of 2T), which equals the closed form above only up to rounding.

`state_dict()` is every attribute but the optimizer (lambdas are saved as None, or as
a callable object's __dict__); `load_state_dict()` restores it. The deprecated
`step(epoch)` form of PyTorch is not provided.
"""
from __future__ import annotations

import copy
import math
import numbers
import types
import warnings
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable, Iterable, Literal, Sequence, SupportsFloat

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "MultiplicativeLR", "LinearLR", "ConstantLR", "OneCycleLR",
           "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]


def _lrs(optimizer: Optimizer) -> list[float]:
    return [group["lr"] for group in optimizer.param_groups]


def _per_group(owner: str, name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """`value` for each group: one value for all, or a list/tuple with one per group."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{owner}: {name} has {len(value)} values but the optimizer has "
                             f"{len(optimizer.param_groups)} parameter groups")
        return list(value)
    return [value] * len(optimizer.param_groups)


def _check_optimizer(owner: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an nn.optim.Optimizer, got a "
                        f"{type(optimizer).__name__}")


class LRScheduler:
    """Base class of the schedules: subclasses define `get_lr()`, the rates for
    `last_epoch` (already advanced), computed from the groups' current rates or from
    `base_lrs`; `_closed_form_lr()` where a closed form exists (SequentialLR uses it at
    its milestones).

    `last_epoch=-1` starts a schedule: each group's "lr" is recorded as "initial_lr" (where
    not already set) and the constructor takes the first step, to `last_epoch = 0`. A
    larger `last_epoch` resumes one (the groups must have "initial_lr" then: KeyError).
    """

    optimizer: Optimizer
    base_lrs: list[float]
    last_epoch: int
    _last_lr: list[float]
    _step_count: int
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{name}: resuming with last_epoch={last_epoch} needs "
                                   f"'initial_lr' in every parameter group, and group {i} "
                                   "has none (load the optimizer's state first, or start "
                                   "with last_epoch=-1)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step, to last_epoch + 1 (no order warning)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The rate of each group at `last_epoch` (called by `step`; to read the current
        rates use `get_last_lr()`)."""
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr")

    def _closed_form_lr(self) -> list[float] | None:
        return None

    def get_last_lr(self) -> list[float]:
        """The rates the last `step()` set, one per parameter group (a new list)."""
        return list(self._last_lr)

    def step(self) -> None:
        """Advance one epoch: last_epoch += 1 and each group's "lr" set to `get_lr()`.
        Call it after `optimizer.step()` (a UserWarning says so when the first call comes
        before any optimizer step: that would skip the schedule's first rate)."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", True):
            warnings.warn(f"{type(self).__name__}.step() was called before the optimizer's "
                          "step(): call optimizer.step() first, then scheduler.step(), "
                          "or the schedule's first learning rate is skipped",
                          UserWarning, stacklevel=2)
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = self._closed_form_lr()
            values = closed if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)

    _unsaved: tuple[str, ...] = ("optimizer",)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (copied): last_epoch, base_lrs, settings."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                if k not in self._unsaved}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by `state_dict()`."""
        self.__dict__.update({k: copy.deepcopy(v) for k, v in state_dict.items()
                              if k not in self._unsaved})


class _LRScheduler(LRScheduler):
    """PyTorch's older name for `LRScheduler`."""


class StepLR(LRScheduler):
    """lr_e = lr_(e-1) γ where e is a positive multiple of step_size, else lr_(e-1); that is
    lr_e = lr_0 γ^floor(e / step_size)."""

    step_size: int
    gamma: float

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if not (isinstance(step_size, numbers.Integral) and step_size >= 1):
            raise ValueError(f"StepLR: invalid step_size {step_size!r}: must be an integer "
                             ">= 1")
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _lrs(self.optimizer)
        return [lr * self.gamma for lr in _lrs(self.optimizer)]

    def _closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr_e = lr_(e-1) γ^k where e is a milestone listed k times, else lr_(e-1); that is
    lr_e = lr_0 γ^(number of milestones <= e)."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return _lrs(self.optimizer)
        k = self.milestones[self.last_epoch]
        return [lr * self.gamma ** k for lr in _lrs(self.optimizer)]

    def _closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr_e = lr_(e-1) γ, that is lr_e = lr_0 γ^e."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return _lrs(self.optimizer)
        return [lr * self.gamma for lr in _lrs(self.optimizer)]

    def _closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from lr_0 to eta_min over T_max epochs (and back up over the next
    T_max, periodically): closed form

        lr_e = η_min + (lr_0 - η_min) (1 + cos(π e / T_max)) / 2,

    stepped by PyTorch's recursion (see the module docstring), whose rounding it
    reproduces. (Resumed with last_epoch > 0, it keeps the groups' rates at construction
    and recurses on from them, as PyTorch does.)"""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: invalid T_max {T_max!r}: must be > 0")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _lrs(self.optimizer)
        if (e - 1 - T) % (2 * T) == 0:               # the bottom: the ratio below is 0/0
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base, lr in zip(self.base_lrs, _lrs(self.optimizer))]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in _lrs(self.optimizer)]

    def _closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


def _lambdas(owner: str, optimizer: Optimizer,
             lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]
             ) -> list[Callable[[int], float]]:
    fns: list[Any] = _per_group(owner, "lr_lambda", optimizer, lr_lambda)
    for i, fn in enumerate(fns):
        if not callable(fn):
            raise TypeError(f"{owner}: lr_lambda {i} must be a function of the epoch, got "
                            f"a {type(fn).__name__}")
    return fns


class _LambdaState(LRScheduler):
    """State dict of a schedule with lambdas: functions are not saved (None); a callable
    object's __dict__ is, and restored into the object of the same position."""

    lr_lambdas: list[Callable[[int], float]]
    _unsaved = ("optimizer", "lr_lambdas")

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType)
                               else copy.deepcopy(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for fn, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", [])):
            if saved is not None:
                fn.__dict__.update(copy.deepcopy(saved))


class LambdaLR(_LambdaState):
    """lr_e = lr_0 λ(e), with one function λ for all groups or a list of one per group."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaState):
    """lr_e = lr_(e-1) λ(e) for e >= 1 (the constructor's step leaves the rates alone)."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return _lrs(self.optimizer)
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, _lrs(self.optimizer))]


class ConstantLR(LRScheduler):
    """lr_e = lr_0 factor for e < total_iters, then lr_0 (factor in [0, 1]); stepped as
    lr_0 <- lr_0 factor at e = 0 and lr <- lr / factor at e = total_iters."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: invalid factor {factor!r}: must lie in [0, 1]")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in _lrs(self.optimizer)]
        if self.last_epoch != self.total_iters:
            return _lrs(self.optimizer)
        return [lr * (1.0 / self.factor) for lr in _lrs(self.optimizer)]

    def _closed_form_lr(self) -> list[float]:
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """The factor on lr_0 goes linearly from start_factor s to end_factor f over
    total_iters epochs, then stays: lr_e = lr_0 (s + (f - s) min(e, total_iters) /
    total_iters), stepped (as PyTorch does) by lr_e = lr_(e-1) (1 + (f - s) / (n s +
    (e - 1)(f - s))), n = total_iters."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: invalid start_factor {start_factor!r}: must lie in "
                             "(0, 1]")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: invalid end_factor {end_factor!r}: must lie in "
                             "[0, 1]")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, s, f, n = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if e == 0:
            return [lr * s for lr in _lrs(self.optimizer)]
        if self._is_initial or e > n:
            return _lrs(self.optimizer)
        factor = 1.0 + (f - s) / (n * s + (e - 1) * (f - s))
        return [lr * factor for lr in _lrs(self.optimizer)]

    def _closed_form_lr(self) -> list[float]:
        s, f, n = self.start_factor, self.end_factor, self.total_iters
        return [base * (s + (f - s) * min(n, self.last_epoch) / n) for base in self.base_lrs]


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin), stepped once per batch for `total_steps` steps
    (or epochs * steps_per_epoch). Each group's rate goes from initial_lr = max_lr /
    div_factor up to max_lr over the first pct_start of the steps, then down to
    min_lr = initial_lr / final_div_factor at the last step (three_phase: up, back down to
    initial_lr by step 2 pct_start total_steps - 2, then to min_lr). Within a phase from
    step a to step b, going from x to y, with pct = (e - a) / (b - a):

        cos:     x' = y + (x - y) (1 + cos(π pct)) / 2
        linear:  x' = x + (y - x) pct

    The phases end at steps pct_start total_steps - 1 and total_steps - 1. With
    cycle_momentum the momentum (SGD's, RMSprop's "momentum", or Adam's beta1) moves the
    opposite way, between max_momentum and base_momentum. The groups receive "initial_lr",
    "max_lr", "min_lr" (and "max_momentum", "base_momentum"). A step past total_steps
    raises ValueError.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: Literal["cos", "linear"] = "cos",
                 cycle_momentum: bool = True, base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        _check_optimizer("OneCycleLR", optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"OneCycleLR: invalid total_steps {total_steps!r}: must be "
                                 "a positive integer")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"OneCycleLR: invalid epochs {epochs!r}: must be a positive "
                                 "integer")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"OneCycleLR: invalid steps_per_epoch {steps_per_epoch!r}: "
                                 "must be a positive integer")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: give total_steps, or both epochs and "
                             "steps_per_epoch")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: invalid pct_start {pct_start!r}: must be a float "
                             "in [0, 1]")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: invalid anneal_strategy {anneal_strategy!r}: "
                             "must be 'cos' or 'linear'")
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * self.total_steps) - 1
        last = float(self.total_steps - 1)
        # (end step, lr from, lr to, momentum from, momentum to), by group keys
        self._phases: list[tuple[float, str, str, str, str]]
        if three_phase:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (last, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        max_lrs = _per_group("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for peak, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        self.use_beta1 = False
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"OneCycleLR: cycle_momentum=True needs an optimizer with "
                                 f"momentum or betas, and {type(optimizer).__name__} has "
                                 "neither (pass cycle_momentum=False)")
            self.use_beta1 = "betas" in optimizer.defaults
            highs = _per_group("OneCycleLR", "max_momentum", optimizer, max_momentum)
            lows = _per_group("OneCycleLR", "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for high, low, group in zip(highs, lows, optimizer.param_groups):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        e = self.last_epoch
        if e > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {e} times, past total_steps = "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for k, (end, lr_from, lr_to, mom_from, mom_to) in enumerate(self._phases):
                if e <= end or k == len(self._phases) - 1:
                    pct = (e - start) / (end - start)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[mom_from],
                                                               group[mom_to], pct))
                    break
                start = end
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Cut the rates by `factor` when a metric stops improving: call `step(metric)` each
    epoch. With mode "min" (lower is better) and threshold_mode "rel", a value a improves
    on the best so far when a < best (1 - threshold) ("abs": a < best - threshold; mode
    "max": a > best (1 + threshold), a > best + threshold). After more than `patience`
    epochs in a row without improvement, each group's

        lr <- max(lr factor, min_lr)       (skipped when it would change lr by <= eps)

    then `cooldown` epochs pass in which bad epochs are not counted. min_lr: one for all
    groups or a list of one per group.
    """

    def __init__(self, optimizer: Optimizer, mode: Literal["min", "max"] = "min",
                 factor: float = 0.1, patience: int = 10, threshold: float = 1e-4,
                 threshold_mode: Literal["rel", "abs"] = "rel", cooldown: int = 0,
                 min_lr: float | list[float] = 0, eps: float = 1e-8) -> None:
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: invalid factor {factor!r}: must be < 1.0")
        _check_optimizer("ReduceLROnPlateau", optimizer)
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr: float | None = None
            self.min_lrs = _per_group("ReduceLROnPlateau", "min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _lrs(optimizer)
        self._set_mode(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _set_mode(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: invalid mode {mode!r}: must be 'min' or "
                             "'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: invalid threshold_mode {threshold_mode!r}: "
                             "must be 'rel' or 'abs'")
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric value `a` counts as an improvement on `best`."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: SupportsFloat) -> None:  # type: ignore[override]
        """One epoch with metric value `metrics` (a number, or a one-element tensor)."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0             # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _lrs(self.optimizer)

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer now has {len(groups)} "
                                   f"parameter groups but min_lr has {len(self.min_lrs)} "
                                   "values; set min_lrs to one per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._set_mode(self.mode, self.threshold, self.threshold_mode)


class _Composite(LRScheduler):
    """State dict of a schedule made of schedules: their own state dicts, in a list."""

    _schedulers: list[LRScheduler]
    _unsaved = ("optimizer", "_schedulers")

    @staticmethod
    def _check_parts(owner: str, optimizer: Optimizer,
                     schedulers: Sequence[LRScheduler]) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{owner}: needs at least one scheduler, got none")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"{owner}: scheduler {i} is a {type(s).__name__}, not an "
                                "LRScheduler")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError(f"{owner}: scheduler {i} is a ReduceLROnPlateau, whose "
                                 "step() needs the metric; it cannot be combined")
            if s.optimizer is not optimizer:
                raise ValueError(f"{owner}: scheduler {i} ({type(s).__name__}) belongs to "
                                 "another optimizer; all must share one")

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for s, saved in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            s.load_state_dict(saved)


class SequentialLR(_Composite):
    """One schedule after another: schedulers[i] runs from milestones[i-1] on (each
    restarting from its epoch 0, with the rates as the previous one left them, through
    its closed form where it has one)."""

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        _check_optimizer("SequentialLR", optimizer)
        self._check_parts("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} schedulers need "
                             f"{len(schedulers) - 1} milestones, got {len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:         # undo the parts' constructor steps
            group["lr"] = group["initial_lr"]
        for s in self._schedulers:
            self._undo(s)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    @staticmethod
    def _undo(s: LRScheduler) -> None:
        if isinstance(s, _Composite):
            for part in s._schedulers:
                SequentialLR._undo(part)
        else:
            s.last_epoch -= 1

    def step(self) -> None:
        self.last_epoch += 1
        k = bisect_right(self._milestones, self.last_epoch)
        s = self._schedulers[k]
        if k > 0 and self._milestones[k - 1] == self.last_epoch:
            s._update_lr(0)
        else:
            s.step()
        self._last_lr = s.get_last_lr()


class ChainedScheduler(_Composite):
    """Several schedules at once: step() steps each, in order, each acting on the rates
    the previous one set (for chainable schedules the factors multiply)."""

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler: needs at least one scheduler, got none")
        optimizer = optimizer or schedulers[0].optimizer
        self._check_parts("ChainedScheduler", optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _lrs(optimizer)

    def step(self) -> None:
        for s in self._schedulers:
            s.step()
        self._last_lr = _lrs(self.optimizer)
