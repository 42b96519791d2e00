"""Adagrad: per-coordinate steps shrunk by the accumulated squared gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (`torch.optim.Adagrad`). For each parameter p with gradient g, at step t
    (lr = γ, lr_decay = η, weight_decay = λ, eps = ε):

        g <- -g                              if maximize
        g <- g + λ p                         if λ != 0
        clr <- γ / (1 + (t - 1) η)
        s <- s + g²
        p <- p - clr g / (sqrt(s) + ε)

    State, made for every parameter when it joins the optimizer (as PyTorch does):
    "step" (t, a float, 0.0 at first) and "sum" (s), filled with the group's
    initial_accumulator_value. (PyTorch fills every group's "sum" with the constructor's
    initial_accumulator_value; here a group's own setting is honoured.)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self._init_state(p, group, self.state.setdefault(id(p), {}))

    @staticmethod
    def _init_state(p: Tensor, group: dict[str, Any], state: dict[str, Any]) -> None:
        if not state:
            state.update(step=0.0, sum=np.full_like(p._data,
                                                    group["initial_accumulator_value"]))

    def _check(self, group: dict[str, Any], index: int = 0) -> None:
        super()._check(group, index)
        self._require(group, index, "lr_decay", group["lr_decay"] >= 0, "must be >= 0")
        self._require(group, index, "initial_accumulator_value",
                      group["initial_accumulator_value"] >= 0, "must be >= 0")
        self._require(group, index, "eps", group["eps"] >= 0, "must be >= 0")

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        data = p._data
        self._init_state(p, group, state)       # after a load_state_dict without it
        state["step"] += 1
        t = state["step"]
        if group["maximize"]:
            g = -g
        if wd != 0:
            g = g + wd * data
        clr = lr / (1 + (t - 1) * group["lr_decay"])
        s = state["sum"]
        s += g * g
        data += -clr * g / (np.sqrt(s) + eps)
