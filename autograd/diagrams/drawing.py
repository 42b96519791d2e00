"""Pictures of computation graphs, drawn with Graphviz.

    >>> from autograd import Value, draw_graph
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + 1
    >>> c.backward()
    >>> g = draw_graph(c)          # a graphviz.Digraph
    >>> g.render("c", format="svg")    # or g.source, or display it in a notebook

One box per value (its label, data and gradient), one small oval per operation, one
grey chip per constant (the `1` in `x + 1`). Edges run from the inputs into the
operation in argument order; an operation with two or more inputs labels them
a, b, c, ... as the derivative table does (`sub`: d out/da = 1, d out/db = -1), so
`a - b` cannot be misread. Leaves, interior values and the output have their own
colours, explained by a small legend.

Tensors are drawn the same way, with their shape, dtype and (when small) their values,
parameter names taken from a module, and the operations named as PyTorch names them
(`MulBackward0`).
"""
from __future__ import annotations

import html
import os
from typing import Any, Callable, Iterable, Mapping

import graphviz
import numpy as np

from ..engine import Node
from .numbers import format_number

__all__ = ["draw_graph", "format_number", "save", "render_svg", "module_clusters",
           "GraphvizNotFound", "INSTALL_HINT", "repr_svg"]

INSTALL_HINT = ("Graphviz's 'dot' program is needed to render diagrams and was not found on "
                "PATH. Install it: Debian and Ubuntu: apt-get install graphviz; macOS: brew "
                "install graphviz; conda: conda install -c conda-forge graphviz; Windows: "
                "https://graphviz.org/download/. Writing the DOT source (a .gv file) works "
                "without it.")

COLORS = {"leaf": "#cfe3ff", "interior": "#ffffff", "output": "#ffd866", "op": "#e8e8e8",
          "constant": "#f2f2f2", "data": "#eeeeee", "highlight": "#d62728"}


class GraphvizNotFound(RuntimeError):
    """Graphviz's `dot` executable is missing; the message says how to install it."""


def _array_text(a: np.ndarray, fmt: Callable[[float], str]) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    if a.dtype.kind == "b":
        return np.array2string(a, separator=", ")
    formatter: Any = {"float_kind": fmt}
    text = np.array2string(np.asarray(a, dtype=float), separator=", ",
                           formatter=formatter, max_line_width=60)
    return "\n".join(line.strip() for line in text.splitlines())   # labels use a proportional font


def _is_tensor(node: Any) -> bool:
    return not isinstance(node._data, float)


def _collect(roots: list, max_nodes: int) -> list:
    """Every node the roots depend on (whether it needs a gradient or not), roots first.

    Iterative; stops with a ValueError as soon as more than `max_nodes` were found, so a
    huge graph is refused after looking at max_nodes of its nodes, not all of them.
    """
    seen: set[int] = set()
    order: list = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        if len(order) > max_nodes:
            raise ValueError(
                f"draw_graph: the graph has more than {max_nodes} nodes; a picture that big "
                "is unreadable (and slow to lay out). Draw a smaller part, e.g. an "
                f"intermediate result, or pass max_nodes=N (N > {max_nodes}) to draw it anyway.")
        parents = node._parents
        if parents is None and node._rule is not None:
            raise ValueError(
                "draw_graph: this graph was released by an earlier backward() (its links "
                "were dropped to free memory). Draw it before calling backward(), or call "
                "backward(retain_graph=True).")
        for p in reversed(parents or ()):
            if isinstance(p, Node) and id(p) not in seen:
                stack.append(p)
    return order


def module_clusters(module: Any) -> dict[str, list]:
    """Group a module's parameters by the submodule that owns them ("0.weight" -> "0"),
    ready for `draw_graph(..., clusters=module_clusters(model))`."""
    groups: dict[str, list] = {}
    for name, p in module.named_parameters():
        owner = name.rpartition(".")[0] or type(module).__name__
        groups.setdefault(owner, []).append(p)
    return groups


class _Drawing:
    """Builds one Digraph. `steps.py` reuses it with its own gradients, highlights and
    edge notes; `draw_graph` is the public face."""

    def __init__(self, rankdir: str = "LR", show_data: bool = True, show_grad: bool = True,
                 fmt: Callable[[float], str] = format_number, params: Any = None,
                 legend: bool = True, small_tensor: int = 8, title: str | None = None,
                 clusters: Mapping[str, Iterable[Any]] | None = None,
                 collapse: bool = False, grads: Mapping[Any, Any] | None = None) -> None:
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"draw_graph: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
        self.rankdir, self.show_data, self.show_grad = rankdir, show_data, show_grad
        self.fmt, self.legend, self.small, self.title = fmt, legend, small_tensor, title
        if params is not None and hasattr(params, "named_parameters"):
            params = dict(params.named_parameters())
        self.names = {id(t): n for n, t in (params or {}).items()}
        self.cluster_of: dict[int, str] = {}
        for cname, members in (clusters or {}).items():
            for m in members:
                self.cluster_of[id(m)] = str(cname)
        self.collapse = collapse
        self.grads = grads
        # Per-node overrides used by the step-by-step frames.
        self.grad_text: Callable[[Any], str | None] | None = None
        self.highlight: set[int] = set()
        self.edge_notes: dict[tuple[int, int], str] = {}

    # ------------------------------------------------------------ labels
    def _kind(self, node: Any, is_root: bool) -> str:
        if is_root:
            return "output"
        if node._rule is not None:
            return "interior"
        return "leaf" if getattr(node, "requires_grad", True) else "data"

    def _value_rows(self, node: Any) -> list[str]:
        cells = []
        if node.label:
            cells.append(f"<B>{html.escape(node.label)}</B>")
        if self.show_data:
            cells.append(f"data {html.escape(self.fmt(node._data))}")
        if self.show_grad:
            if self.grad_text is not None:
                g = self.grad_text(node)
            elif self.grads is not None and node in self.grads:
                g = self.fmt(self.grads[node])
            else:
                g = self.fmt(node.grad)
            if g is not None:
                cells.append(f"grad {html.escape(g)}")
        return ["".join(f"<TD>{c}</TD>" for c in cells)]

    def _tensor_rows(self, node: Any) -> list[str]:
        rows = []
        name = self.names.get(id(node))
        if name:
            rows.append(f"<B>{html.escape(name)}</B>")
        dtype = str(node.dtype)
        rows.append(html.escape(f"{tuple(node.shape)} {dtype}"))
        small = node._data.size <= self.small
        if self.show_data and small:
            rows.append("data " + html.escape(_array_text(node._data, self.fmt)))
        if self.show_grad:
            if self.grad_text is not None:
                g = self.grad_text(node)
            elif node._grad is None:
                g = None
            else:
                gd = node._grad._data
                g = _array_text(gd, self.fmt) if gd.size <= self.small else "(stored)"
            if g is not None:
                rows.append("grad " + html.escape(g))
        return [f'<TD ALIGN="LEFT">{r}</TD>' for r in rows]

    def _node_label(self, node: Any, kind: str, hot: bool = False) -> str:
        rows = self._tensor_rows(node) if _is_tensor(node) else self._value_rows(node)
        body = "".join(f"<TR>{r}</TR>" for r in rows).replace("\n", '<BR ALIGN="LEFT"/>')
        # The output gets a thick frame, the node being processed (steps) a red one.
        frame = (f'BORDER="3" COLOR="{COLORS["highlight"]}"' if hot else
                 'BORDER="2"' if kind == "output" else 'BORDER="0"')
        return (f'<<TABLE {frame} CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
                f'BGCOLOR="{COLORS[kind]}">{body}</TABLE>>')

    def _op_text(self, node: Any) -> str:
        rule = node._rule
        if _is_tensor(node):
            return rule.torch_name or rule.name
        return rule.symbol or rule.name

    # ------------------------------------------------------------ the graph
    def build(self, root: Any, max_nodes: int = 500) -> graphviz.Digraph:
        roots = list(root) if isinstance(root, (list, tuple)) else [root]
        for r in roots:
            if not isinstance(r, Node):
                raise TypeError(f"draw_graph: expected a Value or a Tensor, got "
                                f"{type(r).__name__}")
        nodes = _collect(roots, max_nodes)
        index = {id(n): i for i, n in enumerate(nodes)}
        root_ids = {id(r) for r in roots}
        g = graphviz.Digraph("autograd", graph_attr={
            "rankdir": self.rankdir, "ordering": "in", "fontname": "Helvetica",
            "nodesep": "0.25", "ranksep": "0.35", "bgcolor": "white"},
            node_attr={"fontname": "Helvetica", "fontsize": "11"},
            edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"})
        if self.title:
            g.attr(label=self.title, labelloc="t", fontsize="14")
        boxes: dict[str, graphviz.Digraph] = {}

        def target(nid: str, node: Any) -> graphviz.Digraph:
            # Where a node is declared: the graph, or its cluster's box.
            cname = self.cluster_of.get(id(node))
            if cname is None:
                return g
            if cname not in boxes:
                boxes[cname] = graphviz.Digraph(f"cluster_m{len(boxes)}", graph_attr={
                    "label": cname, "style": "rounded,dashed", "color": "#7f7f7f"})
            return boxes[cname]

        collapsed = sorted({self.cluster_of[id(n)] for n in nodes if id(n) in self.cluster_of}
                           ) if self.collapse else []
        box_id = {c: f"m{k}" for k, c in enumerate(collapsed)}

        def where(nid: str, owner: Any) -> str:
            # The drawn endpoint: a collapsed cluster's box stands for all its members.
            if self.collapse and id(owner) in self.cluster_of:
                return box_id[self.cluster_of[id(owner)]]
            return nid

        edges: list[tuple[str, str, dict[str, str]]] = []
        kinds: set[str] = set()
        for node in nodes:
            i = index[id(node)]
            nid = f"n{i}"
            kind = self._kind(node, id(node) in root_ids)
            kinds.add(kind)
            hot = id(node) in self.highlight
            hidden = self.collapse and id(node) in self.cluster_of
            if not hidden:
                target(nid, node).node(nid, self._node_label(node, kind, hot), shape="plain")
            if node._rule is None:
                continue
            oid = f"op{i}"
            if not hidden:
                target(oid, node).node(oid, html.escape(self._op_text(node)), shape="oval",
                                       style="filled", fillcolor=COLORS["op"], height="0.3",
                                       fontsize="10", margin="0.04,0.02",
                                       **({"color": COLORS["highlight"], "penwidth": "3"}
                                          if hot else {}))
            edges.append((where(oid, node), where(nid, node), {}))
            parents = node._parents
            for j, p in enumerate(parents):
                note = self.edge_notes.get((id(node), j))
                name = chr(ord("a") + j) if len(parents) > 1 and j < 26 else ""
                text = f"{name}: {note}" if name and note else (note or name)
                attrs = {"label": html.escape(text)} if text else {}
                if note:
                    attrs.update(color=COLORS["highlight"], fontcolor=COLORS["highlight"],
                                 penwidth="2")
                if isinstance(p, Node):
                    src = where(f"n{index[id(p)]}", p)
                else:     # a constant: its own small chip, next to the op that uses it
                    kinds.add("constant")
                    src = f"c{i}_{j}"
                    if not hidden:
                        target(src, node).node(src, html.escape(_constant_text(p, self.fmt)),
                                               shape="box", style="filled,rounded",
                                               fillcolor=COLORS["constant"], fontsize="9",
                                               height="0.2", width="0.3", margin="0.03,0.01",
                                               color="#9a9a9a")
                    src = where(src, node)
                edges.append((src, where(oid, node), attrs))
        for c in collapsed:
            g.node(box_id[c], html.escape(c), shape="box3d", style="filled",
                   fillcolor="#dfe9d8")
        for sub in boxes.values():
            g.subgraph(sub)
        drawn: set[tuple[str, str]] = set()
        for src, dst, attrs in edges:
            if src == dst or (self.collapse and (src, dst) in drawn):
                continue
            drawn.add((src, dst))
            g.edge(src, dst, **attrs)
        if self.legend:
            self._legend(g, kinds)
        return g

    def _legend(self, g: graphviz.Digraph, kinds: set[str]) -> None:
        """A small box explaining the colours of the kinds of node this graph has."""
        with g.subgraph(name="cluster_legend") as lg:
            lg.attr(label="legend", fontsize="10", style="rounded", color="#bbbbbb")
            items = [("leaf", "leaf (input, parameter)"), ("data", "data (no gradient)"),
                     ("interior", "computed value"), ("output", "output")]
            for kind, text in items:
                if kind in kinds:
                    lg.node(f"legend_{kind}", text, shape="box", style="filled",
                            fillcolor=COLORS[kind], fontsize="9", height="0.25")
            lg.node("legend_op", "operation", shape="oval", style="filled",
                    fillcolor=COLORS["op"], fontsize="9", height="0.25")
            if "constant" in kinds:
                lg.node("legend_constant", "constant", shape="box", style="filled,rounded",
                        fillcolor=COLORS["constant"], fontsize="9", height="0.2")


def _constant_text(c: Any, fmt: Callable[[float], str]) -> str:
    if isinstance(c, np.ndarray):
        return _array_text(c, fmt) if c.size <= 8 else f"array {c.shape}"
    if isinstance(c, (bool, np.bool_)):
        return str(bool(c))
    try:
        return format(float(c), ".6g")   # a constant as written: 1, 0.5, -2
    except (TypeError, ValueError):
        return str(c)


def draw_graph(root: Any, rankdir: str = "LR", show_data: bool = True, show_grad: bool = True,
               digits: int = 4, *, fmt: Callable[[float], str] | None = None,
               params: Any = None, legend: bool = True, max_nodes: int = 500,
               small_tensor: int = 8, title: str | None = None,
               clusters: Mapping[str, Iterable[Any]] | None = None,
               collapse: bool = False, grads: Mapping[Any, Any] | None = None
               ) -> graphviz.Digraph:
    """The computation graph behind `root` (a Value or Tensor, or a list of them).

    rankdir:      "LR" (inputs on the left) or "TB", "RL", "BT".
    show_data, show_grad: which numbers the value boxes carry.
    digits:       significant digits of every number (`fmt` overrides: float -> str).
    params:       names for tensors: a {name: tensor} mapping or a module
                  (anything with `named_parameters()`).
    legend:       draw the colour legend.
    max_nodes:    refuse (ValueError) a graph with more nodes than this; found out after
                  visiting at most max_nodes + 1 nodes, so huge graphs fail fast.
    small_tensor: tensors with at most this many elements show their values.
    clusters:     {name: nodes} drawn together in a labelled box (see `module_clusters`);
    collapse:     with clusters, draw each cluster as a single box.
    grads:        {Value: gradient} to show instead of each Value's `.grad` (the
                  totals of `autograd.engine.backprop_steps`, for instance).

    Returns a `graphviz.Digraph`: `.source` is the DOT text, `.render()`/`.pipe()` need
    Graphviz's `dot` (see `save`), and a notebook displays it directly.
    """
    drawing = _Drawing(rankdir, show_data, show_grad,
                       fmt or (lambda x: format_number(x, digits)), params, legend,
                       small_tensor, title, clusters, collapse, grads)
    return drawing.build(root, max_nodes)


def render_svg(graph: graphviz.Digraph) -> str:
    """The SVG text of a graph; `GraphvizNotFound` (with install advice) without `dot`."""
    return _pipe(graph, "svg").decode("utf-8")


def _pipe(graph: graphviz.Digraph, fmt: str) -> bytes:
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(INSTALL_HINT) from None


FORMATS = ("svg", "png", "pdf", "gv", "dot")


def save(graph: graphviz.Digraph, path: str | os.PathLike) -> str:
    """Write `graph` to `path`, the format chosen by the extension: .svg, .png, .pdf
    (rendered by Graphviz's `dot`) or .gv/.dot (the DOT source, no Graphviz needed)."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise ValueError(f"save: cannot tell the format from {path!r}; use a file name "
                         f"ending in one of: {', '.join('.' + f for f in FORMATS)}")
    if ext in ("gv", "dot"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
    else:
        data = _pipe(graph, ext)
        with open(path, "wb") as out:
            out.write(data)
    return path


def repr_svg(node: Any, max_nodes: int = 200) -> str | None:
    """SVG of a node's graph for notebook display (`Value._repr_svg_`), or None (the
    notebook then shows the text repr) when Graphviz is missing or the graph is too big
    or released."""
    try:
        return render_svg(draw_graph(node, max_nodes=max_nodes))
    except (GraphvizNotFound, ValueError, TypeError):
        return None
