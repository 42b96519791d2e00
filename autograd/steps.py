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

Scalar `Value` graphs only (a Tensor's local derivative is a matrix, not a number).
The gradients computed here come from the same rule formulas as `backward()`.
"""
from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from .engine import Node, _ieee_retry, topological_order
from .graphviz import _Drawing, format_number, render_svg

__all__ = ["Product", "Step", "backward_steps", "frame_graphs", "write_steps", "steps_html",
           "fixed"]


@dataclass
class Product:
    """One input's share in a step: local derivative x upstream gradient = contribution."""
    index: int            # which input of the op (0 = a, 1 = b, ...)
    parent: Any           # the input node
    local: float          # d out / d input
    upstream: float       # d root / d out
    contribution: float   # local x upstream, added to the input's gradient


@dataclass
class Step:
    """Backward step `number` (1-based): `node`'s rule sends its gradient to its inputs."""
    number: int
    node: Any
    products: list[Product]
    grads: dict[int, float]   # id(node) -> gradient known after this step (partial sums)


def fixed(x: float, decimals: int = 2) -> str:
    """`x` with `decimals` decimals, as the slides write numbers (0.73, -0.53); values too
    small or too large for that fall back to significant digits."""
    x = float(x)
    if x != 0 and (abs(x) < 0.5 * 10 ** -decimals or abs(x) >= 1e6) and x == x:
        return format_number(x, decimals + 1)
    if x != x or x in (float("inf"), float("-inf")):
        return format_number(x)
    s = f"{x:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s   # no "-0.00"


def backward_steps(root: Any) -> list[Step]:
    """The steps of `root.backward()`, without touching any `.grad`."""
    if not isinstance(root, Node) or not isinstance(root.data, float):
        raise TypeError(f"backward_steps: expected a scalar Value, got {type(root).__name__} "
                        "(step-by-step frames are drawn for Value graphs)")
    order = topological_order(root)
    grads: dict[int, float] = {id(root): 1.0}
    steps: list[Step] = []
    for node in order:
        rule = node._rule
        if rule is None:
            continue
        if node._parents is None:
            raise ValueError("backward_steps: this graph was released by backward(); build it "
                             "again or call backward(retain_graph=True)")
        g = grads.get(id(node), 0.0)
        args = [p.data if isinstance(p, Node) else p for p in node._parents] + list(node._saved)
        products = []
        for j, (p, formula) in enumerate(zip(node._parents, rule.grads, strict=False)):
            if not isinstance(p, Node) or not p.requires_grad:
                continue
            local = _call(formula, 1.0, node.data, args)
            contribution = _call(formula, g, node.data, args)
            grads[id(p)] = grads.get(id(p), 0.0) + contribution
            products.append(Product(j, p, float(local), float(g), float(contribution)))
        steps.append(Step(len(steps) + 1, node, products, dict(grads)))
    return steps


def _call(formula: Callable, g: float, out: float, args: list) -> float:
    try:
        return formula(g, out, *args)
    except ArithmeticError:
        return _ieee_retry(formula, g, out, args)


def frame_graphs(root: Any, steps: list[Step] | None = None, decimals: int = 2,
                 rankdir: str = "LR", legend: bool = True) -> list:
    """One `graphviz.Digraph` per frame: frame 0 (the start) and one per step."""
    steps = backward_steps(root) if steps is None else steps
    fmt = lambda x: fixed(x, decimals)
    frames = []
    for k in range(len(steps) + 1):
        known = steps[k - 1].grads if k else {id(root): 1.0}
        d = _Drawing(rankdir=rankdir, fmt=fmt, legend=legend,
                     title=_caption(root, steps, k, fmt))
        d.grad_text = lambda n, known=known: fmt(known[id(n)]) if id(n) in known else "?"
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
    return f"the {node._rule.name} node ({fmt(node.data)})" if node._rule else fmt(node.data)


def _caption(root: Any, steps: list[Step], k: int, fmt: Callable[[float], str]) -> str:
    n = len(steps)
    if k == 0:
        return f"step 0 of {n}: start at the output, d out/d out = 1"
    step = steps[k - 1]
    parts = [f"{_node_name(p.parent, fmt)} gets {fmt(p.local)} x {fmt(p.upstream)} = "
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
                title: str | None = None) -> list[str]:
    """Write frame_000.svg, frame_001.svg, ... and index.html into `out_dir` (created if
    needed); returns the paths written, the page last. Needs Graphviz's `dot`."""
    out_dir = os.fspath(out_dir)
    steps = backward_steps(root)
    fmt = lambda x: fixed(x, decimals)
    graphs = frame_graphs(root, steps, decimals)
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
