"""Dropout layers (`Dropout`, `Dropout1d`, `Dropout2d`): the identity in eval mode; in
training, elements (or whole channels) zeroed with probability p and the rest scaled by
1/(1-p). Masks from `autograd.generator()`, so `autograd.manual_seed` makes runs repeat."""
from __future__ import annotations

from autograd import Tensor

from .functional.dropout import alpha_dropout, dropout, dropout1d, dropout2d
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "AlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Each element zeroed with probability p in training, the rest scaled by 1/(1-p)."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Whole channels of (N, C, L) or (C, L) inputs zeroed with probability p in training."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Whole channels of (N, C, H, W) or (C, H, W) inputs zeroed with probability p."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped units take SELU's saturation value and the result
    is rescaled so that mean and variance stay those of the input (training only)."""

    def forward(self, input: Tensor) -> Tensor:
        return alpha_dropout(input, self.p, self.training, self.inplace)
