"""Double backward, drawn: the derivative of y = tanh(x) * w is itself a graph, which a
second backward differentiates.

    y       = tanh(x) * w
    g       = dy/dx     = w (1 - tanh^2 x)               (autograd.grad, create_graph=True)
    dg/dx   = d2y/dx2   = -2 w tanh x (1 - tanh^2 x)     (g.backward() puts it in x.grad)
    dg/dw   = d2y/dxdw  = 1 - tanh^2 x                   (... and this in w.grad)

With create_graph=True the first backward runs the derivative rules (rules.py) on graph
nodes instead of numbers: tanh's rule g * (1 - out * out) builds the nodes `out * out`
and `1 - ...` on top of the forward graph's tanh node, which is how the second backward
reaches x through it. The picture (docs/double_backward.svg) shows both graphs: the
forward graph (y) and the gradient graph (g) that the first backward built, sharing the
tanh node. Each box's grad is d g / d node, filled by g.backward().
"""
import argparse
import math
import sys
from pathlib import Path

import autograd
from autograd.diagrams import GraphvizNotFound, save
from autograd.engine import topological_order

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("-o", "--out", default=str(Path(__file__).resolve().parent.parent / "docs"
                                           / "double_backward.svg"),
                help="where to write the diagram: .svg, .png, .pdf, or .gv (DOT text, no "
                     "Graphviz needed) (default: docs/double_backward.svg)")
ap.add_argument("--quick", action="store_true", help="accepted as by every example (this one "
                                                     "is quick anyway)")
args = ap.parse_args()

x = autograd.Value(0.5, label="x")
w = autograd.Value(2.0, label="w")
t = x.tanh()
t.label = "tanh(x)"
y = t * w
y.label = "y"

(g,) = autograd.grad(y, [x], create_graph=True)   # a Value with a graph: w (1 - tanh^2 x)
g.label = "g = dy/dx"
g.backward()                                      # the second backward: dg/dx, dg/dw

th = math.tanh(x.data)
print(f"y          = {y.data:.12f}    tanh(x) w          = {th * w.data:.12f}")
print(f"dy/dx      = {g.data:.12f}    w (1 - tanh^2 x)   = {w.data * (1 - th * th):.12f}")
print(f"d2y/dx2    = {x.grad:.12f}    -2 w tanh x (1 - tanh^2 x) = "
      f"{-2 * w.data * th * (1 - th * th):.12f}")
print(f"d2y/dxdw   = {w.grad:.12f}    1 - tanh^2 x       = {1 - th * th:.12f}")

# The boxes: the forward graph, and the nodes the first backward built (the gradient graph).
forward = [n for n in topological_order(y) if n._rule is not None]
built = [n for n in topological_order(g) if n._rule is not None and n not in forward]
for n in built:                                   # name the gradient graph's values
    if n.op == "sub":
        n.label = "1 - tanh^2"
    elif n.op == "mul" and n.parents == (t, t):
        n.label = "tanh^2"
    elif n.op == "mul" and w in n.parents:
        n.label = "seed 1 * w"
drawing = autograd.draw_graph(
    [y, g], title="y = tanh(x) w and its derivative g = dy/dx, after g.backward() "
                  "(grad: d g / d node)",
    clusters={"forward graph": forward, "built by the first backward (create_graph=True)":
              built})
try:
    save(drawing, args.out)
    print(f"wrote {args.out}")
except GraphvizNotFound as e:           # the numbers above do not need Graphviz
    print(f"not drawn: {e}", file=sys.stderr)
