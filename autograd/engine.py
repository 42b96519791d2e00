"""The reverse-mode engine: one backward pass for `Value` and `Tensor`.

A graph node is any object that subclasses `Node` and has these slots:

    _data      the forward result (a float for Value, a numpy array for Tensor)
    _parents   the op's inputs in argument order: nodes, or plain numbers (constants)
    _rule      the `Rule` that made the node (None for a leaf)
    _saved     the op's non-differentiable arguments (an axis, a shape), passed to the rule
    _g         the gradient flowing into the node during a backward pass

Backpropagation is the chain rule applied in reverse topological order. Read
`backprop_steps` first: it is the whole algorithm in a few lines, one edge at a time,
and the chain-rule table and the step-by-step pictures are built from it. `backward` is
the same loop made fast (no step records, the common one- and two-input ops unrolled);
a property test checks that the two give the same gradients.
"""
from __future__ import annotations

import gc
import threading
import weakref
from contextlib import ContextDecorator
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

__all__ = ["Node", "Step", "backprop_steps", "backward", "topological_order", "no_grad",
           "enable_grad", "is_grad_enabled", "set_grad_enabled", "note_reuse"]


class Node:
    """Base class of graph nodes (`Value`, `Tensor`)."""

    __slots__ = ()
    requires_grad = True
    _data: Any
    _g: Any
    _parents: Any
    _rule: Any
    _saved: Any
    # Per-class hook run on a node's total gradient before its rule uses it
    # (Tensor: sum broadcast axes, store leaf .grad). None costs nothing.
    _finish_grad: Any = None

    @classmethod
    def _node(cls, rule: Any, parents: tuple, saved: tuple = ()) -> Any:
        """A new node of this class computed by `rule` from `parents` (the constructor that
        rules use to build graph nodes for gradients of gradients)."""
        raise NotImplementedError

    def _shaped_grad(self, g: Any) -> Any:
        """A contribution to this node's gradient, brought to the node's own shape and dtype
        (Tensor: broadcast axes summed back). Scalars need nothing."""
        return g

    def _release(self) -> None:
        """Drop the links to the inputs after backward (retain_graph=False): frees the
        intermediate results, and a second backward through this node is a clear error."""
        self._parents = None


# ---------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when tensor ops record a graph (see `no_grad`)."""
    return _mode.enabled


class set_grad_enabled(ContextDecorator):
    """Turn graph recording on or off, as a context manager or a decorator (thread-local)."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _mode.enabled = self._prev.pop()

    def _recreate_cm(self) -> "set_grad_enabled":
        # As a decorator: a fresh context per call, so threads (and calls still running)
        # never share `_prev`.
        return set_grad_enabled(self.mode)


class no_grad(set_grad_enabled):
    """Inside `with no_grad():` (or a function decorated with `@no_grad()`) no graph is recorded."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Re-enable graph recording inside a `no_grad` block."""

    def __init__(self) -> None:
        super().__init__(True)


# ---------------------------------------------------------------- nodes reused in place
# An in-place op inside a graph (`y[0] = v`, `y += 1` on a computed tensor) makes the Python
# object `y` stand for a new node, born at the clock time `y._born`; nodes made before that
# still mean the old one. `_previous[y]` is what y stood for before (itself perhaps reused),
# and the walk resolves an input to the incarnation that was current when its consumer was
# born. Keyed by id, weakly: an entry goes with its object (a Tensor's == is elementwise, so
# a WeakKeyDictionary cannot hold it), and with no entry the walk pays nothing.
_previous: dict[int, tuple[Any, Node]] = {}


def note_reuse(node: Node, previous: Node) -> None:
    """Record that `node`'s object now holds a newer op; `previous` is its former self
    (which takes over what came before it, if the object was reused already)."""
    before = _previous.get(id(node))
    if before is not None and before[0]() is node:
        _remember(previous, before[1])
    _remember(node, previous)


def _remember(node: Node, previous: Node) -> None:
    key = id(node)

    def forget(_: Any) -> None:
        _previous.pop(key, None)
    _previous[key] = (weakref.ref(node, forget), previous)


def _current_inputs(node: Node) -> None:
    """Point `node`'s inputs at the incarnations it was computed from (once: it rewrites
    `node._parents`)."""
    parents = node._parents
    born = getattr(node, "_born", None)
    if not parents or born is None:
        return
    fixed = []
    changed = False
    for p in parents:
        entry = _previous.get(id(p))
        while entry is not None and entry[0]() is p and p._born > born:
            p = entry[1]
            changed = True
            entry = _previous.get(id(p))
        fixed.append(p)
    if changed:
        node._parents = tuple(fixed)


# ---------------------------------------------------------------- the order
def topological_order(root: Any) -> list[Node]:
    """Nodes that `root` (a node, or a list of nodes) depends on and that require grad,
    roots first, each node before all of its inputs.

    Iterative depth-first search (no recursion limit); reads the graph, changes nothing.
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    return _walk(roots, split_leaves=False)[0]


def _walk(roots: list, split_leaves: bool) -> tuple[list, list]:
    """The depth-first search behind `topological_order`. With `split_leaves`, leaves go
    to a list of their own instead of into the order: backward() needs no place in the
    order for them (nothing flows on from a leaf) and finishes them in one pass at the end.
    """
    order: list[Node] = []
    leaves: list[Node] = []
    seen: set[Node] = set()
    resolve = len(_previous) > 0
    # A marker (None) goes under each expanded node: when the marker comes off the stack,
    # everything the node depends on is already in `order`.
    stack: list[Any] = roots[::-1]
    push, pop, mark, emit = stack.append, stack.pop, seen.add, order.append
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        if node in seen:
            continue
        mark(node)
        if split_leaves and node._rule is None:
            leaves.append(node)
            continue
        push(node)
        push(None)
        if resolve:
            _current_inputs(node)
        for p in reversed(node._parents or ()):   # reversed: the first input is explored first
            if isinstance(p, Node) and p.requires_grad and p not in seen:
                push(p)
    order.reverse()
    return order, leaves


# ---------------------------------------------------------------- backprop, step by step
@dataclass(frozen=True, slots=True)
class Step:
    """One edge of the backward pass: `node` sends gradient to its input number `index`.

        contribution = upstream * local          (the chain rule along this edge)
        total        = the input's gradient so far (the sum over its edges processed)

    `upstream` is d root / d node; `local` is d node / d input (a number for a Value; for a
    Tensor, the elementwise local derivative when the op is elementwise, else None: a
    matrix product's local derivative is a Jacobian, which `contribution` applies).
    """

    node: Node
    index: int
    input: Node
    upstream: Any
    local: Any
    contribution: Any
    total: Any


def backprop_steps(root: Node, seed: Any = 1.0) -> Iterator[Step]:
    """Backpropagation, one edge at a time: the reference loop. Reads the graph and
    changes nothing (no `.grad` is touched).

    Start with d root / d root = seed, then visit the nodes in reverse topological order,
    so that a node's gradient is complete before it is passed on:

        grads[root] = seed
        for node in topological_order(root):        # every node after all its consumers
            for each input x of node that needs a gradient:
                contribution = grads[node] * d node / d x     # upstream * local
                grads[x] += contribution                       # a value used twice sums
    """
    grads: dict[Node, Any] = {root: seed}
    for node in topological_order(root):
        rule = node._rule
        if rule is None:
            continue                                # a leaf: nothing to pass on
        if node._parents is None:
            raise RuntimeError(_RELEASED)
        upstream = grads[node]
        args = [p._data if isinstance(p, Node) else p for p in node._parents] + list(node._saved)
        for i, (x, formula) in enumerate(zip(node._parents, rule.grads)):
            if not isinstance(x, Node) or not x.requires_grad:
                continue                            # a constant: no gradient to send
            contribution = x._shaped_grad(_call(formula, upstream, node._data, args))
            total = contribution if x not in grads else grads[x] + contribution
            grads[x] = total
            yield Step(node, i, x, upstream, _local(node, formula, args), contribution, total)


def _local(node: Node, formula: Any, args: list) -> Any:
    """d node / d input: the rule's formula with upstream 1 (it is linear in upstream)."""
    out = node._data
    if isinstance(out, float):
        return _call(formula, 1.0, out, args)
    if node._rule.elementwise:
        return _call(formula, np.ones_like(out), out, args)
    return None


def _call(formula: Any, g: Any, out: Any, args: Sequence[Any]) -> Any:
    prev, _mode.enabled = _mode.enabled, False      # raw data in, raw data out: no graph
    try:
        return formula(g, out, *args)
    except ArithmeticError:
        return _ieee_retry(formula, g, out, args)
    finally:
        _mode.enabled = prev


# ---------------------------------------------------------------- backward, fast
# Functions called by `backward` with (roots, seeds, order, leaves, retain_graph,
# create_graph, inputs) before the pass runs, while the graph is whole (autograd.compile
# records a training step so). Empty, it costs one test per backward call.
_observers: list = []


def backward(root: Any, seed: Any, retain_graph: bool = True, create_graph: bool = False,
             inputs: list | None = None) -> list | None:
    """Backpropagate `seed` (d root / d root, usually 1) from `root` to every node it depends on.

    `root` and `seed` may be lists (several outputs, one seed each). Leaves accumulate into
    their gradient across calls; interior nodes get the gradient of this pass. With
    `create_graph=True` the formulas run on the nodes themselves, so the gradients are graph
    nodes too (gradients of gradients). With `inputs`, nothing is stored: the gradients of
    those nodes are returned (None for a node the roots do not depend on).

    The loop of `backprop_steps`, unrolled for speed: each node's gradient is kept on the
    node (`_g`) instead of in a dictionary, leaves are finished in one pass at the end, and
    the one- and two-input ops without saved arguments (nearly every node) are unrolled
    inline; the rest go through `_general_step`.
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    seeds = list(seed) if isinstance(root, (list, tuple)) else [seed]
    for r in roots:
        if r._rule is not None and r._parents is None:
            raise RuntimeError(_RELEASED)
    prev_mode, gc_was_on = _mode.enabled, gc.isenabled()
    # Every temporary made here is acyclic and freed by reference counting; a cyclic
    # collection triggered mid-walk would only rescan the whole (acyclic) graph.
    gc.disable()
    _mode.enabled = create_graph
    # Array gradients that are inf or nan (log at 0, sqrt at 0) are results, as in PyTorch,
    # not numpy warnings from inside the library. Scalars need no numpy state.
    quiet = None if roots[0]._data.__class__ is float else np.errstate(all="ignore")
    if quiet is not None:
        quiet.__enter__()
    order, leaves = _walk(roots, split_leaves=inputs is None)
    stash = [n._g for n in order] if inputs is not None else None
    captured = dict.fromkeys(inputs) if inputs is not None else None
    store = inputs is None
    try:
        if _observers:      # autograd.compile records the pass (one test per backward call)
            for observe in _observers:
                observe(roots, seeds, order, leaves, retain_graph, create_graph, inputs)
        for node in order:
            if node._rule is not None or not store:
                node._g = None
        for r, s in zip(roots, seeds):
            r._g = s if r._g is None else r._g + s
        for node in order:
            g = node._g
            if node._finish_grad is not None:
                g = node._finish_grad(g, create_graph, store)
            if captured is not None and node in captured:
                captured[node] = g
            rule = node._rule
            if rule is None or g is None:
                continue
            parents = node._parents
            if parents is None:
                raise RuntimeError(_RELEASED)
            if create_graph or node._saved or len(parents) > 2:
                _general_step(node, g, parents, rule, create_graph)
            # The one- and two-input ops without saved arguments (nearly every node), inline:
            # a call per node, or a loop over zip(parents, grads), costs 4% to 100% more.
            elif len(parents) == 2:
                a, b = parents
                grads = rule.grads
                out = node._data
                ad = a._data if isinstance(a, Node) else a
                bd = b._data if isinstance(b, Node) else b
                if ad is not a and a.requires_grad:
                    try:
                        pg = grads[0](g, out, ad, bd)
                    except ArithmeticError:
                        pg = _ieee_retry(grads[0], g, out, (ad, bd))
                    old = a._g
                    a._g = pg if old is None else (
                        old + pg if old.__class__ is float else _accumulate(a, old, pg))
                if bd is not b and b.requires_grad:
                    try:
                        pg = grads[1](g, out, ad, bd)
                    except ArithmeticError:
                        pg = _ieee_retry(grads[1], g, out, (ad, bd))
                    old = b._g
                    b._g = pg if old is None else (
                        old + pg if old.__class__ is float else _accumulate(b, old, pg))
            else:
                (a,) = parents
                if a.requires_grad:
                    ad = a._data
                    try:
                        pg = rule.grads[0](g, node._data, ad)
                    except ArithmeticError:
                        pg = _ieee_retry(rule.grads[0], g, node._data, (ad,))
                    old = a._g
                    a._g = pg if old is None else (
                        old + pg if old.__class__ is float else _accumulate(a, old, pg))
            if not retain_graph:
                node._release()
        for leaf in leaves:
            finish = leaf._finish_grad
            if finish is not None:
                finish(leaf._g, create_graph, store)
    finally:
        _mode.enabled = prev_mode
        if quiet is not None:
            quiet.__exit__(None, None, None)
        if stash is not None:
            for n, old in zip(order, stash):
                n._g = old
        if gc_was_on:
            gc.enable()
    return None if captured is None else [captured[n] for n in inputs]  # type: ignore[union-attr]


def _general_step(node: Node, g: Any, parents: tuple, rule: Any, create_graph: bool) -> None:
    """One node's chain rule, for any number of inputs and saved arguments."""
    if create_graph:
        out, args = node, list(parents)
    else:
        out, args = node._data, [p._data if isinstance(p, Node) else p for p in parents]
    saved = node._saved
    if saved:
        args.extend(saved)
    vjp = rule.vjp
    if vjp is not None:
        try:
            pgs = vjp(g, out, *args)
        except ArithmeticError:
            pgs = _ieee_retry(vjp, g, out, args)
        for p, pg in zip(parents, pgs):
            if pg is None or not isinstance(p, Node) or not p.requires_grad:
                continue
            old = p._g              # accumulated inline: ops like lincomb have many inputs
            if old.__class__ is float:
                p._g = old + pg
            else:
                p._g = pg if old is None else _accumulate(p, old, pg)
        return
    for p, formula in zip(parents, rule.grads):
        if isinstance(p, Node) and p.requires_grad:
            try:
                pg = formula(g, out, *args)
            except ArithmeticError:
                pg = _ieee_retry(formula, g, out, args)
            if pg is not None:
                old = p._g
                p._g = pg if old is None else (
                    old + pg if old.__class__ is float else _accumulate(p, old, pg))


def _accumulate(node: Node, old: Any, new: Any) -> Any:
    """old + new. A Tensor input's contributions may differ in shape (one from an op that
    broadcast it, one not): each is first summed down to the input's own shape, or the
    smaller one would be broadcast and counted once per copy."""
    if node._finish_grad is not None and old.shape != new.shape:
        old, new = node._shaped_grad(old), node._shaped_grad(new)
    return old + new


_RELEASED = ("backward through a graph whose saved values were already released by an earlier "
             "backward(); call backward(retain_graph=True) the first time if you need to go twice")


def _ieee_retry(formula: Any, g: Any, out: Any, args: Sequence[Any]) -> Any:
    """Python floats raise where IEEE 754 gives inf (0.0 ** -0.5, 1 / 0.0); numpy float64 does not.

    A derivative that is mathematically infinite (sqrt at 0) therefore comes out as inf, as in
    PyTorch, instead of as a ZeroDivisionError from deep inside backward().
    """
    def f64(x: Any) -> Any:
        return np.float64(x) if type(x) is float else x
    with np.errstate(all="ignore"):
        r = formula(f64(g), f64(out), *[f64(a) for a in args])
    if isinstance(r, np.floating):
        return float(r)
    if isinstance(r, (list, tuple)):
        return [float(x) if isinstance(x, np.floating) else x for x in r]
    return r
