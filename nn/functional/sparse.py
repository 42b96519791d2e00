"""Embedding lookup (`nn.functional.embedding`), PyTorch's arguments: one fused node
(`autograd/layer_rules.py`) whose gradient adds the upstream rows into the rows looked up."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd import layer_rules as L
from autograd.dtypes import ShapeError

__all__ = ["embedding"]


def _padding(padding_idx: int | None, num: int) -> int | None:
    if padding_idx is None:
        return None
    if not -num <= padding_idx < num:
        raise ValueError(f"embedding: padding_idx must be within num_embeddings ({num}), got "
                         f"{padding_idx}")
    return padding_idx % num


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """weight[input]: the rows of weight (num_embeddings, embedding_dim) at the integer
    indices `input` (any shape), giving input.shape + (embedding_dim,).

    padding_idx: that row's gradient is zero. max_norm: rows looked up whose norm_type-norm
    exceeds max_norm are first scaled in place to norm max_norm (as PyTorch). sparse
    gradients are not supported."""
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported")
    idx = np.asarray(input._data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected integer indices (int64 or int32), got dtype "
                        f"{idx.dtype}")
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx[(idx < 0) | (idx >= num)].reshape(-1)[0]
        raise IndexError(f"embedding: index {bad} is out of range for {num} embeddings")
    pad = _padding(padding_idx, num)
    if max_norm is not None:
        _renorm(weight, idx, float(max_norm), float(norm_type))
    return L.Embedding.apply(weight, saved=(idx.astype(np.int64, copy=False), pad,
                                            bool(scale_grad_by_freq)))


def _renorm(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rows of weight at idx with norm above max_norm scaled to max_norm, in place."""
    rows = np.unique(idx)
    if rows.size == 0:
        return
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = max_norm / (norms[big] + 1e-7)
        with autograd.no_grad():
            new = w.copy()
            new[rows[big]] *= scale.reshape(-1, 1).astype(w.dtype)
            weight.copy_(autograd.as_tensor(new))
