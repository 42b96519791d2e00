"""`autograd.Function`: your own op, with its forward and its backward, as PyTorch's
`torch.autograd.Function`.

    class Sin(autograd.Function):
        @staticmethod
        def forward(ctx, x):                  # runs without recording a graph
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad_output):       # d loss/d x = d loss/d out * cos x
            (x,) = ctx.saved_tensors
            return grad_output * x.cos()

    y = Sin.apply(x)                          # a Tensor (or a Value) in the graph

`apply` runs `forward` outside the graph and records one node whose rule is the class
itself. During backward the engine calls `backward(ctx, grad_output)` with the upstream
gradient (a Tensor for Tensors, a Value for Values), and adds what it returns into the
inputs' gradients, one result per input of `forward` (None for an input that needs
none). With `create_graph=True` backward runs with graph recording on, so a `backward`
written with differentiable ops can itself be differentiated.

A forward that returns several outputs gets one node per differentiable output; the
engine then calls `backward` once per output, with zeros for the other outputs'
gradients (the sum is the same by linearity).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import Node, _mode
from .rules import Rule, _PerInput
from .tensor import _leaf
from .tensor import _record as _tensor_node
from .value import Value
from .value import _record as _value_node

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """What `forward` and `backward` share: the saved tensors and facts about the call.

    `needs_input_grad[i]` says whether input i of forward needs a gradient; keep anything
    else backward needs as an attribute (`ctx.k = k`).
    """

    def __init__(self, inputs: tuple) -> None:
        self.needs_input_grad = tuple(isinstance(a, Node) and a.requires_grad for a in inputs)
        self._inputs = inputs
        self._saved: tuple = ()
        self._versions: tuple = ()
        self._non_differentiable: set[int] = set()
        self._outputs: tuple = ()          # forward's results (their data), for zero grads
        self._scalar = any(isinstance(a, Value) for a in inputs)     # Values, not Tensors

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep these (inputs or outputs of forward, or None) for `backward`."""
        for t in tensors:
            if t is not None and not isinstance(t, Node):
                raise TypeError(f"save_for_backward: expected Tensors or Values (or None), "
                                f"got {type(t).__name__}; keep other values on ctx as "
                                "attributes (ctx.k = k)")
        self._saved = tensors
        self._versions = tuple(None if t is None or isinstance(t, Value) else t._version
                               for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        """What `save_for_backward` kept; an error if one was changed in place since."""
        for i, (t, v) in enumerate(zip(self._saved, self._versions)):
            if v is not None and t._version != v:
                raise RuntimeError(f"saved_tensors: saved tensor {i} (shape {t.shape}) was "
                                   "modified in place after save_for_backward; the gradient "
                                   "would be wrong")
        return self._saved

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """These outputs of forward get no gradient (indices, masks, counts)."""
        self._non_differentiable.update(id(o) for o in outputs)


class Function(Rule):
    """Subclass it with static methods `forward(ctx, *args)` and `backward(ctx, *grads)`,
    then call `YourOp.apply(*args)` (see the module docstring)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError("a Function must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function must define backward(ctx, *grad_outputs)")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__
        if "torch_name" not in cls.__dict__:
            cls.torch_name = f"{cls.__name__}Backward"
        cls.grads = _PerInput(lambda i: lambda g, out, *args: cls.vjp(g, out, *args)[i])

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward outside the graph and record its result(s) as nodes of the graph;
        keyword arguments reach `forward` as constants (no gradient flows to them)."""
        nodes = [a for a in args if isinstance(a, Node)]
        if not nodes:
            raise TypeError(f"{cls.__name__}.apply: expected at least one Tensor or Value "
                            "argument")
        if len({isinstance(a, Value) for a in nodes}) > 1:
            raise TypeError(f"{cls.__name__}.apply: the arguments mix Values and Tensors")
        ctx = FunctionCtx(args)
        prev, _mode.enabled = _mode.enabled, False
        try:
            result = cls.forward(ctx, *args, **kwargs)
        finally:
            _mode.enabled = prev
        many = isinstance(result, tuple)
        outs = result if many else (result,)
        for k, o in enumerate(outs):
            if not isinstance(o, Node):
                raise TypeError(f"{cls.__name__}.forward must return Tensors or Values (a "
                                f"tuple of them for several); output {k} is "
                                f"{type(o).__name__}")
        ctx._outputs = tuple(o._data for o in outs)
        record = any(ctx.needs_input_grad)
        made: list[Any] = []
        for k, o in enumerate(outs):
            saved = (ctx, k)
            if isinstance(o, Value):
                made.append(_value_node(o._data, cls, args, saved) if record and
                            id(o) not in ctx._non_differentiable else Value(o._data))
            else:
                wanted = record and id(o) not in ctx._non_differentiable
                made.append(_tensor_node(o._data, cls, args, saved, needs_grad=wanted))
        return tuple(made) if many else made[0]

    @classmethod
    def vjp(cls, g: Any, out: Any, *args: Any) -> list:
        """The engine's call: every input's gradient from output k's gradient g."""
        ctx, k = args[-2], args[-1]
        create_graph = isinstance(out, Node)     # the engine passes nodes to build a graph
        grads = [g if isinstance(g, Node) and j == k else
                 _as_node(g if j == k else np.zeros_like(o), ctx)
                 for j, o in enumerate(ctx._outputs)]
        result = cls.backward(ctx, *grads)
        results = result if isinstance(result, tuple) else (result,)
        inputs = ctx._inputs
        if len(results) != len(inputs):
            raise RuntimeError(f"{cls.__name__}.backward returned {len(results)} gradient(s) "
                               f"but forward took {len(inputs)} input(s): return one per input "
                               "(None for an input that needs none)")
        found: list = []
        for i, (r, x) in enumerate(zip(results, inputs)):
            if r is None or not isinstance(x, Node):
                found.append(None)
            else:
                found.append(_checked(cls, i, r if create_graph else _raw(r), x))
        return found


def _as_node(g: Any, ctx: FunctionCtx) -> Any:
    """The upstream gradient as backward sees it: a Tensor (or a Value), outside the graph."""
    return Value(float(g)) if ctx._scalar else _leaf(np.asarray(g))


def _raw(r: Any) -> Any:
    return r._data if isinstance(r, Node) else r


def _checked(cls: type, i: int, r: Any, x: Any) -> Any:
    """A returned gradient must have its input's shape (or broadcast to it)."""
    if isinstance(x, Value):
        return r
    shape = np.shape(r._data if isinstance(r, Node) else r)
    if shape != x.shape:
        try:
            ok = np.broadcast_shapes(shape, x.shape) == x.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{cls.__name__}.backward returned a gradient of shape {shape} "
                               f"for input {i}, which has shape {x.shape}")
    return r
