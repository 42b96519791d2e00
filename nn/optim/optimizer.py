"""`Optimizer`: the base class of every optimizer in `nn.optim`, PyTorch's interface.

An optimizer holds `param_groups`, a list of dicts: each has "params" (a list of
Tensors) and that group's settings ("lr", "weight_decay", ...), the constructor's
`defaults` filling whatever a group does not set. `state` maps `id(p)` to that
parameter's buffers (numpy arrays) and its "step" counter.

`step()` updates every parameter that has a `.grad`, on the raw numpy arrays (`p._data`,
`p.grad._data`) and outside any graph: a subclass writes only `_update(p, g, group,
state)`, the rule for one parameter, with its math in the class docstring.

Numerics follow PyTorch's CPU kernels operation by operation, so that float64
trajectories agree with `torch.optim` to rounding: `a.lerp_(b, w)` is
`a + w (b - a)` for |w| < 0.5 and `b - (b - a)(1 - w)` otherwise (`_lerp_` below),
`addcmul_(t1, t2, value=c)` is `a + (c t1) t2`, `addcdiv_(t1, t2, value=c)` is
`a + (c t1) / t2`.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Union

import numpy as np

from autograd import Tensor

from ..module import zero_grads

__all__ = ["Optimizer", "ParamsT"]

# Functions called with (optimizer, "step" or "zero_grad", closure or set_to_none) at the
# start of every step() and zero_grad() (autograd.compile records a training step so).
# Empty, it costs one test per call.
_observers: list = []

#: What an optimizer accepts: tensors (``model.parameters()``), or dicts, one per parameter
#: group, each with "params" and any settings of its own.
ParamsT = Union[Iterable[Tensor], Iterable[dict[str, Any]]]


def _lerp_(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """a <- a + w (b - a), in place, rounded as `torch.Tensor.lerp_` rounds it."""
    if abs(w) < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (1 - w)


class Optimizer:
    """Base class: parameter groups (`param_groups`), per-parameter `state`, `step()`,
    `zero_grad()`, `add_param_group()`, `state_dict()` / `load_state_dict()`.

    A subclass passes its `defaults` (every setting with its default value) and
    implements `_update(p, g, group, state)`: one parameter's update, in place on
    `p._data`, given its gradient array `g` (not to be modified: it is the `.grad`'s
    array), its group's settings and its state dict (empty before the first step). It
    may refine `_check(group)` (validation of a group's settings, raising ValueError).
    """

    defaults: dict[str, Any]
    param_groups: list[dict[str, Any]]
    state: dict[int, dict[str, Any]]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors (for example "
                            "model.parameters()), got a single tensor")
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.defaults = defaults
        self.param_groups = []
        self.state = {}
        self._opt_called = False            # read by the lr schedulers' order warning
        for group in groups:
            self.add_param_group(group)

    # ---------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a parameter group: a dict with "params" (a tensor or an iterable of
        them) and any settings of its own; `defaults` fill the others. A parameter may
        belong to one group only (ValueError otherwise)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}.add_param_group: a parameter group is a dict with "
                            f"'params', got a {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry, got keys "
                             f"{sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: a group's params must be an ordered collection (a "
                            "list), not a set, whose order changes between runs")
        group = {**self.defaults, **param_group, "params": list(params)}
        if "betas" in group:                    # a list (from a config file) as a tuple
            group["betas"] = tuple(group["betas"])
        owner = {id(p): k for k, g in enumerate(self.param_groups) for p in g["params"]}
        seen: set[int] = set()
        for i, p in enumerate(group["params"]):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a "
                                "Tensor")
            if id(p) in seen or id(p) in owner:   # it would be stepped twice per step()
                where = (f" (it is already in parameter group {owner[id(p)]})"
                         if id(p) in owner else "")
                raise ValueError(f"{name}: parameter {i} (shape {p.shape}) is listed "
                                 f"more than once{where}")
            seen.add(id(p))
            if not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{name}: parameter {i} (shape {p.shape}) does not "
                                 "require grad or is not a leaf, so it can never be "
                                 "trained; pass requires_grad=True leaves")
        self._check(group, len(self.param_groups))
        self.param_groups.append(group)

    def _check(self, group: dict[str, Any], index: int = 0) -> None:
        """Raise ValueError for a setting out of range (`index`: the group's position)."""
        self._require(group, index, "lr", group["lr"] >= 0, "must be >= 0",
                      label="learning rate")
        if "weight_decay" in group:
            self._require(group, index, "weight_decay", group["weight_decay"] >= 0,
                          "must be >= 0")

    def _require(self, group: dict[str, Any], index: int, key: str, ok: bool, rule: str,
                 label: str | None = None) -> None:
        """ValueError "<Optimizer>: invalid <key> <value> [in parameter group i]: <rule>"
        unless `ok` (written so that NaN fails: `not x >= 0`)."""
        if not ok:
            where = f" in parameter group {index}" if index else ""
            raise ValueError(f"{type(self).__name__}: invalid {label or key} "
                             f"{group[key]!r}{where}: {rule}")

    # ---------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward (they accumulate otherwise):
        `p.grad = None`, or with set_to_none=False zeros written into the existing
        `.grad` arrays."""
        if _observers:
            for observe in _observers:
                observe(self, "zero_grad", set_to_none)
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; parameters whose `.grad` is None
        are skipped (and their state is left as it is). `closure`, if given, is called
        first (it re-evaluates the model and returns the loss) and its value returned."""
        if _observers:
            for observe in _observers:
                observe(self, "step", closure)
        loss = closure() if closure is not None else None
        self._opt_called = True
        # Each update is an in-place change: stamped (_bump_versions), so that a graph still
        # holding these parameters refuses to backpropagate through the old values.
        state = self.state
        for group in self.param_groups:
            stepped = [p for p in group["params"] if p._grad is not None]
            if self._is_plain(group):                   # p <- p - lr g, the common case
                lr = group["lr"]
                for p in stepped:
                    p._data -= lr * p._grad._data
            else:
                for p in stepped:
                    self._update(p, p._grad._data, group, state.setdefault(id(p), {}))
            Tensor._bump_versions(stepped)
        return loss

    def _is_plain(self, group: dict[str, Any]) -> bool:
        """True where the group's update is p <- p - lr g (the fast path in `step`)."""
        return False

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _update")

    # ---------------------------------------------------------------- saving
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout:

            {"state": {index: {"step": 3.0, "exp_avg": array, ...}, ...},
             "param_groups": [{"lr": 0.001, ..., "params": [0, 1]}, ...]}

        Parameters are numbered in order through the groups; "state" has an entry for
        each parameter that has state. Buffers are copies (numpy arrays, usable as
        `np.asarray(torch_state["exp_avg"])` would be); "step" is a Python float where
        PyTorch keeps a 0-d float tensor (`float(t)` of it)."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[k]: {n: (v.copy() if isinstance(v, np.ndarray) else v)
                            for n, v in s.items()}
                 for k, s in self.state.items() if k in index and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore settings and state saved by `state_dict()` (ours, or one of PyTorch's:
        its tensors become numpy arrays of the parameter's dtype, its "step" a float).
        The saved groups must hold as many parameters as this optimizer's, in order."""
        name = type(self).__name__
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the saved state has {len(groups)} "
                             f"parameter groups, this optimizer {len(self.param_groups)}")
        sizes = [len(g["params"]) for g in groups]
        mine = [len(g["params"]) for g in self.param_groups]
        if sizes != mine:
            raise ValueError(f"{name}.load_state_dict: the saved groups hold {sizes} "
                             f"parameters, this optimizer's groups {mine}")
        params = {i: p for saved, group in zip(groups, self.param_groups)
                  for i, p in zip(saved["params"], group["params"])}
        new_groups = []
        for k, (saved, group) in enumerate(zip(groups, self.param_groups)):
            new = {**{n: v for n, v in saved.items() if n != "params"},
                   "params": group["params"]}
            if "betas" in new:
                new["betas"] = tuple(float(b) for b in new["betas"])
            self._check(new, k)
            new_groups.append(new)
        state: dict[int, dict[str, Any]] = {}
        for i, s in state_dict["state"].items():
            if i not in params:
                raise ValueError(f"{name}.load_state_dict: the saved state names parameter "
                                 f"{i}, which no saved group lists")
            p = params[i]
            state[id(p)] = {n: _restore(n, v, p._data.dtype) for n, v in s.items()}
        self.param_groups = new_groups
        self.state = state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _restore(key: str, value: Any, dtype: np.dtype) -> Any:
    """One saved state entry, as `_update` keeps it: "step" a float, buffers owned arrays."""
    if key == "step":
        return float(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return np.array(np.asarray(value), dtype=dtype)     # a copy, also of a torch tensor
