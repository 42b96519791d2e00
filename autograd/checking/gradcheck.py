"""Gradient checking: compare backward()'s gradients with finite differences.

For a function f of inputs x_0 .. x_{n-1} returning y, the *numerical* derivative of
output element k with respect to element j of input i is the central difference

    N_i[k, j] = (y_k(.., x_i + eps e_j, ..) - y_k(.., x_i - eps e_j, ..)) / (2 eps),

whose error is O(eps^2) (the Taylor terms of even order cancel) plus rounding of
about |y| * 1e-16 / eps. The *analytic* one, A_i[k, j], is what backward computes when
it is seeded with the k-th unit vector (`autograd.grad(y, inputs, grad_outputs=e_k)`):
row k of the Jacobian. For a Value (a scalar) there is one element of each, and
N_i, A_i are plain numbers. `gradcheck` accepts an entry when

    |A - N| <= atol + rtol * |N|      (or A == N, for matching infinities).

Everything runs on fresh copies of the inputs (Tensors in float64, whatever their own
dtype), so neither the inputs' data nor any `.grad` the caller can see is changed.
Tensor inputs with requires_grad=False are passed along as constants and not checked.

`gradgradcheck` applies the same check to the function that maps the inputs to their
first derivatives (built with `create_graph=True`), which checks the second derivatives.

Input types are handled by small adapters (`_ValueKind`, `_TensorKind`); `_kind_of` is the
one place that dispatches on the type of the inputs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..engine import Node
from ..functions import cat
from ..gradients import grad as _grad
from ..tensor import Tensor, _leaf
from ..value import Value

__all__ = ["numerical_grad", "analytic_grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "Mismatch"]


class GradcheckError(AssertionError):
    """backward()'s derivatives disagree with the finite-difference ones for some inputs.

    `mismatches` lists them (one `Mismatch` per failing input: its first bad entry)."""

    def __init__(self, message: str, mismatches: Sequence["Mismatch"] = ()) -> None:
        super().__init__(message)
        self.mismatches = list(mismatches)


@dataclass(frozen=True)
class Mismatch:
    """One input whose derivatives disagree: |analytic - numerical| > tolerance.

    For a Tensor input (or a function with several outputs) `element` is the index of the
    input's element and `output` the index of the output's element of the first entry of
    the Jacobian that disagrees; `count` is how many of that input's entries disagree.
    """

    index: int
    label: str
    analytic: float
    numerical: float
    tolerance: float
    element: tuple | None = None
    output: tuple | None = None
    count: int = 1
    output_note: str = ""       # what the output element is (gradgradcheck: which derivative)

    def describe(self) -> str:
        if self.element is None:
            where = f"input {self.index} ({repr(self.label) if self.label else 'unlabelled'})"
        else:
            where = f"input {self.index}, element {self.element}"
        if self.output is not None:
            where += f", output element {self.output}"
            if self.output_note:
                where += f" ({self.output_note})"
        more = (f"; {self.count} entries of this input's Jacobian disagree"
                if self.count > 1 else "")
        return (f"{where}: analytic {self.analytic!r}, numerical {self.numerical!r} "
                f"(|difference| {abs(self.analytic - self.numerical)!r} > "
                f"{self.tolerance!r}){more}")


# ---------------------------------------------------------------- input kinds
class _ValueKind:
    """How gradcheck sees Value inputs: one number each; f returns a Value (internally, for
    gradgradcheck, a tuple of Values: one output element each)."""

    name = "Value"
    node_type: type = Value
    many_outputs = False        # gradgradcheck's first-derivative function returns a tuple

    @staticmethod
    def point(x: Value) -> np.ndarray:
        return np.array(x._data, dtype=np.float64)

    @staticmethod
    def fresh(x: Value, data: np.ndarray) -> Value:
        """A new leaf with x's label and the given data (no graph, gradient 0)."""
        return Value(float(data), label=x.label)

    @staticmethod
    def wanted(x: Value) -> bool:
        return True

    @classmethod
    def outputs(cls, out: Any) -> list:
        """f's result as a list of output nodes (one element each)."""
        if cls.many_outputs and isinstance(out, tuple):
            return list(out)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__} "
                            f"({out!r}); compute the result from the inputs with Value ops")
        return [out]

    @classmethod
    def flat(cls, out: Any) -> np.ndarray:
        return np.array([o._data for o in cls.outputs(out)], dtype=np.float64)

    @staticmethod
    def shape(outs: list) -> tuple:
        return (len(outs),)

    @classmethod
    def jacobian_rows(cls, outs: list, args: list, wanted: list[int]) -> list[np.ndarray]:
        """A_i (output size x input size) for each wanted input, by one backward per output."""
        rows = [np.zeros((len(outs), 1)) for _ in wanted]
        for k, o in enumerate(outs):
            found = _grad(o, [args[i] for i in wanted], allow_unused=True)
            for r, g in zip(rows, found, strict=True):
                r[k, 0] = 0.0 if g is None else float(g._data if isinstance(g, Value) else g)
        return rows


class _ValueKindMany(_ValueKind):
    many_outputs = True


class _TensorKind:
    """How gradcheck sees Tensor inputs: arrays, perturbed element by element; f returns a
    Tensor of any shape."""

    name = "Tensor"
    node_type: type = Tensor

    @staticmethod
    def point(x: Tensor) -> np.ndarray:
        """A float64 copy of x's data (other dtypes kept: an integer index stays one)."""
        data = x._data
        return np.array(data, dtype=np.float64 if data.dtype.kind == "f" else data.dtype)

    @staticmethod
    def fresh(x: Tensor, data: np.ndarray) -> Tensor:
        return _leaf(np.array(data, copy=True), requires_grad=x.requires_grad)

    @staticmethod
    def wanted(x: Tensor) -> bool:
        return bool(x.requires_grad)

    @staticmethod
    def outputs(out: Any) -> list:
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__} "
                            f"({out!r:.80}); compute the result from the inputs with Tensor ops")
        return [out]

    @classmethod
    def flat(cls, out: Any) -> np.ndarray:
        (o,) = cls.outputs(out)
        return np.array(o._data, dtype=np.float64).reshape(-1)

    @staticmethod
    def shape(outs: list) -> tuple:
        return outs[0].shape

    @staticmethod
    def jacobian_rows(outs: list, args: list, wanted: list[int]) -> list[np.ndarray]:
        (out,) = outs
        size = out._data.size
        rows = [np.zeros((size, args[i]._data.size)) for i in wanted]
        if not out.requires_grad:           # a constant: every derivative is 0
            return rows
        xs = [args[i] for i in wanted]
        for k in range(size):
            onehot = np.zeros(size, dtype=out.dtype)
            onehot[k] = 1
            found = _grad(out, xs, grad_outputs=onehot.reshape(out.shape), retain_graph=True,
                          allow_unused=True)
            for r, g, x in zip(rows, found, xs, strict=True):
                if g is not None:
                    r[k] = np.broadcast_to(np.asarray(g._data, dtype=np.float64), x.shape).ravel()
        return rows


def _kind_of(inputs: Any, who: str) -> Any:
    """Validate `inputs` (a non-empty list or tuple of Values, or of Tensors) and pick their
    adapter."""
    if isinstance(inputs, Node) or not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(f"{who}: inputs must be a list or tuple of Values (or of Tensors), got "
                        f"{type(inputs).__name__}; wrap a single Value as [x]")
    if len(inputs) == 0:
        raise ValueError(f"{who}: inputs is empty; pass the Values (or Tensors) f is a "
                         "function of")
    kind: Any = _TensorKind if isinstance(inputs[0], Tensor) else _ValueKind
    for i, x in enumerate(inputs):
        if not isinstance(x, kind.node_type):
            also = "" if i == 0 else " (as inputs[0] is; inputs cannot mix kinds)"
            raise TypeError(f"{who}: inputs[{i}] must be an autograd.{kind.name}{also}, got "
                            f"{type(x).__name__} ({x!r:.80})")
    return kind


def _check_f(f: Any, who: str) -> None:
    if not callable(f):
        raise TypeError(f"{who}: f must be callable (a function of the inputs), "
                        f"got {type(f).__name__}")


def _check_eps(eps: Any, who: str) -> None:
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and eps > 0
            and math.isfinite(eps)):
        raise ValueError(f"{who}: eps must be a positive finite number, got {eps!r}")


def _check_tolerances(atol: Any, rtol: Any, who: str) -> None:
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(tol, (int, float)) and tol >= 0):
            raise ValueError(f"{who}: {name} must be a non-negative number, got {tol!r}")


def _element(flat_index: int, shape: tuple) -> tuple:
    return tuple(int(v) for v in np.unravel_index(flat_index, shape)) if shape else ()


# ---------------------------------------------------------------- the Jacobians
def _numerical(f: Callable[..., Any], inputs: Sequence[Any], kind: Any, eps: float,
               who: str) -> tuple[list, tuple]:
    """([N_i (output size x input size), or None for inputs not checked], output shape)."""
    points = [kind.point(x) for x in inputs]
    wanted = [i for i, x in enumerate(inputs) if kind.wanted(x)]

    def f_at(i: int, j: int, shift: float) -> np.ndarray:
        moved = [p.copy() for p in points]
        moved[i].reshape(-1)[j] += shift
        try:
            out = f(*[kind.fresh(x, p) for x, p in zip(inputs, moved, strict=True)])
        except (ArithmeticError, ValueError) as e:
            at = f"input {i}" + (f", element {_element(j, points[i].shape)}"
                                 if points[i].ndim else "")
            raise ValueError(f"{who}: f is not defined at {at} = "
                             f"{points[i].reshape(-1)[j].item()!r} "
                             f"{'+' if shift > 0 else '-'} {eps!r} ({e}); move the point away "
                             "from the edge of f's domain or use a smaller eps") from e
        return kind.flat(out)

    base = f(*[kind.fresh(x, p) for x, p in zip(inputs, points, strict=True)])
    out_shape = kind.shape(kind.outputs(base))
    size = kind.flat(base).size
    numerical: list = [None] * len(inputs)
    for i in wanted:
        n = np.zeros((size, points[i].size))
        for j in range(points[i].size):
            n[:, j] = (f_at(i, j, eps) - f_at(i, j, -eps)) / (2 * eps)
        numerical[i] = n
    return numerical, out_shape


def _analytic(f: Callable[..., Any], inputs: Sequence[Any], kind: Any) -> tuple[list, tuple]:
    """([A_i, or None for inputs not checked], output shape), from backward on fresh copies.

    `autograd.grad` stores nothing, so no `.grad` anywhere changes (not even of a node f
    closes over)."""
    args = [kind.fresh(x, kind.point(x)) for x in inputs]
    wanted = [i for i, x in enumerate(args) if kind.wanted(x)]
    outs = kind.outputs(f(*args))
    analytic: list = [None] * len(inputs)
    for i, a in zip(wanted, kind.jacobian_rows(outs, args, wanted), strict=True):
        analytic[i] = a
    return analytic, kind.shape(outs)


def _shaped(jac: np.ndarray | None, out_shape: tuple, x: Any) -> Any:
    if jac is None:
        return None
    return jac.reshape(tuple(out_shape) + tuple(x.shape))


def numerical_grad(f: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6) -> list:
    """Central differences, on fresh copies of the inputs (`inputs` are not touched).

    Values: [(f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for each input i], floats.
    Tensors: for each input, the Jacobian d f / d x_i as an array of shape
    `f(...).shape + x_i.shape` (just x_i's shape when f returns a 0-d tensor), in float64;
    None for an input that does not require grad.
    """
    _check_f(f, "numerical_grad")
    kind = _kind_of(inputs, "numerical_grad")
    _check_eps(eps, "numerical_grad")
    numerical, out_shape = _numerical(f, inputs, kind, eps, "numerical_grad")
    if kind is _ValueKind:
        return [float(n[0, 0]) for n in numerical]
    return [_shaped(n, out_shape, x) for n, x in zip(numerical, inputs, strict=True)]


def analytic_grad(f: Callable[..., Any], inputs: Sequence[Any]) -> list:
    """The derivatives backward computes, in the layout of `numerical_grad`.

    Values: [d f / d x_i] (floats); Tensors: Jacobians of shape `f(...).shape + x_i.shape`
    (None for inputs that do not require grad). Nothing's `.grad` changes.
    """
    _check_f(f, "analytic_grad")
    kind = _kind_of(inputs, "analytic_grad")
    analytic, out_shape = _analytic(f, inputs, kind)
    if kind is _ValueKind:
        return [float(a[0, 0]) for a in analytic]
    return [_shaped(a, out_shape, x) for a, x in zip(analytic, inputs, strict=True)]


def _compare(inputs: Sequence[Any], kind: Any, analytic: list, numerical: list,
             out_shape: tuple, atol: float, rtol: float,
             note: Callable[[int], str] | None = None) -> list[Mismatch]:
    """The first disagreeing Jacobian entry of each input (inputs' elements in order, then
    output elements), as Mismatches."""
    bad = []
    scalar = kind is _ValueKind and note is None          # the plain Value case: no indices
    for i, (a, n) in enumerate(zip(analytic, numerical, strict=True)):
        if a is None:
            continue
        tol = atol + rtol * np.abs(n)
        with np.errstate(invalid="ignore"):
            ok = (a == n) | (np.abs(a - n) <= tol)      # nan compares False: a mismatch
        wrong = ~ok
        if not wrong.any():
            continue
        j, k = map(int, np.argwhere(wrong.T)[0])      # first input element, then output
        x = inputs[i]
        bad.append(Mismatch(
            index=i, label=getattr(x, "label", ""), analytic=float(a[k, j]),
            numerical=float(n[k, j]), tolerance=float(tol[k, j]),
            element=None if kind is not _TensorKind else _element(j, x.shape),
            output=None if scalar else _element(k, out_shape),
            count=int(wrong.sum()), output_note=note(k) if note else ""))
    return bad


def _raise(bad: list[Mismatch], n_inputs: int, who: str, what: str, eps: float, atol: float,
           rtol: float) -> None:
    lines = "\n  ".join(m.describe() for m in bad)
    raise GradcheckError(f"{who}: {what} disagree with central differences (eps={eps!r}, "
                         f"atol={atol!r}, rtol={rtol!r}) for {len(bad)} of {n_inputs} inputs "
                         f"(the first disagreeing entry of each):\n  {lines}", bad)


def gradcheck(f: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check backward() against central differences; True, or raise `GradcheckError`.

    `inputs`: a list of Values (f returns a Value) or of Tensors (f returns a Tensor of any
    shape; inputs with requires_grad=False are constants and not checked). For Tensors the
    whole Jacobian is compared, element by element: row k from a backward seeded with the
    k-th unit array, column j from f at x_j +- eps.

    An entry passes when |a - n| <= atol + rtol |n| (a: backward's, n: the central
    difference). The error's message names, for every failing input, its first bad entry
    (input index and label for a Value; input index, input element and output element for
    a Tensor) with both numbers; `.mismatches` has them as `Mismatch` objects. A function
    that cuts its own graph (uses `x.data`) fails, because backward cannot see through the
    cut but finite differences can. Tensors are checked in float64 (float32 inputs are
    upcast copies); neither the inputs nor any `.grad` change.
    """
    _check_tolerances(atol, rtol, "gradcheck")
    _check_f(f, "gradcheck")
    kind = _kind_of(inputs, "gradcheck")
    _check_eps(eps, "gradcheck")
    analytic, out_shape = _analytic(f, inputs, kind)
    numerical, _ = _numerical(f, inputs, kind, eps, "numerical_grad")
    bad = _compare(inputs, kind, analytic, numerical, out_shape, atol, rtol)
    if bad:
        _raise(bad, len(inputs), "gradcheck", "backward()'s derivatives", eps, atol, rtol)
    return True


# ---------------------------------------------------------------- second derivatives
def _default_grad_outputs(shape: tuple) -> np.ndarray:
    """Fixed pseudo-random weights in +-[0.5, 1.5]: never near 0, so no derivative hides."""
    rng = np.random.default_rng(20240607)
    return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[Any], grad_outputs: Any = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check second derivatives: backward through backward against central differences of
    first derivatives. True, or `GradcheckError` (reported as `gradcheck` reports).

    The function checked is x -> the first derivatives of <grad_outputs, f(x)> with respect
    to every input (checked) element, computed by `autograd.grad(..., create_graph=True)`:

        Values:  x -> (go * df/dx_0, ..., go * df/dx_{n-1})      (go a number)
        Tensors: x -> all of go^T J_i, flattened and joined       (go shaped like f(x))

    Its analytic Jacobian (a backward through the graph the first backward built) must
    match central differences of it. `grad_outputs` (go) defaults to fixed pseudo-random
    weights of magnitude 0.5 to 1.5. A mismatch names the input and element differentiated
    by the second backward, the output element, and which first derivative that is.
    """
    _check_tolerances(atol, rtol, "gradgradcheck")
    _check_f(f, "gradgradcheck")
    kind = _kind_of(inputs, "gradgradcheck")
    _check_eps(eps, "gradgradcheck")
    inputs = list(inputs)
    wanted = [i for i, x in enumerate(inputs) if kind.wanted(x)]
    if not wanted:
        return True
    probe = kind.outputs(f(*[kind.fresh(x, kind.point(x)) for x in inputs]))
    out_shape = () if kind is _ValueKind else probe[0].shape
    if grad_outputs is None:
        go = _default_grad_outputs(out_shape)
    else:
        raw = grad_outputs._data if isinstance(grad_outputs, (Tensor, Value)) else grad_outputs
        go = np.array(raw, dtype=np.float64)
        if go.shape != out_shape:
            raise ValueError(f"gradgradcheck: grad_outputs has shape {go.shape}, f's output "
                             f"has shape {out_shape}")

    # which first derivative each output element of `first` is, for the messages
    where: list[str] = []
    for i in wanted:
        shape = inputs[i].shape if kind is _TensorKind else ()
        for j in range(int(np.prod(shape, dtype=np.int64))):
            elem = f" element {_element(j, shape)}" if shape else ""
            where.append(f"d/d input {i}{elem} of the first derivative")

    if kind is _ValueKind:
        def first(*xs: Any) -> Any:
            out = kind.outputs(f(*xs))[0]
            found = _grad(out, [xs[i] for i in wanted], grad_outputs=float(go),
                          create_graph=True, allow_unused=True)
            return tuple(Value(0.0) if g is None else g for g in found)
        first_kind: Any = _ValueKindMany
    else:
        def first(*xs: Any) -> Any:
            out = kind.outputs(f(*xs))[0]
            ws = [xs[i] for i in wanted]
            if not out.requires_grad:
                return _leaf(np.zeros(sum(w._data.size for w in ws)))
            found = _grad(out, ws, grad_outputs=_leaf(go.astype(out.dtype)),
                          create_graph=True, allow_unused=True)
            parts = [_leaf(np.zeros(w._data.size)) if g is None else g.reshape(-1)
                     for g, w in zip(found, ws, strict=True)]
            return cat(parts) if len(parts) > 1 else parts[0]
        first_kind = _TensorKind

    analytic, first_shape = _analytic(first, inputs, first_kind)
    numerical, _ = _numerical(first, inputs, first_kind, eps, "gradgradcheck")
    bad = _compare(inputs, kind, analytic, numerical, first_shape, atol, rtol,
                   note=lambda k: where[k])
    if bad:
        _raise(bad, len(inputs), "gradgradcheck",
               "second derivatives (backward of a create_graph=True backward)", eps, atol, rtol)
    return True
