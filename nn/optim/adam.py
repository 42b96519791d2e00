"""Adam and AdamW (decoupled weight decay), each with the AMSGrad variant."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, ParamsT, _lerp_

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (`torch.optim.Adam`): steps scaled by running averages of the gradient and of
    its square. For each parameter p with gradient g, at step t (lr = γ, betas = (β1, β2),
    weight_decay = λ, eps = ε):

        g <- -g                                   if maximize
        p <- p (1 - γ λ)                          if decoupled_weight_decay  (AdamW)
        g <- g + λ p                              otherwise (L2 penalty, when λ != 0)
        m <- m + (1 - β1) (g - m)                 (= β1 m + (1 - β1) g, as torch's lerp)
        v <- β2 v + (1 - β2) g²
        v_max <- max(v_max, v)                    if amsgrad (else v_max = v)
        p <- p - (γ / (1 - β1^t)) m / (sqrt(v_max) / sqrt(1 - β2^t) + ε)

    which is PyTorch's grouping of p - γ m̂ / (sqrt(v̂) + ε), with m̂ = m / (1 - β1^t) and
    v̂ = v / (1 - β2^t). State: "step" (t, a float), "exp_avg" (m), "exp_avg_sq" (v), and
    with amsgrad "max_exp_avg_sq" (v_max).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _check(self, group: dict[str, Any], index: int = 0) -> None:
        super()._check(group, index)
        betas = group["betas"]
        if len(betas) != 2:
            self._require(group, index, "betas", False, "must be a pair (beta1, beta2)")
        for k in range(2):
            self._require(group, index, "betas", 0 <= betas[k] < 1,
                          f"betas[{k}] must lie in [0, 1)")
        self._require(group, index, "eps", group["eps"] >= 0, "must be >= 0")

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        data = p._data
        if not state:
            state.update(step=0.0, exp_avg=np.zeros_like(data),
                         exp_avg_sq=np.zeros_like(data))
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(data)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        if group["maximize"]:
            g = -g
        if wd != 0:
            if group["decoupled_weight_decay"]:
                data *= 1 - lr * wd
            else:
                g = g + wd * data
        _lerp_(m, g, 1 - b1)
        v *= b2
        v += (1 - b2) * g * g
        step_size = lr / (1 - b1 ** t)
        bias_correction2_sqrt = (1 - b2 ** t) ** 0.5
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"]
            np.maximum(v, state["exp_avg_sq"], out=v)
        denom = np.sqrt(v) / bias_correction2_sqrt + eps
        data += -step_size * m / denom


class AdamW(Adam):
    r"""AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay, the parameter
    shrunk directly instead of the gradient penalised. At step t:

        p <- p (1 - γ λ)

    then Adam's update without the L2 term (see `Adam`), so that λ does not enter m or v.
    Default weight_decay = 1e-2.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:                 # AdamW decays decoupled, always
            group["decoupled_weight_decay"] = True
