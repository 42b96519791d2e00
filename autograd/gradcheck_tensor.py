"""Gradient checks for Tensor functions, and second derivatives for both kinds of input.

For f taking Tensors x_0 .. x_{n-1} and returning a Tensor y, the analytic Jacobian of y
with respect to x_i is read off backward, one output element k at a time (grad_outputs =
the k-th unit array); the numerical one perturbs one element j of x_i by +-eps:

    J_num[i][k, j] = (y_k(x_i + eps e_j) - y_k(x_i - eps e_j)) / (2 eps)

Everything is computed in float64 on fresh copies, so neither the inputs nor their
`.grad` change. `gradgradcheck` applies the same check to the function that maps the
inputs to their first derivatives (built with `create_graph=True`).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .gradients import grad as _grad
from .tensor import Tensor, _leaf
from .value import Value

__all__ = ["tensor_jacobians", "check_tensor", "gradgradcheck"]


def _fresh(inputs: Sequence[Tensor], arrays: list[np.ndarray]) -> list[Tensor]:
    return [_leaf(a.copy(), requires_grad=x.requires_grad) for x, a in zip(inputs, arrays,
                                                                             strict=True)]


def _output(f: Callable[..., Any], args: list) -> Tensor:
    out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    return out


def tensor_jacobians(f: Callable[..., Tensor], inputs: Sequence[Tensor], eps: float = 1e-6
                     ) -> tuple[list, list, tuple]:
    """(analytic, numerical, output shape): one (output size, input size) float64 matrix per
    input (None for inputs that do not require grad)."""
    arrays = [np.array(x._data, dtype=np.float64) for x in inputs]
    args = _fresh(inputs, arrays)
    out = _output(f, args)
    size = out._data.size
    wanted = [i for i, x in enumerate(args) if x.requires_grad]
    analytic: list = [None] * len(inputs)
    for i in wanted:
        analytic[i] = np.zeros((size, arrays[i].size))
    if out.requires_grad:
        for k in range(size):
            seed = np.zeros(size)
            seed[k] = 1.0
            found = _grad(out, [args[i] for i in wanted], grad_outputs=seed.reshape(out.shape),
                          retain_graph=True, allow_unused=True)
            for i, g in zip(wanted, found, strict=True):
                if g is not None:
                    analytic[i][k] = np.broadcast_to(g._data, arrays[i].shape).ravel()
    numerical: list = [None] * len(inputs)
    for i in wanted:
        cols = []
        for j in range(arrays[i].size):
            ends = []
            for shift in (eps, -eps):
                moved = [a.copy() for a in arrays]
                moved[i].reshape(-1)[j] += shift
                ends.append(np.array(_output(f, _fresh(inputs, moved))._data,
                                     dtype=np.float64).ravel())
            cols.append((ends[0] - ends[1]) / (2 * eps))
        numerical[i] = np.stack(cols, axis=1) if cols else np.zeros((size, 0))
    return analytic, numerical, out.shape


def check_tensor(f: Callable[..., Tensor], inputs: Sequence[Tensor], eps: float, atol: float,
                 rtol: float, mismatch_type: Any, error_type: Any, who: str = "gradcheck"
                 ) -> bool:
    """gradcheck for Tensor inputs: True, or raise `error_type` naming the first mismatch."""
    analytic, numerical, out_shape = tensor_jacobians(f, inputs, eps)
    bad = []
    for i, (a, n) in enumerate(zip(analytic, numerical, strict=True)):
        if a is None:
            continue
        tol = atol + rtol * np.abs(n)
        wrong = ~((a == n) | (np.abs(a - n) <= tol))
        if wrong.any():
            k, j = map(int, np.argwhere(wrong)[0])
            shape = inputs[i].shape
            bad.append(mismatch_type(
                i, "", float(a[k, j]), float(n[k, j]), float(tol[k, j]),
                element=tuple(int(v) for v in np.unravel_index(j, shape)) if shape else (),
                output=tuple(int(v) for v in np.unravel_index(k, out_shape)) if out_shape else (),
                count=int(wrong.sum())))
    if bad:
        lines = "\n  ".join(m.describe() for m in bad)
        raise error_type(f"{who}: backward() disagrees with central differences (eps={eps!r}, "
                         f"atol={atol!r}, rtol={rtol!r}); first mismatch per input:\n  {lines}",
                         bad)
    return True


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[Any], grad_outputs: Any = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0) -> bool:
    """Check second derivatives: the first derivatives of f, computed with
    `create_graph=True`, are differentiated by backward and by central differences.

    For Tensors, the first derivative is the vector-Jacobian product with `grad_outputs`
    (random, fixed by `seed`, when not given), and every element of every input's first
    derivative is checked against every input (the full Jacobian of the gradient). For
    Values, each input's first derivative is checked in turn. True, or `GradcheckError`.
    """
    from .gradcheck import gradcheck  # (gradcheck imports this module)
    inputs = list(inputs)
    if inputs and all(isinstance(x, Value) for x in inputs):
        for i in range(len(inputs)):
            def first(*xs: Value, i: int = i) -> Value:
                (g,) = _grad(f(*xs), [xs[i]], create_graph=True, allow_unused=True)
                return g if isinstance(g, Value) else Value(0.0 if g is None else g)
            gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol)
        return True
    if not inputs or not all(isinstance(x, Tensor) for x in inputs):
        raise TypeError("gradgradcheck: inputs must be all Values or all Tensors")
    probe = _output(f, _fresh(inputs, [np.array(x._data, dtype=np.float64) for x in inputs]))
    if grad_outputs is None:
        grad_outputs = np.random.default_rng(seed).standard_normal(probe.shape)
    go = np.asarray(grad_outputs._data if isinstance(grad_outputs, Tensor) else grad_outputs,
                    dtype=np.float64)
    if go.shape != probe.shape:
        raise ValueError(f"gradgradcheck: grad_outputs has shape {go.shape}, f's output has "
                         f"shape {probe.shape}")

    def first(*xs: Tensor) -> Tensor:
        wanted = [x for x in xs if x.requires_grad]
        found = _grad(f(*xs), wanted, grad_outputs=_leaf(go.copy()), create_graph=True,
                      allow_unused=True)
        parts = [g.reshape(-1) if g is not None else _leaf(np.zeros(x._data.size))
                 for g, x in zip(found, wanted, strict=True)]
        from .tensor_ops import cat
        return cat(parts) if len(parts) > 1 else parts[0]

    return gradcheck(first, inputs, eps=eps, atol=atol, rtol=rtol)
