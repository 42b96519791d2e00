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
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from ..engine import Node, Step, backprop_steps
from .drawing import _auto_rankdir, _collect, _Drawing, render_svg
from .numbers import fixed
from .options import current as current_options
from .render import GraphvizTimeout

__all__ = ["Product", "NodeStep", "backward_steps", "frame_graphs", "write_steps",
           "steps_html", "Stepper", "stepper", "render_frames", "MAX_FRAMES"]

# One input's share in a step: local derivative x upstream gradient = contribution
# (`index`, `input`, `local`, `upstream`, `contribution`, and the input's `total` so far).
Product = Step

MAX_FRAMES = 60            # most frames (backward steps + 1) drawn for one graph
FRAMES_TIMEOUT = 60.0     # seconds Graphviz may take for all the frames together


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
                 rankdir: str | None = None, legend: bool | str | None = None,
                 names: Mapping[Any, str] | None = None, size: Any = None,
                 titles: bool = False, *, max_frames: int = MAX_FRAMES,
                 max_nodes: int = 500, max_segments: int | None = None) -> list:
    """One `graphviz.Digraph` per frame: frame 0 (the start) and one per step.

    A graph with more than `max_frames` frames (steps + 1) is refused with a ValueError
    before any frame is built (no sampling: every step is either shown or none is);
    max_nodes, max_segments: each frame's budget, as `draw_graph`'s.

    rankdir, legend: as `draw_graph` (None: the `options()` defaults); names: {node: name}
    for the boxes (the chain-rule table's); size: Graphviz size in inches (None: natural
    size, which the step page zooms); titles: write the caption into each frame (the
    page shows it once, above the diagram, so its frames have none)."""
    o = current_options()
    rankdir = o.rankdir if rankdir is None else rankdir
    if rankdir == "auto":          # the page is a landscape screen: decide for 16:9
        rankdir = _auto_rankdir(_collect([root], 500), SLIDE_ATTR)
    legend = o.legend if legend is None else legend
    size_attr = size if isinstance(size, str) or size is None else \
        replace(o, size=tuple(size)).size_attr()
    steps = backward_steps(root) if steps is None else steps
    if len(steps) + 1 > max_frames:
        raise ValueError(
            f"step frames: the graph has {len(steps)} backward steps, so {len(steps) + 1} "
            f"frames, more than max_frames={max_frames} (each frame is a Graphviz layout); "
            f"step through a smaller graph, or pass max_frames=N (N >= {len(steps) + 1})")
    fmt = lambda x: fixed(x, decimals)
    frames = []
    known: dict[int, float] = {id(root): 1.0}
    for k in range(len(steps) + 1):
        if k:
            for p in steps[k - 1].products:
                known[id(p.input)] = p.total
        d = _Drawing(rankdir=rankdir, fmt=fmt, legend=legend, size=size_attr, names=names,
                     title=_caption(root, steps, k, fmt) if titles else None)
        d.grad_text = lambda n, known=dict(known): fmt(known[id(n)]) if id(n) in known else "?"
        if k:
            step = steps[k - 1]
            d.highlight = {id(step.node)}
            d.edge_notes = {(id(step.node), p.index):
                            f"{fmt(p.local)} x {fmt(p.upstream)} = {fmt(p.contribution)}"
                            for p in step.products}
        frames.append(d.build(root, max_nodes=max_nodes, max_segments=max_segments))
    return frames


def render_frames(graphs: list, timeout: float | None = FRAMES_TIMEOUT,
                  what: str = "timeout") -> list[str]:
    """The SVG of every frame, Graphviz's `dot` given `timeout` seconds for all of them
    together (None: no limit); beyond it the running dot is killed and `GraphvizTimeout`
    names the limit (as `what`) and how many frames were done."""
    deadline = None if timeout is None else time.monotonic() + timeout
    svgs: list[str] = []
    for g in graphs:
        left = None if deadline is None else deadline - time.monotonic()
        try:
            if left is not None and left <= 0:
                raise GraphvizTimeout("", 0.0)
            svgs.append(render_svg(g, timeout=left))
        except GraphvizTimeout:
            raise GraphvizTimeout(
                f"step frames: Graphviz did not render the {len(graphs)} frames within "
                f"{what}={timeout:g} seconds ({len(svgs)} done) and was stopped; step through "
                f"a smaller graph, or give it more time with a larger {what}",
                float(timeout or 0)) from None
    return svgs


def _node_name(node: Any, fmt: Callable[[float], str]) -> str:
    if node.label:
        return node.label
    return f"the {node._rule.name} node ({fmt(node._data)})" if node._rule else fmt(node._data)


def _caption(root: Any, steps: list[NodeStep], k: int, fmt: Callable[[float], str]) -> str:
    n = len(steps)
    if k == 0:
        name = root.label if getattr(root, "label", "") else "out"
        d = f"d{name}" if len(name) <= 3 else f"d({name})"
        return f"step 0 of {n}: start at the output, {d}/{d} = 1"
    step = steps[k - 1]
    parts = [f"{_node_name(p.input, fmt)} gets {fmt(p.local)} x {fmt(p.upstream)} = "
             f"{fmt(p.contribution)}" for p in step.products]
    what = "; ".join(parts) or "no input needs a gradient"
    return f"step {k} of {n}: {step.node._rule.name} node: {what}"


SLIDE_ATTR = "13.3,7.5"           # the screen a step page is shown on: 16:9

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def steps_html(svgs: list[str], captions: list[str], title: str = "Backpropagation, step by "
               "step", views: list[tuple[str, list[str], list[str]]] | None = None) -> str:
    """A self-contained page (SVGs inline, no network) that steps through the frames with
    Previous/Next buttons and the left/right arrow keys, zooms (buttons, `+`/`-`, `0` to
    fit, the wheel or a pinch) and pans (drag), and fills the window. `views`: more sets
    of frames (name, svgs, captions) the page can switch to (the same circuit grouped
    into one gate); the first view is (`"steps"`, svgs, captions)."""
    all_views = [("steps", svgs, captions)] + list(views or [])
    widget = _widget(all_views, prefix="", page=True)
    return _PAGE.format(title=html.escape(title), widget=widget, css=_CSS)


def _widget(views: list[tuple[str, list[str], list[str]]], prefix: str, page: bool) -> str:
    """The stepper's HTML: controls, the caption (once), the frames of every view and the
    script, all scoped to one element (`prefix` keeps two steppers in one notebook
    apart; the page uses the plain ids #prev, #next, #counter, #caption, #frame-K)."""
    figures = []
    for v, (_, svgs, _caps) in enumerate(views):
        for k, svg in enumerate(svgs):
            fid = f"{prefix}frame-{k}" if v == 0 else f"{prefix}v{v}-frame-{k}"
            hidden = "" if (v == 0 and k == 0) else " hidden"
            figures.append(f'<figure class="cg-frame" id="{fid}" data-view="{v}" '
                           f'data-step="{k}"{hidden}>{_PROLOG.sub("", svg, count=1)}</figure>')
    meta = [{"name": name, "n": len(svgs) - 1, "captions": caps}
            for name, svgs, caps in views]
    toggle = "" if len(views) < 2 else (
        f'<button id="{prefix}toggle" type="button" data-role="toggle" '
        f'title="switch between the views (g)">{html.escape(views[1][0])}</button>')
    first = html.escape(views[0][2][0] if views[0][2] else "")
    n = len(views[0][1]) - 1
    script = (_SCRIPT.replace("__ROOT__", json.dumps(f"{prefix}stepper"))
              .replace("__VIEWS__", json.dumps(meta).replace("</", "<\\/"))
              .replace("__PAGE__", "true" if page else "false"))
    kind = "cg-stepper cg-page" if page else "cg-stepper"
    return f"""<div class="{kind}" id="{prefix}stepper" tabindex="0">
<div class="cg-controls">
  <button id="{prefix}prev" type="button" data-role="prev" disabled>&larr; Previous</button>
  <span id="{prefix}counter" class="cg-counter" data-role="counter">step 0 of {n}</span>
  <button id="{prefix}next" type="button" data-role="next">Next &rarr;</button>
  <span class="cg-sep"></span>
  <button type="button" data-role="zoom-out" title="zoom out (-)">&minus;</button>
  <span class="cg-zoom" data-role="zoom">100%</span>
  <button type="button" data-role="zoom-in" title="zoom in (+)">+</button>
  <button type="button" data-role="fit" title="fit the window (0)">fit</button>
  <button type="button" data-role="actual" title="actual size (1)">1:1</button>
  {toggle}
  <span class="cg-hint">&larr; &rarr; step, + &minus; zoom, drag to pan</span>
</div>
<p id="{prefix}caption" class="cg-caption" data-role="caption">{first}</p>
<div class="cg-stage" data-role="stage"><div class="cg-canvas" data-role="canvas">
{chr(10).join(figures)}
</div></div>
<script>{script}</script>
</div>"""


class Stepper:
    """Backpropagation step by step, in a notebook: Jupyter shows `_repr_html_`, a
    self-contained stepper (frames inline, no network, no server) with the buttons and
    keys of the step page (click it first for the keys). `grouped`: the same function
    built with a fused op (the sigmoid circuit as one sigmoid gate); a toggle switches
    between the two and shows that both give the inputs the same gradients.

    `html()` is the widget, `page()` a whole page, `write(dir)` what `write_steps` writes.
    """

    _count = 0

    def __init__(self, root: Any, decimals: int = 2, grouped: Any = None,
                 labels: tuple[str, str] = ("primitive ops", "one gate"),
                 rankdir: str | None = None, legend: bool | str | None = None,
                 names: Mapping[Any, str] | None = None, height: str = "70vh") -> None:
        self.root, self.decimals, self.grouped, self.labels = root, decimals, grouped, labels
        self.rankdir, self.legend, self.names, self.height = rankdir, legend, names, height
        self.steps = backward_steps(root)
        self.grouped_steps = backward_steps(grouped) if grouped is not None else None

    def _views(self) -> list[tuple[str, list[str], list[str]]]:
        fmt = lambda x: fixed(x, self.decimals)
        views = []
        pairs = [(self.labels[0], self.root, self.steps)]
        if self.grouped is not None and self.grouped_steps is not None:
            pairs.append((self.labels[1], self.grouped, self.grouped_steps))
        for name, root, steps in pairs:
            graphs = frame_graphs(root, steps, self.decimals, rankdir=self.rankdir,
                                  legend=self.legend,
                                  names=self.names if root is self.root else None)
            svgs = render_frames(graphs)
            views.append((name, svgs, [_caption(root, steps, k, fmt)
                                       for k in range(len(svgs))]))
        return views

    def html(self) -> str:
        """The stepper as an HTML fragment (its own CSS and script)."""
        Stepper._count += 1
        prefix = f"cg{Stepper._count}-"
        css = _CSS.replace(".cg-stepper.cg-nb .cg-stage { height: 70vh; }",
                           f".cg-stepper.cg-nb .cg-stage {{ height: {self.height}; }}")
        return f"<style>{css}</style>" + _widget(self._views(), prefix, page=False).replace(
            'class="cg-stepper"', 'class="cg-stepper cg-nb"', 1)

    def _repr_html_(self) -> str:
        return self.html()

    def page(self, title: str = "Backpropagation, step by step") -> str:
        views = self._views()
        return steps_html(views[0][1], views[0][2], title, views[1:])


def stepper(root: Any, decimals: int = 2, grouped: Any = None, **kwargs: Any) -> Stepper:
    """The stepper of `root`'s backward pass for a notebook (see `Stepper`)."""
    return Stepper(root, decimals, grouped, **kwargs)


def write_steps(root: Any, out_dir: str | os.PathLike, decimals: int = 2,
                title: str | None = None, steps: list[NodeStep] | None = None,
                rankdir: str | None = None, legend: bool | str | None = None,
                names: Mapping[Any, str] | None = None, size: Any = None, *,
                max_frames: int = MAX_FRAMES, max_nodes: int = 500,
                max_segments: int | None = None,
                timeout: float | None = FRAMES_TIMEOUT) -> list[str]:
    """Write frame_000.svg, frame_001.svg, ... and index.html into `out_dir` (created if
    needed); returns the paths written, the page last. Needs Graphviz's `dot`. `steps`:
    the result of `backward_steps(root)`, when the caller already has it; rankdir, legend,
    names, size: as `frame_graphs` (the command line's layout flags). Bounded work:
    max_frames, max_nodes, max_segments as `frame_graphs` (refused before dot runs), and
    `timeout` seconds for rendering all the frames (`render_frames`)."""
    out_dir = os.fspath(out_dir)
    steps = backward_steps(root) if steps is None else steps
    fmt = lambda x: fixed(x, decimals)
    graphs = frame_graphs(root, steps, decimals, rankdir=rankdir, legend=legend, names=names,
                          size=size, max_frames=max_frames, max_nodes=max_nodes,
                          max_segments=max_segments)
    svgs = render_frames(graphs, timeout)
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


_CSS = """
  .cg-stepper { font-family: Helvetica, Arial, sans-serif; color: #222; outline: none; }
  .cg-controls { display: flex; flex-wrap: wrap; gap: .5em; align-items: center;
                 margin-bottom: .3em; }
  .cg-controls button { font-size: 1em; padding: .25em .8em; }
  .cg-counter { font-weight: bold; min-width: 7em; text-align: center; }
  .cg-zoom { min-width: 3.5em; text-align: center; }
  .cg-sep { width: 1em; }
  .cg-hint { color: #777; font-size: .85em; }
  .cg-caption { min-height: 1.4em; margin: .2em 0 .4em; font-size: 1.05em; }
  .cg-stage { position: relative; overflow: hidden; border: 1px solid #ddd; cursor: grab;
              background: white; touch-action: none; }
  .cg-stepper.cg-nb .cg-stage { height: 70vh; }
  .cg-stepper.cg-page { flex: 1; display: flex; flex-direction: column; min-height: 0; }
  .cg-stepper.cg-page .cg-stage { flex: 1; min-height: 0; }
  .cg-stage.cg-drag { cursor: grabbing; }
  .cg-canvas { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
  .cg-frame { margin: 0; }
  .cg-frame svg { display: block; max-width: none; }
"""

_SCRIPT = r"""
(function () {
  var root = document.getElementById(__ROOT__), views = __VIEWS__, page = __PAGE__;
  var v = 0, k = 0, zoom = 1, panX = 0, panY = 0;
  function el(role) { return root.querySelector('[data-role="' + role + '"]'); }
  var stage = el("stage"), canvas = el("canvas"), prev = el("prev"), next = el("next");
  var frames = root.querySelectorAll(".cg-frame");
  function current() {
    for (var j = 0; j < frames.length; j++)
      if (+frames[j].dataset.view === v && +frames[j].dataset.step === k) return frames[j];
    return frames[0];
  }
  function apply() {
    canvas.style.transform = "translate(" + panX + "px," + panY + "px) scale(" + zoom + ")";
    el("zoom").textContent = Math.round(zoom * 100) + "%";
  }
  function natural() {
    var svg = current().querySelector("svg");
    return [svg.width.baseVal.value || 1, svg.height.baseVal.value || 1];
  }
  function fitZoom() {
    var s = natural(), r = stage.getBoundingClientRect();
    return Math.min(r.width / s[0], r.height / s[1]);
  }
  function zoomAt(z, cx, cy) {             // keep the point (cx, cy) of the stage still
    z = Math.max(0.1, Math.min(8, z));
    panX = cx - (cx - panX) * z / zoom; panY = cy - (cy - panY) * z / zoom; zoom = z; apply();
  }
  function center() {
    var s = natural(), r = stage.getBoundingClientRect();
    panX = (r.width - s[0] * zoom) / 2; panY = Math.min(0, (r.height - s[1] * zoom) / 2);
    if (s[1] * zoom <= r.height) panY = (r.height - s[1] * zoom) / 2;
    apply();
  }
  function follow() {                      // bring the node being processed into view
    var f = current(), hot = f.querySelector(".hot") || (k === 0 && f.querySelector(".output"));
    if (!hot) return;
    var h = hot.getBoundingClientRect(), r = stage.getBoundingClientRect();
    if (h.left >= r.left && h.right <= r.right && h.top >= r.top && h.bottom <= r.bottom) return;
    panX += (r.left + r.width / 2) - (h.left + h.width / 2);
    panY += (r.top + r.height / 2) - (h.top + h.height / 2);
    apply();
  }
  function show(i) {
    var n = views[v].n;
    k = Math.max(0, Math.min(n, i));
    for (var j = 0; j < frames.length; j++)
      frames[j].hidden = !(+frames[j].dataset.view === v && +frames[j].dataset.step === k);
    el("counter").textContent = "step " + k + " of " + n;
    el("caption").textContent = views[v].captions[k];
    prev.disabled = (k === 0);
    next.disabled = (k === n);
    follow();
  }
  function start() {        // readable from the back of a room (125% at least), filling
    var s = natural(), r = stage.getBoundingClientRect();     // the window one way
    var fill = Math.min(1.75, 0.95 * Math.max(r.width / s[0], r.height / s[1]));
    zoom = Math.max(1.25, fitZoom(), fill); center(); follow();
  }
  prev.addEventListener("click", function () { show(k - 1); });
  next.addEventListener("click", function () { show(k + 1); });
  function mid() { var r = stage.getBoundingClientRect(); return [r.width / 2, r.height / 2]; }
  function step(f) { var m = mid(); zoomAt(zoom * f, m[0], m[1]); }
  el("zoom-in").addEventListener("click", function () { step(1.25); });
  el("zoom-out").addEventListener("click", function () { step(1 / 1.25); });
  el("fit").addEventListener("click", function () { zoom = fitZoom(); center(); });
  el("actual").addEventListener("click", function () { zoom = 1; center(); follow(); });
  var toggle = el("toggle");
  if (toggle) toggle.addEventListener("click", function () {
    v = (v + 1) % views.length;
    toggle.textContent = views[(v + 1) % views.length].name;
    start(); show(k);
  });
  (page ? document : root).addEventListener("keydown", function (e) {
    if (e.target && /INPUT|TEXTAREA/.test(e.target.tagName || "")) return;
    var m = mid(), used = true;
    if (e.key === "ArrowLeft") show(k - 1);
    else if (e.key === "ArrowRight") show(k + 1);
    else if (e.key === "+" || e.key === "=") zoomAt(zoom * 1.25, m[0], m[1]);
    else if (e.key === "-" || e.key === "_") zoomAt(zoom / 1.25, m[0], m[1]);
    else if (e.key === "0") { zoom = fitZoom(); center(); }
    else if (e.key === "1") { zoom = 1; center(); follow(); }
    else if ((e.key === "g" || e.key === "G") && toggle) toggle.click();
    else used = false;
    if (used) { e.preventDefault(); e.stopPropagation(); }
  });
  stage.addEventListener("wheel", function (e) {
    if (!page && !e.ctrlKey && !e.metaKey) return;   // a notebook scrolls; pinch zooms
    e.preventDefault();
    var r = stage.getBoundingClientRect();
    zoomAt(zoom * Math.exp(-e.deltaY * 0.002), e.clientX - r.left, e.clientY - r.top);
  }, {passive: false});
  var drag = null;
  stage.addEventListener("pointerdown", function (e) {
    root.focus({preventScroll: true});
    drag = [e.clientX - panX, e.clientY - panY];
    stage.classList.add("cg-drag");
    if (stage.setPointerCapture) stage.setPointerCapture(e.pointerId);
  });
  stage.addEventListener("pointermove", function (e) {
    if (!drag) return;
    panX = e.clientX - drag[0]; panY = e.clientY - drag[1]; apply();
  });
  function stop() { drag = null; stage.classList.remove("cg-drag"); }
  stage.addEventListener("pointerup", stop);
  stage.addEventListener("pointercancel", stop);
  root.stepper = {show: show, zoom: function () { return zoom; }, view: function () { return v; }};
  start(); show(0);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  html, body {{ height: 100%; }}
  body {{ margin: 0; padding: .5em 1em; box-sizing: border-box; display: flex;
         flex-direction: column; overflow: hidden; }}
  h1 {{ font-family: Helvetica, Arial, sans-serif; font-size: 1.2em; margin: 0 0 .3em; }}
{css}
</style>
</head>
<body>
<h1>{title}</h1>
{widget}
</body>
</html>
"""
