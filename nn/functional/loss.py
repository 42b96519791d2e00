"""Loss functions (`nn.functional.mse_loss`, ...), PyTorch's names, arguments and `reduction`s.

    cross_entropy = -log_softmax(x)[target], averaged over the batch (one fused node)
    nll_loss      = -x[target] (x: log-probabilities)
    binary_cross_entropy(_with_logits), huber_loss, smooth_l1_loss, kl_div: one node each
    margin_ranking_loss, hinge_embedding_loss: composed of tensor operations, as in PyTorch

The rules behind the fused ones are in `autograd/layer_rules.py`.
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, as_tensor
from autograd import layer_rules as L
from autograd.dtypes import ShapeError
from autograd.functions import mse_loss as _fused_mse

__all__ = ["mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "huber_loss", "smooth_l1_loss", "kl_div",
           "margin_ranking_loss", "hinge_embedding_loss", "check_reduction"]

_REDUCTIONS = ("mean", "sum", "none")
# nn's own folder: a warning points at the first frame outside it (the user's line)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def check_reduction(op: str, reduction: str) -> None:
    """A loss's `reduction` must be "mean", "sum" or "none"."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _user_stacklevel() -> int:
    """The `stacklevel` for a warning raised by our caller that points at the first line
    outside this package (the user's `loss = loss_fn(output, y)`), not at nn's insides."""
    frame: Any = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _check_pair(op: str, input: Tensor, target: Any, reduction: str) -> Tensor:
    check_reduction(op, reduction)
    target = as_tensor(target)
    if input.shape != target.shape:
        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{op}: input of shape {input.shape} and target of shape "
                             f"{target.shape} cannot be broadcast together") from None
        warnings.warn(
            f"{op}: input shape {input.shape} differs from target shape {target.shape}; they "
            f"broadcast to {shape}, so every prediction is compared with every target. This "
            "is almost always a bug: make the shapes equal (for example y_pred.squeeze(1) or "
            "y.reshape(-1, 1)).", UserWarning, stacklevel=_user_stacklevel())
    return target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2) (or "sum", or "none" for the elementwise squares)."""
    target = _check_pair("mse_loss", input, target, reduction)
    return _fused_mse(input, target, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """mean(|input - target|); the derivative at a tie (input == target) is 0."""
    target = _check_pair("l1_loss", input, target, reduction)
    err = (input - target).abs()
    if reduction == "none":
        return err
    return err.mean() if reduction == "mean" else err.sum()


def _legacy(reduction: str, size_average: Any, reduce: Any) -> str:
    """PyTorch's deprecated size_average/reduce pair as a `reduction`."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _raw_of(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Tensor) else x)


def _class_weight(op: str, weight: Any, classes: int, dtype: Any) -> np.ndarray | None:
    if weight is None:
        return None
    w = _raw_of(weight)
    if w.shape != (classes,):
        raise ShapeError(f"{op}: weight should hold one value per class ({classes}), got a "
                         f"weight of shape {w.shape}")
    return w.astype(dtype, copy=False)


def _class_targets(op: str, input: Tensor, t: np.ndarray, ignore_index: int) -> None:
    """Checks of class-index targets: shape (N, d1, ...) for input (N, C, d1, ...) (or a
    single index for input (C,)), every index in [0, C) or equal to ignore_index."""
    if input.ndim == 0:
        raise ShapeError(f"{op}: input must have a class dimension, got a 0-d input")
    axis = 1 if input.ndim >= 2 else 0
    expected = input.shape[:axis] + input.shape[axis + 1:]
    if t.shape != expected:
        raise ShapeError(f"{op}: expected a target of shape {expected} for an input of shape "
                         f"{input.shape} (classes along dim {axis}), got target {t.shape}")
    classes = input.shape[axis]
    if t.size == 0 or (t.min() >= 0 and t.max() < classes):
        return
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(f"{op}: target indices must lie in [0, {classes}) (or equal "
                         f"ignore_index={ignore_index}), got {t[bad].reshape(-1)[0]}")


def nll_loss(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-w[t_i] input[i, t_i] (input: log-probabilities (N, C, d1, ...) or (C,)); the mean
    divides by the sum of w[t_i] over the targets not equal to ignore_index."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("nll_loss", reduction)
    t = _raw_of(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got dtype {t.dtype}")
    _class_targets("nll_loss", input, t, ignore_index)
    w = _class_weight("nll_loss", weight, input.shape[1 if input.ndim >= 2 else 0], input.dtype)
    rule = L.variant(L.NllLoss, _nll_name(input.ndim, reduction))
    return rule.apply(input, saved=(t, w, ignore_index, reduction, []))


def _nll_name(ndim: int, reduction: str) -> str:
    """PyTorch's backward node of the negative log-likelihood: its 2-d kernel beyond
    (N, C), reached through a view unless the input is (N, C, H, W) or reduced."""
    if ndim <= 2:
        return "NllLossBackward0"
    return "ViewBackward0" if reduction == "none" and ndim != 4 else "NllLoss2DBackward0"


def cross_entropy(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """-log softmax(input)[target] as one fused node: input (N, C, d1, ...) scores (or (C,)),
    target class indices (N, d1, ...) or class probabilities of the input's shape.

    weight (C,) weighs each class; targets equal to ignore_index count for nothing; the
    weighted mean divides by the sum of the weights of the counted targets (PyTorch's rule).
    label_smoothing ε mixes the target with the uniform distribution: (1-ε) onehot + ε/C."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    if not isinstance(input, Tensor):
        raise TypeError(f"cross_entropy: input must be a Tensor, got {type(input).__name__}")
    if input.ndim == 0:
        raise ShapeError("cross_entropy: input must have a class dimension, got a 0-d input")
    classes = input.shape[1 if input.ndim >= 2 else 0]
    w = _class_weight("cross_entropy", weight, classes, input.dtype)
    t = _raw_of(target)
    smoothing = float(label_smoothing)
    if t.dtype.kind == "f" and t.shape == input.shape:
        rule = L.CrossEntropyProb if reduction != "mean" else L.variant(
            L.CrossEntropyProb, "DivBackward1")
        tt = target if isinstance(target, Tensor) else as_tensor(t.astype(input.dtype))
        if tt.dtype != input.dtype:
            tt = tt.to(input.dtype)
        return rule.apply(input, tt, saved=(w, reduction, smoothing, []))
    if t.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: target must hold integer class indices (shape "
                        f"{input.shape[:1] + input.shape[2:]}) or class probabilities (the "
                        f"input's shape {input.shape}), got dtype {t.dtype} and shape {t.shape}")
    _class_targets("cross_entropy", input, t, ignore_index)
    rule = L.variant(L.CrossEntropy, _nll_name(input.ndim, reduction) if smoothing <= 0
                     else "AddBackward0")
    return rule.apply(input, saved=(t, w, ignore_index, reduction, smoothing, []))


def _same_shape(op: str, input: Tensor, target: Any) -> Tensor:
    """The target as a tensor of the input's dtype; shapes that differ but broadcast warn
    (as PyTorch), shapes that do not broadcast are an error."""
    if not isinstance(target, Tensor):
        target = as_tensor(np.asarray(target, dtype=input.dtype))
    elif target.dtype != input.dtype and target.dtype.kind != "f":
        target = target.to(input.dtype)
    if input.shape != target.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ShapeError(f"{op}: input of shape {input.shape} and target of shape "
                             f"{target.shape} cannot be broadcast together") from None
        warnings.warn(f"{op}: using a target size ({target.shape}) that is different to the "
                      f"input size ({input.shape}); this will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=_user_stacklevel())
    return target


def _elementwise_weight(op: str, weight: Any, shape: tuple, dtype: Any) -> np.ndarray | None:
    if weight is None:
        return None
    w = _raw_of(weight).astype(dtype, copy=False)
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ShapeError(f"{op}: weight of shape {w.shape} does not broadcast to the input's "
                         f"shape {shape}") from None
    return w


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)), each log clamped at -100 (as PyTorch: a
    prediction of exactly 0 or 1 gives a finite loss); input x in [0, 1]."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("binary_cross_entropy", reduction)
    target = _same_shape("binary_cross_entropy", input, target)
    if target.shape != input.shape:
        raise ShapeError(f"binary_cross_entropy: target of shape {target.shape} must have the "
                         f"input's shape {input.shape}")
    x = input._data
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 "
                           f"and 1, got values from {np.nanmin(x)} to {np.nanmax(x)}")
    w = _elementwise_weight("binary_cross_entropy", weight, input.shape, input.dtype)
    return L.BCELoss.apply(input, target, saved=(reduction, w))


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """binary_cross_entropy(sigmoid(x), t) in the stable form
    w ((1 - t) x - (1 + (pos_weight - 1) t) log σ(x)), log σ(x) = min(x, 0) - log1p(e^-|x|)."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("binary_cross_entropy_with_logits", reduction)
    target = as_tensor(target) if not isinstance(target, Tensor) else target
    if target.shape != input.shape:
        raise ShapeError(f"binary_cross_entropy_with_logits: target size ({target.shape}) must "
                         f"be the same as input size ({input.shape})")
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    op = "binary_cross_entropy_with_logits"
    w = _elementwise_weight(op, weight, input.shape, input.dtype)
    pw = _elementwise_weight(op, pos_weight, input.shape, input.dtype)
    return L.BCEWithLogitsLoss.apply(input, target, saved=(reduction, w, pw))


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0
               ) -> Tensor:
    """d^2/2 where |d| < delta, else delta (|d| - delta/2), d = input - target."""
    check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _same_shape("huber_loss", input, target)
    return L.HuberLoss.apply(input, target, saved=(reduction, float(delta)))


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """d^2/(2 beta) where |d| < beta, else |d| - beta/2 (beta = 0: |d|), d = input - target."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    target = _same_shape("smooth_l1_loss", input, target)
    return L.SmoothL1Loss.apply(input, target, saved=(reduction, float(beta)))


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """target (log target - input) elementwise (input: log-probabilities; 0 where target is
    0), or with log_target e^target (target - input). reduction "batchmean" divides the sum
    by the batch size (the KL divergence); "mean" by the number of elements (and warns, as
    PyTorch)."""
    reduction = _legacy(reduction, size_average, reduce)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got "
                         f"{reduction!r}")
    if reduction == "mean":
        warnings.warn("kl_div: reduction 'mean' divides the total loss by both the batch size "
                      "and the support size; 'batchmean' divides only by the batch size, as "
                      "the KL divergence's definition does", UserWarning,
                      stacklevel=_user_stacklevel())
    target = _same_shape("kl_div", input, target)
    if reduction == "batchmean":
        out = L.variant(L.KLDivLoss, "SumBackward0").apply(
            input, target, saved=("sum", bool(log_target)))
        return out / input.shape[0] if input.ndim else out
    names = {"mean": "MeanBackward0", "sum": "SumBackward0",
             "none": "MulBackward0" if log_target else "SubBackward0"}
    return L.variant(L.KLDivLoss, names[reduction]).apply(
        input, target, saved=(reduction, bool(log_target)))


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target (input1 - input2) + margin), target in {1, -1}."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("margin_ranking_loss", reduction)
    t = as_tensor(target)
    if not (input1.ndim == input2.ndim == t.ndim):
        raise ShapeError(f"margin_ranking_loss: input1, input2 and target must have the same "
                         f"number of dimensions, got shapes {input1.shape}, {input2.shape} and "
                         f"{t.shape}")
    return _reduced((-t * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """input where target = 1, max(0, margin - input) where target = -1."""
    reduction = _legacy(reduction, size_average, reduce)
    check_reduction("hinge_embedding_loss", reduction)
    t = _raw_of(target)
    zeros = autograd.zeros_like(input)
    margin_part = autograd.where(autograd.tensor(t != 1), (margin - input).clamp(min=0), zeros)
    self_part = autograd.where(autograd.tensor(t != -1), input, zeros)
    return _reduced(margin_part + self_part, reduction)
