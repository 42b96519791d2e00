"""Function transforms built on `autograd.grad`: derivatives of functions, not of graphs.

    grad(f)(x)                     df/dx                     (f returns a scalar)
    value_and_grad(f)(x)           (f(x), df/dx)
    jacobian(f, x)                 J[i..., j...] = d f_i / d x_j
    hessian(f, x)                  H = d^2 f / dx^2           (f returns a scalar)
    vjp(f, x, v) -> (f(x), v^T J)  jvp(f, x, v) -> (f(x), J v)   hvp(f, x, v) -> (f(x), H v)

`grad` and `value_and_grad` take plain numbers (worked on as `Value`s) or arrays/Tensors;
the others take a Tensor or a tuple of Tensors, as PyTorch's `torch.autograd.functional`.
Transforms nest: `grad(grad(f))(x)` is the second derivative, because an input that is
already part of a graph is differentiated with `create_graph=True`.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import Node
from .functions import stack
from .gradients import grad as _grad
from .tensor import Tensor, _leaf
from .value import Value

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "vjp", "jvp", "hvp"]


def _fresh(x: Any) -> Any:
    """A new leaf that requires grad, holding x's value (a node already in a graph stays)."""
    if isinstance(x, Node) and x.requires_grad:
        return x
    if isinstance(x, Value):
        return Value(x._data)
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return Value(x)
    arr = np.array(x._data if isinstance(x, Tensor) else x, dtype=None)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return _leaf(arr, requires_grad=True)


def _detach(x: Any) -> Any:
    if isinstance(x, Value):
        return x._data
    if isinstance(x, Tensor):
        return x.detach()
    return x


def _zero_like(x: Any) -> Any:
    return 0.0 if isinstance(x, Value) else _leaf(np.zeros(x.shape, dtype=x.dtype))


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning (f(*args), d f / d args[argnums]); f must return a scalar."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def value_and_grad_f(*given: Any) -> tuple:
        args = list(given)
        nested = any(isinstance(args[i], Node) and args[i].requires_grad for i in nums)
        for i in nums:
            args[i] = _fresh(args[i])
        out = f(*args)
        if not isinstance(out, Node) or (isinstance(out, Tensor) and out._data.size != 1):
            raise TypeError(f"grad: f must return a scalar Value or a one-element Tensor, "
                            f"got {out!r:.80}")
        xs = [args[i] for i in nums]
        gs = _grad(out, xs, create_graph=nested, allow_unused=True) if out.requires_grad else (
            (None,) * len(xs))
        gs = tuple(_zero_like(x) if g is None else g for g, x in zip(gs, xs))
        if not nested:
            out, gs = _detach(out), tuple(_detach(g) for g in gs)
        return out, (gs[0] if isinstance(argnums, int) else gs)

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The function x -> d f / dx (for argnums, a tuple of derivatives)."""
    vg = value_and_grad(f, argnums)

    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    return grad_f


# ------------------------------------------------------------ PyTorch-style, on Tensors
def _tensors(inputs: Any, create_graph: bool) -> tuple[tuple, bool]:
    single = not isinstance(inputs, (tuple, list))
    xs = (inputs,) if single else tuple(inputs)
    return tuple(_fresh(x) for x in xs), single


def _finish(x: Any, create_graph: bool) -> Any:
    return x if create_graph else x.detach()


def vjp(func: Callable[..., Tensor], inputs: Any, v: Any = None,
        create_graph: bool = False) -> tuple:
    """(func(inputs), v^T J): the vector-Jacobian product, what backward computes."""
    xs, single = _tensors(inputs, create_graph)
    out = func(*xs)
    gs = _grad(out, xs, grad_outputs=v, create_graph=create_graph, retain_graph=True,
               allow_unused=True)
    gs = tuple(_finish(_zero_like(x) if g is None else g, create_graph) for g, x in zip(gs, xs))
    return _finish(out, create_graph), (gs[0] if single else gs)


def jvp(func: Callable[..., Tensor], inputs: Any, v: Any = None,
        create_graph: bool = False) -> tuple:
    """(func(inputs), J v): the Jacobian-vector product, by differentiating a vjp.

    u -> J^T u is linear in u; its derivative in the direction v is J v.
    """
    xs, single = _tensors(inputs, create_graph)
    vs = (v,) if single else tuple(v)
    out = func(*xs)
    u = _leaf(np.zeros(out.shape, dtype=out.dtype), requires_grad=True)
    gs = _grad(out, xs, grad_outputs=u, create_graph=True, allow_unused=True)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None and g.requires_grad]
    if not pairs:
        return _finish(out, create_graph), _finish(_zero_like(out), create_graph)
    total = sum(((g * (vv if isinstance(vv, Tensor) else _leaf(np.asarray(vv)))).sum()
                 for g, vv in pairs), start=0.0)
    (jv,) = _grad(total, [u], create_graph=create_graph, allow_unused=True)
    jv = _zero_like(out) if jv is None else jv
    return _finish(out, create_graph), _finish(jv, create_graph)


def jacobian(func: Callable[..., Tensor], inputs: Any, create_graph: bool = False) -> Any:
    """J with shape out.shape + input.shape (a tuple of them for several inputs)."""
    xs, single = _tensors(inputs, create_graph)
    out = func(*xs)
    rows: list[list] = [[] for _ in xs]
    for j in range(out._data.size):
        onehot = np.zeros(out._data.size, dtype=out.dtype)
        onehot[j] = 1
        gs = _grad(out, xs, grad_outputs=onehot.reshape(out.shape), retain_graph=True,
                   create_graph=create_graph, allow_unused=True)
        for k, (g, x) in enumerate(zip(gs, xs)):
            rows[k].append(_zero_like(x) if g is None else g)
    jac = tuple(_finish(stack(r).reshape(out.shape + x.shape), create_graph)
                for r, x in zip(rows, xs))
    return jac[0] if single else jac


def hessian(func: Callable[..., Tensor], inputs: Any, create_graph: bool = False) -> Any:
    """H with shape input.shape + input.shape, for a func returning a scalar."""
    xs, single = _tensors(inputs, create_graph)

    def gradient(*ys: Any) -> Tensor:
        out = func(*ys)
        gs = _grad(out, ys, create_graph=True, allow_unused=True)
        return gs[0] if single else stack([g.flatten() for g in gs])

    if single:
        return jacobian(gradient, xs[0], create_graph=create_graph)
    return jacobian(gradient, xs, create_graph=create_graph)


def hvp(func: Callable[..., Tensor], inputs: Any, v: Any,
        create_graph: bool = False) -> tuple:
    """(func(inputs), H v) for a func returning a scalar, without forming H."""
    xs, single = _tensors(inputs, create_graph)
    vs = (v,) if single else tuple(v)
    out = func(*xs)
    gs = _grad(out, xs, create_graph=True, allow_unused=True)
    total = sum(((g * (vv if isinstance(vv, Tensor) else _leaf(np.asarray(vv)))).sum()
                 for g, vv in zip(gs, vs) if g is not None), start=0.0)
    hv = _grad(total, xs, create_graph=create_graph, allow_unused=True) if isinstance(
        total, Node) and total.requires_grad else (None,) * len(xs)
    hv = tuple(_finish(_zero_like(x) if h is None else h, create_graph) for h, x in zip(hv, xs))
    return _finish(out, create_graph), (hv[0] if single else hv)
