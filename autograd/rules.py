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
             lambda g, out, a, b: -g * (a / b / b))


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
            return where_((raw == 0) & (data_of(a) == 0), 0.0, g * (b * Pow.apply(a, b - 1)))
        with np.errstate(all="ignore"):
            return np.where(raw == 0, 0.0, g * (b * np.power(data_of(a), b - 1)))
    if raw == 0 and (not isinstance(b, Node) or data_of(a) == 0.0):
        # the constant a^0 (a Value b = 0 keeps its graph, for d/db of this, unless a = 0)
        return 0.0 if type(data_of(g)) is float else Fill.apply(g, 0.0)
    if type(data_of(g)) is float:
        return g * (b * Pow.apply(a, b - 1))
    with np.errstate(all="ignore"):
        return g * (b * Pow.apply(a, b - 1))


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
    grads = (lambda g, out, a: g * (1 - out) * out,)


_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}


def _relu_grad(g: Any, out: Any, a: Any) -> Any:
    """g where relu's output is positive (or nan), 0 elsewhere: a selection, so an inf
    upstream at a zeroed input gives 0, not inf * 0 = nan (1/relu(x) at x < 0, as PyTorch),
    and a negative upstream there gives +0., not -0.

    On float arrays the selection is made on the bits, g & ~0 or g & 0: three vector passes
    (compare, mask, and) where np.where's element-by-element copy takes a third longer."""
    if out.__class__ is np.ndarray and g.__class__ is np.ndarray:
        ints = _INT_OF_SIZE.get(g.dtype.itemsize) if g.dtype.kind == "f" else None
        if ints is not None and g.dtype is out.dtype and g.shape == out.shape:
            keep = (out <= 0).astype(ints)      # 1 where cut, 0 where kept
            keep -= 1                           # 0 where cut, all bits set where kept
            keep &= g.view(keep.dtype)
            return keep.view(g.dtype)
        return np.where(out <= 0, 0.0, g)
    o = data_of(out)
    if type(o) is float:
        return 0.0 if o <= 0 else g
    return where_(o <= 0, 0.0, g)


class Relu(Elementwise):
    """out = max(a, 0);   d out/da = 1 if a > 0 else 0   (nan stays nan and passes the
    gradient, as PyTorch)"""
    name, torch_name, local = "relu", "ReluBackward0", ("[a>0]",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            return 0.0 if a <= 0 else a
        return np.maximum(a, 0)

    grads = (_relu_grad,)


class Abs(Elementwise):
    """out = |a|;   d out/da = sign(a)   (0 at a = 0, as PyTorch)"""
    name, torch_name, local = "abs", "AbsBackward0", ("sign(a)",)

    @staticmethod
    def forward(a):
        return abs(a)

    grads = (lambda g, out, a: g * _sign(a),)


# ------------------------------------------------------------ more elementwise math
# Trigonometric, hyperbolic, exponential, error functions and the rounding family.
_LN2 = math.log(2.0)
# PyTorch's literal for log10's derivative: one ulp below math.log(10.0), the nearest double
# to ln 10; the same constant gives the same bits.
_LN10 = 2.3025850929940456
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _as_float_array(a: Any) -> Any:
    """Integer and boolean arrays as the default float (float64), as PyTorch's floating
    point functions take them; float arrays unchanged."""
    if isinstance(a, np.ndarray) and a.dtype.kind in "biu":
        return a.astype(np.float64)
    return a


def _math(name: str, scalar: Callable[[float], float], array: Callable[[Any], Any],
          domain: str = "every real x") -> Callable[[Any], Any]:
    """A floating point function's forward: `scalar` on a float (a ValueError naming the op
    and value outside `domain`, inf on overflow), `array` on an array (integers as float64;
    nan and inf as PyTorch gives them, without numpy's warnings)."""
    def forward(a: Any) -> Any:
        if type(a) is float:
            try:
                return float(scalar(a))
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"{name}: {a!r} is outside its domain ({domain})") from None
            except OverflowError:
                return math.inf
        with np.errstate(all="ignore"):
            return array(_as_float_array(a))
    forward.__name__ = name
    return forward


def _zero_grad(g: Any) -> Any:
    """The zero gradient of a piecewise constant function (floor, sign, ...), shaped as g."""
    if type(data_of(g)) is float:
        return 0.0
    return Fill.apply(g, 0.0)


def _exact(a: Any, array: Callable[[Any], Any], scalar: Callable[[float], float]) -> Any:
    """A rounding function: integers (and booleans) unchanged (a copy, their own dtype, as
    PyTorch returns them), floats rounded."""
    if type(a) is float:
        return float(scalar(a)) if math.isfinite(a) else a
    if a.dtype.kind in "biu":
        return a.copy()
    return array(a)


class Tan(Elementwise):
    """out = tan a;   d out/da = 1 + tan(a)^2 = 1 + out^2"""
    name, torch_name, local = "tan", "TanBackward0", ("1+tan(a)^2",)
    forward = staticmethod(_math("tan", math.tan, np.tan, "finite x"))
    grads = (lambda g, out, a: g * (1 + out * out),)


class Asin(Elementwise):
    """out = arcsin a (|a| <= 1);   d out/da = 1/sqrt(1 - a^2)"""
    name, torch_name, local = "asin", "AsinBackward0", ("1/sqrt(1-a^2)",)
    forward = staticmethod(_math("asin", math.asin, np.arcsin, "-1 <= x <= 1"))
    grads = (lambda g, out, a: g * Rsqrt.apply(1 - a * a),)


class Acos(Elementwise):
    """out = arccos a (|a| <= 1);   d out/da = -1/sqrt(1 - a^2)"""
    name, torch_name, local = "acos", "AcosBackward0", ("-1/sqrt(1-a^2)",)
    forward = staticmethod(_math("acos", math.acos, np.arccos, "-1 <= x <= 1"))
    grads = (lambda g, out, a: -g * Rsqrt.apply(1 - a * a),)


class Atan(Elementwise):
    """out = arctan a;   d out/da = 1/(1 + a^2)"""
    name, torch_name, local = "atan", "AtanBackward0", ("1/(1+a^2)",)
    forward = staticmethod(_math("atan", math.atan, np.arctan))
    grads = (lambda g, out, a: g / (a * a + 1),)


class Sinh(Elementwise):
    """out = sinh a;   d out/da = cosh a"""
    name, torch_name, local = "sinh", "SinhBackward0", ("cosh(a)",)
    forward = staticmethod(_math("sinh", math.sinh, np.sinh))
    grads = (lambda g, out, a: g * Cosh.apply(a),)


class Cosh(Elementwise):
    """out = cosh a;   d out/da = sinh a"""
    name, torch_name, local = "cosh", "CoshBackward0", ("sinh(a)",)
    forward = staticmethod(_math("cosh", math.cosh, np.cosh))
    grads = (lambda g, out, a: g * Sinh.apply(a),)


class Asinh(Elementwise):
    """out = arsinh a = ln(a + sqrt(a^2 + 1));   d out/da = 1/sqrt(a^2 + 1)"""
    name, torch_name, local = "asinh", "AsinhBackward0", ("1/sqrt(a^2+1)",)
    forward = staticmethod(_math("asinh", math.asinh, np.arcsinh))
    grads = (lambda g, out, a: g * Rsqrt.apply(a * a + 1),)


class Acosh(Elementwise):
    """out = arcosh a (a >= 1);   d out/da = 1/sqrt(a^2 - 1)"""
    name, torch_name, local = "acosh", "AcoshBackward0", ("1/sqrt(a^2-1)",)
    forward = staticmethod(_math("acosh", math.acosh, np.arccosh, "x >= 1"))
    grads = (lambda g, out, a: g * Rsqrt.apply(a * a - 1),)


class Atanh(Elementwise):
    """out = artanh a (|a| < 1);   d out/da = 1/(1 - a^2)"""
    name, torch_name, local = "atanh", "AtanhBackward0", ("1/(1-a^2)",)
    forward = staticmethod(_math("atanh", math.atanh, np.arctanh, "-1 < x < 1"))
    grads = (lambda g, out, a: g / (1 - a * a),)


class Exp2(Elementwise):
    """out = 2^a;   d out/da = 2^a ln 2 = out ln 2"""
    name, torch_name, local = "exp2", "Exp2Backward0", ("2^a*ln(2)",)
    forward = staticmethod(_math("exp2", lambda x: 2.0 ** x, np.exp2))
    grads = (lambda g, out, a: g * out * _LN2,)


class Expm1(Elementwise):
    """out = e^a - 1 (exact for small a);   d out/da = e^a = out + 1"""
    name, torch_name, local = "expm1", "Expm1Backward0", ("exp(a)",)
    forward = staticmethod(_math("expm1", math.expm1, np.expm1))
    grads = (lambda g, out, a: g * (out + 1),)


class Log2(Elementwise):
    """out = log2 a (a > 0);   d out/da = 1/(a ln 2)"""
    name, torch_name, local = "log2", "Log2Backward0", ("1/(a*ln(2))",)
    forward = staticmethod(_math("log2", math.log2, np.log2, "x > 0"))
    grads = (lambda g, out, a: g / (a * _LN2),)


class Log10(Elementwise):
    """out = log10 a (a > 0);   d out/da = 1/(a ln 10)"""
    name, torch_name, local = "log10", "Log10Backward0", ("1/(a*ln(10))",)
    forward = staticmethod(_math("log10", math.log10, np.log10, "x > 0"))
    grads = (lambda g, out, a: g / (a * _LN10),)


class Rsqrt(Elementwise):
    """out = 1/sqrt(a) (a > 0);   d out/da = -1/(2 a^(3/2)) = -out^3/2"""
    name, torch_name, local = "rsqrt", "RsqrtBackward0", ("-1/(2*a^(3/2))",)
    forward = staticmethod(_math("rsqrt", lambda x: 1.0 / math.sqrt(x), lambda a: 1 / np.sqrt(a),
                                 "x > 0"))
    grads = (lambda g, out, a: -0.5 * g * (out * out * out),)


class Reciprocal(Elementwise):
    """out = 1/a (a != 0);   d out/da = -1/a^2 = -out^2"""
    name, torch_name, local = "reciprocal", "ReciprocalBackward0", ("-1/a^2",)
    forward = staticmethod(_math("reciprocal", lambda x: 1.0 / x, lambda a: 1 / a, "x != 0"))
    grads = (lambda g, out, a: -g * (out * out),)


class Square(Elementwise):
    """out = a^2;   d out/da = 2a   (PyTorch computes it as pow(a, 2))"""
    name, torch_name, local = "square", "PowBackward0", ("2*a",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            try:
                return a * a
            except OverflowError:       # pragma: no cover - float * float gives inf
                return math.inf
        with np.errstate(over="ignore"):
            return a * a if a.dtype.kind != "b" else a.astype(np.int64)

    grads = (lambda g, out, a: g * (2 * a),)


def _erf_array(a: Any) -> Any:
    return np.asarray(_ERF(a), dtype=a.dtype if a.dtype.kind == "f" else np.float64)


def _erfc_array(a: Any) -> Any:
    return np.asarray(_ERFC(a), dtype=a.dtype if a.dtype.kind == "f" else np.float64)


# math.erf element by element: numpy has no erf (about 0.1 microseconds per element)
_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


class Erf(Elementwise):
    """out = erf a = 2/sqrt(pi) int_0^a e^(-t^2) dt;   d out/da = 2/sqrt(pi) e^(-a^2)"""
    name, torch_name, local = "erf", "ErfBackward0", ("2/sqrt(pi)*exp(-a^2)",)
    forward = staticmethod(_math("erf", math.erf, _erf_array))
    grads = (lambda g, out, a: _TWO_OVER_SQRT_PI * Exp.apply(-(a * a)) * g,)


class Erfc(Elementwise):
    """out = erfc a = 1 - erf a (exact in the tail);   d out/da = -2/sqrt(pi) e^(-a^2)"""
    name, torch_name, local = "erfc", "ErfcBackward0", ("-2/sqrt(pi)*exp(-a^2)",)
    forward = staticmethod(_math("erfc", math.erfc, _erfc_array))
    grads = (lambda g, out, a: -_TWO_OVER_SQRT_PI * Exp.apply(-(a * a)) * g,)


def _erfinv_array(y: Any) -> Any:
    """erf^-1 of an array: a first guess (its power series near 0, an elementary closed form
    with relative error below 2e-3 elsewhere), then three Halley steps on
    f(x) = erf(x) - y (on erfc(x) - (1 - y) for |y| > 1/2, where 1 - y is exact), each
    x <- x - u / (1 + x u) with u = f / f' and f' = 2/sqrt(pi) e^(-x^2)."""
    dtype = y.dtype if y.dtype.kind == "f" else np.float64
    y = y.astype(np.float64)
    s, t = np.sign(y), np.abs(y)
    out = np.full(y.shape, np.nan)
    out[t == 1] = np.inf
    inside = t < 1
    t = t[inside]
    # first guess: the series sqrt(pi)/2 (t + pi t^3/12 + 7 pi^2 t^5/480) for small t, and
    # for the rest sqrt(sqrt(b^2 - l/a) - b), b = 2/(pi a) + l/2, l = ln(1 - t^2), a = 0.147
    small = t <= 0.5
    ts = t[small]
    x = np.empty_like(t)
    x[small] = _SQRT_PI_OVER_TWO * ts * (1 + math.pi / 12 * ts ** 2
                                         + 7 * math.pi ** 2 / 480 * ts ** 4)
    tl = t[~small]
    lg = np.log1p(-tl) + np.log1p(tl)
    b = 2 / (math.pi * 0.147) + lg / 2
    x[~small] = np.sqrt(np.sqrt(b * b - lg / 0.147) - b)
    for part, f, target in ((small, _ERF, ts), (~small, _ERFC, 1 - tl)):   # 1 - tl: exact
        z = x[part]
        for _ in range(3):
            residual = np.asarray(f(z), dtype=np.float64) - target
            u = residual / (_TWO_OVER_SQRT_PI * np.exp(-z * z))
            if f is _ERFC:
                u = -u                      # d erfc/dx = -d erf/dx
            z = z - u / (1 + z * u)
        x[part] = z
    out[inside] = x
    return (s * out).astype(dtype)


def _erfinv_scalar(y: float) -> float:
    if not -1 < y < 1:
        raise ValueError
    return float(_erfinv_array(np.array([y]))[0])


class Erfinv(Elementwise):
    """out = erf^-1 a (-1 < a < 1, and +-inf at +-1);   d out/da = sqrt(pi)/2 e^(out^2)"""
    name, torch_name, local = "erfinv", "ErfinvBackward0", ("sqrt(pi)/2*exp(erfinv(a)^2)",)
    forward = staticmethod(_math("erfinv", _erfinv_scalar, _erfinv_array, "-1 < x < 1"))
    grads = (lambda g, out, a: _SQRT_PI_OVER_TWO * Exp.apply(out * out) * g,)


class Sign(Elementwise):
    """out = sign a (-1, 0 or 1, and 0 at nan, as PyTorch);   d out/da = 0"""
    name, torch_name, local = "sign", "SignBackward0", ("0",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            return (a > 0) - (a < 0) + 0.0
        if a.dtype.kind == "b":
            return a.copy()
        if a.dtype.kind == "f":         # (0 < a) - (a < 0): 0 at nan and +0. at -0.
            return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)
        return np.sign(a)

    grads = (lambda g, out, a: _zero_grad(g),)


class Floor(Elementwise):
    """out = floor a (the largest integer <= a, integers unchanged);   d out/da = 0"""
    name, torch_name, local = "floor", "FloorBackward0", ("0",)
    forward = staticmethod(lambda a: _exact(a, np.floor, math.floor))
    grads = (lambda g, out, a: _zero_grad(g),)


class Ceil(Elementwise):
    """out = ceil a (the smallest integer >= a);   d out/da = 0"""
    name, torch_name, local = "ceil", "CeilBackward0", ("0",)
    forward = staticmethod(lambda a: _exact(a, np.ceil, math.ceil))
    grads = (lambda g, out, a: _zero_grad(g),)


class Trunc(Elementwise):
    """out = trunc a (rounded toward 0);   d out/da = 0"""
    name, torch_name, local = "trunc", "TruncBackward0", ("0",)
    forward = staticmethod(lambda a: _exact(a, np.trunc, math.trunc))
    grads = (lambda g, out, a: _zero_grad(g),)


def _round_half_even(x: float) -> float:
    return float(round(x))              # Python rounds half to even, as PyTorch


def _round(a: Any, decimals: int = 0) -> Any:
    """a rounded half to even at `decimals` digits: rint(a 10^d) / 10^d for d > 0,
    rint(a / 10^-d) 10^-d for d < 0 (PyTorch's order of operations)."""
    if decimals == 0:
        return _exact(a, np.rint, _round_half_even)
    ten = 10.0 ** abs(decimals)
    if type(a) is float:
        if not math.isfinite(a):
            return a
        return (_round_half_even(a * ten) / ten if decimals > 0
                else _round_half_even(a / ten) * ten)
    if a.dtype.kind in "biu":
        return a.copy()
    with np.errstate(all="ignore"):
        scale = a.dtype.type(ten)
        return np.rint(a * scale) / scale if decimals > 0 else np.rint(a / scale) * scale


class Round(Elementwise):
    """out = a rounded to the nearest integer, half to even (round(2.5) = 2);
    d out/da = 0"""
    name, torch_name, local = "round", "RoundBackward0", ("0",)
    forward = staticmethod(_round)
    grads = (lambda g, out, a: _zero_grad(g),)


class RoundDecimals(Rule):
    """out = a rounded half to even at `decimals` digits;   d out/da = 0   (`round` with
    decimals=: not a registry entry, a variant of Round with PyTorch's node name)"""
    name, torch_name, local = "round", "RoundBackward1", ("0",)
    elementwise = True
    forward = staticmethod(_round)
    grads = (lambda g, out, a, decimals: _zero_grad(g),)


class Frac(Elementwise):
    """out = a - trunc(a) (the fractional part, with a's sign);   d out/da = 1"""
    name, torch_name, local = "frac", "FracBackward0", ("1",)

    @staticmethod
    def forward(a):
        if type(a) is float:
            return a - math.trunc(a) if math.isfinite(a) else math.nan
        with np.errstate(invalid="ignore"):
            return a - np.trunc(a)

    grads = (lambda g, out, a: g,)


# ------------------------------------------------------------ more functions of two inputs
def _binary_math(name: str, scalar: Callable[[float, float], float],
                 array: Callable[[Any, Any], Any], domain: str = "") -> Callable[..., Any]:
    """A two-input forward: `scalar` on two floats (a ValueError naming the op and values
    outside `domain`), `array` on arrays and numbers (integers as float64), without numpy's
    warnings."""
    def forward(a: Any, b: Any) -> Any:
        if type(a) is float and type(b) is float:
            try:
                return float(scalar(a, b))
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"{name}: ({a!r}, {b!r}) is outside its domain "
                                 f"({domain})") from None
            except OverflowError:
                return math.inf
        with np.errstate(all="ignore"):
            return array(_as_float_array(a), _as_float_array(b))
    forward.__name__ = name
    return forward


class Atan2(Elementwise):
    """out = atan2(a, b), the angle of the point (b, a), in [-pi, pi];
    d out/da = b/(a^2 + b^2),  d out/db = -a/(a^2 + b^2)"""
    name, torch_name, local = "atan2", "Atan2Backward0", ("b/(a^2+b^2)", "-a/(a^2+b^2)")
    forward = staticmethod(_binary_math("atan2", math.atan2, np.arctan2))
    grads = (lambda g, out, a, b: g * b * _atan2_recip(a, b),
             lambda g, out, a, b: g * -a * _atan2_recip(a, b))


def _atan2_recip(a: Any, b: Any) -> Any:
    """1/(a^2 + b^2), and 0 where that sum is 0 (the origin, or both squares underflowing),
    as PyTorch: the gradients are then 0 there. Multiplied in PyTorch's order, g b (1/r^2),
    so they agree to the last bit, and a sum that is tiny but not 0 gives inf, as there."""
    r2 = a * a + b * b
    raw = data_of(r2)
    if type(raw) is float:
        return 0.0 if raw == 0 else 1.0 / r2
    with np.errstate(all="ignore"):
        return where_(raw == 0, 0.0, 1.0 / r2) if np.any(raw == 0) else 1.0 / r2


class Hypot(Elementwise):
    """out = sqrt(a^2 + b^2) (without overflow);   d out/da = a/out,  d out/db = b/out"""
    name, torch_name, local = "hypot", "HypotBackward0", ("a/hypot(a,b)", "b/hypot(a,b)")
    forward = staticmethod(_binary_math("hypot", math.hypot, np.hypot))
    grads = (lambda g, out, a, b: g * a / out,
             lambda g, out, a, b: g * b / out)


def _logaddexp(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        if a == b:                      # also +-inf: log(e^inf + e^inf) = inf
            return a + _LN2
        m = max(a, b)
        return m + math.log1p(math.exp(-abs(a - b))) if math.isfinite(a - b) else m
    with np.errstate(all="ignore"):
        a, b = _as_float_array(a), _as_float_array(b)
        m = np.maximum(a, b)
        d = np.abs(a - b)
        out = m + np.log1p(np.exp(-d))
        return np.where(a == b, a + _LN2, np.where(np.isinf(d) & ~np.isnan(m), m, out))


class Logaddexp(Elementwise):
    """out = ln(e^a + e^b) = max(a, b) + ln(1 + e^-|a-b|) (no overflow);
    d out/da = 1/(1 + e^(b-a)),  d out/db = 1/(1 + e^(a-b))"""
    name, torch_name, local = "logaddexp", "LogaddexpBackward0", ("1/(1+exp(b-a))",
                                                                  "1/(1+exp(a-b))")
    forward = staticmethod(_logaddexp)
    grads = (lambda g, out, a, b: g / (1 + Exp.apply(b - a)),
             lambda g, out, a, b: g / (1 + Exp.apply(a - b)))


def _copysign_grad(g: Any, out: Any, a: Any) -> Any:
    """g * out/a, 0 where a = 0 (the sign flip of a, as PyTorch gives it)."""
    ra = data_of(a)
    if type(ra) is float:
        return 0.0 if ra == 0 else g * (out / a)
    with np.errstate(all="ignore"):
        return where_(ra == 0, 0.0, g * (out / a))


class Copysign(Elementwise):
    """out = |a| with the sign of b (-0. counts as negative);
    d out/da = sign(a) sign(b) (0 at a = 0),  d out/db = 0"""
    name, torch_name, local = "copysign", "CopysignBackward0", ("out/a", "0")
    forward = staticmethod(_binary_math("copysign", math.copysign, np.copysign))
    grads = (lambda g, out, a, b: _copysign_grad(g, out, a),
             lambda g, out, a, b: _zero_grad(g))


def _int_aware(name: str, scalar: Callable[[float, float], float],
               array: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """fmod and remainder: integer inputs stay integers (division by an integer 0 is a
    ZeroDivisionError, as PyTorch's error), floats as `_binary_math` does them."""
    floats = _binary_math(name, scalar, array, "b != 0")

    def forward(a: Any, b: Any) -> Any:
        ka, kb = np.asarray(a).dtype.kind, np.asarray(b).dtype.kind
        if ka in "biu" and kb in "biu":
            if np.any(np.asarray(b) == 0):
                raise ZeroDivisionError(f"{name}: integer division by zero")
            return array(a, b)
        return floats(a, b)
    forward.__name__ = name
    return forward


class Fmod(Elementwise):
    """out = a - trunc(a/b) b (the C remainder: the sign of a);
    d out/da = 1,  d out/db = -trunc(a/b)"""
    name, torch_name, local = "fmod", "FmodBackward1", ("1", "-trunc(a/b)")
    forward = staticmethod(_int_aware("fmod", math.fmod, np.fmod))
    grads = (lambda g, out, a, b: g,
             lambda g, out, a, b: -g * _trunc_div(data_of(a), data_of(b)))


class Remainder(Elementwise):
    """out = a - floor(a/b) b (Python's %: the sign of b);
    d out/da = 1,  d out/db = -floor(a/b)"""
    name, torch_name, local = "remainder", "RemainderBackward1", ("1", "-floor(a/b)")
    forward = staticmethod(_int_aware("remainder", lambda x, y: x % y, np.remainder))
    grads = (lambda g, out, a, b: g,
             lambda g, out, a, b: -g * _floor_div(data_of(a), data_of(b)))


def _trunc_div(a: Any, b: Any) -> Any:
    """a / b rounded toward zero (integers stay integers)."""
    if type(a) is float and type(b) is float:
        if b == 0:
            raise ZeroDivisionError(f"div: division by zero ({a!r} / 0.0)")
        q = a / b
        return float(math.trunc(q)) if math.isfinite(q) else q
    ka, kb = np.asarray(a).dtype.kind, np.asarray(b).dtype.kind
    if ka in "biu" and kb in "biu":
        if np.any(np.asarray(b) == 0):
            raise ZeroDivisionError("div: integer division by zero")
        q = np.floor_divide(a, b)
        inexact = (q * b != a) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
        return np.where(inexact, q + 1, q)
    with np.errstate(all="ignore"):
        return np.trunc(np.true_divide(a, b))


def _floor_div(a: Any, b: Any) -> Any:
    """a / b rounded toward -inf (Python's //; integers stay integers)."""
    if type(a) is float and type(b) is float:
        if b == 0:
            raise ZeroDivisionError(f"floor_divide: division by zero ({a!r} // 0.0)")
        return a // b
    ka, kb = np.asarray(a).dtype.kind, np.asarray(b).dtype.kind
    if ka in "biu" and kb in "biu" and np.any(np.asarray(b) == 0):
        raise ZeroDivisionError("floor_divide: integer division by zero")
    with np.errstate(all="ignore"):
        return np.floor_divide(a, b)


class DivMode(Rule):
    """out = a / b when `div` is given rounding_mode=None (PyTorch's DivBackward2 node);
    d out/da = 1/b,  d out/db = -a/b^2"""
    name, torch_name, local = "div", "DivBackward2", Div.local
    elementwise = True
    forward = staticmethod(Div.forward)
    grads = Div.grads


class DivTrunc(Rule):
    """out = trunc(a / b) (`div(a, b, rounding_mode="trunc")`);   d out/da = d out/db = 0"""
    name, torch_name, local = "div", "DivBackward2", ("0", "0")
    elementwise = True
    forward = staticmethod(_trunc_div)
    grads = (lambda g, out, a, b: _zero_grad(g),
             lambda g, out, a, b: _zero_grad(g))


class DivFloor(Rule):
    """out = floor(a / b) (`div(a, b, rounding_mode="floor")`);   d out/da = d out/db = 0"""
    name, torch_name, local = "div", "DivBackward2", ("0", "0")
    elementwise = True
    forward = staticmethod(_floor_div)
    grads = (lambda g, out, a, b: _zero_grad(g),
             lambda g, out, a, b: _zero_grad(g))


def _not_differentiable(name: str) -> Formula:
    def formula(g: Any, out: Any, a: Any, b: Any) -> Any:
        raise RuntimeError(f"the derivative of {name} is not implemented (as in PyTorch); use "
                           "div(a, b, rounding_mode='floor'), whose gradient is 0")
    return formula


class FloorDivide(Rule):
    """out = floor(a / b) (`a // b`);   no derivative: backward through it is an error, as in
    PyTorch (`div(a, b, rounding_mode="floor")` has the zero gradient)"""
    name, torch_name, local = "floor_divide", "NotImplemented", ("-", "-")
    elementwise = True
    forward = staticmethod(_floor_div)
    grads = (_not_differentiable("floor_divide"), _not_differentiable("floor_divide"))


def _lerp(a: Any, b: Any, w: Any) -> Any:
    """a + w (b - a), as PyTorch computes it: b - (b - a)(1 - w) where |w| >= 1/2."""
    if type(a) is float and type(b) is float and type(w) is float:
        return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)
    with np.errstate(all="ignore"):
        d = b - a
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))


class Lerp(Elementwise):
    """out = a + w (b - a) (w a tensor);   d out/da = 1 - w,  d out/db = w,  d out/dw = b - a"""
    name, torch_name, local = "lerp", "LerpBackward1", ("1-w", "w", "b-a")
    forward = staticmethod(_lerp)
    grads = (lambda g, out, a, b, w: g * (1 - w),
             lambda g, out, a, b, w: g * w,
             lambda g, out, a, b, w: g * (b - a))


class LerpScalar(Rule):
    """out = a + w (b - a) with a number w (`lerp` with a scalar weight, PyTorch's
    LerpBackward0);   d out/da = 1 - w,  d out/db = w"""
    name, torch_name, local = "lerp", "LerpBackward0", ("1-w", "w")
    elementwise = True
    forward = staticmethod(_lerp)
    grads = (lambda g, out, a, b, w: g * (1 - w),
             lambda g, out, a, b, w: g * w)


class BitwiseError(NotImplementedError, TypeError):
    """A bitwise operator on floating point tensors (PyTorch: NotImplementedError)."""


def _nan_to_num(a: Any, nan: float, posinf: float | None, neginf: float | None) -> Any:
    info = np.finfo(a.dtype)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    return np.where(np.isnan(a), a.dtype.type(nan),
                    np.where(a == np.inf, a.dtype.type(hi),
                             np.where(a == -np.inf, a.dtype.type(lo), a)))


class NanToNum(Rule):
    """out = a, with nan, inf and -inf replaced by numbers;   d out/da = 1 where a is
    finite, 0 where it was replaced (Tensor.nan_to_num)"""
    name, torch_name, local = "nan_to_num", "NanToNumBackward0", ("[a finite]",)
    elementwise = True
    forward = staticmethod(_nan_to_num)
    grads = (lambda g, out, a, nan, posinf, neginf: where_(np.isfinite(data_of(a)), g,
                                                           _zero_grad(g)),)


def _clamp_tensor(a: Any, lo: Any, hi: Any) -> Any:
    with np.errstate(invalid="ignore"):
        out = a
        if lo is not None:
            out = np.where((out < lo) | np.isnan(lo), lo, out)
        if hi is not None:
            out = np.where((out > hi) | np.isnan(hi), hi, out)
        return np.asarray(out)


def _clamp_grads(g: Any, a: Any, lo: Any, hi: Any) -> list:
    """The gradients of clamp(a, lo, hi) with bounds that are tensors (None: absent), as
    PyTorch gives them: to a where lo <= a <= hi; to lo where a < lo (and lo < hi); to hi
    where a > hi (or hi < lo)."""
    ra, rl, rh = data_of(a), data_of(lo), data_of(hi)
    zero = _zero_grad(g)
    with np.errstate(invalid="ignore"):
        if lo is not None and hi is not None:
            return [where_((ra >= rl) & (ra <= rh), g, zero),
                    where_((ra < rl) & (rl < rh), g, zero),
                    where_((ra > rh) | (rh < rl), g, zero)]
        if lo is not None:
            return [where_(ra >= rl, g, zero), where_(ra < rl, g, zero), None]
        return [where_(ra <= rh, g, zero), None, where_(ra > rh, g, zero)]


class ClampTensor(Rule):
    """out = min(max(a, lo), hi) with tensor bounds (either may be None, a constant);
    d out/da = [lo <= a <= hi],  d out/dlo = [a < lo],  d out/dhi = [a > hi]"""
    name, torch_name, local = "clamp", "ClampBackward0", ("[lo<=a<=hi]", "[a<lo]", "[a>hi]")
    elementwise = True
    forward = staticmethod(_clamp_tensor)
    grads = (lambda g, out, a, lo, hi: _clamp_grads(g, a, lo, hi)[0],
             lambda g, out, a, lo, hi: _clamp_grads(g, a, lo, hi)[1],
             lambda g, out, a, lo, hi: _clamp_grads(g, a, lo, hi)[2])


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
    # more elementwise math
    Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Exp2, Expm1, Log2, Log10, Rsqrt,
    Reciprocal, Square, Erf, Erfc, Erfinv, Sign, Floor, Ceil, Trunc, Round, Frac,
    Atan2, Hypot, Logaddexp, Copysign, Fmod, Remainder, Lerp,
)
