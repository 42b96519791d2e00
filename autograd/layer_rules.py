"""Derivative rules of the layers and losses of `nn` (normalisation, dropout, embedding, the
fused losses). Same form as `rules.py`: `forward(*inputs, *saved)` on numpy arrays,
`grads[i](g, out, *inputs, *saved)` (or `vjp`, all inputs at once) for the gradients.

Each layer is one node with a closed-form backward, computed as PyTorch's CPU kernels compute
it (the same formulas in the same order, so the results agree to the last digits). On raw
arrays the backward reuses what the forward found (a `cache` list among the saved arguments:
the softmax, the batch statistics); on graph nodes (`create_graph=True`) the same gradient is
built from differentiable operations, so gradients of gradients work.

A normalisation's absent weight or bias is the plain number 1.0 or 0.0 (a constant input).
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .rules import Exp, Log, Rule, Sigmoid, _PerInput, data_of
from .tensor_rules import Clamp, LogSoftmax, Softmax, is_raw, scatter_add, where

__all__ = ["CrossEntropy", "CrossEntropyProb", "NllLoss", "BatchNorm",
           "LayerNorm", "GroupNorm", "Embedding", "Dropout", "HuberLoss", "SmoothL1Loss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "variant"]


@functools.lru_cache(maxsize=None)
def variant(rule: type[Rule], torch_name: str) -> type[Rule]:
    """`rule` under another PyTorch backward name (PyTorch names a loss's node after its last
    operation, which depends on the options: NllLossBackward0, or AddBackward0 when label
    smoothing adds a term)."""
    if rule.torch_name == torch_name:
        return rule
    return type(rule.__name__, (rule,), {"torch_name": torch_name, "__doc__": rule.__doc__})


def _sum(x: Any, axes: Any) -> Any:
    """x summed over `axes`, kept as size 1 (arrays and Tensors spell it alike)."""
    return x.sum(axis=axes, keepdims=True)


def _mean(x: Any, axes: Any) -> Any:
    return x.mean(axis=axes, keepdims=True)


def _class_axis(ndim: int) -> int:
    return 1 if ndim >= 2 else 0


# ------------------------------------------------------------ negative log-likelihood
def _nll_coefficients(shape: tuple, dtype: Any, target: np.ndarray, weight: Any,
                      ignore_index: int, reduction: str) -> tuple:
    """For class-index targets: the safe indices (ignored ones read class 0), each target's
    weight (0 where ignored) and the reduction's divisor (the sum of those weights for the
    mean, as PyTorch; 1 otherwise)."""
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    if weight is None:
        wt = valid.astype(dtype)
    else:
        wt = np.where(valid, np.asarray(weight, dtype=dtype)[safe], 0).astype(dtype)
    total = wt.sum(dtype=dtype) if reduction == "mean" else dtype.type(1)
    return safe, wt, total


def dtype_one(x: np.ndarray) -> Any:
    return x.dtype.type(1)


def _times(a: np.ndarray, s: Any) -> np.ndarray:
    """a * s, 0 where a is 0 (a mean over no counted target has scale 1/0: the targets left
    out get no gradient, as in PyTorch, rather than 0 * inf = nan)."""
    with np.errstate(invalid="ignore"):
        return np.where(a != 0, a * s, 0).astype(a.dtype, copy=False)


def _pick(x: np.ndarray, safe: np.ndarray, axis: int) -> np.ndarray:
    """x at the target class of every sample (along the class axis)."""
    return np.take_along_axis(x, np.expand_dims(safe, axis), axis=axis).squeeze(axis)


def _reduce(loss: np.ndarray, reduction: str, total: Any) -> np.ndarray:
    if reduction == "none":
        return loss
    s = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return s
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(s / total, dtype=loss.dtype)


def _upstream(g: Any, reduction: str, axis: int, ndim: int) -> Any:
    """The upstream gradient brought to the input's rank (a class axis added for "none")."""
    if reduction == "none" and ndim > 0:
        return g.reshape(g.shape[:axis] + (1,) + g.shape[axis:])
    return g


def _one_hot(shape: tuple, dtype: Any, safe: np.ndarray, values: np.ndarray, axis: int
             ) -> np.ndarray:
    out = np.zeros(shape, dtype=dtype)
    if out.size:
        np.put_along_axis(out, np.expand_dims(safe, axis), np.expand_dims(values, axis), axis)
    return out


class NllLoss(Rule):
    """out = -sum_i w[t_i] x[i, t_i] / sum_i w[t_i]  (mean; "sum" and "none" undivided),
    ignored targets left out;   d out/d x[i, c] = -w[t_i] [c = t_i] / sum w   (linear in x)"""
    name, torch_name, local = "nll_loss", "NllLossBackward0", ("-w[t]/W at t",)

    @staticmethod
    def forward(x, target, weight, ignore_index, reduction, cache):
        axis = _class_axis(x.ndim)
        safe, wt, total = _nll_coefficients(x.shape, x.dtype, target, weight, ignore_index,
                                            reduction)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = wt if reduction != "mean" else _times(wt, dtype_one(x) / total)
        cache[:] = [_one_hot(x.shape, x.dtype, safe, -scale.astype(x.dtype), axis)]
        return _reduce(-_pick(x, safe, axis) * wt, reduction, total)

    grads = (lambda g, out, x, target, weight, ignore_index, reduction, cache:
             _upstream(g, reduction, _class_axis(len(x.shape)), len(x.shape)) * cache[0],)


class CrossEntropy(Rule):
    """Cross-entropy with class-index targets, fused: log_softmax and the weighted
    negative log-likelihood in one node, with label smoothing ε over C classes:

        loss_i = (1-ε) w[t_i] (-logp[i, t_i]) + ε/C sum_c w_c (-logp[i, c])   (0 if ignored)

    divided, for the mean, by the sum of w[t_i] over the targets not ignored (PyTorch's rule).
    With q[i, c] the coefficient of -logp[i, c] in the total and Q_i = sum_c q[i, c]:

        d loss/d x[i, c] = g (Q_i softmax(x)[i, c] - q[i, c])
    """
    name, torch_name, local = "cross_entropy", "NllLossBackward0", ("softmax - onehot",)
    # PyTorch keeps the log-softmax output, not the input: changing x in place afterwards
    # leaves this backward valid (on raw arrays it uses the softmax it cached).
    reads = (frozenset(),)

    @staticmethod
    def forward(x, target, weight, ignore_index, reduction, smoothing, cache):
        axis = _class_axis(x.ndim)
        dtype = x.dtype
        logp = LogSoftmax.forward(x, axis)
        if (x.ndim == 2 and weight is None and smoothing <= 0 and reduction != "none"
                and x.shape[0] and not (target == ignore_index).any()):
            # the common case (a batch of scores, every target counted), in fewer passes
            rows = np.arange(x.shape[0])
            s = dtype.type(1) / dtype.type(x.shape[0]) if reduction == "mean" else dtype.type(1)
            picked = logp[rows, target]
            grad = np.exp(logp)
            grad *= s
            grad[rows, target] -= s
            cache[:] = [grad, None, None]
            total = -picked.sum()
            return np.asarray(total * s if reduction == "mean" else total, dtype=dtype)
        safe, wt, total = _nll_coefficients(x.shape, dtype, target, weight, ignore_index,
                                            reduction)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = dtype.type(1) / total if reduction == "mean" else dtype.type(1)
        nll = -_pick(logp, safe, axis) * wt
        if smoothing <= 0:
            loss = _reduce(nll, reduction, total)
            q = _one_hot(x.shape, dtype, safe, _times(wt, s), axis)
            big_q = np.expand_dims(_times(wt, s), axis)
        else:
            c = x.shape[axis]
            eps = dtype.type(smoothing)
            if weight is None:
                wc: Any = dtype.type(1)
                smooth = -logp.sum(axis=axis)
            else:
                wc = np.asarray(weight, dtype=dtype).reshape(
                    (c,) + (1,) * (x.ndim - axis - 1))
                smooth = -(logp * wc).sum(axis=axis)
            valid = target != ignore_index
            smooth = np.where(valid, smooth, 0).astype(dtype)
            loss = ((1 - eps) * _reduce(nll, reduction, total)
                    + _reduce(smooth, reduction, total) * (eps / c)).astype(dtype)
            vs = np.expand_dims(_times(valid.astype(dtype), s), axis)
            q = (_one_hot(x.shape, dtype, safe, _times((1 - eps) * wt, s), axis)
                 + (eps / c) * wc * vs)
            big_q = np.expand_dims(_times((1 - eps) * wt, s), axis) + (
                (eps / c) * (np.asarray(weight, dtype=dtype).sum() if weight is not None
                             else c) * vs)
        cache[:] = [big_q * np.exp(logp) - q, q, big_q]
        return np.asarray(loss, dtype=dtype)

    @staticmethod
    def _grad(g, out, x, target, weight, ignore_index, reduction, smoothing, cache):
        grad, q, big_q = cache          # grad: the gradient for upstream 1
        ndim = len(x.shape)
        gb = _upstream(g, reduction, _class_axis(ndim), ndim)
        if is_raw(g) and is_raw(x):
            return gb * grad
        if q is None:                   # the fast path's coefficients: s at the targets
            s = 1.0 / x.shape[0] if reduction == "mean" else 1.0
            q = _one_hot(x.shape, grad.dtype, target, np.full(target.shape, s, grad.dtype), 1)
            big_q = np.full((x.shape[0], 1), s, grad.dtype)
        p = Softmax.apply(x, saved=(_class_axis(ndim),))     # gradients of gradients
        return gb * (p * big_q - q)

    grads = (lambda g, out, x, target, weight, ignore_index, reduction, smoothing, cache:
             CrossEntropy._grad(g, out, x, target, weight, ignore_index, reduction, smoothing,
                                cache),)


class CrossEntropyProb(Rule):
    """Cross-entropy with class probabilities as targets (smoothed: t (1-ε) + ε/C):

        loss_i = -sum_c w_c t[i, c] logp[i, c]     (mean: divided by the number of samples)

    d/dx[i, c] = g (softmax[i, c] sum_c' w t[i, c'] - w_c t[i, c]),  d/dt = -g (1-ε) w logp."""
    name, torch_name, local = "cross_entropy", "NegBackward0", ("softmax sum(wt) - wt", "-w logp")

    @staticmethod
    def forward(x, t, weight, reduction, smoothing, cache):
        axis = _class_axis(x.ndim)
        c = x.shape[axis] if x.ndim else 1
        logp = LogSoftmax.forward(x, axis)
        if smoothing > 0:
            t = t * (1 - smoothing) + smoothing / c
        wt = t if weight is None else t * _class_shaped(weight, x.ndim, axis)
        cache[:] = [logp]
        loss = -(logp * wt).sum(axis=axis)
        if reduction == "none":
            return loss.astype(x.dtype)
        total = -(logp * wt).sum()
        if reduction == "sum":
            return np.asarray(total, dtype=x.dtype)
        n = x.size // c if c else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / n if n else np.nan, dtype=x.dtype)

    @staticmethod
    def _scale(x, reduction):
        axis = _class_axis(len(x.shape))
        n = int(np.prod(x.shape)) // (x.shape[axis] if len(x.shape) else 1) if len(x.shape) else 1
        return 1.0 / n if reduction == "mean" and n else 1.0

    @staticmethod
    def _grad_x(g, out, x, t, weight, reduction, smoothing, cache):
        ndim = len(x.shape)
        axis = _class_axis(ndim)
        c = x.shape[axis] if ndim else 1
        if smoothing > 0:
            t = t * (1 - smoothing) + smoothing / c
        wt = t if weight is None else t * _class_shaped(weight, ndim, axis)
        gb = _upstream(g, reduction, axis, ndim) * CrossEntropyProb._scale(x, reduction)
        p = np.exp(cache[0]) if is_raw(x) else Softmax.apply(x, saved=(axis,))
        return gb * (p * _sum(wt, axis) - wt)

    @staticmethod
    def _grad_t(g, out, x, t, weight, reduction, smoothing, cache):
        ndim = len(x.shape)
        axis = _class_axis(ndim)
        logp = cache[0] if is_raw(x) else LogSoftmax.apply(x, saved=(axis,))
        w = -(1 - smoothing) if weight is None else (
            -(1 - smoothing) * _class_shaped(weight, ndim, axis))
        gb = _upstream(g, reduction, axis, ndim) * CrossEntropyProb._scale(x, reduction)
        return gb * w * logp

    grads = (lambda g, out, x, t, weight, reduction, smoothing, cache:
             CrossEntropyProb._grad_x(g, out, x, t, weight, reduction, smoothing, cache),
             lambda g, out, x, t, weight, reduction, smoothing, cache:
             CrossEntropyProb._grad_t(g, out, x, t, weight, reduction, smoothing, cache))
    reads = (frozenset({1}), frozenset())


def _class_shaped(weight: Any, ndim: int, axis: int) -> Any:
    """A per-class weight (C,) shaped to broadcast along the class axis."""
    return weight.reshape((-1,) + (1,) * (ndim - axis - 1)) if ndim > 1 else weight


# ------------------------------------------------------------ normalisation
def _per_channel(v: Any, ndim: int) -> Any:
    """A per-channel vector (C,) shaped (1, C, 1, ...) to broadcast over (N, C, ...)."""
    if isinstance(v, float):
        return v
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _normalise_graph(x: Any, axes: tuple, eps: float) -> tuple:
    """(x - mean) / sqrt(var + eps) over `axes` from differentiable operations (for
    gradients of gradients): the normalised x and 1/sqrt(var + eps)."""
    xc = x - _mean(x, axes)
    rstd = (_mean(xc * xc, axes) + eps) ** -0.5
    return xc * rstd, rstd


def _normalise_vjp(gh: Any, xhat: Any, rstd: Any, axes: tuple) -> Any:
    """d/dx of xhat = (x - mean) rstd for upstream gh (on the normalised values):
    rstd (gh - mean(gh) - xhat mean(gh xhat))."""
    return rstd * (gh - _mean(gh, axes) - xhat * _mean(gh * xhat, axes))


def _param_grad(v: Any, p: Any, per_channel: bool) -> Any:
    """A contribution summed down to the parameter p's shape (None for a constant p): over
    every axis but 1 for a per-channel parameter, over the leading axes otherwise."""
    if isinstance(p, (int, float)):
        return None
    if per_channel:
        return v.sum(axis=(0,) + tuple(range(2, len(v.shape)))).reshape(p.shape)
    lead = len(v.shape) - len(p.shape)
    return v.sum(axis=tuple(range(lead))).reshape(p.shape) if lead else v


def _channel_sums(x2: np.ndarray, C: int, L: int, dtype: Any) -> np.ndarray:
    """Per-channel sums (C,) of x2 (N, C L): over the batch first, then each channel's L."""
    return x2.sum(axis=0, dtype=dtype).reshape(C, L).sum(axis=1, dtype=dtype)


class BatchNorm(Rule):
    """out = (x - mean) / sqrt(var + eps) * w + b per channel (axis 1); in training mean and
    (biased) var are the batch's over every axis but 1, in eval the running statistics.

        d/dx = w rstd (g - mean(g) - xhat mean(g xhat))   (training; eval: w rstd g)
        d/dw = sum(g xhat),  d/db = sum(g)
    """
    name, torch_name, local = "batch_norm", "NativeBatchNormBackward0", ("", "xhat", "1")
    reads = (frozenset({0, 1}),) * 3

    @staticmethod
    def forward(x, w, b, running_mean, running_var, training, eps, cache):
        dtype = x.dtype
        with np.errstate(invalid="ignore", divide="ignore"):
            if training:
                # on the view (N, C L): per-channel sums as a sum over the batch, then over
                # each channel's L numbers; per-channel vectors repeated L times, so that
                # every step runs along whole rows of C L (numpy's reductions over axes
                # (0, 2, 3) and broadcasts of (1, C, 1, 1) walk rows of W)
                N, C = x.shape[:2]
                L = math.prod(x.shape[2:])
                n = N * L if C else 0
                x2 = x.reshape(N, C * L)
                mean1 = _channel_sums(x2, C, L, dtype) / dtype.type(n)
                xc = x2 - np.repeat(mean1, L)
                xc *= xc
                var1 = _channel_sums(xc, C, L, dtype)
                rstd1 = 1 / np.sqrt(var1 / dtype.type(n) + dtype.type(eps))
                alpha1 = rstd1 * (w if isinstance(w, float) else w.reshape(-1))
                beta1 = (b if isinstance(b, float) else b.reshape(-1)) - mean1 * alpha1
                out2 = x2 * np.repeat(alpha1, L)
                out2 += np.repeat(beta1, L)
                cache[:] = [_per_channel(mean1, x.ndim), _per_channel(rstd1, x.ndim),
                            _per_channel(var1, x.ndim)]
                return out2.reshape(x.shape).astype(dtype, copy=False)
            else:
                mean = _per_channel(running_mean.astype(dtype), x.ndim)
                var_sum = None
                rstd = 1 / np.sqrt(_per_channel(running_var.astype(dtype), x.ndim)
                                   + dtype.type(eps))
            alpha = rstd * _per_channel(w, x.ndim)
            beta = _per_channel(b, x.ndim) - mean * alpha
            cache[:] = [mean, rstd, var_sum]
            return (x * alpha + beta).astype(dtype, copy=False)

    @staticmethod
    def vjp(g, out, x, w, b, running_mean, running_var, training, eps, cache):
        ndim = len(x.shape)
        axes = (0,) + tuple(range(2, ndim))
        wb = _per_channel(w, ndim)
        if not (is_raw(g) and is_raw(x) and is_raw(w)):
            if training:
                xhat, rstd = _normalise_graph(x, axes, eps)
                gx = _normalise_vjp(g * wb, xhat, rstd, axes)
            else:
                mean, rstd = cache[0], cache[1]
                xhat = (x - mean) * rstd
                gx = g * wb * rstd
            return [gx, _param_grad(g * xhat, w, True), _param_grad(g, b, True)]
        # on the views (N, C L), per-channel vectors repeated L times (see forward)
        N, C = x.shape[:2]
        L = math.prod(x.shape[2:])
        n = N * L if C else 0
        x2, g2 = x.reshape(N, C * L), g.reshape(N, C * L)
        rstd = cache[1].reshape(-1)
        xc = x2 - np.repeat(cache[0].reshape(-1), L)
        sum_g = _channel_sums(g2, C, L, None)
        dotp = _channel_sums(xc * g2, C, L, None)
        scale = rstd * (w if isinstance(w, float) else w.reshape(-1))        # w rstd
        gx = g2 * np.repeat(scale, L)
        if training:
            # w rstd (g - sum_g / n - xc dotp rstd^2 / n)
            xc *= np.repeat(dotp * rstd * rstd / n * scale, L)
            gx -= xc
            gx -= np.repeat(sum_g / n * scale, L)
        gw = dotp * rstd if not isinstance(w, float) else None
        gb = sum_g if not isinstance(b, float) else None
        return [gx.reshape(x.shape), gw, gb]

    grads = _PerInput(lambda i: lambda g, out, *args: BatchNorm.vjp(g, out, *args)[i])


class LayerNorm(Rule):
    """out = (x - mean) / sqrt(var + eps) * w + b, mean and (biased) var over the last `k`
    axes;   d/dx = rstd (gw - mean(gw) - xhat mean(gw xhat)) with gw = g w,
    d/dw = sum over the batch of g xhat,  d/db = sum of g"""
    name, torch_name, local = "layer_norm", "NativeLayerNormBackward0", ("", "xhat", "1")
    reads = (frozenset({0, 1}),) * 3

    @staticmethod
    def forward(x, w, b, k, eps, cache):
        axes = tuple(range(x.ndim - k, x.ndim))
        dtype = x.dtype
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = x.mean(axis=axes, keepdims=True, dtype=dtype)
            xc = x - mean
            var = (xc * xc).mean(axis=axes, keepdims=True, dtype=dtype)
            rstd = 1 / np.sqrt(np.maximum(var, 0) + dtype.type(eps))
            y = x * rstd + (-rstd * mean)
            if not isinstance(w, float):
                y = y * w
            if not isinstance(b, float):
                y = y + b
        cache[:] = [mean, rstd]
        return y.astype(dtype, copy=False)

    @staticmethod
    def vjp(g, out, x, w, b, k, eps, cache):
        ndim = len(x.shape)
        axes = tuple(range(ndim - k, ndim))
        if not (is_raw(g) and is_raw(x) and is_raw(w)):
            xhat, rstd = _normalise_graph(x, axes, eps)
            gx = _normalise_vjp(g * w, xhat, rstd, axes)
            return [gx, _param_grad(g * xhat, w, False), _param_grad(g, b, False)]
        mean, rstd = cache
        n = int(np.prod(x.shape[ndim - k:]))
        gw = g * w
        ds = (gw * x).sum(axis=axes, keepdims=True)
        db = gw.sum(axis=axes, keepdims=True)
        bb = (db * mean - ds) * rstd * rstd * rstd / n
        cc = -bb * mean - db * rstd / n
        gx = rstd * gw + bb * x + cc
        lead = tuple(range(ndim - k))
        dw = (g * (x * rstd + (-rstd * mean))).sum(axis=lead) if not isinstance(w, float) \
            else None
        dbias = g.sum(axis=lead) if not isinstance(b, float) else None
        return [gx, dw, dbias]

    grads = _PerInput(lambda i: lambda g, out, *args: LayerNorm.vjp(g, out, *args)[i])


class GroupNorm(Rule):
    """out = (x - mean) / sqrt(var + eps) * w_c + b_c, mean and (biased) var per sample and
    group of channels;   the backward of layer norm over each group, weights per channel"""
    name, torch_name, local = "group_norm", "NativeGroupNormBackward0", ("", "xhat", "1")
    reads = (frozenset({0, 1}),) * 3

    @staticmethod
    def forward(x, w, b, groups, eps, cache):
        n, c = x.shape[0], x.shape[1]
        dtype = x.dtype
        xg = x.reshape(n, groups, -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = xg.mean(axis=2, keepdims=True, dtype=dtype)
            xc = xg - mean
            var = (xc * xc).mean(axis=2, keepdims=True, dtype=dtype)
            rstd = 1 / np.sqrt(np.maximum(var, 0) + dtype.type(eps))
        cache[:] = [mean, rstd]
        # per channel: scale = rstd w_c, bias = -scale mean + b_c;  y = x scale + bias
        rs = np.repeat(rstd, c // groups, axis=1)          # (n, c, 1)
        mu = np.repeat(mean, c // groups, axis=1)
        scale = rs * (w.reshape(1, c, 1) if not isinstance(w, float) else w)
        bias = -scale * mu + (b.reshape(1, c, 1) if not isinstance(b, float) else b)
        return (x.reshape(n, c, -1) * scale + bias).reshape(x.shape).astype(dtype, copy=False)

    @staticmethod
    def vjp(g, out, x, w, b, groups, eps, cache):
        ndim = len(x.shape)
        n, c = x.shape[0], x.shape[1]
        wb = _per_channel(w, ndim)
        if not (is_raw(g) and is_raw(x) and is_raw(w)):
            xg = x.reshape((n, groups, -1))
            xhat, rstd = _normalise_graph(xg, (2,), eps)
            gh = (g * wb).reshape((n, groups, -1))
            gx = _normalise_vjp(gh, xhat, rstd, (2,)).reshape(x.shape)
            xhat = xhat.reshape(x.shape)
            return [gx, _param_grad(g * xhat, w, True), _param_grad(g, b, True)]
        mean, rstd = cache                                  # (n, G, 1)
        g3, x3 = g.reshape(n, c, -1), x.reshape(n, c, -1)
        ds = (g3 * x3).sum(axis=2)                          # (n, c)
        db = g3.sum(axis=2)
        w1 = np.ones(c, dtype=x.dtype) if isinstance(w, float) else w
        per = c // groups
        ds_g = (ds * w1).reshape(n, groups, per).sum(axis=2, keepdims=True)   # (n, G, 1)
        db_g = (db * w1).reshape(n, groups, per).sum(axis=2, keepdims=True)
        s = 1.0 / (per * x3.shape[2]) if per * x3.shape[2] else 0.0
        c2 = (db_g * mean - ds_g) * rstd * rstd * rstd * s
        c3 = -c2 * mean - db_g * rstd * s
        rep = functools.partial(np.repeat, repeats=per, axis=1)
        gx = g3 * (rep(rstd) * w1.reshape(1, c, 1)) + x3 * rep(c2) + rep(c3)
        m2, r2 = rep(mean)[..., 0], rep(rstd)[..., 0]       # (n, c)
        dw = ((ds - db * m2) * r2).sum(axis=0) if not isinstance(w, float) else None
        dbias = db.sum(axis=0) if not isinstance(b, float) else None
        return [gx.reshape(x.shape), dw, dbias]

    grads = _PerInput(lambda i: lambda g, out, *args: GroupNorm.vjp(g, out, *args)[i])


# ------------------------------------------------------------ embedding and dropout
class Embedding(Rule):
    """out = weight[indices];   d/d weight: g added into the rows picked (repeats add up),
    nothing into the padding row; with scale_grad_by_freq divided by each index's count"""
    name, torch_name, local = "embedding", "EmbeddingBackward0", ("1 at indices",)

    @staticmethod
    def forward(weight, indices, padding_idx, scale_grad_by_freq):
        return weight[indices]

    @staticmethod
    def _grad(g, weight_shape, indices, padding_idx, scale_grad_by_freq):
        flat = indices.reshape(-1)
        g2 = g.reshape((flat.size, weight_shape[1]))
        if scale_grad_by_freq and flat.size:
            counts = np.bincount(flat, minlength=weight_shape[0])[flat]
            g2 = g2 / counts.reshape(-1, 1).astype(data_of(g).dtype)
        if padding_idx is not None:
            keep = (flat != padding_idx).reshape(-1, 1)
            if not keep.all():
                g2 = where(keep, g2, 0.0)
        if is_raw(g2):
            out = np.zeros(weight_shape, dtype=g2.dtype)
            np.add.at(out, flat, g2)
            return out
        return scatter_add(g2, weight_shape, flat)

    grads = (lambda g, out, weight, indices, padding_idx, scale_grad_by_freq:
             Embedding._grad(g, weight.shape, indices, padding_idx, scale_grad_by_freq),)


class Dropout(Rule):
    """out = x * noise (noise: 0 where dropped, 1/(1-p) where kept, broadcast over whole
    channels for the feature dropouts);   d out/dx = noise"""
    name, torch_name, local = "dropout", "MulBackward0", ("noise",)

    @staticmethod
    def forward(x, noise):
        return x * noise

    grads = (lambda g, out, x, noise: g * noise,)


# ------------------------------------------------------------ pointwise losses
class _PointwiseLoss(Rule):
    """A loss l(a, b) elementwise (a, b broadcast), then reduced ("mean": divided by the
    number of elements n). Subclasses give `elem(a, b, *params)` on arrays and the gradients
    `da(g, a, b, n, *params)`, `db(g, a, b, n, *params)` for the upstream g, on arrays or
    nodes (n: what the mean divides by, None for "sum" and "none"), each put together in
    PyTorch's order (the same bits: `_normed` or `_divided`)."""

    @classmethod
    def elem(cls, a, b, *params):  # pragma: no cover - every loss overrides it
        raise NotImplementedError

    @classmethod
    def forward(cls, a, b, reduction, *params):
        with np.errstate(all="ignore"):
            loss = cls.elem(a, b, *params)
            if reduction == "none":
                return loss
            if reduction == "sum":
                return loss.sum()
            return np.asarray(loss.sum() / loss.size if loss.size else np.nan, dtype=loss.dtype)

    @staticmethod
    def _count(a, b, reduction):
        """n for the mean (None otherwise, and for an empty loss: nothing to divide)."""
        if reduction != "mean":
            return None
        n = int(np.prod(np.broadcast_shapes(tuple(a.shape), tuple(np.shape(data_of(b))))))
        return n or None

    @staticmethod
    def _normed(local, g, n):
        """(local * 1/n) * g: the mean's 1/n taken into the local derivative, then the upstream."""
        return (local if n is None else local * (1.0 / n)) * g

    @staticmethod
    def _divided(d, n, weight=None):
        """(d * weight) / n: the weight multiplied in, then the count divided out last."""
        if weight is not None:
            d = d * weight
        return d if n is None else d / n


def _pointwise_grads(cls_name: str) -> tuple:
    def ga(g, out, a, b, reduction, *params):
        with np.errstate(all="ignore"):
            return _LOSSES[cls_name].da(g, a, b, _PointwiseLoss._count(a, b, reduction), *params)

    def gb(g, out, a, b, reduction, *params):
        with np.errstate(all="ignore"):
            return _LOSSES[cls_name].db(g, a, b, _PointwiseLoss._count(a, b, reduction), *params)
    return ga, gb


class HuberLoss(_PointwiseLoss):
    """l = d^2/2 for |d| < δ, else δ (|d| - δ/2), d = a - b;   dl/dd = clamp(d, -δ, δ)"""
    name, torch_name, local = "huber_loss", "HuberLossBackward0", ("clamp(d, -δ, δ)", "-")
    reads = (frozenset({0, 1}),) * 2

    @classmethod
    def elem(cls, a, b, delta):
        d = a - b
        z = np.abs(d)
        return np.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta)).astype(d.dtype)

    @staticmethod
    def da(g, a, b, n, delta):
        return _PointwiseLoss._normed(Clamp.apply(a - b, saved=(-delta, delta)), g, n)

    @staticmethod
    def db(g, a, b, n, delta):
        return -HuberLoss.da(g, a, b, n, delta)

    grads = _pointwise_grads("HuberLoss")


class SmoothL1Loss(_PointwiseLoss):
    """l = d^2/(2β) for |d| < β, else |d| - β/2;   dl/dd = clamp(d/β, -1, 1)  (β = 0: sign d)"""
    name, torch_name, local = "smooth_l1_loss", "SmoothL1LossBackward0", ("clamp(d/β)", "-")
    reads = (frozenset({0, 1}),) * 2

    @classmethod
    def elem(cls, a, b, beta):
        d = a - b
        z = np.abs(d)
        if beta == 0:
            return z
        return np.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta).astype(d.dtype)

    @staticmethod
    def _d(a, b, beta):
        d = a - b
        raw = data_of(d)
        if beta == 0:
            return where(raw > 0, 1.0, where(raw < 0, -1.0, 0.0 * d))
        return where(raw <= -beta, -1.0, where(raw >= beta, 1.0, d / beta))

    @staticmethod
    def da(g, a, b, n, beta):
        return _PointwiseLoss._normed(SmoothL1Loss._d(a, b, beta), g, n)

    @staticmethod
    def db(g, a, b, n, beta):
        return -SmoothL1Loss.da(g, a, b, n, beta)

    grads = _pointwise_grads("SmoothL1Loss")


# PyTorch's floor of x (1 - x) in the derivative: 1e-12 as a float32 constant, widened
_BCE_EPS = float(np.float32(1e-12))


class BCELoss(_PointwiseLoss):
    """l = -w (t max(log x, -100) + (1 - t) max(log(1 - x), -100));
    dl/dx = w (x - t) / max(x (1 - x), 1e-12),  dl/dt = -w log(x / (1 - x))  (PyTorch's)"""
    name, torch_name, local = "binary_cross_entropy", "BinaryCrossEntropyBackward0", (
        "w(x-t)/(x(1-x))", "-w logit(x)")
    reads = (frozenset({0, 1}), frozenset({0}))

    @classmethod
    def elem(cls, x, t, weight):
        loss = (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)
        return loss if weight is None else loss * weight

    @staticmethod
    def da(g, x, t, n, weight):
        d = g * (x - t) / Clamp.apply((1 - x) * x, saved=(_BCE_EPS, None))
        return _PointwiseLoss._divided(d, n, weight)

    @staticmethod
    def db(g, x, t, n, weight):
        d = -Log.apply(x / (1 - x)) * g
        return _PointwiseLoss._divided(d, n, weight)

    grads = _pointwise_grads("BCELoss")


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = min(x, 0) - log1p(e^-|x|) (no overflow)."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


class BCEWithLogitsLoss(_PointwiseLoss):
    """l = w ((1 - t) x - (1 + (pw - 1) t) log σ(x))   (pw: pos_weight; the stable form);
    dl/dx = w ((1 + pw t - t) σ(x) - pw t),   dl/dt = w (log σ(-x) - pw log σ(x))"""
    name, torch_name, local = "binary_cross_entropy_with_logits", \
        "BinaryCrossEntropyWithLogitsBackward0", ("w(σ(x)(1+(pw-1)t) - pw t)", "-w x")
    reads = (frozenset({0, 1}), frozenset({0}))

    @classmethod
    def elem(cls, x, t, weight, pos_weight):
        ls = _log_sigmoid(x)
        if pos_weight is not None:
            ls = ls * ((pos_weight - 1) * t + 1)
        loss = (1 - t) * x - ls
        return loss if weight is None else loss * weight

    @staticmethod
    def da(g, x, t, n, weight, pos_weight):
        s = Sigmoid.apply(x)
        if pos_weight is None:
            d = (s - t) * g
        else:
            pt = pos_weight * t
            d = ((pt + 1 - t) * s - pt) * g
        return _PointwiseLoss._divided(d, n, weight)

    @staticmethod
    def db(g, x, t, n, weight, pos_weight):
        if pos_weight is None:
            d = -x * g
        else:
            d = (_ls_node(-x) - _ls_node(x) * pos_weight) * g
        return _PointwiseLoss._divided(d, n, weight)

    grads = _pointwise_grads("BCEWithLogitsLoss")


def _ls_node(x: Any) -> Any:
    """log σ(x) on arrays or nodes."""
    if is_raw(x):
        return _log_sigmoid(x)
    return Sigmoid.apply(x).log()


class KLDivLoss(_PointwiseLoss):
    """l = t (log t - x)  (xlogy: 0 where t = 0), or with log_target e^t (t - x);
    dl/dx = -t (or -e^t),  dl/dt = log t + 1 - x (or e^t (t - x + 1))"""
    name, torch_name, local = "kl_div", "MeanBackward0", ("-t", "log t + 1 - x")
    reads = (frozenset({1}), frozenset({0, 1}))

    @classmethod
    def elem(cls, x, t, log_target):
        if log_target:
            return np.exp(t) * (t - x)
        xlogy = np.where(t == 0, 0, t * np.log(np.where(t == 0, 1, t)))
        return (xlogy - t * x).astype(np.result_type(x, t))

    @staticmethod
    def da(g, x, t, n, log_target):
        return _PointwiseLoss._divided(g, n) * (-Exp.apply(t) if log_target else -t)

    @staticmethod
    def db(g, x, t, n, log_target):
        if log_target:
            e = Exp.apply(t)
            return _PointwiseLoss._divided(g, n) * (e * (t - x) + e)
        raw = data_of(t)
        safe = where(raw == 0, 1.0, t)
        return _PointwiseLoss._divided(g, n) * (where(raw == 0, 0.0, Log.apply(safe)) + t / t - x)

    grads = _pointwise_grads("KLDivLoss")


_LOSSES: dict[str, type[_PointwiseLoss]] = {
    "HuberLoss": HuberLoss, "SmoothL1Loss": SmoothL1Loss, "BCELoss": BCELoss,
    "BCEWithLogitsLoss": BCEWithLogitsLoss, "KLDivLoss": KLDivLoss}
