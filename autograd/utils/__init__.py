"""Utilities beside the core: `autograd.utils.data` is PyTorch's `torch.utils.data`."""
from . import data

__all__ = ["data"]
