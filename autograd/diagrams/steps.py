"""Backpropagation one step at a time: a diagram per step, and a page to click through them.

    >>> steps = backward_steps(out)                 # what backward() does, node by node
    >>> write_steps(out, "steps/")                  # steps/frame_000.svg ... + index.html

Step k processes the k-th operation in reverse topological order (the output first):
it takes the gradient that has arrived at the operation's result (the upstream
gradient) and multiplies it by each input's local derivative, adding the product to
that input's gradient. Frame k shows every gradient known after k steps, the node
being processed in red and the products on its input edges ("-0.53 x 1.00 = -0.53":
local derivative x upstream gradient = the input's share). Frame 0 is the start:
only the output's gradient, d out/d out = 1, is known.

The steps are the engine's reference loop (`engine.backprop_steps`) grouped by node, so
the numbers are exactly those of the chain-rule table. Scalar `Value` graphs only (a
Tensor's local derivative is a matrix, not a number).
"""
from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..engine import Node, Step, backprop_steps
from .drawing import _Drawing, render_svg
from .numbers import fixed

__all__ = ["Product", "NodeStep", "backward_steps", "frame_graphs", "write_steps",
           "steps_html"]

# One input's share in a step: local derivative x upstream gradient = contribution
# (`index`, `input`, `local`, `upstream`, `contribution`, and the input's `total` so far).
Product = Step


@dataclass
class NodeStep:
    """Backward step `number` (1-based): `node`'s rule sends its gradient to its inputs."""
    number: int
    node: Any
    products: list[Step]
    _history: list["NodeStep"] = field(repr=False, compare=False, default_factory=list)

    @property
    def grads(self) -> dict[int, float]:
        """id(node) -> gradient known after this step (partial sums; the output's is 1).
        Computed from the steps on request, so a list of steps takes memory in proportion
        to the graph, not to its square."""
        known: dict[int, float] = {id(self._history[0].node): 1.0} if self._history else {}
        for step in self._history[:self.number]:
            for p in step.products:
                known[id(p.input)] = p.total
        return known


def backward_steps(root: Any) -> list[NodeStep]:
    """The steps of `root.backward()`, node by node, without touching any `.grad`."""
    if not isinstance(root, Node) or not isinstance(root._data, float):
        raise TypeError(f"backward_steps: expected a scalar Value, got {type(root).__name__} "
                        "(step-by-step frames are drawn for Value graphs)")
    history: list[NodeStep] = []
    try:
        for edge in backprop_steps(root, 1.0):
            if not history or history[-1].node is not edge.node:
                history.append(NodeStep(len(history) + 1, edge.node, [], history))
            history[-1].products.append(edge)
    except RuntimeError:
        raise ValueError("backward_steps: this graph was released by backward(); build it "
                         "again or call backward(retain_graph=True)") from None
    return history


def frame_graphs(root: Any, steps: list[NodeStep] | None = None, decimals: int = 2,
                 rankdir: str = "LR", legend: bool = True) -> list:
    """One `graphviz.Digraph` per frame: frame 0 (the start) and one per step."""
    steps = backward_steps(root) if steps is None else steps
    fmt = lambda x: fixed(x, decimals)
    frames = []
    known: dict[int, float] = {id(root): 1.0}
    for k in range(len(steps) + 1):
        if k:
            for p in steps[k - 1].products:
                known[id(p.input)] = p.total
        d = _Drawing(rankdir=rankdir, fmt=fmt, legend=legend,
                     title=_caption(root, steps, k, fmt))
        d.grad_text = lambda n, known=dict(known): fmt(known[id(n)]) if id(n) in known else "?"
        if k:
            step = steps[k - 1]
            d.highlight = {id(step.node)}
            d.edge_notes = {(id(step.node), p.index):
                            f"{fmt(p.local)} x {fmt(p.upstream)} = {fmt(p.contribution)}"
                            for p in step.products}
        frames.append(d.build(root, max_nodes=500))
    return frames


def _node_name(node: Any, fmt: Callable[[float], str]) -> str:
    if node.label:
        return node.label
    return f"the {node._rule.name} node ({fmt(node._data)})" if node._rule else fmt(node._data)


def _caption(root: Any, steps: list[NodeStep], k: int, fmt: Callable[[float], str]) -> str:
    n = len(steps)
    if k == 0:
        return f"step 0 of {n}: start at the output, d out/d out = 1"
    step = steps[k - 1]
    parts = [f"{_node_name(p.input, fmt)} gets {fmt(p.local)} x {fmt(p.upstream)} = "
             f"{fmt(p.contribution)}" for p in step.products]
    what = "; ".join(parts) or "no input needs a gradient"
    return f"step {k} of {n}: {step.node._rule.name} node: {what}"


_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def steps_html(svgs: list[str], captions: list[str], title: str = "Backpropagation, step by "
               "step") -> str:
    """A self-contained page (SVGs inline, no network) that steps through the frames with
    Previous/Next buttons and the left/right arrow keys."""
    n = len(svgs) - 1
    figures = "\n".join(
        f'<figure class="frame" id="frame-{k}"{"" if k == 0 else " hidden"}>'
        f"{_PROLOG.sub('', svg, count=1)}</figure>" for k, svg in enumerate(svgs))
    return _PAGE.format(title=html.escape(title), n=n, figures=figures,
                        captions=json.dumps(captions).replace("</", "<\\/"),
                        first=html.escape(captions[0] if captions else ""))


def write_steps(root: Any, out_dir: str | os.PathLike, decimals: int = 2,
                title: str | None = None, steps: list[NodeStep] | None = None,
                rankdir: str = "LR", legend: bool = True) -> list[str]:
    """Write frame_000.svg, frame_001.svg, ... and index.html into `out_dir` (created if
    needed); returns the paths written, the page last. Needs Graphviz's `dot`. `steps`:
    the result of `backward_steps(root)`, when the caller already has it."""
    out_dir = os.fspath(out_dir)
    steps = backward_steps(root) if steps is None else steps
    fmt = lambda x: fixed(x, decimals)
    graphs = frame_graphs(root, steps, decimals, rankdir=rankdir, legend=legend)
    svgs = [render_svg(g) for g in graphs]
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for k, svg in enumerate(svgs):
        path = os.path.join(out_dir, f"frame_{k:03d}.svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        paths.append(path)
    captions = [_caption(root, steps, k, fmt) for k in range(len(svgs))]
    page = os.path.join(out_dir, "index.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(steps_html(svgs, captions, title or "Backpropagation, step by step"))
    paths.append(page)
    return paths


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
  .controls {{ display: flex; gap: 1em; align-items: center; margin-bottom: .5em; }}
  button {{ font-size: 1em; padding: .3em 1em; }}
  #counter {{ font-weight: bold; min-width: 8em; text-align: center; }}
  #caption {{ min-height: 1.5em; }}
  figure {{ margin: 0; overflow-x: auto; }}
  figure svg {{ max-width: 100%; height: auto; }}
  .hint {{ color: #777; font-size: .85em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls">
  <button id="prev" type="button" disabled>&larr; Previous</button>
  <span id="counter">step 0 of {n}</span>
  <button id="next" type="button">Next &rarr;</button>
  <span class="hint">(or the left and right arrow keys)</span>
</div>
<p id="caption">{first}</p>
<div id="frames">
{figures}
</div>
<script>
(function () {{
  var n = {n}, k = 0, captions = {captions};
  var frames = document.querySelectorAll(".frame");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  function show(i) {{
    k = Math.max(0, Math.min(n, i));
    for (var j = 0; j < frames.length; j++) frames[j].hidden = (j !== k);
    document.getElementById("counter").textContent = "step " + k + " of " + n;
    document.getElementById("caption").textContent = captions[k];
    prev.disabled = (k === 0);
    next.disabled = (k === n);
  }}
  prev.addEventListener("click", function () {{ show(k - 1); }});
  next.addEventListener("click", function () {{ show(k + 1); }});
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowLeft") show(k - 1);
    if (e.key === "ArrowRight") show(k + 1);
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
