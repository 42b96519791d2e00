"""autograd: reverse-mode automatic differentiation you can read.

`Value` is a scalar that records the graph it was computed by (micrograd-style);
`Tensor` is its numpy-backed n-dimensional sibling (PyTorch-style). Both are driven
by one engine (`engine.py`) and one table of derivative rules (`rules.py`,
`tensor_rules.py`).
"""
from . import _malloc  # noqa: F401  (glibc: keep freed array memory between steps)
from .creation import (
    arange,
    bool_,
    eye,
    float32,
    float64,
    from_numpy,
    full,
    generator,
    int64,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .rules import abs_ as abs
from .rules import exp, log, relu, sigmoid, sqrt, tanh
from .rules import pow_ as pow
from .tensor import GradFn, Tensor
from .tensor_ops import (
    add,
    cat,
    clamp,
    div,
    dot,
    linear,
    matmul,
    maximum,
    minimum,
    mm,
    mul,
    mv,
    stack,
    sub,
    where,
)
from .value import Value, lincomb

__version__ = "0.1.0"


def _method(name: str):
    def f(t, *args, **kwargs):
        return getattr(t, name)(*args, **kwargs)
    f.__name__ = name
    f.__doc__ = f"autograd.{name}(t, ...) is t.{name}(...)"
    return f


sum, mean, max, min = _method("sum"), _method("mean"), _method("max"), _method("min")
reshape, transpose, permute = _method("reshape"), _method("transpose"), _method("permute")
squeeze, unsqueeze, flatten = _method("squeeze"), _method("unsqueeze"), _method("flatten")
clip = clamp

__all__ = ["Value", "lincomb", "Tensor", "GradFn", "tensor", "zeros", "ones", "zeros_like",
           "ones_like",
           "full", "randn", "rand", "arange", "linspace", "eye", "from_numpy", "manual_seed",
           "generator", "float32", "float64", "int64", "bool_",
           "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "pow",
           "add", "sub", "mul", "div", "matmul", "mv", "mm", "dot", "linear", "maximum",
           "minimum", "clamp", "clip", "where", "cat", "stack", "sum", "mean", "max", "min",
           "reshape", "transpose", "permute", "squeeze", "unsqueeze", "flatten",
           "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

from . import functional  # noqa: E402
from .gradients import grad  # noqa: E402

__all__ += ["grad", "functional"]

from .graphviz import draw_graph  # noqa: E402

__all__ += ["draw_graph"]

from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad  # noqa: E402

__all__ += ["gradcheck", "gradgradcheck", "numerical_grad", "GradcheckError"]


def __getattr__(name: str):
    # `autograd.testing` needs hypothesis (a dev dependency): loaded on first use only.
    if name == "testing":
        import importlib
        return importlib.import_module(".testing", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

from .walkthrough import (ChainRuleRow, ChainRuleTerm, chain_rule_table,  # noqa: E402, I001
                          format_chain_rule_table, sigmoid_circuit)

__all__ += ["chain_rule_table", "format_chain_rule_table", "ChainRuleRow", "ChainRuleTerm",
            "sigmoid_circuit"]
