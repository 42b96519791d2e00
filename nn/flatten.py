"""`Flatten` and `Unflatten`: reshapes between a CNN's feature maps and its dense layers."""
from __future__ import annotations

import math
from typing import Any

from autograd import Tensor

from .module import Module

__all__ = ["Flatten", "Unflatten"]


def _dim(d: int, ndim: int, what: str) -> int:
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {d}) ({what})")
    return d % n


class Flatten(Module):
    """Axes start_dim .. end_dim merged into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        s = _dim(self.start_dim, len(shape), "start_dim")
        e = _dim(self.end_dim, len(shape), "end_dim")
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after "
                               f"end_dim (start_dim={self.start_dim}, end_dim={self.end_dim})")
        if not shape:
            return input.reshape(1)
        return input.reshape(*shape[:s], math.prod(shape[s:e + 1]), *shape[e + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Axis `dim` split into `unflattened_size` (one entry may be -1):
    (N, 784) -> (N, 1, 28, 28)."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(v, int) for v in unflattened_size):
            raise TypeError("unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        d = _dim(self.dim, len(shape), "dim")
        sizes = list(self.unflattened_size)
        known = math.prod(v for v in sizes if v != -1)
        if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != shape[d]) or (
                sizes.count(-1) == 1 and (known == 0 or shape[d] % known)):
            raise RuntimeError(f"unflatten: provided sizes {tuple(sizes)} don't multiply up to "
                               f"the size of dim {self.dim} ({shape[d]}) in the input tensor")
        return input.reshape(*shape[:d], *sizes, *shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
