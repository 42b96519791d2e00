"""autograd: reverse-mode automatic differentiation you can read.

`Value` is a scalar that records the graph it was computed by (micrograd-style);
`Tensor` is its numpy-backed n-dimensional sibling (PyTorch-style). Both are driven
by one engine (`engine.py`) and one table of derivative rules (`rules.py`,
`tensor_rules.py`). The tools sit in folders of their own: `checking/` (gradcheck,
hypothesis strategies), `diagrams/` (Graphviz pictures, step pages, the chain-rule
table) and `cli/` (`python -m autograd draw ...`).
"""
from . import (
    _malloc,  # noqa: F401  (glibc: keep freed array memory between steps)
    cuda,
    functional,
    functions,
    linalg,
    utils,
)
from .checking import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .compile import compile, explain
from .creation import (
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .diagrams import (
    ChainRuleRow,
    ChainRuleTerm,
    chain_rule_table,
    draw_graph,
    format_chain_rule_table,
    sigmoid_circuit,
)
from .dtypes import (
    bool_,
    cdouble,
    cfloat,
    complex64,
    complex128,
    device,
    double,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    short,
    uint8,
)
from .engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .function import Function, FunctionCtx
from .functions import *  # noqa: F403  (autograd.exp, autograd.cat, ...: see functions.__all__)
from .gradients import grad
from .printing import get_printoptions, set_printoptions
from .random import Generator, default_generator, generator, initial_seed, manual_seed, seed
from .rules import Rule
from .tensor import GradFn, Tensor, as_tensor
from .value import Value, lincomb, zero_grad

__version__ = "0.1.0"

__all__ = ["Value", "lincomb", "zero_grad", "Tensor", "GradFn", "Function", "FunctionCtx",
           "Rule", "tensor", "as_tensor", "zeros", "ones", "zeros_like", "ones_like", "full",
           "randn", "rand", "arange", "linspace", "eye", "from_numpy", "manual_seed",
           "generator", "float32", "float64", "int64", "bool_", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "grad", "functional", "utils", "draw_graph",
           "gradcheck", "gradgradcheck", "numerical_grad", "GradcheckError", "chain_rule_table",
           "format_chain_rule_table", "ChainRuleRow", "ChainRuleTerm", "sigmoid_circuit",
           "empty", "empty_like", "full_like", "logspace", "randint", "randperm", "rand_like",
           "randn_like", "randint_like", "normal", "bernoulli", "multinomial", "get_rng_state",
           "set_rng_state", "Generator", "default_generator", "seed", "initial_seed",
           "cuda", "device", "float16", "half", "double", "int8", "int16", "short", "int32",
           "long", "uint8", "complex64", "complex128", "cfloat", "cdouble", "get_default_dtype",
           "promote_types", "result_type", "set_printoptions", "get_printoptions", "linalg",
           "compile", "explain"]
__all__ += functions.__all__


def __getattr__(name: str) -> object:
    # `autograd.testing` needs hypothesis (a dev dependency): loaded on first use only.
    if name == "testing":
        import importlib
        return importlib.import_module(".testing", __name__)
    if name in ("nn", "optim"):
        where = "nn" if name == "nn" else "nn.optim"
        raise AttributeError(
            f"module 'autograd' has no attribute {name!r}: chalkgrad's {where} is the package "
            f"`{where}` of its own (`import nn`, then nn.Linear, nn.optim.SGD). After renaming "
            f"torch. to autograd., rename autograd.{name} to {where}.")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
