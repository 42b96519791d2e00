"""`autograd.cuda`, as `torch.cuda` for code that asks: there is no GPU backend yet, so
`is_available()` is False and `device_count()` is 0; `device = "cuda" if
autograd.cuda.is_available() else "cpu"` picks the CPU."""
from __future__ import annotations

__all__ = ["is_available", "device_count"]


def is_available() -> bool:
    """False: chalkgrad computes on the CPU only."""
    return False


def device_count() -> int:
    """0: no GPU is used."""
    return 0
