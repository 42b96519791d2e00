"""`autograd.grad`: gradients of outputs with respect to chosen inputs, as PyTorch's
`torch.autograd.grad`. Returns them instead of storing them in `.grad`; with
`create_graph=True` they are graph nodes, so they can be differentiated again.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import Node
from .engine import backward as _backward
from .tensor import Tensor, _leaf
from .value import Value

__all__ = ["grad"]


def _as_list(x: Any, what: str) -> list:
    xs = list(x) if isinstance(x, (list, tuple)) else [x]
    if not xs:
        raise ValueError(f"grad: {what} is empty")
    for i, n in enumerate(xs):
        if not isinstance(n, Node):
            raise TypeError(f"grad: {what}[{i}] must be a Value or a Tensor, "
                            f"got {type(n).__name__}")
    return xs


def _seed(out: Any, g: Any, create_graph: bool) -> Any:
    if isinstance(out, Value):
        if g is None:
            return 1.0
        return g if create_graph and isinstance(g, Value) else float(g)
    if g is None:
        if out._data.size != 1:
            raise RuntimeError(f"grad: an output of shape {out.shape} needs grad_outputs "
                               "(d loss/d output, same shape)")
        seed = np.ones_like(out._data)
    else:
        seed = g if create_graph and isinstance(g, Tensor) else np.asarray(
            g._data if isinstance(g, Tensor) else g, dtype=out.dtype)
        if seed.shape != out.shape:
            raise RuntimeError(f"grad: grad_outputs has shape {seed.shape}, the output has "
                               f"shape {out.shape}")
    return _leaf(seed) if create_graph and not isinstance(seed, Tensor) else seed


def _wrap(g: Any, inp: Any, create_graph: bool) -> Any:
    if g is None:
        return None
    if isinstance(inp, Value):
        if isinstance(g, Value):
            return g
        return Value(g) if create_graph else float(g)
    return g if isinstance(g, Tensor) else _leaf(np.array(g, dtype=inp.dtype))


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """d outputs / d inputs, one gradient per input, in a tuple. `.grad` is not touched.

    `grad_outputs` seeds each output (needed for a non-scalar one: the vector in the
    vector-Jacobian product). `retain_graph` defaults to `create_graph` for tensors (the
    graph is kept for Values, as their backward does).
    """
    outs = _as_list(outputs, "outputs")
    ins = _as_list(inputs, "inputs")
    gos = [None] * len(outs) if grad_outputs is None else (
        list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs])
    if len(gos) != len(outs):
        raise ValueError(f"grad: {len(outs)} outputs but {len(gos)} grad_outputs")
    for i, x in enumerate(ins):
        if not x.requires_grad:
            raise RuntimeError(f"grad: inputs[{i}] does not require grad")
    for i, o in enumerate(outs):
        if not o.requires_grad:
            raise RuntimeError(f"grad: outputs[{i}] does not require grad (it does not depend "
                               "on anything that does)")
    if retain_graph is None:
        retain_graph = create_graph or all(isinstance(o, Value) for o in outs)
    seeds = [_seed(o, g, create_graph) for o, g in zip(outs, gos)]
    found = _backward(outs, seeds, retain_graph=retain_graph, create_graph=create_graph,
                      inputs=ins)
    result = tuple(_wrap(g, x, create_graph) for g, x in zip(found or (), ins))
    if not allow_unused:
        for i, g in enumerate(result):
            if g is None:
                raise RuntimeError(f"grad: inputs[{i}] was not used to compute the outputs; "
                                   "pass allow_unused=True to get None for it")
    return result

