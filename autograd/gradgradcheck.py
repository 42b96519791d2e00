"""Second derivatives: `gradgradcheck`, the check of `gradcheck` applied to the function
that maps the inputs to their first derivatives (built with `create_graph=True`)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .gradcheck import (
    _analytic,
    _check_eps,
    _check_f,
    _check_tolerances,
    _compare,
    _element,
    _kind_of,
    _numerical,
    _raise,
    _TensorKind,
    _ValueKind,
    _ValueKindMany,
)
from .gradients import grad as _grad
from .tensor import Tensor, _leaf
from .value import Value

__all__ = ["gradgradcheck"]


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
        raw = grad_outputs.data if isinstance(grad_outputs, (Tensor, Value)) else grad_outputs
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
        def first(*xs: Value) -> tuple:
            out = kind.outputs(f(*xs))[0]
            found = _grad(out, [xs[i] for i in wanted], grad_outputs=float(go),
                          create_graph=True, allow_unused=True)
            return tuple(Value(0.0) if g is None else g for g in found)
        first_kind: Any = _ValueKindMany
    else:
        from .tensor_ops import cat

        def first(*xs: Tensor) -> Tensor:
            out = kind.outputs(f(*xs))[0]
            ws = [xs[i] for i in wanted]
            if not out.requires_grad:
                return _leaf(np.zeros(sum(w.data.size for w in ws)))
            found = _grad(out, ws, grad_outputs=_leaf(go.astype(out.dtype)),
                          create_graph=True, allow_unused=True)
            parts = [_leaf(np.zeros(w.data.size)) if g is None else g.reshape(-1)
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
