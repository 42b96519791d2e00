"""The scalar engine: one training step of a 2 -> 16 -> 16 -> 1 MLP of Values on 100 points,
max-margin loss plus L2 regularisation, against a micrograd-style reference written here.

The reference does what a first scalar engine usually does: a closure per op that refers
to the op's output (a reference cycle), a recursive topological sort, children in a set.
"""
from __future__ import annotations

import gc
import random
import sys
import time
from typing import Any

from benchmarks import verdict


class RefScalar:
    """The micrograd-style reference (not part of the library)."""

    def __init__(self, data: float, children: tuple = ()) -> None:
        self.data = data
        self.grad = 0.0
        self.children = set(children)
        self.backprop = lambda: None

    def __add__(self, other: Any) -> "RefScalar":
        other = other if isinstance(other, RefScalar) else RefScalar(other)
        result = RefScalar(self.data + other.data, (self, other))

        def backprop() -> None:
            self.grad += result.grad
            other.grad += result.grad
        result.backprop = backprop
        return result

    def __mul__(self, other: Any) -> "RefScalar":
        other = other if isinstance(other, RefScalar) else RefScalar(other)
        result = RefScalar(self.data * other.data, (self, other))

        def backprop() -> None:
            self.grad += other.data * result.grad
            other.grad += self.data * result.grad
        result.backprop = backprop
        return result

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self) -> "RefScalar":
        return self * -1

    def __sub__(self, other: Any) -> "RefScalar":
        return self + (-other)

    def __rsub__(self, other: Any) -> "RefScalar":
        return other + (-self)

    def relu(self) -> "RefScalar":
        result = RefScalar(self.data if self.data > 0 else 0.0, (self,))

        def backprop() -> None:
            self.grad += (result.data > 0) * result.grad
        result.backprop = backprop
        return result

    def backward(self) -> None:
        order: list = []
        visited: set = set()

        def visit(node: "RefScalar") -> None:
            if node not in visited:
                visited.add(node)
                for child in node.children:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node.backprop()


def build_mlp(scalar: type, rng: random.Random) -> list:
    """Layers of neurons; a neuron is (weights, bias)."""
    def neuron(n_in: int) -> tuple:
        return [scalar(rng.uniform(-1, 1)) for _ in range(n_in)], scalar(0.0)
    return [[neuron(2) for _ in range(16)], [neuron(16) for _ in range(16)], [neuron(16)]]


def plain_neuron(weights: list, bias: Any, x: list) -> Any:
    """micrograd's neuron: 2n nodes (n products, n sums)."""
    return sum((w * xi for w, xi in zip(weights, x)), bias)


def plain_square_sum(params: list, zero: Any) -> Any:
    return sum((p * p for p in params), zero)


def fused_neuron(weights: list, bias: Any, x: list) -> Any:
    """The same number as one node: autograd.lincomb."""
    return _lincomb(weights, x, bias)


def fused_square_sum(params: list, zero: Any) -> Any:
    return _lincomb(params, params)


def _lincomb(*args: Any) -> Any:
    global _lincomb
    from autograd import lincomb
    _lincomb = lincomb
    return lincomb(*args)


def forward(layers: list, x: list, neuron: Any = plain_neuron) -> Any:
    for depth, layer in enumerate(layers):
        outs = []
        for weights, bias in layer:
            act = neuron(weights, bias, x)
            outs.append(act.relu() if depth < len(layers) - 1 else act)
        x = outs
    return x[0]


def training_step(scalar: type, layers: list, X: list, Y: list, lr: float = 0.05,
                  fused: bool = False) -> float:
    neuron, square_sum = (fused_neuron, fused_square_sum) if fused else (plain_neuron,
                                                                        plain_square_sum)
    params = [p for layer in layers for weights, bias in layer for p in weights + [bias]]
    inputs = [[scalar(v) for v in x] for x in X]
    scores = [forward(layers, x, neuron) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    data_loss = sum(losses, scalar(0.0)) * (1.0 / len(losses))
    reg_loss = 1e-4 * square_sum(params, scalar(0.0))
    total = data_loss + reg_loss
    for p in params:
        p.grad = 0.0
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return total.data


def make_data(rng: random.Random, n: int = 100) -> tuple[list, list]:
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(n)]
    Y = [1.0 if x0 * x0 + x1 * x1 < 2 else -1.0 for x0, x1 in X]
    return X, Y


def time_step(scalar: type, repeats: int, gc_on: bool, fused: bool = False
              ) -> tuple[float, float, int]:
    """Best-of seconds for one step (a fresh graph each time), the loss, the node count."""
    best, loss = float("inf"), 0.0
    for _ in range(repeats):
        rng = random.Random(0)
        layers = build_mlp(scalar, rng)
        X, Y = make_data(rng)
        was_on = gc.isenabled()
        if not gc_on:
            gc.disable()
        try:
            t = time.perf_counter()
            loss = training_step(scalar, layers, X, Y, fused=fused)
            best = min(best, time.perf_counter() - t)
        finally:
            if was_on:
                gc.enable()
        gc.collect()
    return best, loss, 0


def count_nodes(fused: bool = False) -> int:
    from autograd import Value
    from autograd.engine import topological_order
    rng = random.Random(0)
    layers = build_mlp(Value, rng)
    X, Y = make_data(rng)
    inputs = [[Value(v) for v in x] for x in X]
    neuron = fused_neuron if fused else plain_neuron
    losses = [(1 + -yi * forward(layers, x, neuron)).relu() for yi, x in zip(Y, inputs)]
    return len(topological_order(sum(losses, Value(0.0))))


def run(quick: bool = False) -> dict:
    from autograd import Value
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    repeats = 1 if quick else 3
    ours, loss_ours, _ = time_step(Value, repeats, gc_on=True)
    ours_nogc, _, _ = time_step(Value, repeats, gc_on=False)
    fused, loss_fused, _ = time_step(Value, repeats, gc_on=True, fused=True)
    fused_nogc, _, _ = time_step(Value, repeats, gc_on=False, fused=True)
    ref, loss_ref, _ = time_step(RefScalar, repeats, gc_on=True)
    ref_nogc, _, _ = time_step(RefScalar, repeats, gc_on=False)
    return {"ours_s": ours, "ours_nogc_s": ours_nogc, "fused_s": fused, "fused_nogc_s": fused_nogc,
            "ref_s": ref, "ref_nogc_s": ref_nogc,
            "loss_agree": abs(loss_ours - loss_ref) / abs(loss_ref),
            "fused_agree": abs(loss_fused - loss_ref) / abs(loss_ref),
            "nodes": count_nodes(), "fused_nodes": count_nodes(fused=True)}


def rows(scalar: dict) -> list[str]:
    out = []
    r = scalar["ref_s"] / scalar["fused_s"]
    out.append(f"| scalar MLP step, neurons as `autograd.lincomb` (~{scalar['fused_nodes']:,} "
               f"nodes) | {scalar['fused_s'] * 1e3:.1f} ms | micrograd-style reference "
               f"{scalar['ref_s'] * 1e3:.1f} ms | {r:.1f}x faster | >= 10x | {verdict(r >= 10)} |")
    r = scalar["ref_nogc_s"] / scalar["fused_nogc_s"]
    out.append(f"| the same, gc disabled in both | {scalar['fused_nogc_s'] * 1e3:.1f} ms | "
               f"reference {scalar['ref_nogc_s'] * 1e3:.1f} ms | {r:.2f}x faster | >= 1.5x | "
               f"{verdict(r >= 1.5)} |")
    r = scalar["ref_s"] / scalar["ours_s"]
    out.append(f"| scalar MLP step, micrograd's own neuron code (~{scalar['nodes']:,} nodes) | "
               f"{scalar['ours_s'] * 1e3:.1f} ms | reference {scalar['ref_s'] * 1e3:.1f} ms | "
               f"{r:.1f}x faster | (>= 10x) | {verdict(r >= 10)} |")
    r = scalar["ref_nogc_s"] / scalar["ours_nogc_s"]
    out.append(f"| the same, gc disabled in both | {scalar['ours_nogc_s'] * 1e3:.1f} ms | "
               f"reference {scalar['ref_nogc_s'] * 1e3:.1f} ms | {r:.2f}x faster | (>= 1.5x) | "
               f"{verdict(r >= 1.5)} |")
    return out
