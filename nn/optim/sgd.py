"""Stochastic gradient descent, with momentum, dampening, weight decay and Nesterov."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (`torch.optim.SGD`). For each parameter p with
    gradient g, at step t (lr = γ, momentum = μ, dampening = τ, weight_decay = λ):

        g <- -g                           if maximize
        g <- g + λ p                      if λ != 0
        if μ != 0:
            b <- g                        at t = 1
            b <- μ b + (1 - τ) g          at t > 1
            g <- g + μ b  if nesterov  else  b
        p <- p - γ g

    State: "momentum_buffer" (b), only where μ != 0. Nesterov needs μ > 0 and τ = 0.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _check(self, group: dict[str, Any], index: int = 0) -> None:
        super()._check(group, index)
        self._require(group, index, "momentum", group["momentum"] >= 0, "must be >= 0")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            where = f" in parameter group {index}" if index else ""
            raise ValueError(f"SGD: Nesterov momentum needs momentum > 0 and dampening = 0, "
                             f"got momentum {group['momentum']!r} and dampening "
                             f"{group['dampening']!r}{where}")

    def _is_plain(self, group: dict[str, Any]) -> bool:
        return group["momentum"] == 0 and group["weight_decay"] == 0 and not group["maximize"]

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        data = p._data
        if group["maximize"]:
            g = -g
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
