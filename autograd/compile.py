"""`autograd.compile`: record a training step once, replay it without building a graph.

    step = autograd.compile(train_step)     # or @autograd.compile
    for batch in batches:
        loss = step(batch)                  # 1st call: eager, recorded; then replayed
    print(step.code)                        # the recorded forward and backward, as numpy

The first call runs `fn` eagerly while watching what it does:

* every Tensor op (`_record` in tensor.py sees each result: the rule, its inputs, its
  saved arguments) and every in-place overwrite of a tensor (`x -= ...` under no_grad);
* every backward pass (`engine._observers`: the engine's own visiting order, the nodes,
  which inputs need a gradient, the leaves that receive `.grad`);
* every optimizer `step()` and `zero_grad()` (`nn.optim.optimizer._observers`);
* for `Value` graphs, every read and assignment of `.data` and `.grad` (the numbers come
  back as tracked floats, so `p.data -= lr * p.grad` is recorded as an expression);
* every conversion of data into Python (`.item()`, `float()`, `bool()`, `.tolist()`,
  `.numpy()`, comparisons of Values): a later op might depend on it through a branch the
  recording cannot see, so a conversion followed by any op makes the step eager for good.

The recording is a flat program over numbered slots (one per array or float). A replay
binds the new inputs to their slots by position, reads the parameters' current arrays,
and calls the very functions the eager run called, in the same order: each op's
`rule.forward(*inputs, *saved)`, each gradient formula `rule.grads[i](g, out, *inputs,
*saved)` accumulated as the engine accumulates (so results are bit-identical), the leaf
`.grad` stored by the tensor's own `_finish_grad`, and the optimizer's real `step()`. No
graph node, no sort, no Python object per op is made.

Before each replay a guard compares the call with the recording: the tensors' shapes,
dtypes and requires_grad, the other arguments (equal values), the parameters' shapes and
dtypes, and grad mode. A mismatch records again (`verbose=True` says why, once per
reason); the last `Compiled.cache_size` recordings are kept, one per guard key.

Random draws of the library's samplers (dropout masks, rand, randn, randint, ...) are
recorded as calls that draw again from the same generator at replay time; BatchNorm's
running statistics as their update from the batch's statistics (checked bit for bit against
the eager run's), copied into the buffers in place; max-pooling's picks as a function of the
input. What cannot be replayed (a data-dependent conversion, random numbers from Python's
`random`, numpy's global state or a generator the step does not reach, an in-place change of
a tensor inside the graph, create_graph, a tensor the recording did not see being made)
makes the compiled function call `fn` eagerly from then on, with one warning naming the
reason: never a wrong number.

`code` is the recording printed as straight-line Python over numpy, one line per op,
named after the user's variables and parameters where known; names are sanitized
identifiers, never raw user text. The replay never executes that text.
"""
from __future__ import annotations

import gc
import inspect
import keyword
import operator
import random as _pyrandom
import struct
import sys
import warnings
from typing import Any, Callable

import numpy as np

from . import engine
from . import layer_rules as L
from . import rules as R
from . import tensor_rules as T
from .engine import _ieee_retry
from .tensor import Tensor, _leaf
from .value import Value

__all__ = ["compile", "explain", "Compiled", "CompileWarning"]

# the module itself (the package's `autograd.tensor` is the function of that name)
_tmod = sys.modules[Tensor.__module__]
_vmod = sys.modules[Value.__module__]


_recording = [0]     # how many recordings are running (a compiled call inside one is eager)


class CompileWarning(UserWarning):
    """A compiled function falls back to eager execution (the message says why)."""


class _CannotReplay(Exception):
    """Raised during recording: the step cannot be replayed (the reason is the message)."""


# ---------------------------------------------------------------- events of a recording
_OP, _COPY, _READ_GRAD, _TBACK, _STEP, _ZERO, _VBACK, _VSET, _SET_GRAD, _CALL = range(10)


class _Sym(float):
    """A float read from a Value's `.data` or `.grad` while recording, carrying how it was
    computed (an expression over `.data`/`.grad` reads and constants), so that
    `p.data -= lr * p.grad` can be replayed with the new numbers."""

    expr: Any
    rec: "_Recorder"

    def __new__(cls, v: float, expr: Any, rec: "_Recorder") -> "_Sym":
        obj = float.__new__(cls, v)
        obj.expr = expr
        obj.rec = rec
        return obj

    def _plain(self) -> float:
        return float.__float__(self)

    def __float__(self) -> float:
        self.rec.convert("float() of a Value's .data or .grad")
        return self._plain()

    def __bool__(self) -> bool:
        self.rec.convert("a branch on a Value's .data or .grad")
        return self._plain() != 0.0

    def _cmp(self, other: Any, op: Any) -> bool:
        self.rec.convert("a comparison of a Value's .data or .grad")
        return bool(op(self._plain(), _plain(other)))

    def __lt__(self, o: Any) -> bool:
        return self._cmp(o, operator.lt)

    def __le__(self, o: Any) -> bool:
        return self._cmp(o, operator.le)

    def __gt__(self, o: Any) -> bool:
        return self._cmp(o, operator.gt)

    def __ge__(self, o: Any) -> bool:
        return self._cmp(o, operator.ge)

    def __eq__(self, o: Any) -> bool:
        return self._cmp(o, operator.eq)

    def __ne__(self, o: Any) -> bool:
        return self._cmp(o, operator.ne)

    __hash__ = float.__hash__

    def __neg__(self) -> "_Sym":
        return _Sym(-self._plain(), ("neg", self.expr), self.rec)

    def __pos__(self) -> "_Sym":
        return self


def _plain(x: Any) -> Any:
    return x._plain() if isinstance(x, _Sym) else x


def _sym_binary(op: Callable[[Any, Any], Any], name: str, reflected: bool) -> Callable:
    def method(self: _Sym, other: Any) -> Any:
        if isinstance(other, _Sym):
            ov, oe = other._plain(), other.expr
        elif isinstance(other, (int, float)) and not isinstance(other, bool):
            ov, oe = other, ("c", other)
        else:
            return NotImplemented
        sv = self._plain()
        if reflected:
            return _Sym(op(ov, sv), (name, oe, self.expr), self.rec)
        return _Sym(op(sv, ov), (name, self.expr, oe), self.rec)
    return method


_SYM_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
            "truediv": operator.truediv, "pow": operator.pow}
for _name, _fn in _SYM_OPS.items():
    setattr(_Sym, f"__{_name}__", _sym_binary(_fn, _name, False))
    setattr(_Sym, f"__r{_name}__", _sym_binary(_fn, _name, True))


def _eval(expr: Any, live: Callable[[Any], float]) -> Any:
    """The value of a recorded `_Sym` expression, with the current numbers."""
    kind = expr[0]
    if kind == "c":
        return expr[1]
    if kind == "neg":
        return -_eval(expr[1], live)
    if kind in ("data", "grad"):
        return live(expr)
    return _SYM_OPS[kind](_eval(expr[1], live), _eval(expr[2], live))


# ---------------------------------------------------------------- the recorder
class _Recorder:
    """Watches one eager call of the step and turns it into a program (`_Program`)."""

    def __init__(self, arg_tensors: list, arg_values: list) -> None:
        self.events: list = []
        self.slot_of: dict[int, int] = {}        # id(array) -> slot
        self.keep: list = []                     # the arrays, alive while recording
        self.nslots = 0
        self.inputs: list[tuple[int, int]] = []  # (slot, position among the arg tensors)
        self.leaves: list[tuple[int, Tensor]] = []   # (slot, tensor): read at replay start
        self.shapes: dict[int, tuple] = {}
        self.dtypes: dict[int, Any] = {}
        self.conversion: str | None = None       # the first conversion not yet followed
        self.failure: str | None = None
        self.arg_pos = {id(t): k for k, t in enumerate(arg_tensors)}
        self.arg_values = {id(v): k for k, v in enumerate(arg_values)}
        self.conversions: dict[int, tuple] = {}  # id(result) -> (kind, slot)
        self.results: list = []                  # conversion results, kept alive
        self.fresh: set[int] = set()             # ids of tensors made during the call
        self.constants: list[np.ndarray] = []    # arrays made during the call, used as inputs
        self.locals: dict[str, Any] = {}
        # id(numpy Generator) -> (it, the state it must have now): a random draw is replayed
        # only if every change of a generator's state came from a recorded draw
        self.rng_expect: dict[int, tuple[Any, Any]] = {}
        self.bn: list[_BatchNormCall] = []       # batch_norm calls running now
        self.owners: dict[int, Tensor] = {}      # id(array) -> the watched tensor holding it
        for k, t in enumerate(arg_tensors):
            s = self._new_slot(t._data)
            self.inputs.append((s, k))

    # -- slots
    def _new_slot(self, arr: Any) -> int:
        s = self.nslots
        self.nslots += 1
        self.slot_of[id(arr)] = s
        self.keep.append(arr)
        if isinstance(arr, np.ndarray):
            self.shapes[s], self.dtypes[s] = arr.shape, arr.dtype
        return s

    def slot_for(self, t: Tensor) -> int:
        """The slot of a tensor met as an input: recorded, an argument, or a leaf."""
        s = self.slot_of.get(id(t._data))
        if s is not None:
            return s
        s = self._new_slot(t._data)
        owner = self.owners.get(id(t._data))
        if owner is not None:       # a new tensor around a parameter's or buffer's array
            t = owner               # (an in-place op's operand): bound to that tensor
        self.leaves.append((s, t))
        if owner is None and id(t) in self.fresh:  # made inside: a constant, or from data?
            self.constants.append(np.array(t._data, copy=True))
        return s

    def fail(self, reason: str) -> None:
        if self.failure is None:
            self.failure = reason

    def event(self, ev: tuple) -> None:
        if self.conversion is not None:
            self.fail(f"{self.conversion} was used before more tensor work (a branch on data "
                      "would not be seen by a replay); move it after the step, or return the "
                      "tensor instead")
        self.events.append(ev)

    def convert(self, what: str, result: Any = None, slot: int | None = None,
                kind: str = "") -> None:
        if self.conversion is None:
            self.conversion = what
        if result is not None and slot is not None:
            self.conversions[id(result)] = (kind, slot)
            self.results.append(result)

    # -- random draws
    def before_draw(self, rng: Any) -> bool:
        """Whether a draw from `rng` about to happen can be replayed: a generator the step
        reaches, in the state the recorded draws left it in."""
        known = self.rng_expect.get(id(rng))
        if known is None:
            self.fail("fn draws random numbers from a generator it does not reach by name "
                      "(made inside the step?): a replay could not draw from it")
            return False
        if known[1] != rng.bit_generator.state:
            self.fail("fn draws random numbers outside the library's samplers (numpy's own "
                      "methods on autograd.generator()?): a replay would not draw them")
            return False
        return True

    def on_draw(self, fn: Callable, args: tuple, out: Any, rng: Any) -> None:
        """A draw `out = fn(*args)` from `rng`: replayed by calling `fn(*args)` again, which
        draws the next numbers from the same generator, as the eager run would."""
        self.rng_expect[id(rng)] = (rng, rng.bit_generator.state)
        if not isinstance(out, np.ndarray):
            self.fail(f"a random draw gave a {type(out).__name__}, not an array")
            return
        self.event((_CALL, fn, tuple((False, a) for a in args), self._new_slot(out)))

    # -- batch_norm's running statistics
    def on_batch_norm(self, bn: "_BatchNormCall", saved: tuple) -> None:
        """The BatchNorm op of a running batch_norm call: its cache (filled by the forward)
        feeds the running-statistics update; in eval mode the copies of the running
        statistics it reads are recorded as copies of the buffers (not as constants)."""
        bn.cache = saved[4]
        if bn.training:
            bn.pending = [k for k, r in (("mean", bn.running_mean), ("var", bn.running_var))
                          if r is not None]
            return
        for x, r in zip(saved[:2], (bn.running_mean, bn.running_var)):
            if (isinstance(x, np.ndarray) and r is not None and id(x) not in self.slot_of
                    and x.dtype == r._data.dtype and np.array_equal(x, r._data, equal_nan=True)):
                src = self.slot_for(r)
                self.event((_CALL, np.ndarray.copy, ((True, src),), self._new_slot(x)))

    def on_made(self, arr: np.ndarray) -> None:
        """A tensor made around `arr` during a batch_norm call in training: if `arr` holds
        the next running statistic, bit for bit as the recorded update computes it, that
        update is recorded (so a replay computes it from the new batch)."""
        bn = self.bn[-1]
        if not bn.pending or bn.cache is None or not isinstance(arr, np.ndarray):
            return
        kind = bn.pending[0]
        running = bn.running_mean if kind == "mean" else bn.running_var
        assert running is not None
        if arr.shape != running._data.shape or arr.dtype != running._data.dtype:
            return
        fn, extra = ((_bn_running_mean, ()) if kind == "mean" else
                     (_bn_running_var, (bn.n, bn.c, bn.dtype)))
        try:
            want = fn(bn.cache, running._data, bn.momentum, *extra)
        except Exception:       # a cache of another layout: leave it to the constants check
            bn.pending = []
            return
        if not np.array_equal(want, arr, equal_nan=True) or want.dtype != arr.dtype:
            return
        bn.pending.pop(0)
        refs = ((False, bn.cache), (True, self.slot_for(running)), (False, bn.momentum)) + \
            tuple((False, x) for x in extra)
        self.event((_CALL, fn, refs, self._new_slot(arr)))

    # -- Tensor ops
    def on_record(self, out: Tensor, rule: Any, parents: tuple, saved: tuple) -> None:
        if rule is L.BatchNorm and self.bn and self.bn[-1].cache is None and len(saved) == 5:
            self.on_batch_norm(self.bn[-1], saved)
        refs = []
        for p in parents:
            refs.append((True, self.slot_for(p)) if isinstance(p, Tensor) else (False, p))
        sv = tuple((True, self.slot_of[id(x)]) if isinstance(x, np.ndarray)
                   and id(x) in self.slot_of else (False, x) for x in saved)
        for x in saved:
            if isinstance(x, np.ndarray) and id(x) not in self.slot_of:
                self.constants.append(np.array(x, copy=True))
        self.event((_OP, rule, tuple(refs), sv, self._new_slot(out._data)))

    def on_overwrite(self, t: Tensor, value: np.ndarray) -> None:
        src = self.slot_of.get(id(value))
        if src is None:
            self.fail("an in-place change by a value the recording did not see computed")
            return
        self.event((_COPY, self.slot_for(t), src))

    def on_read_grad(self, t: Tensor, grad: Tensor | None) -> None:
        if grad is None:
            return
        s = self._new_slot(grad._data)
        self.event((_READ_GRAD, s, self._ref(t)))

    def on_set_grad(self, t: Tensor, value: Any) -> None:
        if value is None:
            self.event((_SET_GRAD, self._ref(t), None))
            return
        s = self.slot_of.get(id(value._data)) if isinstance(value, Tensor) else None
        if s is None:
            self.fail("a .grad assigned a tensor the recording did not see made")
            return
        self.event((_SET_GRAD, self._ref(t), s))

    def _ref(self, t: Any) -> tuple:
        k = self.arg_pos.get(id(t))
        return ("arg", k) if k is not None else ("obj", t)

    # -- backward
    def on_backward(self, roots: list, seeds: list, order: list, leaves: list,
                    retain_graph: bool, create_graph: bool, inputs: Any) -> None:
        if create_graph or inputs is not None:
            self.fail("backward with create_graph=True or inputs= (gradients of gradients "
                      "are not replayed)")
            return
        if isinstance(roots[0], Value):
            self._value_backward(roots, seeds, order, leaves)
            return
        index = {n: i for i, n in enumerate(order)}
        index.update({n: len(order) + i for i, n in enumerate(leaves)})
        steps = []
        for k, node in enumerate(order):
            if not isinstance(node, Tensor):
                self.fail("a backward through a graph mixing Values and Tensors")
                return
            if node._retains_grad:
                self.fail("retain_grad() on a tensor inside the step")
                return
            slot = self.slot_of.get(id(node._data))
            if slot is None:
                self.fail(f"a tensor made by {node._rule.name} outside the recorded ops")
                return
            parents = node._parents
            refs = tuple((True, self.slot_for(p)) if isinstance(p, Tensor) else (False, p)
                         for p in parents)
            targets = tuple((i, index[p]) for i, p in enumerate(parents)
                            if isinstance(p, Tensor) and p.requires_grad)
            general = 1 if node._saved or len(parents) > 2 else 0
            sv = tuple(node._saved)
            svr = tuple((True, self.slot_of[id(x)]) if isinstance(x, np.ndarray)
                        and id(x) in self.slot_of else (False, x) for x in sv)
            if any(s for s, _ in svr):
                general, sv = 2, svr    # arrays made in the step (a dropout mask): new ones
            steps.append((k, slot, node._data.shape, node._data.dtype, node._rule, refs, sv,
                          targets, general))
        shapes = [n._data.shape for n in order] + [n._data.shape for n in leaves]
        rs = [(index[r], np.array(s, copy=True)) for r, s in zip(roots, seeds)]
        lv = [(len(order) + i, self._ref(t)) for i, t in enumerate(leaves)]
        self.event((_TBACK, _TensorBackward(steps, shapes, rs, lv)))

    def _value_backward(self, roots: list, seeds: list, order: list, leaves: list) -> None:
        plan = _ValueBackward(self, roots, seeds, order, leaves)
        if plan.failure:
            self.fail(plan.failure)
            return
        self.event((_VBACK, plan))

    # -- optimizer
    def on_optimizer(self, opt: Any, what: str, arg: Any) -> None:
        if what == "step":
            if arg is not None:
                self.fail("optimizer.step(closure) (the closure's ops are not replayed)")
            self.event((_STEP, opt))
        else:
            self.event((_ZERO, opt, arg))

    # -- Values
    def on_value_set(self, v: Value, attr: str, value: Any) -> None:
        if isinstance(value, _Sym):
            expr = value.expr
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            expr = ("c", float(value) if attr == "data" else value)
        else:
            self.fail(f"a Value's .{attr} set to a {type(value).__name__}")
            return
        if v._rule is not None:
            self.fail(f"a computed Value's .{attr} assigned inside the step")
            return
        self.event((_VSET, v, attr, expr))


class _TensorBackward:
    """One recorded `backward()` of a Tensor graph: the engine's order, frozen."""

    def __init__(self, steps: list, shapes: list, roots: list, leaves: list) -> None:
        self.steps, self.shapes, self.roots, self.leaves = steps, shapes, roots, leaves
        self.n = len(shapes)
        # the steps as the replay walks them: the inputs' slots as one tuple where every
        # input is an array (else None: mixed with numbers), each target with its formula
        self.fast = []
        for k, slot, shape, dtype, rule, refs, saved, targets, general in steps:
            idx = tuple(v for _, v in refs) if all(sl for sl, _ in refs) else None
            tg = tuple((i, t, rule.grads[i]) for i, t in targets)
            self.fast.append((k, slot, shape, dtype, idx, refs, saved, tg, general,
                              rule.vjp if general else None))

    def run(self, bufs: list, arg_tensors: list) -> None:
        gs: list = [None] * self.n
        shapes = self.shapes
        for i, seed in self.roots:
            gs[i] = seed if gs[i] is None else gs[i] + seed
        with np.errstate(all="ignore"):
            for k, slot, shape, dtype, idx, refs, saved, targets, general, vjp in self.fast:
                g = gs[k]
                if g is None:
                    continue
                gs[k] = None
                if g.shape != shape:
                    g = T.sum_to(g, shape)
                if g.dtype is not dtype and g.dtype != dtype:
                    g = g.astype(dtype)
                out = bufs[slot]
                args = ([bufs[v] for v in idx] if idx is not None else
                        [bufs[v] if s else v for s, v in refs])
                if general:
                    if general == 2:
                        args.extend([bufs[v] if s else v for s, v in saved])
                    else:
                        args.extend(saved)
                    if vjp is not None:
                        pgs = vjp(g, out, *args)
                        for i, t, _ in targets:
                            pg = pgs[i]
                            if pg is not None:
                                _acc(gs, shapes, t, pg)
                        continue
                    for _i, t, f in targets:
                        pg = f(g, out, *args)
                        if pg is not None:
                            _acc(gs, shapes, t, pg)
                    continue
                for _i, t, f in targets:
                    pg = f(g, out, *args)
                    if gs[t] is None:
                        gs[t] = pg
                    else:
                        _acc(gs, shapes, t, pg)
            for i, ref in self.leaves:
                leaf = arg_tensors[ref[1]] if ref[0] == "arg" else ref[1]
                leaf._finish_grad(gs[i], False, True)


def _acc(gs: list, shapes: list, t: int, pg: Any) -> None:
    """The engine's accumulation: the first contribution as it is, later ones added (each
    summed to the input's shape first where their shapes differ, as `_accumulate`)."""
    old = gs[t]
    if old is None:
        gs[t] = pg
    elif old.__class__ is float:
        gs[t] = old + pg
    else:
        if old.shape != pg.shape:
            shape = shapes[t]
            old = old if old.shape == shape else T.sum_to(old, shape)
            pg = pg if pg.shape == shape else T.sum_to(pg, shape)
        gs[t] = old + pg


# ---------------------------------------------------------------- Value graphs
_V_ADD, _V_MUL, _V_RELU, _V_GEN2, _V_GEN1, _V_GENERAL = range(6)


class _ValueBackward:
    """A recorded forward and backward of a Value graph, over a flat list of floats: the
    leaves' numbers are read when the replay reaches it, every interior node is recomputed
    by its rule's forward, and the gradients flow in the engine's order."""

    back_levels: "_BackwardLevels | None" = None

    def __init__(self, rec: _Recorder, roots: list, seeds: list, order: list,
                 leaves: list) -> None:
        self.failure: str | None = None
        self.nodes = order[::-1]                # inputs before their consumers
        self.leaves = leaves
        nl, ni = len(leaves), len(order)
        index: dict[Any, int] = {n: i for i, n in enumerate(leaves)}
        index.update({n: nl + i for i, n in enumerate(self.nodes)})
        made_inside = [leaf._data for leaf in leaves if id(leaf) in rec.fresh]
        if made_inside:         # Values made inside the step: constants, or from data?
            rec.constants.append(np.array(made_inside))
        self.index = index
        consts: list[float] = []
        cslot: dict[int, int] = {}
        base = nl + ni

        def ref(p: Any) -> int:
            if isinstance(p, Value):
                return index[p]
            if isinstance(p, _Sym):
                raise _CannotReplay("a Value's .data or .grad used as a number in an op")
            s = cslot.get(id(p))
            if s is None:
                consts.append(p)
                s = cslot[id(p)] = base + len(consts) - 1
            return s

        fwd: list[Any] = []
        bwd: list[Any] = []
        per_node: list[tuple] = []
        kinds2 = {R.Add: _V_ADD, R.Mul: _V_MUL}
        try:
            for j, node in enumerate(self.nodes):
                parents = node._parents
                if parents is None:
                    raise _CannotReplay("a Value graph already released by a backward")
                rule = node._rule
                saved = tuple(node._saved) if node.__class__ is not Value else ()
                refs = tuple([ref(p) for p in parents])
                per_node.append((rule, refs, saved))
                if len(refs) == 2 and not saved and rule in kinds2:
                    fwd.append((kinds2[rule], nl + j, refs[0], refs[1], None))
                else:
                    fwd.append((_V_GENERAL, nl + j, -1, -1, (rule, refs, saved)))
        except _CannotReplay as e:
            self.failure = str(e)
            return
        for j in range(ni - 1, -1, -1):         # the engine's order: roots first
            rule, refs, saved = per_node[j]
            k = nl + j
            if saved or len(refs) > 2:
                targets = tuple([(i, r) for i, r in enumerate(refs) if r < base])
                bwd.append((_V_GENERAL, k, -1, -1, -1, -1, (rule, refs, saved, targets)))
            elif len(refs) == 2:
                a, b = refs
                bwd.append((kinds2.get(rule, _V_GEN2), k, a, b, a if a < base else -1,
                            b if b < base else -1, rule.grads))
            else:
                a = refs[0]
                bwd.append((_V_RELU if rule is R.Relu else _V_GEN1, k, a, -1,
                            a if a < base else -1, -1, rule.grads[0]))
        self.fwd, self.bwd = fwd, bwd
        self.consts = consts
        self.size = base + len(consts)
        self.data: list = [0.0] * self.size
        self.data[base:] = consts
        self.levels = _forward_levels(fwd, self.size, consts)
        if self.levels is not None:
            self.vec = np.zeros(self.size)
            self.vec[base:] = consts
        self.roots = [(index[r], s) for r, s in zip(roots, seeds)]
        # the recording must reproduce the numbers the eager run holds now
        self._load()
        self._forward()
        for node, k in index.items():
            a, b = node._data, self.data[k]
            if not (a == b or (a != a and b != b)):
                self.failure = ("a Value changed between its forward and the backward "
                                "(the recorded program would compute different numbers)")
                return
        plan = _BackwardLevels(bwd, self.roots, nl, self.size) if self.levels is not None else None
        if plan is not None and plan.levels is not None:
            self.back_levels = plan         # checked once against the loop, bit for bit
            a, b = self._backward(), self._backward_by_levels()
            if [struct.pack("<d", x) if x is not None else None for x in a] != \
                    [struct.pack("<d", x) if x is not None else None for x in b]:
                self.back_levels = None

    def _load(self) -> None:
        d = self.data
        for i, leaf in enumerate(self.leaves):
            d[i] = leaf._data

    def _forward(self) -> None:
        if self.levels is not None:
            self._forward_by_levels()
            return
        d = self.data
        for kind, o, a, b, x in self.fwd:
            if kind == _V_MUL:
                d[o] = d[a] * d[b]
            elif kind == _V_ADD:
                d[o] = d[a] + d[b]
            else:
                rule, refs, saved = x
                if rule is R.LinComb:
                    n = (len(refs) - 1) // 2
                    d[o] = rule.forward([d[r] for r in refs[:n]],
                                        [d[r] for r in refs[n:2 * n]], d[refs[-1]])
                else:
                    d[o] = float(rule.forward(*[d[r] for r in refs], *saved))

    def _forward_by_levels(self) -> None:
        """The forward as numpy operations, one per op kind and level of the graph (the
        nodes whose inputs are all computed): float64 + * and the relu selection are the
        same IEEE operations as on Python floats, so the numbers are the same."""
        v = self.vec
        v[:len(self.leaves)] = self.data[:len(self.leaves)]
        with np.errstate(all="ignore"):         # inf - inf is nan, silently, as on floats
            self._run_levels(v)
        self.data = v.tolist()

    def _run_levels(self, v: np.ndarray) -> None:
        assert self.levels is not None
        for kind, o, a, b in self.levels:
            if kind == _V_ADD:
                v[o] = v[a] + v[b]
            elif kind == _V_MUL:
                v[o] = v[a] * v[b]
            elif kind == _V_RELU:
                x = v[a]
                v[o] = np.where(x <= 0, 0.0, x)
            else:                               # a few nodes, one by one on floats
                for k, o1, a1, b1, x1 in o:
                    if k == _V_MUL:
                        v[o1] = float(v[a1]) * float(v[b1])
                    elif k == _V_ADD:
                        v[o1] = float(v[a1]) + float(v[b1])
                    else:
                        rule, refs, saved = x1
                        v[o1] = float(rule.forward(*[float(v[r]) for r in refs], *saved))

    def run(self) -> None:
        # As the engine's backward: every temporary is acyclic and freed by reference
        # counting, and a collection triggered mid-run would only rescan the program.
        was_on = gc.isenabled()
        gc.disable()
        try:
            self._run()
        finally:
            if was_on:
                gc.enable()

    def _run(self) -> None:
        self._load()
        self._forward()
        grads = (self._backward_by_levels() if self.back_levels is not None else
                 self._backward())
        for leaf, g in zip(self.leaves, grads):
            leaf._g = g

    def _backward(self) -> list:
        """The leaves' gradients, the engine's loop over the recorded nodes on floats."""
        d = self.data
        nl = len(self.leaves)
        gs: list = [None] * self.size
        for i, leaf in enumerate(self.leaves):
            gs[i] = leaf._g
        for i, s in self.roots:
            gs[i] = s if gs[i] is None else gs[i] + s
        for kind, k, a, b, ta, tb, x in self.bwd:
            g = gs[k]
            if g is None:
                continue
            if kind == _V_MUL:                  # the rule's formulas g * b and g * a
                if ta >= 0:
                    old = gs[ta]
                    pg = g * d[b]
                    gs[ta] = pg if old is None else old + pg
                if tb >= 0:
                    old = gs[tb]
                    pg = g * d[a]
                    gs[tb] = pg if old is None else old + pg
            elif kind == _V_ADD:                # g and g
                if ta >= 0:
                    old = gs[ta]
                    gs[ta] = g if old is None else old + g
                if tb >= 0:
                    old = gs[tb]
                    gs[tb] = g if old is None else old + g
            elif kind == _V_RELU:               # g where out > 0 (as _relu_grad)
                if ta >= 0:
                    pg = 0.0 if d[k] <= 0 else g
                    old = gs[ta]
                    gs[ta] = pg if old is None else old + pg
            elif kind == _V_GEN2:
                out, ad, bd = d[k], d[a], d[b]
                if ta >= 0:
                    f = x[0]
                    try:
                        pg = f(g, out, ad, bd)
                    except ArithmeticError:
                        pg = _ieee_retry(f, g, out, (ad, bd))
                    old = gs[ta]
                    gs[ta] = pg if old is None else old + pg
                if tb >= 0:
                    f = x[1]
                    try:
                        pg = f(g, out, ad, bd)
                    except ArithmeticError:
                        pg = _ieee_retry(f, g, out, (ad, bd))
                    old = gs[tb]
                    gs[tb] = pg if old is None else old + pg
            elif kind == _V_GEN1:
                if ta >= 0:
                    try:
                        pg = x(g, d[k], d[a])
                    except ArithmeticError:
                        pg = _ieee_retry(x, g, d[k], (d[a],))
                    old = gs[ta]
                    gs[ta] = pg if old is None else old + pg
            else:
                rule, refs, saved, targets = x
                args = [d[r] for r in refs]
                args.extend(saved)
                out = d[k]
                if rule.vjp is not None:
                    try:
                        pgs = rule.vjp(g, out, *args)
                    except ArithmeticError:
                        pgs = _ieee_retry(rule.vjp, g, out, args)
                    for i, t in targets:
                        pg = pgs[i]
                        if pg is not None:
                            old = gs[t]
                            gs[t] = pg if old is None else old + pg
                    continue
                for i, t in targets:
                    f = rule.grads[i]
                    try:
                        pg = f(g, out, *args)
                    except ArithmeticError:
                        pg = _ieee_retry(f, g, out, args)
                    if pg is not None:
                        old = gs[t]
                        gs[t] = pg if old is None else old + pg
        return gs[:nl]

    def _backward_by_levels(self) -> list:
        """The leaves' gradients with numpy operations per level, from the top (a level's
        consumers are all done before it): each node's contributions are added in the order
        the engine adds them (`first`, then `+ second`, ...), so the sums are the same."""
        plan = self.back_levels
        assert plan is not None and plan.levels is not None
        levels = plan.levels
        v = self.vec
        nl = len(self.leaves)
        G = np.zeros(self.size)
        C = np.zeros(plan.n_edges)
        root, seed = self.roots[0]
        G[root] = seed
        with np.errstate(all="ignore"):
            for finish, (mul_e, mul_k, mul_o), (add_e, add_k), (relu_e, relu_k) in levels:
                for r, (t, e) in enumerate(finish):
                    G[t] = C[e] if r == 0 else G[t] + C[e]
                if len(mul_e):
                    C[mul_e] = G[mul_k] * v[mul_o]
                if len(add_e):
                    C[add_e] = G[add_k]
                if len(relu_e):
                    C[relu_e] = np.where(v[relu_k] <= 0, 0.0, G[relu_k])
            inits = [leaf._g for leaf in self.leaves]
            for r, (t, e) in enumerate(plan.leaf_rounds):
                if r == 0:
                    first = C[e]
                    had = [inits[i] is not None for i in t]
                    if any(had):
                        first[had] = np.array([inits[i] for i in t[had]]) + first[had]
                    G[t] = first
                else:
                    G[t] = G[t] + C[e]
        grads = G[:nl].tolist()
        for i in plan.untouched:
            grads[i] = inits[i]
        return grads


class _BackwardLevels:
    """The backward of a Value graph of additions, multiplications and relus, grouped for
    `_ValueBackward._backward_by_levels`.

    Every contribution (edge) a node sends to an input gets a place in an array C; levels
    are the forward's, walked from the top (a node's consumers are all above it). Per level:
    `finish`, the rounds that add up the level's nodes' contributions in the engine's order
    (round r: (targets, edges), each node's r-th contribution), then the contributions the
    level's nodes send: g * the other factor, g, or g where the relu's output is > 0. The
    leaves are summed last (`leaf_rounds`); `untouched` leaves get no contribution. `levels`
    is None for a graph with other ops or several roots."""

    def __init__(self, bwd: list, roots: list, nl: int, size: int) -> None:
        self.levels: list | None = None
        root = roots[0][0]
        if len(roots) != 1 or root < nl:
            return
        # a node's level: its forward level (1 + its inputs' highest; leaves 0), so that the
        # same node of every sample lands in the same level; consumers are in higher ones
        level = [0] * size
        for kind, k, a, b, _, _, _ in reversed(bwd):
            if kind not in (_V_MUL, _V_ADD, _V_RELU):
                return
            level[k] = 1 + max(level[a], level[b] if b >= 0 else 0)
        incoming: list[list[int]] = [[] for _ in range(size)]   # edge ids, engine order
        sends: dict[int, tuple[list, list, list]] = {}   # level -> (mul, add, relu) edges
        n = 0
        for kind, k, a, b, ta, tb, _ in bwd:
            mul, add, relu = sends.setdefault(level[k], ([], [], []))
            for target, other in ((ta, b), (tb, a)):
                if target < 0:
                    continue
                if kind == _V_MUL:
                    mul.append((n, k, other))
                elif kind == _V_ADD:
                    add.append((n, k))
                else:
                    relu.append((n, k))
                incoming[target].append(n)
                n += 1
        # every node but the root must receive a gradient (the engine skips one that does
        # not), and the root none
        if incoming[root] or any(not incoming[k] for _, k, *_ in bwd if k != root):
            return
        self.n_edges = n
        by_level: dict[int, list[int]] = {}
        for t in range(nl, size):
            if incoming[t]:
                by_level.setdefault(level[t], []).append(t)
        self.levels = []
        for lv in range(max(sends), 0, -1):
            mul, add, relu = sends.get(lv, ([], [], []))
            self.levels.append((_rounds(by_level.get(lv, []), incoming),
                                _columns(mul, 3), _columns(add, 2), _columns(relu, 2)))
        self.leaf_rounds = _rounds([t for t in range(nl) if incoming[t]], incoming)
        self.untouched = [t for t in range(nl) if not incoming[t]]


def _columns(rows: list[tuple], n: int) -> tuple[np.ndarray, ...]:
    """Rows of n slot numbers as n index arrays (empty ones for no rows)."""
    return tuple(np.array(c, dtype=np.intp) for c in (zip(*rows) if rows else [()] * n))


def _rounds(nodes: list[int], incoming: list[list[int]]) -> list:
    """(targets, edges) per round r: the nodes with an r-th contribution, and its edge."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    r = 0
    while True:
        pick = [(t, incoming[t][r]) for t in nodes if len(incoming[t]) > r]
        if not pick:
            return out
        t, e = zip(*pick)
        out.append((np.array(t, dtype=np.intp), np.array(e, dtype=np.intp)))
        r += 1


def _forward_levels(fwd: list, size: int, consts: list) -> list | None:
    """The forward program of a Value graph grouped for `_forward_by_levels`: a node's level
    is one more than its inputs' highest (leaves and constants: 0); in each level the
    additions, multiplications and relus of 16 or more nodes become one entry each
    (kind, output slots, input slots a, b), and the rest one entry of nodes to run one by
    one. None where the graph is small or uses constants that are not floats."""
    if len(fwd) < 1000 or any(type(c) is not float for c in consts):
        return None
    level = [0] * size
    groups: dict[int, dict[int, list]] = {}
    for ev in fwd:
        kind, o, a, b, x = ev
        if kind == _V_GENERAL:
            rule, refs, saved = x
            if rule is R.Relu and len(refs) == 1 and not saved:
                kind, a = _V_RELU, refs[0]
        else:
            refs = (a, b)
        lv = level[o] = 1 + max(level[r] for r in refs)
        groups.setdefault(lv, {}).setdefault(kind, []).append(ev if kind == _V_GENERAL
                                                             else (kind, o, a, b, x))
    plan: list = []
    for lv in sorted(groups):
        one_by_one: list = []
        for kind, evs in groups[lv].items():
            if kind == _V_GENERAL or len(evs) < 16:
                one_by_one.extend(evs if kind != _V_RELU else
                                  [(_V_GENERAL, o, -1, -1, (R.Relu, (a,), ()))
                                   for _, o, a, _, _ in evs])
                continue
            plan.append((kind, *_columns([(o, a, b) for _, o, a, b, _ in evs], 3)))
        if one_by_one:
            plan.append((_V_GENERAL, one_by_one, None, None))
    return plan


# ---------------------------------------------------------------- running statistics
class _BatchNormCall:
    """One call of nn.functional.batch_norm while recording: what its running-statistics
    update needs (the BatchNorm op's cache, found when the op is recorded)."""

    def __init__(self, input: Tensor, running_mean: Any, running_var: Any, training: bool,
                 momentum: float) -> None:
        self.running_mean, self.running_var = running_mean, running_var
        self.training, self.momentum = bool(training), momentum
        self.c = input.shape[1] if input.ndim >= 2 else 0
        self.n = input.numel() // self.c if self.c else 0
        self.dtype = input.dtype
        self.cache: list | None = None
        self.pending: list[str] = []


def _bn_running_mean(cache: list, running: np.ndarray, momentum: float) -> np.ndarray:
    """batch_norm's new running mean (nn/functional/normalization.py, the same numpy
    expression): momentum * batch mean + (1 - momentum) * running, in the buffer's dtype.
    The recording checks it gives the eager run's array bit for bit before using it."""
    new = momentum * cache[0].reshape(-1) + (1 - momentum) * running
    return new.astype(running.dtype)


def _bn_running_var(cache: list, running: np.ndarray, momentum: float, n: int, c: int,
                    dt: np.dtype) -> np.ndarray:
    """batch_norm's new running variance: momentum * the batch's unbiased variance
    (sum of squares / (n - 1); nan for n = 1) + (1 - momentum) * running."""
    unbiased = cache[2].reshape(-1) / dt.type(max(n - 1, 0)) if n > 1 else \
        np.full(c, np.nan, dtype=dt)
    new = momentum * unbiased + (1 - momentum) * running
    return new.astype(running.dtype)


# ---------------------------------------------------------------- capturing
class _Patches:
    """Install the recorder's observers for one eager call, and remove them after."""

    def __init__(self, rec: _Recorder) -> None:
        self.rec = rec
        self.saved: list[tuple[Any, str, Any]] = []

    def _set(self, owner: Any, name: str, new: Any) -> None:
        self.saved.append((owner, name, owner.__dict__[name] if isinstance(owner, type)
                           else getattr(owner, name)))
        setattr(owner, name, new)

    def __enter__(self) -> "_Patches":
        rec = self.rec
        orig_record = _tmod._record

        def record(data: Any, rule: Any, parents: tuple, saved: tuple = (),
                   view: Any = None, needs_grad: bool = True) -> Tensor:
            out = orig_record(data, rule, parents, saved, view, needs_grad)
            rec.on_record(out, rule, parents, saved)
            return out
        self._set(_tmod, "_record", record)

        orig_init = _tmod._init

        def init(t: Tensor, arr: np.ndarray, requires_grad: bool = False) -> None:
            orig_init(t, arr, requires_grad)
            rec.fresh.add(id(t))
            rec.keep.append(t)
            if rec.bn:
                rec.on_made(t._data)
        self._set(_tmod, "_init", init)
        self._draws()

        orig_vinit = Value.__init__

        def vinit(v: Value, *a: Any, **k: Any) -> None:
            orig_vinit(v, *a, **k)
            rec.fresh.add(id(v))
            rec.keep.append(v)
        self._set(Value, "__init__", vinit)

        orig_overwrite = Tensor._overwrite

        def overwrite(t: Tensor, value: np.ndarray, name: str) -> None:
            orig_overwrite(t, value, name)
            rec.on_overwrite(t, value)
        self._set(Tensor, "_overwrite", overwrite)

        orig_snapshot = Tensor._snapshot

        def snapshot(t: Tensor) -> Tensor:
            rec.fail("an in-place change of a tensor inside the graph (the old incarnation "
                     "is a copy the recording does not follow)")
            return orig_snapshot(t)
        self._set(Tensor, "_snapshot", snapshot)

        grad_prop = Tensor.__dict__["grad"]

        def get_grad(t: Tensor) -> Any:
            g = t._grad
            if not _in_optimizer(sys._getframe(1)):
                rec.on_read_grad(t, g)
            return grad_prop.fget(t)
        def set_grad(t: Tensor, value: Any) -> None:
            grad_prop.fset(t, value)
            if not _in_optimizer(sys._getframe(1)):
                rec.on_set_grad(t, value)
        self._set(Tensor, "grad", property(get_grad, set_grad, doc=grad_prop.__doc__))

        def conversion(name: str, kind: str) -> Callable:
            orig = Tensor.__dict__[name]

            def method(t: Tensor, *a: Any, **k: Any) -> Any:
                r = orig(t, *a, **k)
                slot = rec.slot_of.get(id(t._data))
                rec.convert(f"{name}() of a tensor" if not name.startswith("__") else
                            f"{name.strip('_')}() of a tensor", r, slot, kind)
                return r
            return method
        for name, kind in (("item", "item"), ("tolist", "tolist"), ("numpy", ""),
                           ("__array__", ""), ("__float__", "float"), ("__int__", "int"),
                           ("__bool__", ""), ("__format__", "")):
            self._set(Tensor, name, conversion(name, kind))

        data_prop, vgrad_prop = Value.__dict__["data"], Value.__dict__["grad"]

        def vget(attr: str, prop: Any) -> Callable:
            def get(v: Value) -> Any:
                x = prop.fget(v)
                if isinstance(x, float):
                    return _Sym(x, (attr, v), rec)
                return x
            return get

        def vset(attr: str, prop: Any) -> Callable:
            def put(v: Value, value: Any) -> None:
                rec.on_value_set(v, attr, value)
                prop.fset(v, _plain(value))
            return put
        self._set(Value, "data", property(vget("data", data_prop), vset("data", data_prop)))
        self._set(Value, "grad", property(vget("grad", vgrad_prop), vset("grad", vgrad_prop)))

        def vconvert(name: str) -> Callable:
            orig = Value.__dict__[name]

            def method(v: Value, *a: Any) -> Any:
                rec.convert(f"{name.strip('_')}() of a Value")
                return orig(v, *a)
            return method
        for name in ("__float__", "__lt__", "__le__", "__gt__", "__ge__"):
            self._set(Value, name, vconvert(name))

        orig_zero = _vmod.zero_grad

        def value_zero_grad(root: Value) -> None:
            for node in engine.topological_order(root):
                if node._rule is None and isinstance(node, Value):
                    rec.on_value_set(node, "grad", 0.0)
            orig_zero(root)
        self._set(_vmod, "zero_grad", value_zero_grad)

        engine._observers.append(rec.on_backward)
        # nn's optimizers, if nn is loaded (no import: nn imports autograd, not the reverse;
        # without nn there is no optimizer to watch)
        _opt = sys.modules.get("nn.optim.optimizer")
        self._opt = _opt
        if _opt is not None:
            _opt._observers.append(self._on_opt)
        return self

    def _draws(self) -> None:
        """Watch the library's random draws (dropout's masks, rand/randn/randint and their
        _like forms) and batch_norm's running-statistics updates."""
        rec = self.rec
        from .random import default_generator

        def drawing(orig: Callable, rng_of: Callable) -> Callable:
            def draw(*a: Any) -> Any:
                rng = rng_of(a)
                ok = rec.before_draw(rng)
                out = orig(*a)
                if ok:
                    rec.on_draw(orig, a, out, rng)
                return out
            return draw
        creation = sys.modules.get(f"{__package__}.creation")
        if creation is not None:
            for name in ("_uniform", "_standard_normal", "_random_ints"):
                if hasattr(creation, name):
                    self._set(creation, name, drawing(getattr(creation, name),
                                                      lambda a: a[0]))
        drop = sys.modules.get("nn.functional.dropout")
        if drop is not None and hasattr(drop, "_noise"):    # its masks: autograd.generator()
            self._set(drop, "_noise", drawing(drop._noise, lambda a: default_generator._rng))
        pool = sys.modules.get("nn.functional.pooling")
        if pool is not None and hasattr(pool, "_max_indices"):
            orig_idx = pool._max_indices

            def max_indices(x: Any, *a: Any) -> Any:
                # max_pool2d's picks, computed on the raw input array: a function of that
                # array and of tuples of numbers (kernel, stride, pads, dilation, output
                # size), so a replay calls it on the new array; with padding the caller
                # also checks the picks in Python, which a replay would skip
                idx = orig_idx(x, *a)
                s = rec.slot_of.get(id(x))
                try:
                    plain = len(a) == 5 and all(_numbers(v) for v in a) and not any(
                        lo or hi for lo, hi in a[2])
                except (TypeError, ValueError):
                    plain = False
                if s is not None and isinstance(idx, np.ndarray) and plain:
                    rec.event((_CALL, orig_idx, ((True, s),) + tuple((False, v) for v in a),
                               rec._new_slot(idx)))
                return idx
            self._set(pool, "_max_indices", max_indices)
        norm = sys.modules.get("nn.functional.normalization")
        if norm is not None and hasattr(norm, "batch_norm"):
            orig_bn = norm.batch_norm

            sig = inspect.signature(orig_bn)

            def batch_norm(*a: Any, **k: Any) -> Any:
                try:
                    bound = sig.bind(*a, **k)
                    bound.apply_defaults()
                    arg = bound.arguments
                    call = _BatchNormCall(arg["input"], arg["running_mean"],
                                          arg["running_var"], arg["training"],
                                          arg["momentum"])
                except (TypeError, KeyError, AttributeError, IndexError):
                    return orig_bn(*a, **k)     # (it raises the error itself)
                rec.bn.append(call)
                try:
                    return orig_bn(*a, **k)
                finally:
                    rec.bn.pop()
            self._set(norm, "batch_norm", batch_norm)
            package = sys.modules.get("nn.functional")
            if package is not None and getattr(package, "batch_norm", None) is orig_bn:
                self._set(package, "batch_norm", batch_norm)

    def _on_opt(self, opt: Any, what: str, arg: Any) -> None:
        self.rec.on_optimizer(opt, what, arg)

    def __exit__(self, *exc: Any) -> None:
        engine._observers.remove(self.rec.on_backward)
        if self._opt is not None:
            self._opt._observers.remove(self._on_opt)
        for owner, name, old in reversed(self.saved):
            setattr(owner, name, old)


def _in_optimizer(frame: Any) -> bool:
    """True inside an optimizer's step() or zero_grad() (replayed by calling them, so what
    they do to `.grad` is not recorded one by one)."""
    for _ in range(6):
        if frame is None:
            return False
        if frame.f_globals.get("__name__", "").startswith("nn.optim"):
            return True
        frame = frame.f_back
    return False


def _rng_states() -> tuple:
    """The states no replay can follow: Python's `random` and numpy's legacy global one."""
    return (_pyrandom.getstate(), repr(np.random.get_state(legacy=False)))


def _generators(fn: Callable, args: tuple, kwargs: dict) -> dict[int, tuple[Any, Any]]:
    """The numpy Generators a step may draw from in a replayable way, with their states:
    the default generator's and those of the generators (autograd.Generator or numpy's) in
    the arguments, closure and globals of `fn`."""
    from .random import Generator, default_generator
    objs: list[Any] = [default_generator] + list(args) + list(kwargs.values())
    code = getattr(fn, "__code__", None)
    if code is not None:
        objs += [c.cell_contents for c in getattr(fn, "__closure__", None) or ()
                 if _has_contents(c)]
        glob = getattr(fn, "__globals__", {})
        objs += [glob[n] for n in code.co_names if n in glob]
    found: dict[int, tuple[Any, Any]] = {}
    for obj in objs:
        rng = obj._rng if isinstance(obj, Generator) else obj
        if isinstance(rng, np.random.Generator):
            found[id(rng)] = (rng, rng.bit_generator.state)
    return found


# ---------------------------------------------------------------- the program
class _Program:
    """A recording ready to replay, with the guard it was recorded under."""

    def __init__(self, rec: _Recorder, key: Any, result: Any) -> None:
        self.events = rec.events
        self.nslots = rec.nslots
        self.inputs = rec.inputs
        self.leaves = [(s, t, t._data.shape, t._data.dtype, t.requires_grad)
                       for s, t in rec.leaves]
        self.key = key
        self.grad_mode = engine.is_grad_enabled()
        self.shapes, self.dtypes = rec.shapes, rec.dtypes
        self.result = self._result_plan(rec, result)
        # display names of slots from fn's local variables (while the arrays are alive)
        self.slot_names: dict[int, str] = {}
        self.input_names: dict[int, str] = {}
        for name, obj in rec.locals.items():
            if isinstance(obj, Tensor):
                s = rec.slot_of.get(id(obj._data))
                if s is not None:
                    self.slot_names.setdefault(s, name)
                k = rec.arg_pos.get(id(obj))
                if k is not None:
                    self.input_names.setdefault(k, name)
        self.value_index: dict[int, tuple] = {}
        for ev in self.events:
            if ev[0] == _VBACK:
                for node, k in ev[1].index.items():
                    if node._rule is not None:
                        self.value_index[id(node)] = (ev[1], k)
        for ev in self.events:      # the recorded graph itself is not needed any more
            if ev[0] == _VBACK:
                ev[1].index, ev[1].nodes = {}, []
        self.fast = [_fast(ev) for ev in self.events]

    def _result_plan(self, rec: _Recorder, r: Any) -> Any:
        if r is None:
            return ("none",)
        if isinstance(r, _Sym):
            return ("sym", r.expr)
        conv = rec.conversions.get(id(r))
        if conv is not None and conv[1] is not None and conv[0]:
            return ("conv", conv[0], conv[1])
        if isinstance(r, Tensor):
            s = rec.slot_of.get(id(r._data))
            if s is None:
                raise _CannotReplay("fn returns a tensor the recording did not see made")
            if r._rule is None and any(t is r for _, t in rec.leaves):
                return ("obj", r)
            if r.requires_grad and not any(ev[0] == _TBACK for ev in rec.events):
                raise _CannotReplay("fn returns a tensor whose graph is used after it (a "
                                    "replay makes no graph): call backward() inside fn")
            return ("slot", s, r.requires_grad)
        if isinstance(r, Value):
            if r._rule is None:
                return ("obj", r)
            return ("value", r)
        if isinstance(r, (tuple, list)):
            return ("seq", type(r), [self._result_plan(rec, x) for x in r])
        if isinstance(r, dict):
            return ("dict", [(k, self._result_plan(rec, v)) for k, v in r.items()])
        raise _CannotReplay(f"fn returns a {type(r).__name__} computed outside the recorded "
                            "ops (return the tensor, or its .item())")

    def guard(self, key: Any) -> str | None:
        """Why this recording does not fit a call (None: it fits)."""
        if engine.is_grad_enabled() != self.grad_mode:
            return "grad mode changed"
        if key != self.key:
            return _key_difference(self.key, key)
        for _, t, shape, dtype, rg in self.leaves:
            d = t._data
            if d.shape != shape or d.dtype != dtype or t.requires_grad != rg:
                return (f"a parameter changed from {shape} {dtype} to {d.shape} {d.dtype}"
                        f"{'' if t.requires_grad == rg else ' (requires_grad)'}")
        return None

    def replay(self, arg_tensors: list) -> Any:
        bufs: list = [None] * self.nslots
        for s, k in self.inputs:
            bufs[s] = arg_tensors[k]._data
        leaves = self.leaves
        for s, t, _, _, _ in leaves:
            bufs[s] = t._data
        for ev in self.fast:
            kind = ev[0]
            if kind == _OP1:
                bufs[ev[3]] = ev[1](bufs[ev[2]])
            elif kind == _OPN:
                bufs[ev[3]] = ev[1](*[bufs[v] for v in ev[2]], *ev[4])
            elif kind == _OP:
                _, rule, refs, saved, out = ev
                args = [bufs[v] if s else v for s, v in refs]
                if saved:
                    args.extend(bufs[v] if s else v for s, v in saved)
                bufs[out] = rule.forward(*args)
            elif kind == _TBACK:
                ev[1].run(bufs, arg_tensors)
            elif kind == _STEP:
                ev[1].step()
                for s, t, _, _, _ in leaves:
                    bufs[s] = t._data
            elif kind == _ZERO:
                ev[1].zero_grad(ev[2])
            elif kind == _COPY:
                np.copyto(bufs[ev[1]], bufs[ev[2]], casting="same_kind")
            elif kind == _READ_GRAD:
                ref = ev[2]
                t = arg_tensors[ref[1]] if ref[0] == "arg" else ref[1]
                bufs[ev[1]] = t._grad._data
            elif kind == _VBACK:
                ev[1].run()
            elif kind == _CALL:
                bufs[ev[3]] = ev[1](*[bufs[v] if s else v for s, v in ev[2]])
            elif kind == _SET_GRAD:
                ref = ev[1]
                t = arg_tensors[ref[1]] if ref[0] == "arg" else ref[1]
                t._grad = None if ev[2] is None else _leaf(bufs[ev[2]])
            else:   # _VSET
                _, v, attr, expr = ev
                x = _eval(expr, self._live)
                if attr == "data":
                    v._data = float(x)
                else:
                    v._g = x
        return self._build(self.result, bufs)

    def _live(self, expr: tuple) -> float:
        kind, v = expr
        if v._rule is not None:
            plan, k = self.value_index[id(v)]
            return plan.data[k]
        return v._data if kind == "data" else (0.0 if v._g is None else v._g)

    def _build(self, plan: Any, bufs: list) -> Any:
        kind = plan[0]
        if kind == "none":
            return None
        if kind == "sym":
            return _eval(plan[1], self._live)
        if kind == "conv":
            arr = bufs[plan[2]]
            if plan[1] == "item":
                return arr.item()
            if plan[1] == "tolist":
                return arr.tolist()
            if plan[1] == "float":
                return float(arr.item())
            return int(arr.item())      # "int"
        if kind == "slot":
            return _leaf(bufs[plan[1]])
        if kind == "obj":
            return plan[1]
        if kind == "value":
            plan_, k = self.value_index[id(plan[1])]
            return Value(plan_.data[k])
        if kind == "seq":
            items = [self._build(p, bufs) for p in plan[2]]
            return tuple(items) if plan[1] is tuple else items
        return {k: self._build(p, bufs) for k, p in plan[1]}


def _numbers(v: Any) -> bool:
    """v is a number or a (nested) tuple of numbers."""
    if isinstance(v, tuple):
        return all(_numbers(x) for x in v)
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


_OP1, _OPN = 20, 21     # ops whose inputs are all arrays: one, or several (saved: numbers)


def _fast(ev: tuple) -> tuple:
    """An event as the replay runs it: an op whose inputs are all slots (and whose saved
    arguments are all plain values) calls its forward on the slots directly."""
    if ev[0] != _OP:
        return ev
    _, rule, refs, saved, out = ev
    if not all(s for s, _ in refs) or any(s for s, _ in saved):
        return ev
    idx = tuple(v for _, v in refs)
    if len(idx) == 1 and not saved:
        return (_OP1, rule.forward, idx[0], out)
    return (_OPN, rule.forward, idx, out, tuple(v for _, v in saved))


def _key_difference(old: Any, new: Any) -> str:
    if len(old) != len(new):
        return f"{len(new)} arguments instead of {len(old)}"
    for k, (a, b) in enumerate(zip(old, new)):
        if a != b:
            if isinstance(a, tuple) and a and a[0] == "T" and isinstance(b, tuple) and b[0] == "T":
                return (f"argument tensor {a[1]}: shape {b[2]} {b[3]} (requires_grad={b[4]}) "
                        f"instead of {a[2]} {a[3]} (requires_grad={a[4]})")
            return f"argument {k} changed"
    return "the arguments changed"


def _signature(args: tuple, kwargs: dict, tensors: list, values: list) -> tuple:
    """The guard's key of a call (hashable, compared with ==), collecting the tensors
    (bound to slots by position) and the Values on the way."""
    out: list = []

    def walk(x: Any) -> Any:
        if isinstance(x, Tensor):
            tensors.append(x)
            return ("T", len(tensors) - 1, x._data.shape, x._data.dtype.str, x.requires_grad)
        if isinstance(x, Value):
            values.append(x)
            return ("V", id(x))
        if x is None or isinstance(x, (bool, int, float, str, complex)):
            return (type(x).__name__, x)
        if isinstance(x, (list, tuple)):
            return (type(x).__name__, tuple(walk(y) for y in x))
        if isinstance(x, dict):
            return ("dict", tuple((walk(k), walk(v)) for k, v in x.items()))
        if isinstance(x, np.ndarray):
            return ("ndarray", x.shape, x.dtype.str, x.tobytes())
        return ("obj", id(x))
    for a in args:
        out.append(walk(a))
    for k in sorted(kwargs):
        out.append((k, walk(kwargs[k])))
    return tuple(out)


# ---------------------------------------------------------------- the public face
class Compiled:
    """`fn`, recorded on its first call and replayed after (see the module docstring).

    Attributes: `code` (the recorded program as Python text), `recompiles` (the reasons
    it recorded again), `fallback` (why it runs eagerly, or None), `replays` (count).

    The last `cache_size` recordings are kept, one per guard key (argument shapes and
    dtypes, grad mode, ...): a loader whose last batch is smaller alternates between two
    recordings instead of recording again at each change."""

    cache_size = 8

    def __init__(self, fn: Callable, *, names: dict[str, Any] | None = None,
                 verbose: bool = False) -> None:
        self.fn = fn
        self.names = dict(names or {})
        self.verbose = verbose
        self.program: _Program | None = None      # the latest recording
        self.programs: dict[Any, _Program] = {}   # (grad mode, guard key) -> a recording
        self.fallback: str | None = None
        self.recompiles: list[str] = []
        self.replays = 0
        self._said: set[str] = set()
        # a recording that uses arrays made inside the step waits for a second one: equal
        # arrays are constants; different ones were made from data and cannot be replayed
        self._pending: tuple | None = None
        self.__wrapped__ = fn
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = getattr(fn, "__name__", "compiled")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fallback is not None or _recording[0]:
            # (inside another compiled function's recording: run eagerly, so it sees the ops)
            return self.fn(*args, **kwargs)
        tensors: list = []
        values: list = []
        key = _signature(args, kwargs, tensors, values)
        try:
            prog = self.programs.get((engine.is_grad_enabled(), key))
        except TypeError:       # an unhashable part: compare with the latest recording only
            prog = None
        if prog is not None and prog.guard(key) is None:
            self.replays += 1
            return prog.replay(tensors)
        prog = prog or self.program
        if prog is not None:
            why = prog.guard(key) or "the arguments changed"
            self.recompiles.append(why)
            if self.verbose and why not in self._said:
                self._said.add(why)
                warnings.warn(f"compile({self.__name__}): recording again: {why}",
                              CompileWarning, stacklevel=2)
        return self._record(args, kwargs, key, tensors, values)

    def _record(self, args: tuple, kwargs: dict, key: Any, tensors: list,
                values: list) -> Any:
        rec = _Recorder(tensors, values)
        states = _rng_states()
        rec.rng_expect = _generators(self.fn, args, kwargs)
        code = getattr(self.fn, "__code__", None)
        frames: list = []

        def profile(frame: Any, event: str, arg: Any) -> None:
            # fn's own frame, kept: its local variables are read after it returns (the
            # profiler is removed at once, so the step itself runs at full speed)
            if event == "call" and frame.f_code is code:
                frames.append(frame)
                sys.setprofile(None)
        watched = _watched(self.fn, args, kwargs)
        before = [(t, t._data, t._data.copy()) for t in watched]
        rec.owners = {id(t._data): t for t in watched}
        # fn's local variables name the printed program's values; a profiler already
        # running (cProfile) keeps its place, and the names are then the generic ones
        watch_locals = code is not None and sys.getprofile() is None
        with _Patches(rec):
            if watch_locals:
                sys.setprofile(profile)
            _recording[0] += 1
            try:
                result = self.fn(*args, **kwargs)
            finally:
                _recording[0] -= 1
                if watch_locals:
                    sys.setprofile(None)
                    if frames:
                        rec.locals = dict(frames[0].f_locals)
                        frames.clear()
        _check_unrecorded_changes(rec, before)
        if _rng_states() != states or any(rng.bit_generator.state != st
                                          for rng, st in rec.rng_expect.values()):
            rec.fail("fn draws random numbers a replay cannot draw again (Python's random, "
                     "numpy's global np.random, a numpy sampler called directly, ...): draw "
                     "them outside and pass them in, or use autograd's samplers")
        if rec.failure is None:
            try:
                prog = _Program(rec, key, result)
            except _CannotReplay as e:
                rec.fail(str(e))
            else:
                self.program = self._confirmed(prog, key, rec.constants)
                if self.program is not None:
                    self._keep(self.program)
        if rec.failure is not None:
            self.fallback = rec.failure
            self.program = None
            self.programs.clear()
            warnings.warn(f"compile({self.__name__}) runs eagerly: {rec.failure}",
                          CompileWarning, stacklevel=3)
        return _plain_result(result)

    def _confirmed(self, prog: _Program, key: Any, constants: list) -> _Program | None:
        """The program if it can be replayed now; None while it waits for a second
        recording to tell constants from arrays made from data (a failure then)."""
        pending, self._pending = self._pending, None
        if not constants:
            return prog
        if pending is None or pending[0] != key:
            self._pending = (key, constants)
            return None
        old = pending[1]
        same = len(old) == len(constants) and all(
            a.shape == b.shape and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
            for a, b in zip(old, constants))
        if same:
            return prog
        self.fallback = ("an array made inside the step changes from call to call (computed "
                         "from data outside the recorded ops, e.g. running statistics); pass "
                         "it in as an argument")
        warnings.warn(f"compile({self.__name__}) runs eagerly: {self.fallback}",
                      CompileWarning, stacklevel=4)
        return None

    def _keep(self, prog: _Program) -> None:
        try:
            k = (prog.grad_mode, prog.key)
            self.programs.pop(k, None)
            self.programs[k] = prog
        except TypeError:
            return
        while len(self.programs) > self.cache_size:
            del self.programs[next(iter(self.programs))]

    @property
    def code(self) -> str:
        """The recorded program as straight-line Python over numpy (not executed)."""
        if self.program is None:
            return f"# {self.__name__}: not recorded" + (
                f" (runs eagerly: {self.fallback})" if self.fallback else "")
        return program_text(self.program, self.__name__, self._names())

    def _names(self) -> dict[int, str]:
        """id(tensor or Value) -> a name from the user's code: `names=`, module
        parameters reachable from fn, fn's local and global variables."""
        found: dict[int, str] = {}
        fn = self.fn
        scopes: list[dict[str, Any]] = []
        closure = getattr(fn, "__closure__", None) or ()
        code = getattr(fn, "__code__", None)
        if code is not None:
            scopes.append({n: c.cell_contents for n, c in zip(code.co_freevars, closure)
                           if _has_contents(c)})
            glob = getattr(fn, "__globals__", {})
            scopes.append({n: glob[n] for n in code.co_names if n in glob})
        for name, obj in self.names.items():
            found.setdefault(id(obj), name)
        for scope in scopes:
            for name, obj in scope.items():
                if isinstance(obj, (Tensor, Value)):
                    found.setdefault(id(obj), name)
                elif hasattr(obj, "named_parameters") and callable(obj.named_parameters):
                    try:
                        for pname, p in obj.named_parameters():
                            found.setdefault(id(p), f"{name}.{pname}")
                    except Exception:       # not a module after all
                        pass
        return found


def _watched(fn: Callable, args: tuple, kwargs: dict) -> list[Tensor]:
    """The tensors a step can reach by name (its arguments, the tensors, modules and
    optimizers in its closure and globals, their parameters and buffers): a change of one
    that the recording does not explain (running statistics updated on the raw array)
    would be missed by a replay."""
    found: dict[int, Tensor] = {}
    objs: list[Any] = list(args) + list(kwargs.values())
    code = getattr(fn, "__code__", None)
    if code is not None:
        closure = getattr(fn, "__closure__", None) or ()
        objs += [c.cell_contents for c in closure if _has_contents(c)]
        glob = getattr(fn, "__globals__", {})
        objs += [glob[n] for n in code.co_names if n in glob]
    for obj in objs:
        if isinstance(obj, Tensor):
            found[id(obj)] = obj
        named = getattr(obj, "named_buffers", None)
        if callable(named) and hasattr(obj, "named_parameters"):
            try:
                for _, t in list(obj.named_parameters()) + list(named()):
                    if isinstance(t, Tensor):
                        found[id(t)] = t
            except Exception:       # not a module after all
                pass
        for group in getattr(obj, "param_groups", None) or ():
            for t in group.get("params", ()) if isinstance(group, dict) else ():
                if isinstance(t, Tensor):
                    found[id(t)] = t
    return list(found.values())


def _check_unrecorded_changes(rec: _Recorder, before: list) -> None:
    copied = {ev[1] for ev in rec.events if ev[0] == _COPY}
    stepped: set[int] = set()
    for ev in rec.events:
        if ev[0] == _STEP:
            stepped.update(id(p) for g in ev[1].param_groups for p in g["params"])
    for t, arr, old in before:
        if t._data is arr and (arr.shape == old.shape and
                               np.array_equal(arr, old, equal_nan=arr.dtype.kind in "fc")):
            continue
        if id(t) in stepped:
            continue
        s = rec.slot_of.get(id(arr))
        if t._data is arr and s is not None and s in copied:
            continue
        rec.fail(f"a tensor of shape {old.shape} (a parameter or buffer: running statistics?) "
                 "changed outside the recorded ops")
        return


def _has_contents(cell: Any) -> bool:
    try:
        _ = cell.cell_contents
    except ValueError:
        return False
    return True


def _plain_result(r: Any) -> Any:
    """fn's result from the recording call, with tracked floats made plain again."""
    if isinstance(r, _Sym):
        return r._plain()
    if isinstance(r, tuple):
        return tuple(_plain_result(x) for x in r)
    if isinstance(r, list):
        return [_plain_result(x) for x in r]
    return r


def compile(fn: Callable | None = None, *, names: dict[str, Any] | None = None,
            verbose: bool = False) -> Any:
    """Record `fn` (a training step: forward, `loss.backward()`, optimizer step) on its
    first call and replay the recording on later calls whose arguments fit it; results,
    `.grad`s and parameter updates are bit-identical to running `fn` eagerly.

    `names` maps display names to tensors (for `code`); `verbose=True` warns once per
    reason when a call does not fit the recording and it records again. Usable as
    `compile(fn)`, `@compile` or `@compile(verbose=True)`."""
    if fn is None:
        return lambda f: Compiled(f, names=names, verbose=verbose)
    return Compiled(fn, names=names, verbose=verbose)


def explain(fn: Callable, *args: Any, names: dict[str, Any] | None = None,
            **kwargs: Any) -> str:
    """Run `fn(*args, **kwargs)` once (eagerly, recording it) and return the recorded
    program as Python text (`Compiled.code`). `fn` really runs: a training step updates
    its parameters."""
    c = fn if isinstance(fn, Compiled) else Compiled(fn, names=names)
    if c.program is None:
        c(*args, **kwargs)
    return c.code


_IDENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def sanitize(name: str) -> str:
    """An identifier made from `name`: characters outside [A-Za-z0-9_] become "_", and a
    name that is empty, starts with a digit or is a keyword gets a "v_" prefix."""
    s = "".join(c if c in _IDENT_CHARS else "_" for c in str(name)[:40])
    if not s or s[0].isdigit() or keyword.iskeyword(s) or not s.isidentifier():
        s = "v_" + s
    return s




# ---------------------------------------------------------------- the printed program
_FWD: dict[Any, str] = {
    R.Add: "{0} + {1}", R.Sub: "{0} - {1}", R.Mul: "{0} * {1}", R.Div: "{0} / {1}",
    R.Pow: "{0} ** {1}", R.Neg: "-{0}", R.Exp: "np.exp({0})", R.Log: "np.log({0})",
    R.Log1p: "np.log1p({0})", R.Sin: "np.sin({0})", R.Cos: "np.cos({0})",
    R.Sqrt: "np.sqrt({0})", R.Tanh: "np.tanh({0})", R.Sigmoid: "sigmoid({0})",
    R.Relu: "np.maximum({0}, 0)", R.Abs: "np.abs({0})", T.MatMul: "{0} @ {1}",
    T.Linear: "{0} @ {1}.T + {2}", T.Clone: "{0}.copy()",
}
_BWD: dict[Any, tuple[str, ...]] = {
    R.Add: ("{g}", "{g}"), R.Sub: ("{g}", "-{g}"), R.Mul: ("{g} * {1}", "{g} * {0}"),
    R.Div: ("{g} / {1}", "-{g} * ({0} / {1} / {1})"), R.Neg: ("-{g}",),
    R.Pow: ("{g} * ({1} * {0} ** ({1} - 1))", "{g} * ({o} * np.log({0}))"),
    R.Exp: ("{g} * {o}",), R.Log: ("{g} / {0}",), R.Log1p: ("{g} / (1 + {0})",),
    R.Sin: ("{g} * np.cos({0})",), R.Cos: ("-{g} * np.sin({0})",),
    R.Sqrt: ("{g} / (2 * {o})",), R.Tanh: ("{g} * (1 - {o} * {o})",),
    R.Sigmoid: ("{g} * (1 - {o}) * {o}",), R.Relu: ("np.where({o} <= 0, 0.0, {g})",),
    R.Abs: ("{g} * np.sign({0})",), T.Clone: ("{g}",),
    T.Linear: ("{g} @ {1}", "{g}.T @ {0}", "{g}.sum(0)"),
}


def _lit(x: Any) -> str:
    """A constant as program text: numbers, None, booleans, short identifier-like strings
    and tuples of those; anything else by its kind only (never a user's text)."""
    if x is None or isinstance(x, bool):
        return repr(x)
    if isinstance(x, (int, float)):
        return repr(x)
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return repr(x.item())
    if isinstance(x, str):
        return repr(x) if x.isidentifier() and len(x) <= 20 and x.isascii() else "'...'"
    if isinstance(x, tuple):
        inner = ", ".join(_lit(y) for y in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if isinstance(x, np.dtype):
        return f"np.{x.name}" if x.name.isidentifier() else "dtype"
    if isinstance(x, type) and issubclass(x, np.generic):
        return f"np.{np.dtype(x).name}"
    if isinstance(x, np.ndarray):
        return f"array{_shape(x.shape)}"
    return f"<{sanitize(type(x).__name__)}>"


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _forward_text(rule: Any, a: list[str], saved: list[str], ndims: list[int]) -> str:
    tpl = _FWD.get(rule)
    if tpl is not None:
        return tpl.format(*a)
    name = rule.__name__
    if name in ("Sum", "Mean", "SumAll", "MeanAll") and len(saved) == 2:
        f = "sum" if name.startswith("Sum") else "mean"
        if saved[0] == "None" and saved[1] == "False":
            return f"{a[0]}.{f}()"
        return f"{a[0]}.{f}(axis={saved[0]}, keepdims={saved[1]})"
    if name == "MSELoss" and saved:
        sq = f"({a[0]} - {a[1]}) ** 2"
        return {"'mean'": f"np.mean({sq})", "'sum'": f"np.sum({sq})"}.get(saved[0], sq)
    if name == "Reshape" and saved:
        return f"{a[0]}.reshape({saved[0]})"
    if name in ("Permute", "Transpose") and saved:
        return f"{a[0]}.transpose({saved[0]})" if saved[0] != "()" else a[0]
    if name == "Cast" and saved:
        return f"{a[0]}.astype({saved[0]})"
    args = ", ".join(a + saved)
    return f"{sanitize(name)}.forward({args})"


def _backward_text(rule: Any, i: int, g: str, o: str, a: list[str], saved: list[str],
                   shapes: list[tuple]) -> str:
    name = rule.__name__
    if rule is T.MatMul:
        nd = (len(shapes[0]), len(shapes[1]))
        table = {(2, 2): ("{g} @ {1}.T", "{0}.T @ {g}"), (2, 1): ("np.outer({g}, {1})",
                 "{0}.T @ {g}"), (1, 2): ("{1} @ {g}", "np.outer({0}, {g})"),
                 (1, 1): ("{g} * {1}", "{g} * {0}")}.get(nd)
        if table is not None:
            return table[i].format(*a, g=g, o=o)
    tpl = _BWD.get(rule)
    if tpl is not None and i < len(tpl):
        return tpl[i].format(*a, g=g, o=o)
    if name in ("Sum", "Mean", "SumAll", "MeanAll") and saved and saved[0] == "None":
        n = int(np.prod(shapes[0], dtype=np.int64))
        scale = g if name.startswith("Sum") else f"{g} / {n}"
        return f"np.full({_shape(shapes[0])}, {scale})"
    if name == "MSELoss" and saved and saved[0] in ("'mean'", "'sum'"):
        n = int(np.prod(shapes[0], dtype=np.int64)) if saved[0] == "'mean'" else 1
        sign = "" if i == 0 else "-"
        return f"{sign}2 * ({a[0]} - {a[1]}){f' / {n}' if n != 1 else ''} * {g}"
    args = ", ".join([g, o] + a + saved)
    return f"{sanitize(name)}.grads[{i}]({args})"


class _Namer:
    """Unique sanitized identifiers for slots and gradients."""

    def __init__(self) -> None:
        self.used: set[str] = {"np", "sigmoid", "sum_to"}

    def make(self, want: str) -> str:
        base = sanitize(want)
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


def _line(text: str, comment: str) -> str:
    return f"    {text:<44} # {comment}" if comment else f"    {text}"


_VALUE_LINES = 400      # a scalar graph of 65,000 nodes prints its first lines only


def program_text(prog: _Program, fname: str, names: dict[int, str]) -> str:
    """The recording as Python over numpy: one line per op, shapes in comments."""
    namer = _Namer()
    slot_name: dict[int, str] = {}
    for s, k in prog.inputs:
        slot_name[s] = namer.make(prog.input_names.get(k, f"input{k}"))
    for s, t, _sh, _dt, rg in prog.leaves:
        slot_name[s] = namer.make(names.get(id(t), "param" if rg else "const"))
    fn_name = sanitize(fname) if fname != "<lambda>" else "step"
    header = ", ".join(slot_name[s] for s, _ in prog.inputs)
    lines = [f"def {fn_name}({header}):",
             "    # the recorded step (autograd.compile); the replay calls the rules' own",
             "    # forward and gradient functions in this order, not this text",
             "    # parameters and constants: " + (", ".join(
                 f"{slot_name[s]} {_shape(shape)}" for s, _, shape, _, _ in prog.leaves)
                 or "none")]
    leaf_names = {id(t): slot_name[s] for s, t, *_ in prog.leaves}
    counter = [0]

    def ref(r: tuple) -> str:
        return slot_name.get(r[1], f"t{r[1]}") if r[0] else _lit(r[1])

    def fresh(s: int) -> str:
        want = prog.slot_names.get(s)
        if want is None:
            counter[0] += 1
            want = f"t{counter[0]}"
        name = namer.make(want)
        slot_name[s] = name
        return name

    for ev in prog.events:
        kind = ev[0]
        if kind == _OP:
            _, rule, refs, saved, out = ev
            a = [ref(r) for r in refs]
            sv = [ref(r) for r in saved]
            nd = [len(prog.shapes.get(r[1], ())) if r[0] else 0 for r in refs]
            text = _forward_text(rule, a, sv, nd)
            lines.append(_line(f"{fresh(out)} = {text}",
                               f"{_shape(prog.shapes.get(out, ()))}  {rule.name}"))
        elif kind == _COPY:
            lines.append(_line(f"{slot_name.get(ev[1], 't')}[...] = "
                               f"{slot_name.get(ev[2], 't')}", "in place"))
        elif kind == _READ_GRAD:
            ref_ = ev[2]
            owner = (prog.input_names.get(ref_[1], "input") if ref_[0] == "arg"
                     else leaf_names.get(id(ref_[1]), names.get(id(ref_[1]), "t")))
            name = namer.make(f"{owner}_grad")
            slot_name[ev[1]] = name
            lines.append(_line(f"{name} = {sanitize(owner)}.grad",
                               _shape(prog.shapes.get(ev[1], ()))))
        elif kind == _TBACK:
            lines.extend(_tensor_backward_text(ev[1], prog, slot_name, namer, leaf_names,
                                               names))
        elif kind == _STEP:
            lines.extend(_step_text(ev[1], leaf_names))
        elif kind == _ZERO:
            opt = ev[1]
            lines.append(_line(f"{sanitize(type(opt).__name__).lower()}.zero_grad()",
                               "every parameter's .grad = None" if ev[2] else
                               "every parameter's .grad[...] = 0"))
        elif kind == _VBACK:
            lines.extend(_value_text(ev[1], names))
        elif kind == _SET_GRAD:
            ref_ = ev[1]
            owner = (prog.input_names.get(ref_[1], "input") if ref_[0] == "arg"
                     else leaf_names.get(id(ref_[1]), names.get(id(ref_[1]), "t")))
            value = "None" if ev[2] is None else slot_name.get(ev[2], "t")
            lines.append(_line(f"{sanitize(owner)}.grad = {value}", ""))
        else:
            _, v, attr, expr = ev
            vname = sanitize(names.get(id(v), "v"))
            lines.append(_line(f"{vname}.{attr} = {_expr_text(expr, names)}", ""))
    r = prog.result
    if r[0] == "slot":
        lines.append(f"    return {slot_name.get(r[1], 'result')}")
    elif r[0] == "conv":
        lines.append(f"    return {slot_name.get(r[2], 'result')}.{r[1] or 'item'}()")
    elif r[0] == "sym":
        vnames = {i: f"v{k}" for i, (_, k) in prog.value_index.items()}
        lines.append(f"    return {_expr_text(r[1], {**vnames, **names})}")
    elif r[0] != "none":
        lines.append("    return ...")
    return "\n".join(lines) + "\n"


def _tensor_backward_text(plan: _TensorBackward, prog: _Program, slot_name: dict,
                          namer: _Namer, leaf_names: dict, names: dict) -> list[str]:
    lines = ["    # backward: the engine's order, each node's gradient complete before use"]
    gname: dict[int, str] = {}
    slot_of_node = {k: slot for k, slot, *_ in plan.steps}
    leaf_slots = {}
    for i, ref in plan.leaves:
        t = ref[1]
        leaf_slots[i] = (leaf_names.get(id(t), names.get(id(t), "leaf")) if ref[0] == "obj"
                         else prog.input_names.get(ref[1], "input"))
    started: set[int] = set()

    def grad_of(k: int) -> str:
        if k not in gname:
            base = (slot_name.get(slot_of_node[k], f"t{k}") if k in slot_of_node
                    else leaf_slots.get(k, f"t{k}"))
            gname[k] = namer.make(f"d_{base}")
        return gname[k]

    for i, seed in plan.roots:
        lines.append(_line(f"{grad_of(i)} = {_lit(seed.item()) if seed.size == 1 else 'seed'}",
                           f"{_shape(seed.shape)}  d loss / d loss"))
        started.add(i)
    for k, slot, shape, _dt, rule, refs, saved, targets, _gen in plan.steps:
        if k not in started:
            continue
        a = [slot_name.get(v, f"t{v}") if s else _lit(v) for s, v in refs]
        sv = [_lit(x) for x in saved]
        in_shapes = [prog.shapes.get(v, ()) if s else () for s, v in refs]
        o = slot_name.get(slot, f"t{slot}")
        for i, t in targets:
            text = _backward_text(rule, i, grad_of(k), o, a, sv, in_shapes)
            tshape = plan.shapes[t]
            if rule.elementwise and tuple(in_shapes[i]) != tuple(shape):
                text = f"sum_to({text}, {_shape(tshape)})"
            target = grad_of(t)
            if t in started:
                lines.append(_line(f"{target} = {target} + {text}", _shape(tshape)))
            else:
                started.add(t)
                lines.append(_line(f"{target} = {text}", f"{_shape(tshape)}  {rule.name}"))
    for i, _ in plan.leaves:
        if i in started:
            lines.append(_line(f"{sanitize(leaf_slots[i])}.grad += {grad_of(i)}",
                               ".grad accumulates (None counts as 0)"))
    return lines


def _step_text(opt: Any, leaf_names: dict) -> list[str]:
    kind = sanitize(type(opt).__name__)
    lines = []
    for group in opt.param_groups:
        plain = getattr(opt, "_is_plain", None)
        if plain is not None and plain(group) and kind == "SGD":
            for p in group["params"]:
                n = sanitize(leaf_names.get(id(p), "p"))
                lines.append(_line(f"{n} -= {_lit(float(group['lr']))} * {n}.grad",
                                   "optimizer.step() (SGD)"))
        else:
            lines.append(_line(f"{kind.lower()}.step()",
                               f"{kind}: nn.optim.{kind}._update on each parameter"))
    return lines


def _expr_text(expr: Any, names: dict) -> str:
    kind = expr[0]
    if kind == "c":
        return _lit(expr[1])
    if kind in ("data", "grad"):
        return f"{sanitize(names.get(id(expr[1]), 'v'))}.{kind}"
    if kind == "neg":
        return f"-{_expr_text(expr[1], names)}"
    sym = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}[kind]
    return f"({_expr_text(expr[1], names)} {sym} {_expr_text(expr[2], names)})"


def _value_text(plan: _ValueBackward, names: dict) -> list[str]:
    nl = len(plan.leaves)
    lines = [f"    # a Value graph: {len(plan.leaves)} leaves, {len(plan.fwd)} ops "
             f"(floats; d[k] is node k)"]

    def nm(k: int) -> str:
        if k < nl:
            name = names.get(id(plan.leaves[k]))
            return sanitize(name) if name is not None else f"leaf{k}"
        if k >= nl + len(plan.fwd):
            return _lit(plan.data[k])
        return f"v{k}"
    shown = 0
    for kind, o, ra, rb, x in plan.fwd:
        if shown >= _VALUE_LINES:
            lines.append(f"    # ... {len(plan.fwd) - shown} more ops")
            break
        rule, refs = ((R.Mul if kind == _V_MUL else R.Add), (ra, rb)) if x is None else x[:2]
        tpl = _FWD.get(rule)
        a = [nm(r) for r in refs]
        text = tpl.format(*a) if tpl is not None else f"{sanitize(rule.__name__)}.forward(...)"
        lines.append(_line(f"v{o} = {text}", rule.name))
        shown += 1
    lines.append(f"    # backward over the {len(plan.bwd)} ops in reverse, then each leaf's "
                 ".grad += its total")
    return lines
