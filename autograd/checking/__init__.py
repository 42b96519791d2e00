"""Checking gradients: `gradcheck` and `gradgradcheck` compare backward()'s derivatives with
central differences; `autograd.testing` (this folder's `testing.py`, which needs hypothesis)
has property-test strategies built on them."""
from .gradcheck import (
    GradcheckError,
    Mismatch,
    analytic_grad,
    gradcheck,
    gradgradcheck,
    numerical_grad,
)

__all__ = ["gradcheck", "gradgradcheck", "numerical_grad", "analytic_grad", "GradcheckError",
           "Mismatch"]
