"""Gradient clipping, as `torch.nn.utils`: `clip_grad_norm_` (rescale all gradients together
so that their total norm is at most `max_norm`), `clip_grad_value_` (clamp each entry), and
the two halves of `clip_grad_norm_`, `get_total_norm` and `clip_grads_with_norm_`.

The total p-norm of gradients g_1..g_k is the p-norm of their p-norms,
||(||g_1||_p, ..., ||g_k||_p)||_p, which is the p-norm of all their entries together
(for p = inf: the largest |entry|). Clipping multiplies every gradient by
min(1, max_norm / (total_norm + 1e-6)), PyTorch's formula, so the direction is kept.
All of it runs on the gradients' numpy arrays, outside the graph.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from autograd import Tensor, from_numpy

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

Tensors = Tensor | Iterable[Tensor]


def _as_list(tensors: Tensors, fn: str) -> list[Tensor]:
    items = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for t in items:
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}: expected Tensors, got a {type(t).__name__}")
    return items


def _grads(parameters: Tensors, fn: str) -> list[Tensor]:
    return [p.grad for p in _as_list(parameters, fn) if p.grad is not None]


def _vector_norm(x: np.ndarray, p: float) -> float:
    """The p-norm of the entries of `x`, in float64: max|x| (p = inf), min|x| (p = -inf),
    the number of non-zeros (p = 0), (sum |x|^p)^(1/p) otherwise."""
    a = np.abs(x.astype(np.float64, copy=False)).ravel()
    if a.size == 1 and p != 0:
        return float(a[0])              # exact, as PyTorch's (no under- or overflow)
    if p == math.inf:
        return float(a.max()) if a.size else 0.0
    if p == -math.inf:
        return float(a.min()) if a.size else math.inf
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 1:
        return float(a.sum())
    if p == 2:
        return math.sqrt(float(np.dot(a, a)))
    with np.errstate(over="ignore", divide="ignore", under="ignore"):
        return float(np.sum(a ** p) ** (1.0 / p))


def get_total_norm(tensors: Tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The p-norm (p = norm_type, `inf` allowed) of all the given tensors' entries together,
    as a 0-d Tensor (0 when there are none). error_if_nonfinite: RuntimeError if it is nan
    or inf. `foreach` is accepted for PyTorch's signature and has no effect."""
    items = _as_list(tensors, "get_total_norm")
    p = float(norm_type)
    if not items:
        return from_numpy(np.asarray(0.0))
    dtype = np.result_type(*(t._data.dtype for t in items))
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    norms = np.array([_vector_norm(t._data, p) for t in items])
    total = _vector_norm(norms, p)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {p} of the gradients is non-finite "
            f"({total}), so it cannot be clipped. To scale the gradients by it anyway, pass "
            f"error_if_nonfinite=False")
    return from_numpy(np.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters: Tensors, max_norm: float, total_norm: Tensor | float,
                          foreach: bool | None = None) -> None:
    """Multiply the `.grad` of every parameter (in place) by
    min(1, max_norm / (total_norm + 1e-6)): the second half of `clip_grad_norm_`, with a
    total norm you computed (with `get_total_norm`, over several models, ...)."""
    grads = _grads(parameters, "clip_grads_with_norm_")
    if not grads:
        return
    total = float(total_norm._data) if isinstance(total_norm, Tensor) else float(total_norm)
    coef = np.minimum(np.float64(float(max_norm)) / (np.float64(total) + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):     # inf * 0 = nan, silently, as in PyTorch
        for g in grads:
            np.multiply(g._data, coef, out=g._data, casting="same_kind")
            g._bump_version()


def clip_grad_norm_(parameters: Tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients of `parameters` (a Tensor or an iterable of them; those without
    a `.grad` are skipped) in place, all by the same factor, so that their total
    `norm_type`-norm is at most `max_norm`: each is multiplied by
    min(1, max_norm / (total_norm + 1e-6)). Returns the total norm before clipping, a 0-d
    Tensor (worth logging: it shows exploding gradients). Call it between `backward()` and
    `optimizer.step()`.

    error_if_nonfinite: RuntimeError when the total norm is nan or inf (otherwise the
    gradients become nan, as in PyTorch). `foreach` is accepted and has no effect."""
    params = _as_list(parameters, "clip_grad_norm_")
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters: Tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every entry of the parameters' gradients to [-clip_value, clip_value], in
    place (parameters without a `.grad` are skipped). `foreach` has no effect."""
    c = float(clip_value)
    for g in _grads(parameters, "clip_grad_value_"):
        np.clip(g._data, -c, c, out=g._data)
        g._bump_version()
