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
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

import graphviz
import numpy as np

from ..engine import Node, backprop_steps
from .numbers import format_number
from .options import current as current_options
from .render import (
    DEFAULT_TIMEOUT,
    INSTALL_HINT,
    GraphvizError,
    GraphvizNotFound,
    GraphvizTimeout,
    run_dot,
)

__all__ = ["draw_graph", "make_dot", "format_number", "save", "render_svg", "module_clusters",
           "GraphvizNotFound", "INSTALL_HINT", "repr_svg"]

COLORS = {"leaf": "#cfe3ff", "interior": "#ffffff", "output": "#ffd866", "op": "#e8e8e8",
          "constant": "#f2f2f2", "data": "#eeeeee", "highlight": "#d62728",
          "module": "#dfe9d8"}


def _array_text(a: np.ndarray, fmt: Callable[[float], str]) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    if a.dtype.kind == "b":
        return np.array2string(a, separator=", ")
    formatter: Any = {"float_kind": fmt}
    text = np.array2string(np.asarray(a, dtype=float), separator=", ",
                           formatter=formatter, max_line_width=60)
    return "\n".join(line.strip() for line in text.splitlines())   # labels use a proportional font


def _default_dtypes() -> tuple[np.dtype, ...]:
    """The dtypes a box leaves unsaid: the default float dtype and int64 (PyTorch's)."""
    from ..dtypes import get_default_dtype
    return (np.dtype(get_default_dtype()), np.dtype(np.int64))


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
    """Group a module's parameters by the submodule that owns them, named by what it is
    ("0.weight" -> "0: Linear(1 -> 6)"), ready for
    `draw_graph(..., clusters=module_clusters(model))`."""
    groups: dict[str, list] = {}
    for name, p in module.named_parameters():
        owner = name.rpartition(".")[0]
        sub: Any = module if not owner else None
        if owner and hasattr(module, "get_submodule"):
            try:
                sub = module.get_submodule(owner)
            except (AttributeError, KeyError, IndexError):
                sub = None
        what = describe_module(sub) if sub is not None else ""
        key = f"{owner}: {what}" if owner and what else (owner or what)
        groups.setdefault(key, []).append(p)
    return groups


def describe_module(module: Any) -> str:
    """A module as a box names it: `Linear(1 -> 6)`, otherwise its class name."""
    kind = type(module).__name__
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        return f"{kind}({module.in_features} -> {module.out_features})"
    return kind


class _Drawing:
    """Builds one Digraph. `steps.py` reuses it with its own gradients, highlights and
    edge notes; `draw_graph` is the public face."""

    def __init__(self, rankdir: str = "LR", show_data: bool = True, show_grad: bool = True,
                 fmt: Callable[[float], str] = format_number, params: Any = None,
                 legend: bool | str = True, small_tensor: int = 8, title: str | None = None,
                 clusters: Mapping[str, Iterable[Any]] | None = None,
                 collapse: bool = False, grads: Mapping[Any, Any] | None = None,
                 size: str | None = None, names: Mapping[Any, str] | None = None) -> None:
        if rankdir not in ("LR", "RL", "TB", "BT", "auto"):
            raise ValueError(f"draw_graph: rankdir must be auto, LR, RL, TB or BT, got "
                             f"{rankdir!r}")
        if legend not in (True, False, "auto"):
            raise ValueError(f"draw_graph: legend must be True, False or 'auto', got {legend!r}")
        self.rankdir, self.show_data, self.show_grad = rankdir, show_data, show_grad
        self.fmt, self.legend, self.small, self.title = fmt, legend, small_tensor, title
        self.size = size
        if params is not None and hasattr(params, "named_parameters"):
            params = dict(params.named_parameters())
        self.names = {id(t): n for n, t in (params or {}).items()}
        # names= maps a node (or its id) to a name; it wins over params= and labels.
        for key, n in (names or {}).items():
            self.names[key if isinstance(key, int) else id(key)] = str(n)
        self.cluster_of: dict[int, str] = {}
        for cname, members in (clusters or {}).items():
            for m in members:
                self.cluster_of[id(m)] = str(cname)
        self.collapse = collapse
        self.grads = grads
        # Gradients the diagram computed itself (Tensor interior nodes; Value notes).
        self.kept: dict[int, Any] = {}
        self.accumulated: dict[int, float] = {}
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
        name = self.names.get(id(node)) or node.label
        if name:
            cells.append(f"<B>{html.escape(name)}</B>")
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
            if id(node) in self.accumulated and self.grad_text is None:
                one = html.escape(self.fmt(self.accumulated[id(node)]))
                cells.append(f'<FONT COLOR="{COLORS["highlight"]}" POINT-SIZE="9">summed over '
                             f"backward calls;<BR/>one backward gives {one}</FONT>")
        return [f"<TD>{c}</TD>" for c in cells]     # stacked: narrow boxes

    def _tensor_grad(self, node: Any) -> Any:
        """The array to show as a tensor's gradient: grads=, then `.grad` (leaves and
        retain_grad), then what the diagram computed (`self.kept`); None if unknown."""
        if self.grads is not None and node in self.grads:
            g = self.grads[node]
            return getattr(g, "_data", g)
        if node._grad is not None:
            return node._grad._data
        return self.kept.get(id(node))

    def _tensor_rows(self, node: Any) -> list[str]:
        rows = []
        name = self.names.get(id(node))
        if name:
            rows.append(f"<B>{html.escape(name)}</B>")
        dtype = np.dtype(node.dtype)
        shown = "" if dtype in _default_dtypes() else f" {dtype}"
        rows.append(html.escape(f"{tuple(node.shape)}{shown}"))
        small = node._data.size <= self.small
        if self.show_data and small:
            rows.append("data " + html.escape(_array_text(node._data, self.fmt)))
        if self.show_grad:
            if self.grad_text is not None:
                g = self.grad_text(node)
            else:
                gd = self._tensor_grad(node)
                if gd is None:
                    g = None
                else:
                    gd = np.asarray(gd)
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
    def build(self, root: Any, max_nodes: int = 500,
              max_segments: int | None = None) -> graphviz.Digraph:
        roots = list(root) if isinstance(root, (list, tuple)) else [root]
        for r in roots:
            if not isinstance(r, Node):
                raise TypeError(f"draw_graph: expected a Value or a Tensor, got "
                                f"{type(r).__name__}")
        nodes = _collect(roots, max_nodes)
        index = {id(n): i for i, n in enumerate(nodes)}
        root_ids = {id(r) for r in roots}
        if self.rankdir == "auto":
            self.rankdir = _auto_rankdir(nodes, self.size)
        if self.show_grad and self.grad_text is None and self.grads is None and len(roots) == 1:
            self._keep_grads(roots[0], nodes)
        attrs = {"rankdir": self.rankdir, "ordering": "in", "fontname": "Helvetica",
                 "nodesep": "0.25", "ranksep": "0.35", "bgcolor": "white"}
        if self.size:
            attrs["size"] = self.size
        g = BoundedDigraph("autograd", graph_attr=attrs,
                             node_attr={"fontname": "Helvetica", "fontsize": "11"},
                             edge_attr={"fontname": "Helvetica", "fontsize": "9",
                                        "arrowsize": "0.7"})
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
                target(nid, node).node(nid, self._node_label(node, kind, hot), shape="plain",
                                       **({"class": "output"} if kind == "output" else {}))
            if node._rule is None:
                continue
            oid = f"op{i}"
            if not hidden:
                target(oid, node).node(oid, html.escape(self._op_text(node)), shape="oval",
                                       style="filled", fillcolor=COLORS["op"], height="0.3",
                                       fontsize="10", margin="0.04,0.02",
                                       **({"color": COLORS["highlight"], "penwidth": "3",
                                           "class": "hot"} if hot else {}))
            edges.append((where(oid, node), where(nid, node), {}))
            parents = node._parents
            arg_names = _edge_names(node._rule, len(parents))
            for j, p in enumerate(parents):
                note = self.edge_notes.get((id(node), j))
                name = arg_names[j]
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
        budget = MAX_SEGMENTS if max_segments is None else max_segments
        extra = long_edge_segments((s, d) for s, d, _ in edges)
        if extra > budget:     # refused before dot runs: its time grows steeply with these
            raise ValueError(
                f"draw_graph: the drawing's {len(edges)} edges need about {extra} extra "
                f"segments to reach across ranks (a value used by many operations far "
                f"apart), more than max_segments={budget}; Graphviz would take very long to "
                f"lay it out. Draw a smaller part, or pass max_segments=N (N >= {extra}) to "
                "draw it anyway.")
        for c in collapsed:
            g.node(box_id[c], html.escape(c), shape="box3d", style="filled",
                   fillcolor=COLORS["module"])
        for sub in boxes.values():
            g.subgraph(sub)
        drawn: set[tuple[str, str]] = set()
        for src, dst, attrs in edges:
            if src == dst or (self.collapse and (src, dst) in drawn):
                continue
            drawn.add((src, dst))
            g.edge(src, dst, **attrs)
        if collapsed:
            kinds.add("module")
        show_legend = self.legend is True or (self.legend == "auto" and
                                              len(kinds - {"output"}) >= 2)
        label = self._legend(kinds) if show_legend else ""
        if self.title or label:
            title = (f'<TR><TD><FONT POINT-SIZE="14">{html.escape(self.title)}</FONT></TD></TR>'
                     if self.title else "")
            g.attr(label=f'<<TABLE BORDER="0" CELLSPACING="2">{title}{label}</TABLE>>',
                   labelloc="b" if not self.title else "t", labeljust="l")
        return g

    def _legend(self, kinds: set[str]) -> str:
        """The colour key as one row of an HTML-like table (the graph's label), so it
        takes no room from the drawing: only the kinds of box this graph has."""
        items = [("leaf", "leaf", COLORS["leaf"]), ("data", "data (no grad)", COLORS["data"]),
                 ("interior", "computed", COLORS["interior"]),
                 ("output", "output", COLORS["output"]), ("op", "operation", COLORS["op"]),
                 ("constant", "constant", COLORS["constant"]),
                 ("module", "module (collapsed)", COLORS["module"])]
        cells = "".join(f'<TD BGCOLOR="{color}" BORDER="1"><FONT POINT-SIZE="9">{text}</FONT>'
                        "</TD>" for kind, text, color in items if kind in kinds | {"op"})
        return f'<TR><TD><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{cells}' \
               "</TR></TABLE></TD></TR>"

    def _keep_grads(self, root: Any, nodes: list) -> None:
        """After a backward, the gradients a box would otherwise not show: a Tensor
        graph's interior nodes (PyTorch keeps only the leaves'), and for a Value graph
        the leaves whose `.grad` holds more than one backward's worth (summed over calls).
        Computed with the reference loop, which changes nothing; skipped for big graphs."""
        if len(nodes) > 200 or root._rule is None:
            return
        if _is_tensor(root):
            leaves = [n for n in nodes if n._rule is None and getattr(n, "requires_grad", False)]
            if not leaves or all(n._grad is None for n in leaves):
                return                                  # drawn before backward: no grads
            seed: Any = np.ones_like(root._data)
        else:
            if root._g is None or root._g == 0.0:
                return
            seed = 1.0
        try:
            grads: dict[int, Any] = {id(root): seed}
            for s in backprop_steps(root, seed):
                grads[id(s.input)] = s.total
        except (RuntimeError, ValueError, ArithmeticError):
            return
        if _is_tensor(root):
            self.kept = {k: getattr(v, "_data", v) for k, v in grads.items()}
            return
        for n in nodes:
            if n._rule is None and id(n) in grads and n.grad != grads[id(n)]:
                self.accumulated[id(n)] = float(grads[id(n)])


# Edge names of fused ops whose inputs are not a, b, c (PyTorch's argument names).
EDGE_NAMES = {"linear": ("input", "weight", "bias"), "addmm": ("input", "mat1", "mat2"),
              "matmul": ("input", "other"), "mm": ("input", "mat2")}


def _edge_names(rule: Any, n: int) -> list[str]:
    """What each input edge of an op is called: its argument's name for fused ops
    (Linear: input, weight, bias), a, b, c... as in the derivative table otherwise,
    nothing for a single input."""
    named = EDGE_NAMES.get(rule.name)
    if named is not None and len(named) == n:
        return list(named)
    if n < 2:
        return [""] * n
    return [chr(ord("a") + j) if j < 26 else "" for j in range(n)]


def _auto_rankdir(nodes: list, size: str | None) -> str:
    """TB when the graph is deeper than wide, LR otherwise: whichever layout needs less
    shrinking to fit `size` (default 16:9). Depth is the longest chain of values and
    ops; width the most boxes on one level. A box is about 150 x 45 pt on its side, an
    op about 70 x 25 pt."""
    level: dict[int, int] = {}
    for start in nodes:                   # post-order without recursion: inputs first
        stack = [(start, False)]
        while stack:
            node, ready = stack.pop()
            if id(node) in level:
                continue
            parents = [p for p in (node._parents or ()) if isinstance(p, Node)]
            if not ready:
                stack.append((node, True))
                stack.extend((p, False) for p in parents if id(p) not in level)
                continue
            level[id(node)] = 1 + max((level.get(id(p), 0) for p in parents), default=0)
    depth = max(level.values(), default=1)
    counts: dict[int, int] = {}
    for v in level.values():
        counts[v] = counts.get(v, 0) + 1
    width = max(counts.values(), default=1)
    w_in, h_in = 12.5, 1000.0
    if size:
        try:
            w_in, h_in = (float(v) for v in size.rstrip("!").split(","))
        except ValueError:
            pass
    box_w, box_h, op_w, op_h = 100.0, 60.0, 60.0, 25.0
    # LR: depth runs across (a box and an op per level), width runs down; TB the other way.
    lr = min(1.0, w_in * 72 / (depth * (box_w + op_w)), h_in * 72 / (width * (box_h + 15)))
    tb = min(1.0, w_in * 72 / (width * (box_w + 20)), h_in * 72 / (depth * (box_h + op_h + 20)))
    return "TB" if tb > lr else "LR"


def _constant_text(c: Any, fmt: Callable[[float], str]) -> str:
    if isinstance(c, np.ndarray):
        return _array_text(c, fmt) if c.size <= 8 else f"array {c.shape}"
    if isinstance(c, (bool, np.bool_)):
        return str(bool(c))
    try:
        return format(float(c), ".6g")   # a constant as written: 1, 0.5, -2
    except (TypeError, ValueError):
        return str(c)


MAX_SEGMENTS = 1000   # default budget of the segments of long edges (`long_edge_segments`)


def long_edge_segments(edges: Iterable[tuple[str, str]]) -> int:
    """How many extra segments dot needs for the edges that skip ranks: an edge from rank
    r to rank s is laid out as s - r segments (a virtual node at every rank it crosses),
    so it adds s - r - 1; dot's layout time grows much faster than their number.

    Ranks are estimated as dot's ranking tends to place them: every node one rank after
    its latest input (longest path), a node without inputs (a leaf, a constant) just
    before its first consumer. One value used all along a long chain gives many long
    edges: `x + x + ... + x` with 80 terms has 237 edges but about 6,200 extra segments
    (dot 2.43 needs minutes); a chain of any length has none.
    """
    succ: dict[str, list[str]] = {}
    indeg: dict[str, int] = {}
    pairs = [(s, d) for s, d in edges if s != d]
    for s, d in pairs:
        succ.setdefault(s, []).append(d)
        succ.setdefault(d, [])
        indeg[d] = indeg.get(d, 0) + 1
        indeg.setdefault(s, 0)
    sources = [n for n, k in indeg.items() if k == 0]
    rank = dict.fromkeys(indeg, 0)
    ready, left = list(sources), dict(indeg)
    while ready:                              # Kahn's order: longest path from the sources
        n = ready.pop()
        for d in succ[n]:
            rank[d] = max(rank[d], rank[n] + 1)
            left[d] -= 1
            if left[d] == 0:
                ready.append(d)
    for n in sources:                         # leaves and constants next to their first use
        if succ[n]:
            rank[n] = min(rank[d] for d in succ[n]) - 1
    return sum(max(0, rank[d] - rank[s] - 1) for s, d in pairs)


def draw_graph(root: Any, rankdir: str | None = None, show_data: bool = True,
               show_grad: bool = True, digits: int | None = None, *,
               decimals: int | None = None, fmt: Callable[[float], str] | None = None,
               params: Any = None, names: Mapping[Any, str] | None = None,
               legend: bool | str | None = None, max_nodes: int = 500,
               small_tensor: int = 8, title: str | None = None,
               clusters: Mapping[str, Iterable[Any]] | None = None,
               collapse: bool = False, grads: Mapping[Any, Any] | None = None,
               size: tuple[float, float] | str | None | bool = True,
               max_segments: int = MAX_SEGMENTS) -> graphviz.Digraph:
    """The computation graph behind `root` (a Value or Tensor, or a list of them).

    Every argument left out takes its default from `autograd.diagrams.options()` (the same
    defaults as the inline display in Jupyter and the command line):

    rankdir:      "auto" (top-to-bottom when the graph is deeper than wide), "LR" (inputs
                  on the left), "TB", "RL", "BT".
    show_data, show_grad: which numbers the boxes carry. After a backward, a Tensor
                  graph's interior boxes show their gradients too (computed by the
                  reference loop, as `retain_grad` would keep them), and a Value leaf whose
                  `.grad` summed several backward calls says so.
    digits:       significant digits of every number; decimals: decimals instead
                  (`fmt`, float -> str, overrides both).
    params:       names for tensors: a {name: tensor} mapping or a module
                  (anything with `named_parameters()`), as torchviz's make_dot takes;
    names:        {node: name} for any node (the chain-rule table's names, `x`, `y`, ...).
    legend:       the one-line colour key: True, False or "auto" (when it helps).
    max_nodes:    refuse (ValueError) a graph with more nodes than this; found out after
                  visiting at most max_nodes + 1 nodes, so huge graphs fail fast.
    max_segments: refuse (ValueError) a drawing whose long edges need more extra segments
                  than this (`long_edge_segments`: one value used all along a long chain),
                  which Graphviz would take minutes to lay out. Rendering is also bounded
                  in time: `save`/`render_svg` stop dot after `timeout` seconds.
    small_tensor: tensors with at most this many elements show their values.
    clusters:     {name: nodes} drawn together in a labelled box (see `module_clusters`);
    collapse:     with clusters, draw each cluster as a single box.
    grads:        {node: gradient} to show instead of each node's `.grad` (the
                  totals of `autograd.engine.backprop_steps`, for instance).
    size:         (width, height) in inches to shrink the drawing into (Graphviz `size`;
                  default from the options, a 16:9 slide), or None for natural size.

    Returns a `graphviz.Digraph` (a `BoundedDigraph`): `.source` is the DOT text, `save`
    and `render_svg` render it with a time limit, and a notebook displays it directly
    (also time-limited). graphviz's own `.render()`/`.pipe()` work too, without a limit.
    """
    o = current_options()
    if digits is not None or decimals is not None:
        o = replace(o, digits=o.digits if digits is None else digits, decimals=decimals)
    if size is True:
        size_attr = o.size_attr()
    elif size is None or size is False:
        size_attr = None
    elif isinstance(size, str):
        size_attr = size
    else:
        size_attr = replace(o, size=(float(size[0]), size[1])).size_attr()
    drawing = _Drawing(o.rankdir if rankdir is None else rankdir, show_data, show_grad,
                       fmt or o.formatter(), params, o.legend if legend is None else legend,
                       small_tensor, title, clusters, collapse, grads, size_attr, names)
    return drawing.build(root, max_nodes, max_segments)


def make_dot(var: Any, params: Any = None, **kwargs: Any) -> graphviz.Digraph:
    """torchviz's spelling: `make_dot(loss, params=dict(net.named_parameters()))` is
    `draw_graph(loss, params=...)` (the keyword arguments of draw_graph pass through)."""
    return draw_graph(var, params=params, **kwargs)


def render_svg(graph: graphviz.Digraph, *, timeout: float | None = DEFAULT_TIMEOUT) -> str:
    """The SVG text of a graph; `GraphvizNotFound` (with install advice) without `dot`,
    `GraphvizTimeout` when dot needs more than `timeout` seconds (it is then killed)."""
    return _pipe(graph, "svg", timeout).decode("utf-8")


def _pipe(graph: graphviz.Digraph, fmt: str, timeout: float | None = DEFAULT_TIMEOUT,
          what: str = "timeout") -> bytes:
    """Graphviz's output for `graph` in `fmt`, through `render.run_dot` (bounded time,
    dot killed with its process group on a timeout or an interrupt)."""
    return run_dot(graph.source, fmt, timeout=timeout, what=what)


class BoundedDigraph(graphviz.Digraph):
    """The `graphviz.Digraph` that `draw_graph` returns: the same object, except that a
    notebook displaying it renders through `run_dot` (at most `display_timeout` seconds,
    dot killed on a timeout or an interrupt) instead of graphviz's own unbounded pipe."""

    display_timeout: float = 10.0

    def _repr_image_svg_xml(self) -> str:
        return _pipe(self, "svg", self.display_timeout).decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return _pipe(self, "png", self.display_timeout)

    def _repr_image_jpeg(self) -> bytes:
        return _pipe(self, "jpeg", self.display_timeout)


FORMATS = ("svg", "png", "pdf", "gv", "dot")


def save(graph: graphviz.Digraph, path: str | os.PathLike, *,
         timeout: float | None = DEFAULT_TIMEOUT) -> str:
    """Write `graph` to `path`, the format chosen by the extension: .svg, .png, .pdf
    (rendered by Graphviz's `dot`, which is stopped with `GraphvizTimeout` after `timeout`
    seconds) or .gv/.dot (the DOT source, no Graphviz needed)."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise ValueError(f"save: cannot tell the format from {path!r}; use a file name "
                         f"ending in one of: {', '.join('.' + f for f in FORMATS)}")
    if ext in ("gv", "dot"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
    else:
        data = _pipe(graph, ext, timeout)
        with open(path, "wb") as out:
            out.write(data)
    return path


def repr_svg(node: Any, max_nodes: int = 200, *, timeout: float | None = 10.0
             ) -> str | None:
    """SVG of a node's graph for notebook display (`Value._repr_svg_`), or None (the
    notebook then shows the text repr) when Graphviz is missing, fails or needs more than
    `timeout` seconds (it is then killed), or the graph is too big or released."""
    try:
        return render_svg(draw_graph(node, max_nodes=max_nodes), timeout=timeout)
    except (GraphvizNotFound, GraphvizTimeout, GraphvizError, ValueError, TypeError):
        return None
