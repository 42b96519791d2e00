"""RMSprop: gradient steps divided by a running root mean square of the gradient."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT, _lerp_

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (`torch.optim.RMSprop`). For each parameter p with gradient g (lr = γ,
    alpha = α, eps = ε, weight_decay = λ, momentum = μ):

        g <- -g                              if maximize
        g <- g + λ p                         if λ != 0
        v <- α v + (1 - α) g²
        if centered:
            a <- a + (1 - α) (g - a)         (running mean of g, as torch's lerp)
            d <- sqrt(v - a²) + ε
        else:
            d <- sqrt(v) + ε
        if μ > 0:
            b <- μ b + g / d;    p <- p - γ b
        else:
            p <- p - γ g / d

    State: "step" (a float), "square_avg" (v), with μ > 0 "momentum_buffer" (b), with
    centered "grad_avg" (a); all buffers start at zero.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered,
                                      maximize=maximize))

    def _check(self, group: dict[str, Any], index: int = 0) -> None:
        super()._check(group, index)
        self._require(group, index, "eps", group["eps"] >= 0, "must be >= 0")
        self._require(group, index, "momentum", group["momentum"] >= 0, "must be >= 0")
        self._require(group, index, "alpha", group["alpha"] >= 0, "must be >= 0")

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
        momentum = group["momentum"]
        data = p._data
        if not state:
            state.update(step=0.0, square_avg=np.zeros_like(data))
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(data)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(data)
        state["step"] += 1
        if group["maximize"]:
            g = -g
        if wd != 0:
            g = g + wd * data
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * g * g
        if group["centered"]:
            a = state["grad_avg"]
            _lerp_(a, g, 1 - alpha)
            avg = np.sqrt(v - a * a)
        else:
            avg = np.sqrt(v)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += g / avg
            data -= lr * buf
        else:
            data += -lr * g / avg
