"""`autograd.linalg`: norms, as `torch.linalg`.

    vector_norm(x, ord)  = (sum_i |x_i|^ord)^(1/ord)      (inf: max |x_i|, -inf: min, 0: count)
    matrix_norm(A, "fro") = sqrt(sum_ij A_ij^2),  matrix_norm(A, 1) = max column sum of |A|
"""
from __future__ import annotations

from typing import Any

from .tensor import Tensor, _dims, _vector_norm, as_tensor

__all__ = ["vector_norm", "norm", "matrix_norm"]


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The vector ord-norm over `dim` (all elements, flattened, when None). The gradient
    at a zero norm is 0, as PyTorch."""
    if isinstance(ord, str):
        raise ValueError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return _vector_norm(as_tensor(x), float(ord), dim, keepdim, dtype, "linalg.vector_norm")


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The matrix norm over the two dims `dim`: "fro" (Frobenius), 1 / -1 (largest / smallest
    column sum of |A|), inf / -inf (largest / smallest row sum of |A|)."""
    a = as_tensor(A)
    if a.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: expected a tensor with at least 2 dims, got "
                           f"shape {a.shape}")
    d = _dims(dim, a.ndim, "linalg.matrix_norm")
    if d is None or len(d) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must name two dimensions, got {dim}")
    d0, d1 = dim[0] % a.ndim, dim[1] % a.ndim
    if ord == "fro":
        return _vector_norm(a, 2.0, (d0, d1), keepdim, dtype, "linalg.matrix_norm")
    if ord in (1, -1, float("inf"), -float("inf")):
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = a.abs().sum(dim=summed, keepdim=True)
        pick = sums.amax(dim=other, keepdim=True) if ord > 0 else sums.amin(dim=other,
                                                                            keepdim=True)
        return pick if keepdim else pick.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    raise ValueError(f"linalg.matrix_norm: ord must be 'fro', 1, -1, inf or -inf (the spectral "
                     f"and nuclear norms need an SVD), got {ord!r}")


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """torch.linalg.norm: with ord=None the 2-norm of the flattened tensor (dim None) or
    over `dim`; a matrix norm when ord is given for a 2-d tensor or when dim names two dims."""
    a = as_tensor(A)
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return _vector_norm(a, 2.0, dim, keepdim, dtype, "linalg.norm")
    if (dim is not None and len(dim) == 2) or (dim is None and a.ndim == 2):
        return matrix_norm(a, ord, (-2, -1) if dim is None else tuple(dim), keepdim,
                           dtype=dtype)
    if dim is None and a.ndim != 1:
        raise RuntimeError(f"linalg.norm: with ord={ord!r} the input must be 1-d or 2-d "
                           f"(got shape {a.shape}); pass dim")
    if isinstance(ord, str):
        raise ValueError(f"linalg.norm: ord {ord!r} is for matrices; this is a vector norm")
    return _vector_norm(a, float(ord), dim, keepdim, dtype, "linalg.norm")
