"""The derivative table: one `Rule` per primitive, forward and backward side by side.

Every rule is written once and used by both `Value` (Python floats) and `Tensor`
(numpy arrays). `forward(*inputs, *saved)` computes the result on raw data.
`grads[i](g, out, *inputs, *saved)` is the vector-Jacobian product for input i:
given the upstream gradient g = dL/d(out), it returns dL/d(input i). The engine
calls only the formulas of inputs that need a gradient, so a constant exponent
never asks for log(base).

The formulas use only arithmetic and the functions at the end of this file, which
accept raw numbers, arrays or graph nodes. That is what lets the same formula run on
raw data (the fast path) or build a graph of its own (`create_graph=True`, gradients
of gradients).

`ELEMENTWISE`, at the very end, lists every elementwise rule once: `Value`'s and
`Tensor`'s methods (the `Ops` mixin in `ops.py`), the `autograd.NAME` functions and the
formula parser's functions are made from it or checked against it (tests/test_registry.py).
"""
from __future__ import annotations

import dis
import functools
import math
import operator
from itertools import count
from typing import Any, Callable, Iterator

import numpy as np

from .engine import Node

Formula = Callable[..., Any]


class Rule:
    """A primitive operation (never instantiated: the class itself is the table entry).

    Write your own by subclassing it, and apply it with `MyRule.apply(x, y)`:

        class Cube(Rule):
            '''out = a^3;   d out/da = 3 a^2'''
            name, local = "cube", ("3*a^2",)
            forward = staticmethod(lambda a: a ** 3)
            grads = (lambda g, out, a: g * 3 * a ** 2,)
    """

    name: str = ""                  # short name, as diagrams and walkthroughs show it
    symbol: str | None = None       # infix symbol, for display ("*")
    torch_name: str = ""            # PyTorch's name for the backward node ("MulBackward0")
    local: tuple[str, ...] = ()     # the local derivatives d out / d input_i, as text
    grads: Any = ()                 # the formulas, one per input (a tuple, or `_PerInput`)
    elementwise: bool = False       # out[i] depends on the inputs' element i only
    # Optional, for ops with many inputs: vjp(g, out, *inputs, *saved) returns every
    # input's gradient in one call (the engine then skips `grads`, which stays the
    # per-input reference that walkthroughs and diagrams read).
    vjp: Formula | None = None
    # What each formula reads besides g: per input, a set of input indices and "out".
    # None: found from the formulas' code (`reads_of`); a rule may spell it out.
    reads: tuple[frozenset, ...] | None = None

    @staticmethod
    def forward(*args: Any) -> Any:  # pragma: no cover - every rule overrides it
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, saved: tuple = ()) -> Any:
        """Run this rule on `inputs` (Values or Tensors, and plain numbers as constants)
        and record the graph node; `saved` holds the rule's other arguments (an axis, a
        shape: `forward(*inputs, *saved)`). With no node among the inputs, just the forward."""
        for x in inputs:
            if isinstance(x, Node):
                return x._node(cls, inputs, saved)
        return cls.forward(*inputs, *saved)


class Elementwise(Rule):
    """A rule applied element by element (broadcasting its inputs): `Value` and `Tensor`
    both have it as a method, and it is a function of the formula command."""

    elementwise = True


_SHAPE_ATTRS = {"shape", "ndim", "dtype", "size"}


@functools.lru_cache(maxsize=None)
def reads_of(rule: type[Rule]) -> tuple[frozenset, ...] | None:
    """For each input's formula, the values of the forward it reads: input indices and
    "out" (None: every input and the output, for formulas that cannot be read).

    Backward may only use a value that has not changed in place since the node was made, so
    these are the values whose changes make a backward refuse, as PyTorch's saved variables.
    Read from each formula's code: the parameters it loads (`lambda g, out, a, b: g * b`
    reads input 1), except where it only asks for a shape (`a.shape`, `a.ndim`), which no
    in-place op changes.
    """
    if rule.reads is not None:
        return rule.reads
    if not isinstance(rule.grads, tuple):
        return None
    found = []
    for formula in rule.grads:
        code = getattr(formula, "__code__", None)
        if code is None or code.co_flags & 0x04:        # not Python code, or *args
            return None
        params = code.co_varnames[:code.co_argcount]
        loaded: set[str] = set()
        code_ops = list(dis.get_instructions(formula))
        for k, ins in enumerate(code_ops):
            if "FAST" in ins.opname or "DEREF" in ins.opname:
                vals = ins.argval if isinstance(ins.argval, tuple) else (ins.argval,)
                after = code_ops[k + 1] if k + 1 < len(code_ops) else None
                if (len(vals) == 1 and after is not None and after.opname == "LOAD_ATTR"
                        and after.argval in _SHAPE_ATTRS):
                    continue
                loaded.update(v for v in vals if isinstance(v, str))
        n = len(rule.grads)
        inputs = params[2:2 + n]
        used: set[int | str] = {i for i, p in enumerate(inputs) if p in loaded}
        if len(params) > 1 and params[1] in loaded:
            used.add("out")
        found.append(frozenset(used))
    return tuple(found)


class _PerInput:
    """`grads` for ops with any number of inputs: formula i is `make(i)`."""

    def __init__(self, make: Callable[[int], Formula]) -> None:
        self.make = make

    def __getitem__(self, i: int) -> Formula:
        return self.make(i)

    def __iter__(self) -> Iterator[Formula]:
        return (self.make(i) for i in count())


def data_of(x: Any) -> Any:
    """The raw number or array of a node; raw input unchanged. Used for masks and signs,
    which are constants as far as differentiation is concerned."""
    return x._data if isinstance(x, Node) else x


# ------------------------------------------------------------ float helpers
def _fmt(x: Any) -> str:
    return repr(x) if isinstance(x, float) else f"an array of shape {np.shape(x)}"


def _exp(x: Any) -> Any:
    if type(x) is float:
        try:
            return math.exp(x)
        except OverflowError:       # IEEE, as numpy and PyTorch: exp(1000) = inf
            return math.inf
    with np.errstate(over="ignore"):
        return np.exp(x)


def _pow(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        if a < 0 and not b.is_integer():
            raise ValueError(f"pow: a negative base ({a!r}) to a non-integer power ({b!r}) "
                             "has no real value")
        if a == 0 and b < 0:
            raise ZeroDivisionError(f"pow: 0.0 ** {b!r}: zero cannot be raised to a negative power")
        try:
            return a ** b
        except OverflowError:
            return -math.inf if a < 0 and b % 2 == 1 else math.inf
    with np.errstate(all="ignore"):         # nan and inf as PyTorch, without numpy's warning
        if isinstance(b, (int, float)) and isinstance(a, np.ndarray) and a.dtype.kind == "f":
            special = _POWERS.get(b)
            if special is not None:
                return special(a)
        return np.power(a, b)


# The exponents PyTorch computes by their own formulas, not by pow (the results differ at
# -0. and at -inf: sqrt(-0.) is -0., pow(-0., 0.5) is 0.; and in the last bits elsewhere).
_POWERS: dict[float, Callable[[Any], Any]] = {
    2: lambda a: a * a, 3: lambda a: a * a * a, 0.5: np.sqrt,
    -0.5: lambda a: 1 / np.sqrt(a), -1: lambda a: 1 / a, -2: lambda a: 1 / (a * a),
}


def _sigmoid(x: Any) -> Any:
    # Two branches so that exp never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
    if type(x) is float:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _forward(name: str, scalar: Callable[[float], float], array: Callable[[Any], Any],
             domain: str = "") -> Callable[[Any], Any]:
    """A rule's forward: `scalar` (from math) on a float, `array` (a numpy ufunc) on an array.

    A float outside the function's domain is a ValueError naming the op, the value and the
    `domain` ("x > -1"); on an array the result there is nan (or inf), as in PyTorch, without
    numpy's warning. A float result too large for a float is inf, as in numpy.
    """
    def forward(a: Any) -> Any:
        if type(a) is float:
            try:
                return scalar(a)
            except ValueError:
                raise ValueError(f"{name}: {a!r} is outside its domain ({domain})") from None
            except OverflowError:
                return math.inf
        if domain:
            with np.errstate(invalid="ignore", divide="ignore"):
                return array(a)
        return array(a)
    forward.__name__ = name
    return forward


def _sign(x: Any) -> Any:
    """sign(x), with 0 at nan (PyTorch's derivative of |x| there)."""
    x = data_of(x)
    if type(x) is float:
        return (x > 0) - (x < 0) + 0.0
    s = np.sign(x)
    return np.where(np.isnan(s), 0.0, s) if s.dtype.kind == "f" else s


# ------------------------------------------------------------ arithmetic
class Add(Elementwise):
    """out = a + b;   d out/da = 1,  d out/db = 1"""
    name, symbol, torch_name, local = "add", "+", "AddBackward0", ("1", "1")

    forward = staticmethod(operator.add)       # a + b

    grads = (lambda g, out, a, b: g,
             lambda g, out, a, b: g)


class Sub(Elementwise):
    """out = a - b;   d out/da = 1,  d out/db = -1"""
    name, symbol, torch_name, local = "sub", "-", "SubBackward0", ("1", "-1")

    forward = staticmethod(operator.sub)       # a - b

    grads = (lambda g, out, a, b: g,
             lambda g, out, a, b: -g)


class Mul(Elementwise):
    """out = a * b;   d out/da = b,  d out/db = a"""
    name, symbol, torch_name, local = "mul", "*", "MulBackward0", ("b", "a")

    forward = staticmethod(operator.mul)       # a * b

    grads = (lambda g, out, a, b: g * b,
             lambda g, out, a, b: g * a)


class Div(Elementwise):
    """out = a / b;   d out/da = 1/b,  d out/db = -a/b^2"""
    name, symbol, torch_name, local = "div", "/", "DivBackward0", ("1/b", "-a/b^2")

    @staticmethod
    def forward(a, b):
        if type(a) is float and type(b) is float:                   # Values
            if b == 0.0:
                raise ZeroDivisionError(f"div: division by zero ({_fmt(a)} / 0.0)")
            return a / b
        with np.errstate(divide="ignore", invalid="ignore"):       # inf and nan, as PyTorch
            return a / b

    grads = (lambda g, out, a, b: g / b,
             lambda g, out, a, b: -g * a / (b * b))


class Neg(Elementwise):
    """out = -a;   d out/da = -1"""
    name, symbol, torch_name, local = "neg", "-", "NegBackward0", ("-1",)

    forward = staticmethod(operator.neg)       # -a

    grads = (lambda g, out, a: -g,)


class Pow(Elementwise):
    """out = a ** b;   d out/da = b a^(b-1)  (0 where b = 0: the constant a^0 = 1),
    d out/db = a^b ln a  (0 where a = 0 and b >= 0, the limit; nan for a < 0 on Tensors, as
    in PyTorch; a Value with a < 0 has no real derivative in b and says so)"""
    name, symbol, torch_name, local = "pow", "**", "PowBackward1", ("b*a^(b-1)", "a^b*ln(a)")

    forward = staticmethod(_pow)

    grads = (lambda g, out, a, b: _pow_base_grad(g, a, b),
             lambda g, out, a, b: _pow_exponent_grad(g, out, a, b))


def _pow_base_grad(g: Any, a: Any, b: Any) -> Any:
    raw = data_of(b)
    if isinstance(raw, np.ndarray):
        if raw is not b:            # a node: keep the graph (for d/db of this) but where a = 0
            return where_((raw == 0) & (data_of(a) == 0), 0.0, g * b * Pow.apply(a, b - 1))
        with np.errstate(all="ignore"):
            return np.where(raw == 0, 0.0, g * b * np.power(data_of(a), b - 1))
    if raw == 0 and (not isinstance(b, Node) or data_of(a) == 0.0):
        # the constant a^0 (a Value b = 0 keeps its graph, for d/db of this, unless a = 0)
        return 0.0 if type(data_of(g)) is float else Fill.apply(g, 0.0)
    if type(data_of(g)) is float:
        return g * b * Pow.apply(a, b - 1)
    with np.errstate(all="ignore"):
        return g * b * Pow.apply(a, b - 1)


def _pow_exponent_grad(g: Any, out: Any, a: Any, b: Any) -> Any:
    ra, rb = data_of(a), data_of(b)
    if type(data_of(out)) is float:                 # a Value
        if ra == 0 and rb >= 0:
            return 0.0
        if ra < 0:
            raise ValueError(f"pow: a ** b has no real derivative with respect to b at a "
                             f"negative base (it is a^b ln a), got a = {ra!r}")
        return g * out * Log.apply(a)
    with np.errstate(all="ignore"):                # nan for a < 0, as in PyTorch
        log_a = Log.apply(a) if isinstance(a, Node) else np.log(ra)
        local = out * log_a
        zero = (ra == 0) & (rb >= 0)
        # PyTorch masks the local derivative and then multiplies: an inf upstream at a
        # masked element gives nan there, as in PyTorch
        return g * (where_(zero, 0.0, local) if np.any(zero) else local)


# ------------------------------------------------------------ elementary functions
class Exp(Elementwise):
    """out = e^a;   d out/da = e^a = out"""
    name, torch_name, local = "exp", "ExpBackward0", ("exp(a)",)
    forward = staticmethod(_exp)
    grads = (lambda g, out, a: g * out,)


class Log(Elementwise):
    """out = ln a;   d out/da = 1/a"""
    name, torch_name, local = "log", "LogBackward0", ("1/a",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            if a <= 0:
                raise ValueError(f"log: input must be positive, got {a!r}")
            return math.log(a)
        with np.errstate(divide="ignore", invalid="ignore"):   # -inf at 0, nan below: PyTorch
            return np.log(a)

    grads = (lambda g, out, a: g / a,)


class Log1p(Elementwise):
    """out = ln(1 + a);   d out/da = 1/(1 + a)"""
    name, torch_name, local = "log1p", "Log1PBackward0", ("1/(1+a)",)
    forward = staticmethod(_forward("log1p", math.log1p, np.log1p, "x > -1"))
    grads = (lambda g, out, a: g / (1 + a),)


class Sin(Elementwise):
    """out = sin a;   d out/da = cos a"""
    name, torch_name, local = "sin", "SinBackward0", ("cos(a)",)
    forward = staticmethod(_forward("sin", math.sin, np.sin, "finite x"))
    grads = (lambda g, out, a: g * Cos.apply(a),)


class Cos(Elementwise):
    """out = cos a;   d out/da = -sin a"""
    name, torch_name, local = "cos", "CosBackward0", ("-sin(a)",)
    forward = staticmethod(_forward("cos", math.cos, np.cos, "finite x"))
    grads = (lambda g, out, a: -g * Sin.apply(a),)


class Sqrt(Elementwise):
    """out = sqrt(a);   d out/da = 1/(2 sqrt(a)) = 1/(2 out)   (inf at a = 0)"""
    name, torch_name, local = "sqrt", "SqrtBackward0", ("1/(2*sqrt(a))",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            if a < 0:
                raise ValueError(f"sqrt: input must be non-negative, got {a!r}")
            return math.sqrt(a)
        with np.errstate(invalid="ignore"):                     # nan below 0, as PyTorch
            return np.sqrt(a)

    grads = (lambda g, out, a: g / (2 * out),)


class Tanh(Elementwise):
    """out = tanh(a);   d out/da = 1 - tanh(a)^2 = 1 - out^2"""
    name, torch_name, local = "tanh", "TanhBackward0", ("1-tanh(a)^2",)

    @staticmethod
    def forward(a):
        return math.tanh(a) if type(a) is float else np.tanh(a)

    grads = (lambda g, out, a: g * (1 - out * out),)


class Sigmoid(Elementwise):
    """out = 1/(1+e^-a);   d out/da = sigma(a)(1 - sigma(a)) = out (1 - out)"""
    name, torch_name, local = "sigmoid", "SigmoidBackward0", ("s(a)*(1-s(a))",)
    forward = staticmethod(_sigmoid)
    grads = (lambda g, out, a: g * out * (1 - out),)


class Relu(Elementwise):
    """out = max(a, 0);   d out/da = 1 if a > 0 else 0   (nan stays nan and passes the
    gradient, as PyTorch)"""
    name, torch_name, local = "relu", "ReluBackward0", ("[a>0]",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            return 0.0 if a <= 0 else a
        return np.maximum(a, 0)

    grads = (lambda g, out, a: _relu_grad(g, out),)


def _relu_grad(g: Any, out: Any) -> Any:
    """g where relu's output is positive (or nan), 0 elsewhere: a selection, so an inf
    upstream at a zeroed input gives 0, not inf * 0 = nan (1/relu(x) at x < 0, as PyTorch)."""
    o = data_of(out)
    if type(o) is float:
        return 0.0 if o <= 0 else g
    return where_(o <= 0, 0.0, g)


class Abs(Elementwise):
    """out = |a|;   d out/da = sign(a)   (0 at a = 0, as PyTorch)"""
    name, torch_name, local = "abs", "AbsBackward0", ("sign(a)",)

    @staticmethod
    def forward(a):
        return abs(a)

    grads = (lambda g, out, a: g * _sign(a),)


class LinComb(Rule):
    """out = b + sum_i w_i x_i   (a neuron's pre-activation as one node)
    inputs (w_0..w_{n-1}, x_0..x_{n-1}, b);   d out/dw_i = x_i,  d out/dx_i = w_i,  d out/db = 1"""
    name, torch_name = "lincomb", "LinCombBackward0"

    @staticmethod
    def forward(ws, xs, b):
        # The products summed exactly (fsum rounds once), then the bias added.
        return math.fsum(map(operator.mul, ws, xs)) + b

    @staticmethod
    def vjp(g, out, *args):
        n = len(args) // 2
        return [g * x for x in args[n:2 * n]] + [g * w for w in args[:n]] + [g]

    grads = _PerInput(lambda i: lambda g, out, *args: LinComb.vjp(g, out, *args)[i])

    local = ()


# ------------------------------------------------------------ functions on anything
# A formula that needs another rule calls `Rule.apply`, which takes nodes (and records the op)
# or raw numbers and arrays (and just computes it), so one formula serves both cases.
def pow_(a: Any, b: Any) -> Any:
    """a ** b for nodes or raw numbers."""
    if isinstance(a, Node) or isinstance(b, Node):
        return a ** b
    if isinstance(a, np.floating) or isinstance(b, np.floating):
        return np.power(a, b)        # the engine's IEEE retry: inf rather than an exception
    return _pow(_raw(a, "pow"), _raw(b, "pow"))


def _raw(x: Any, op: str) -> Any:
    if type(x) is float or isinstance(x, np.ndarray):
        return x
    if isinstance(x, (int, float, np.number)) and not isinstance(x, complex):
        return float(x)
    raise TypeError(f"{op}: expected a Value, a Tensor or a real number, got {type(x).__name__}")


# ------------------------------------------------------------ selecting and filling
class Where(Rule):
    """out = a where cond else b;   d/da = [cond],  d/db = [not cond]"""
    name, torch_name, local = "where", "WhereBackward0", ("[cond]", "[not cond]")
    elementwise = True

    @staticmethod
    def forward(a, b, cond):
        return np.where(cond, a, b)

    grads = (lambda g, out, a, b, cond: where_(cond, g, 0.0),
             lambda g, out, a, b, cond: where_(cond, 0.0, g))


class Fill(Rule):
    """out = a with every element set to `value`;   d out/da = 0"""
    name, torch_name, local = "fill", "FillBackward0", ("0",)
    elementwise = True

    @staticmethod
    def forward(a, value):
        return np.full_like(a, value)

    grads = (lambda g, out, a, value: Fill.apply(g, 0.0),)


def where_(cond: Any, a: Any, b: Any) -> Any:
    """a where cond holds, else b (cond: raw booleans), on raw data or on nodes: a mask that
    selects, so an inf or nan on the side not taken never leaks (0 * inf would be nan)."""
    if type(cond) is bool:
        return a if cond else b                     # a Value's mask picks one side
    for x in (a, b):
        if isinstance(x, Node):
            return x._node(Where, (a, b), (cond,))
    return np.where(cond, a, b)


# ------------------------------------------------------------ the registry
# Every elementwise rule, once. Each is a method of Value and Tensor (ops.Ops), a function
# autograd.NAME (ops.py) and, when it takes one input and has no operator symbol, a
# function of the formula command; tests/test_registry.py checks all of it, and gradchecks
# every rule through Value and through Tensor.
ELEMENTWISE: tuple[type[Rule], ...] = (
    Add, Sub, Mul, Div, Pow, Neg,
    Exp, Log, Log1p, Sin, Cos, Sqrt, Tanh, Sigmoid, Relu, Abs,
)
