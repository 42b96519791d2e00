"""Optimizers: SGD (with momentum, dampening, weight decay, Nesterov) and Adam, step for step
as PyTorch documents them. Updates run on the numpy arrays, outside any graph.

SGD, for each parameter p with gradient g:
    g <- g + weight_decay * p
    b <- g                                   (first step)
    b <- momentum * b + (1 - dampening) * g  (later steps)
    g <- g + momentum * b  if nesterov  else  b        (when momentum != 0)
    p <- p - lr * g

Adam, at step t:
    g <- g + weight_decay * p
    m <- beta1 m + (1 - beta1) g;      v <- beta2 v + (1 - beta2) g^2
    p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd import Tensor
from autograd.tensor import _clock

from .module import zero_grads

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Holds parameter groups (`param_groups`, each a dict with "params" and settings) and
    per-parameter `state`."""

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors (for example "
                            "model.parameters()), got a single tensor")
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.defaults = defaults
        self.param_groups: list[dict] = []
        self.state: dict[int, dict] = {}
        seen: set[int] = set()
        for group in groups:
            group = {**defaults, **group, "params": list(group["params"])}
            for i, p in enumerate(group["params"]):
                if not isinstance(p, Tensor):
                    raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a "
                                    "Tensor")
                if id(p) in seen:               # it would be stepped twice per step()
                    raise ValueError(f"{name}: parameter {i} (shape {p.shape}) is listed "
                                     "more than once")
                seen.add(id(p))
                if not p.requires_grad or not p.is_leaf:
                    raise ValueError(f"{name}: parameter {i} (shape {p.shape}) does not "
                                     "require grad or is not a leaf, so it can never be "
                                     "trained; pass requires_grad=True leaves")
            self._check(group)
            self.param_groups.append(group)

    def _check(self, group: dict) -> None:
        name = type(self).__name__
        if not group["lr"] >= 0:
            raise ValueError(f"{name}: invalid learning rate {group['lr']!r}: must be >= 0")
        if group.get("weight_decay", 0) < 0:
            raise ValueError(f"{name}: invalid weight_decay {group['weight_decay']!r}: must "
                             "be >= 0")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward (they accumulate otherwise)."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        # An in-place change: stamp it, so that a graph still holding these parameters
        # refuses to backpropagate through the old values.
        _clock[0] += 1
        now = _clock[0]
        state = self.state
        for group in self.param_groups:
            if self._is_plain(group):                   # p <- p - lr g, the common case
                lr = group["lr"]
                for p in group["params"]:
                    grad = p.grad
                    if grad is not None:
                        p._data -= lr * grad._data
                        p._vc[0] = now
                continue
            for p in group["params"]:
                grad = p.grad
                if grad is not None:
                    self._update(p, grad._data, group, state.setdefault(id(p), {}))
                    p._vc[0] = now

    def _is_plain(self, group: dict) -> bool:
        return False

    def _update(self, p: Tensor, g: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Settings and per-parameter state (numbers and array copies), parameters by index."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[k]: {n: (v.copy() if isinstance(v, np.ndarray) else v)
                            for n, v in s.items()}
                 for k, s in self.state.items() if k in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        groups = state_dict["param_groups"]
        sizes = [len(g["params"]) for g in groups]
        if sizes != [len(g["params"]) for g in self.param_groups]:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved groups do not "
                             "match this optimizer's parameter groups")
        params = [p for g in self.param_groups for p in g["params"]]
        for mine, saved in zip(self.param_groups, groups, strict=True):
            mine.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {id(params[i]): {n: (np.array(v) if isinstance(v, np.ndarray) else v)
                                      for n, v in s.items()}
                      for i, s in state_dict["state"].items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


class SGD(Optimizer):
    """Stochastic gradient descent: p <- p - lr * g, with optional momentum (see module)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _check(self, group: dict) -> None:
        super()._check(group)
        if group["momentum"] < 0:
            raise ValueError(f"SGD: invalid momentum {group['momentum']!r}: must be >= 0")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")

    def _is_plain(self, group: dict) -> bool:
        return group["momentum"] == 0 and group["weight_decay"] == 0    # p <- p - lr g

    def _update(self, p: Tensor, g: np.ndarray, group: dict, state: dict) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        data = p._data
        if wd != 0:
            g = g + wd * data
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, copy=True)
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        data -= lr * g


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and its square (see module)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay))

    def _check(self, group: dict) -> None:
        super()._check(group)
        b1, b2 = group["betas"]
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {group['betas']!r}")
        if not group["eps"] >= 0:
            raise ValueError(f"Adam: invalid eps {group['eps']!r}: must be >= 0")

    def _update(self, p: Tensor, g: np.ndarray, group: dict, state: dict) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        data = p._data
        if wd != 0:
            g = g + wd * data
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(data), exp_avg_sq=np.zeros_like(data))
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)                   # the documented formula, term by term
        v_hat = v / (1 - b2 ** t)
        data -= lr * m_hat / (np.sqrt(v_hat) + eps)
