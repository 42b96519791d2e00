"""autograd: reverse-mode automatic differentiation you can read.

`Value` is a scalar that records the graph it was computed by (micrograd-style);
`Tensor` is its numpy-backed n-dimensional sibling (PyTorch-style). Both are driven
by one engine (`engine.py`) and one table of derivative rules (`rules.py`).
"""
from .engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .rules import abs_ as abs
from .rules import exp, log, pow_ as pow, relu, sigmoid, sqrt, tanh
from .value import Value

__version__ = "0.1.0"

__all__ = ["Value", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "pow",
           "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]
