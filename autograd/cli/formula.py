"""Formulas as text -> a `Value` graph, for the command line (`python -m autograd draw ...`).

    >>> out, leaves = build("1/(1+exp(-(w0*x0+w1*x1+w2)))",
    ...                     {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    >>> round(out.data, 4)
    0.7311

The text is read by a small hand-written parser that knows only a whitelist:
numbers, variable names, `+ - * / **`, unary minus and plus, parentheses, and the
functions of the rule registry (`FUNCTIONS`: every elementwise rule without an operator
symbol: exp, log, sqrt, tanh, ... with one argument, atan2(y, x), hypot(x, y), ... with
as many as the rule has inputs).
Everything else (attribute access, other calls, subscripts, lambdas, comparisons,
...) is refused with a `FormulaError` whose message shows the formula with a caret
under the offending part. Nothing is ever handed to Python's eval, exec or compile. Length, nesting
depth and constant exponents are limited, so no input can make it slow.
"""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from typing import Mapping, Union

from .. import rules as R
from ..value import Value

__all__ = ["FormulaError", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT",
           "parse", "variables", "build", "arity"]

MAX_LENGTH = 2000      # characters in a formula
MAX_DEPTH = 64         # nested parentheses, unary signs and powers
MAX_EXPONENT = 1000.0  # largest |exponent| of a constant power
# The functions a formula may call: every elementwise rule that has no operator symbol;
# it takes as many arguments as the rule has inputs (`arity`).
FUNCTIONS = {r.name: r for r in R.ELEMENTWISE if r.symbol is None}


def arity(name: str) -> int:
    """How many arguments the formula function `name` takes (its rule's inputs)."""
    return len(FUNCTIONS[name].grads)
_KEYWORDS = {"lambda", "import", "and", "or", "not", "if", "else", "for", "in", "is", "None",
             "True", "False", "await", "yield", "del", "global", "class", "def", "return"}


class FormulaError(ValueError):
    """A formula that cannot be read or computed; `str()` points at the offending part.

    `text` is the formula, `start`/`end` the span (0-based columns) it complains about.
    """

    def __init__(self, message: str, text: str, start: int, end: int | None = None) -> None:
        self.message, self.text = message, text
        self.start = max(0, min(start, len(text)))
        self.end = max(self.start + 1, min(end if end is not None else start + 1, len(text)))
        super().__init__(self._render())

    def _render(self) -> str:
        # Long formulas: show a window of 70 characters around the problem.
        lo = max(0, self.start - 30)
        hi = min(len(self.text), max(self.end, lo + 70))
        shown = ("..." if lo else "") + self.text[lo:hi] + ("..." if hi < len(self.text) else "")
        pad = self.start - lo + (3 if lo else 0)
        width = max(1, min(self.end, hi) - self.start)
        return (f"{self.message} (column {self.start + 1})\n"
                f"  {shown}\n  {' ' * pad}{'^' * width}")


# ---------------------------------------------------------------- the syntax tree
@dataclass
class Num:
    value: float
    start: int
    end: int


@dataclass
class Var:
    name: str
    start: int
    end: int


@dataclass
class Call:
    func: str
    args: list["Expr"]
    start: int
    end: int


@dataclass
class Unary:
    op: str             # "-" or "+"
    operand: "Expr"
    start: int
    end: int


@dataclass
class Binary:
    op: str             # "+", "-", "*", "/", "**"
    left: "Expr"
    right: "Expr"
    start: int          # the span of the whole expression
    end: int
    op_at: int = field(default=0)   # column of the operator


Expr = Union[Num, Var, Call, Unary, Binary]


# ---------------------------------------------------------------- tokens
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|[-+*/(),])
""", re.VERBOSE)

_REFUSED = {
    ".": "attribute access ('.') is not allowed",
    "[": "subscripts ('[') are not allowed", "]": "subscripts (']') are not allowed",
    "{": "'{' is not allowed", "}": "'}' is not allowed",
    "<": "comparisons are not allowed", ">": "comparisons are not allowed",
    "=": "assignments and comparisons are not allowed", "!": "comparisons are not allowed",
    ":": "':' (lambdas, slices) is not allowed", ";": "';' is not allowed",
    "'": "strings are not allowed", '"': "strings are not allowed",
    "@": "'@' is not allowed in a scalar formula", "%": "'%' is not allowed",
    "^": "'^' is not allowed; write powers as a**b",
}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) triples, ending with ("end", "", len(text))."""
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:       # reported by the parser when it gets there (left to right)
            out.append(("bad", text[pos], pos))
            pos += 1
            continue
        kind = m.lastgroup or ""
        if kind != "space":
            out.append((kind, m.group(), pos))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


# ---------------------------------------------------------------- the parser
class _Parser:
    """Recursive descent with Python's precedence: + -  <  * /  <  unary -  <  **."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        if tok[0] == "bad":
            raise self.fail(_REFUSED.get(tok[1], f"character {tok[1]!r} is not allowed"), tok)
        self.i += 1
        return tok

    def fail(self, msg: str, tok: tuple[str, str, int]) -> FormulaError:
        return FormulaError(msg, self.text, tok[2], tok[2] + max(1, len(tok[1])))

    def enter(self, tok: tuple[str, str, int]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)",
                            tok)

    def parse(self) -> Expr:
        if self.peek()[0] == "end":
            raise FormulaError("the formula is empty", self.text, 0)
        e = self.expr()
        tok = self.peek()
        if tok[0] != "end":
            self.take()       # a refused character explains itself
            if tok[0] == "name" and tok[1] in _KEYWORDS:
                raise self.fail(f"{tok[1]!r} is not allowed in a formula", tok)
            if tok[1] == "(":
                raise self.fail("'(' here would be a call; only "
                                f"{', '.join(FUNCTIONS)} can be called", tok)
            raise self.fail(f"unexpected {tok[1]!r}", tok)
        return e

    def expr(self) -> Expr:
        left = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()
            right = self.term()
            left = Binary(op[1], left, right, left.start, right.end, op[2])
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            op = self.take()
            right = self.unary()
            left = Binary(op[1], left, right, left.start, right.end, op[2])
        return left

    def unary(self) -> Expr:
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("-", "+"):
            self.take()
            self.enter(tok)
            operand = self.unary()
            self.depth -= 1
            return Unary(tok[1], operand, tok[2], operand.end)
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        tok = self.peek()
        if tok[1] == "**":
            self.take()
            self.enter(tok)
            exponent = self.unary()      # right-associative; 2**-1 is fine
            self.depth -= 1
            return Binary("**", base, exponent, base.start, exponent.end, tok[2])
        return base

    def atom(self) -> Expr:
        tok = self.take()
        kind, s, col = tok
        if kind == "num":
            value = float(s)
            if not math.isfinite(value):
                raise self.fail(f"the number {s} is too large", tok)
            return Num(value, col, col + len(s))
        if kind == "name":
            if s in _KEYWORDS:
                raise self.fail(f"{s!r} is not allowed in a formula", tok)
            if s.startswith("_"):
                raise self.fail(f"names may not start with '_' ({s!r})", tok)
            if self.peek()[1] == "(":
                return self.call(tok)
            if s in FUNCTIONS:
                raise self.fail(f"{s} is a function; call it as {s}(...)", tok)
            return Var(s, col, col + len(s))
        if s == "(":
            self.enter(tok)
            if self.peek()[1] == ")":
                raise self.fail("empty parentheses", self.peek())
            inner = self.expr()
            self.expect_close(tok)
            self.depth -= 1
            return inner
        if kind == "end":
            raise self.fail("the formula ends too early", (kind, " ", col))
        raise self.fail(f"unexpected {s!r}", tok)

    def call(self, name_tok: tuple[str, str, int]) -> Expr:
        _, name, col = name_tok
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function {name!r}; allowed: {', '.join(FUNCTIONS)}",
                               self.text, col, col + len(name))
        n = arity(name)
        takes = _takes(name, n)
        open_tok = self.take()
        self.enter(open_tok)
        if self.peek()[1] == ")":
            raise self.fail(f"{takes}, got none", self.peek())
        args = [self.expr()]
        while self.peek()[1] == "," and self.peek()[0] == "op":
            comma = self.take()
            if len(args) == n:
                raise self.fail(f"{takes}; this is argument {n + 1}", comma)
            if self.peek()[1] == ")":
                raise self.fail(f"{takes}; an argument is missing after ','", self.peek())
            args.append(self.expr())
        if len(args) < n and self.peek()[1] == ")":
            raise self.fail(f"{takes}, got {len(args)}", self.peek())
        close = self.expect_close(open_tok)
        self.depth -= 1
        return Call(name, args, col, close[2] + 1)

    def expect_close(self, open_tok: tuple[str, str, int]) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[1] != ")" or tok[0] == "bad":
            if tok[0] == "bad":
                self.take()
            if tok[0] == "end":
                raise self.fail("this '(' is never closed", open_tok)
            raise self.fail(f"expected ')' but found {tok[1]!r}", tok)
        return self.take()


def _takes(name: str, n: int) -> str:
    """'atan2 takes 2 arguments (atan2(a, b))': the arity, as error messages say it."""
    letters = ", ".join("abcdefgh"[:n]) if n <= 8 else "..."
    count = "one argument" if n == 1 else f"{n} arguments"
    return f"{name} takes {count} ({name}({letters}))"


def parse(text: str) -> Expr:
    """Parse a formula into a small syntax tree (`Num`, `Var`, `Call`, `Unary`, `Binary`).

    Raises `FormulaError` for anything outside the whitelist, for formulas longer than
    `MAX_LENGTH` characters and for nesting deeper than `MAX_DEPTH`.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse: expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is "
                           f"{MAX_LENGTH}", text[:MAX_LENGTH + 20], MAX_LENGTH)
    return _Parser(text).parse()


def _children(e: Expr) -> list[Expr]:
    if isinstance(e, Binary):
        return [e.left, e.right]
    if isinstance(e, (Unary,)):
        return [e.operand]
    if isinstance(e, Call):
        return list(e.args)
    return []


def variables(tree: Expr) -> list[str]:
    """The variable names of a parsed formula, in order of first appearance."""
    seen: dict[str, None] = {}
    stack = [tree]
    while stack:                      # iterative, right child pushed first
        e = stack.pop()
        if isinstance(e, Var):
            seen.setdefault(e.name)
        stack.extend(reversed(_children(e)))
    return list(seen)


# ---------------------------------------------------------------- building the graph
_BINARY = {"+": R.Add, "-": R.Sub, "*": R.Mul, "/": R.Div, "**": R.Pow}
_OPERATOR = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "**": operator.pow}


def build(formula: str | Expr, values: Mapping[str, float]
          ) -> tuple[Value | float, dict[str, Value]]:
    """Compute a formula on `Value`s: returns (output, {name: leaf Value}).

    Every variable becomes one leaf `Value` labelled with its name; numbers stay plain
    floats, so they appear as constants in the graph (`x + 1`). `values` must give
    exactly the formula's variables (a missing or an extra one is a `FormulaError`).
    A formula with no variables gives a plain float.
    """
    text = formula if isinstance(formula, str) else ""
    tree = parse(formula) if isinstance(formula, str) else formula
    names = variables(tree)
    missing = [n for n in names if n not in values]
    if missing:
        first = _find_var(tree, missing[0])
        raise FormulaError(f"no value for {', '.join(missing)}; give one with "
                           f"--at {missing[0]}=NUMBER", text, first.start, first.end)
    extra = [n for n in values if n not in names]
    if extra:
        raise FormulaError(f"value given for {', '.join(extra)}, which the formula does not "
                           f"use (its variables: {', '.join(names) or 'none'})", text, 0,
                           len(text))
    leaves = {n: Value(float(values[n]), label=n) for n in names}
    # Post-order without recursion: a sum of a thousand terms is a thousand levels deep.
    done: dict[int, Value | float] = {}
    stack: list[tuple[Expr, bool]] = [(tree, False)]
    while stack:
        e, ready = stack.pop()
        kids = _children(e)
        if kids and not ready:
            stack.append((e, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        done[id(e)] = _compute(e, [done.pop(id(k)) for k in kids], leaves, text)
    return done[id(tree)], leaves


def _find_var(tree: Expr, name: str) -> Var:
    stack = [tree]
    while stack:
        e = stack.pop()
        if isinstance(e, Var) and e.name == name:
            return e
        stack.extend(reversed(_children(e)))
    raise KeyError(name)  # pragma: no cover - only called for names in the tree


def _compute(e: Expr, args: list, leaves: dict[str, Value], text: str) -> Value | float:
    if isinstance(e, Num):
        return e.value
    if isinstance(e, Var):
        return leaves[e.name]
    try:
        if isinstance(e, Unary):
            (a,) = args
            if e.op == "+":
                return a
            return -a if isinstance(a, Value) else R.Neg.forward(a)
        if isinstance(e, Call):
            rule = FUNCTIONS[e.func]
            if len(args) == 1 and isinstance(args[0], Value):
                return args[0]._unary(rule)
            if any(isinstance(a, Value) for a in args):
                return Value._node(rule, tuple(args))     # numbers stay constants
            return float(rule.forward(*args))
        a, b = args
        if e.op == "**" and not isinstance(b, Value) and abs(b) > MAX_EXPONENT:
            raise FormulaError(f"the exponent {b:g} is too large (the limit is "
                               f"{MAX_EXPONENT:g})", text, e.right.start, e.right.end)
        rule = _BINARY[e.op]
        if isinstance(a, Value) or isinstance(b, Value):
            return _OPERATOR[e.op](a, b)     # Value's operators record the node
        return rule.forward(a, b)
    except FormulaError:
        raise
    except (ArithmeticError, ValueError) as err:
        raise FormulaError(f"cannot compute this part: {err}", text, e.start, e.end) from None
