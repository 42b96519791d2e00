"""Diagrams: what the DOT source says (no Graphviz needed) and what the rendered SVG shows
(skipped without Graphviz's `dot`)."""
import re
import shutil
import time
import xml.etree.ElementTree as ET

import pytest

import autograd
import autograd.diagrams as D
from autograd import Value
from autograd.cli.formula import build
from autograd.diagrams.drawing import (
    INSTALL_HINT,
    GraphvizNotFound,
    draw_graph,
    format_number,
    module_clusters,
    render_svg,
    repr_svg,
    save,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (apt-get install graphviz)")
SVG = "{http://www.w3.org/2000/svg}"
SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
AT = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def sigmoid_circuit():
    out, leaves = build(SIGMOID, AT)
    out.backward()
    return out, leaves


def svg_nodes(svg: str) -> dict[str, list[str]]:
    """{graphviz node name: the texts drawn in it, in order} from an SVG."""
    root = ET.fromstring(svg)
    nodes = {}
    for g in root.iter(f"{SVG}g"):
        if "node" in (g.get("class") or "").split():
            title = g.find(f"{SVG}title").text
            nodes[title] = [t.text for t in g.iter(f"{SVG}text") if t.text]
    return nodes


def svg_edges(svg: str) -> dict[str, list[str]]:
    root = ET.fromstring(svg)
    edges = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            title = g.find(f"{SVG}title").text.replace("&#45;&gt;", "->")
            edges.setdefault(title, []).extend(t.text for t in g.iter(f"{SVG}text"))
    return edges


def node_lines(source: str) -> dict[str, str]:
    """{node name: its attribute text} from DOT source."""
    found = dict(re.findall(r"^\s*(\w+) \[(.*)\]$", source, re.M))
    return {k: v for k, v in found.items() if k not in ("graph", "node", "edge")}


# ---------------------------------------------------------------- numbers
@pytest.mark.parametrize("x, digits, text", [
    (-0.19661193324148188, 4, "-0.1966"), (1.0, 4, "1.000"), (0.7310585786, 4, "0.7311"),
    (1234.0, 4, "1234"), (12345.0, 4, "1.234e+04"), (2.5e-5, 4, "2.500e-05"),
    (-0.19661193324148188, 2, "-0.20"), (float("inf"), 4, "inf"), (float("nan"), 4, "nan"),
])
def test_format_number(x, digits, text):
    assert format_number(x, digits) == text


# ---------------------------------------------------------------- DOT source
def test_one_box_per_value_one_oval_per_op_and_constant_chips():
    out, leaves = sigmoid_circuit()
    src = draw_graph(out, legend=False).source
    nodes = node_lines(src)
    boxes = [n for n in nodes if n.startswith("n")]
    ops = [n for n in nodes if n.startswith("op")]
    consts = [n for n in nodes if n.startswith("c")]
    assert len(boxes) == 13 and len(ops) == 8 and len(consts) == 2
    assert sum("<B>" in nodes[b] for b in boxes) == 5          # the five named leaves
    assert all("shape=oval" in nodes[o] for o in ops)
    assert all("label=1 " in nodes[c] for c in consts)         # the two 1s of 1/(1+...)
    assert "legend" not in src
    legend = draw_graph(out).source                            # the one-line colour key
    assert ">leaf</FONT>" in legend and ">constant</FONT>" in legend and "labelloc=b" in legend
    # the legend explains only what the picture has
    x = Value(1.0, label="x")
    assert ">constant</FONT>" in draw_graph(out).source
    assert ">constant</FONT>" not in draw_graph(x.exp(), legend=True).source
    assert "data (no gradient)" not in draw_graph(out).source


def test_leaves_interior_and_output_look_different():
    out, leaves = sigmoid_circuit()
    nodes = node_lines(draw_graph(out).source)
    colour = lambda n: re.search(r'BGCOLOR="(#\w+)"', nodes[n]).group(1)
    leaf = {colour(n) for n in nodes if n.startswith("n") and "<B>" in nodes[n]}
    inner = {colour(n) for n in nodes if n.startswith("n") and "<B>" not in nodes[n]
             and n != "n0"}
    assert len(leaf) == 1 and len(inner) == 1 and leaf != inner
    assert colour("n0") not in leaf | inner                    # n0 is the output
    assert 'BORDER="2"' in nodes["n0"]


def test_inputs_are_labelled_in_argument_order():
    a, b = Value(5.0, label="a"), Value(3.0, label="b")
    src = draw_graph(b - a, legend=False).source           # b is the first argument
    na = [n for n, attrs in node_lines(src).items() if "<B>a</B>" in attrs][0]
    nb = [n for n, attrs in node_lines(src).items() if "<B>b</B>" in attrs][0]
    assert re.search(rf"\b{nb} -> op0 \[label=a\]", src)
    assert re.search(rf"\b{na} -> op0 \[label=b\]", src)
    assert "ordering=in" in src
    # x * x: two edges from the same box, a and b.
    x = Value(3.0, label="x")
    assert len(re.findall(r"n1 -> op0 \[label=[ab]\]", draw_graph(x * x).source)) == 2
    # unary ops need no argument names
    assert "label=a" not in draw_graph(x.exp()).source


def test_options():
    out, _ = sigmoid_circuit()
    src = draw_graph(out, show_grad=False, show_data=True).source
    assert ">grad " not in src and "data 0.7311" in src
    assert ">data " not in draw_graph(out, show_data=False).source
    assert "grad -0.20<" in draw_graph(out, digits=2).source
    assert "grad 0.2<" in draw_graph(out, fmt=lambda x: f"{x:.1f}").source
    assert "rankdir=TB" in draw_graph(out, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(out, rankdir="sideways")
    with pytest.raises(TypeError, match="Value or a Tensor"):
        draw_graph(3.0)


def test_labels_are_escaped():
    v = Value(1.0, label="<b>&\"x\"")
    src = draw_graph(v * 2).source
    assert "&lt;b&gt;&amp;" in src


def test_too_big_graphs_are_refused_fast():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y + 1.0
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="more than 500 nodes.*max_nodes"):
        draw_graph(y)
    assert time.perf_counter() - t0 < 0.5
    # a deep chain under a raised limit: no RecursionError anywhere
    z = x
    for _ in range(3000):
        z = z * 1.0
    assert draw_graph(z, max_nodes=10_000).source.count("->") == 2 * 3000 + 3000


def test_released_graph_is_a_clear_error():
    x = Value(2.0, label="x")
    y = (x * 3).exp()
    y.backward(retain_graph=False)
    with pytest.raises(ValueError, match="released.*retain_graph=True"):
        draw_graph(y)


# ---------------------------------------------------------------- rendered SVG
@needs_dot
def test_svg_labels_carry_the_lecture_numbers(tmp_path):
    out, leaves = sigmoid_circuit()
    svg = render_svg(draw_graph(out))
    nodes = svg_nodes(svg)
    by_label = {texts[0]: texts for texts in nodes.values() if texts and texts[0] in AT}
    assert by_label["w0"] == ["w0", "data 2.000", "grad -0.1966"]
    assert by_label["x0"] == ["x0", "data -1.000", "grad 0.3932"]
    assert by_label["w1"] == ["w1", "data -3.000", "grad -0.3932"]
    assert by_label["x1"] == ["x1", "data -2.000", "grad -0.5898"]
    assert by_label["w2"] == ["w2", "data -3.000", "grad 0.1966"]
    assert nodes["n0"] == ["data 0.7311", "grad 1.000"]
    assert nodes["op0"] == ["/"]
    edges = svg_edges(svg)
    assert edges["c0_0->op0"] == ["a"] and edges["n1->op0"] == ["b"]   # 1 / x4
    legend = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "leaf" in legend and "operation" in legend            # the colour key
    # and the same through save(), by extension
    for ext in ("svg", "png", "pdf", "gv"):
        path = save(draw_graph(out), tmp_path / f"g.{ext}")
        assert (tmp_path / f"g.{ext}").stat().st_size > 100, path
    ET.parse(tmp_path / "g.svg")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "g.pdf").read_bytes()[:4] == b"%PDF"
    assert (tmp_path / "g.gv").read_text().startswith("digraph")


@needs_dot
def test_notebook_display():
    out, _ = sigmoid_circuit()
    svg = repr_svg(out)
    assert svg is not None and "0.7311" in svg
    ET.fromstring(svg)


def test_without_dot_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out, _ = sigmoid_circuit()
    with pytest.raises(GraphvizNotFound) as e:
        save(draw_graph(out), tmp_path / "g.svg")
    for words in ("apt-get install graphviz", "brew install graphviz", ".gv"):
        assert words in str(e.value)
    assert str(e.value) == INSTALL_HINT
    save(draw_graph(out), tmp_path / "g.gv")                # DOT source needs no dot
    assert "digraph" in (tmp_path / "g.gv").read_text()
    assert repr_svg(out) is None                            # notebooks fall back to text
    with pytest.raises(ValueError, match="format"):
        save(draw_graph(out), tmp_path / "g.jpeg2")


# ---------------------------------------------------------------- tensors
def tensor_graph():
    W = autograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = autograd.tensor([2.0, 0.5], requires_grad=True)
    x = autograd.tensor([1.0, -1.0])
    y = (W @ x + b).relu().sum()
    return W, b, x, y


def test_tensor_nodes_show_names_shapes_dtypes_and_torch_op_names():
    W, b, x, y = tensor_graph()
    y.backward(retain_graph=True)
    src = draw_graph(y, params={"layer.weight": W, "layer.bias": b}, legend=False).source
    assert "<B>layer.weight</B>" in src and "<B>layer.bias</B>" in src
    # the default dtype (float64) goes unsaid; any other is shown
    assert "(2, 2)<" in src and "(2,)<" in src and "()<" in src and "float64" not in src
    src32 = draw_graph(autograd.tensor([1.0], dtype=autograd.float32, requires_grad=True) * 2,
                       legend=False).source
    assert "(1,) float32" in src32
    ops = re.findall(r"^\s*op\d+ \[label=(\w+)", src, re.M)
    assert ops == [y._rule.torch_name, "ReluBackward0", "AddBackward0",
                   (W @ x)._rule.torch_name]
    assert "grad [1.000, 0.000]" in src                     # b.grad, small: shown
    assert "grad [[1.000, -1.000],<BR" in src               # W.grad, a matrix
    assert "data [1.000, -1.000]" in src                    # x: data, no grad
    nodes = node_lines(src)
    x_node = [n for n, a in nodes.items() if "data [1.000, -1.000]" in a][0]
    assert 'BGCOLOR="#eeeeee"' in nodes[x_node]             # no requires_grad: grey


def test_big_tensors_hide_their_values():
    W = autograd.randn(30, 30, requires_grad=True)
    src = draw_graph((W * 2).sum(), legend=False).source
    assert "(30, 30)<" in src and "data [" not in src


def test_released_tensor_graph():
    W, b, x, y = tensor_graph()
    y.backward()                                            # retain_graph=False
    with pytest.raises(ValueError, match="released"):
        draw_graph(y)


class FakeModule:
    """Stands in for an nn module: named_parameters() is all draw_graph uses."""

    def __init__(self, **params):
        self._params = params

    def named_parameters(self):
        return iter(self._params.items())


def test_modules_name_and_cluster_their_parameters():
    W, b, x, y = tensor_graph()
    model = FakeModule(**{"fc.weight": W, "fc.bias": b})
    src = draw_graph(y, params=model, clusters=module_clusters(model)).source
    assert "<B>fc.weight</B>" in src and "subgraph cluster_m0" in src and "label=fc" in src
    assert "data (no grad)" in src                             # x, in the legend too
    h = W @ x
    z = h + b
    out = z.relu().sum()
    src = draw_graph(out, params=model, clusters={"fc": [W, b, h, z]}, collapse=True,
                     legend=False).source
    assert "fc.weight" not in src and "AddBackward0" not in src     # inside the box
    nodes = node_lines(src)
    assert "box3d" in nodes["m0"] and "label=fc" in nodes["m0"]
    relu_op = [n for n, a in nodes.items() if "ReluBackward0" in a][0]
    x_box = [n for n, a in nodes.items() if "data [1.000, -1.000]" in a][0]
    assert re.search(rf"\b{x_box} -> m0\b", src) and re.search(rf"\bm0 -> {relu_op}\b", src)
    assert len(re.findall(r"-> m0\b", src)) == 1                     # one edge per pair


def test_a_value_displays_its_graph_in_jupyter():
    import shutil
    import xml.etree.ElementTree as ET
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.backward()
    svg = c._repr_svg_()            # what IPython calls to display the object
    root = ET.fromstring(svg)
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "-6" in text and "-3" in text


# ---------------------------------------------------------------- issue 15: fitting, options


def lecture_mlp(batch: int = 1000):
    import nn
    autograd.manual_seed(0)
    x = autograd.randn(batch, 1)
    t = x ** 2 + 3
    net = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU(),
                        nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 1))
    loss = nn.MSELoss()(net(x), t)
    return net, x, t, loss


def test_auto_layout_goes_top_to_bottom_for_deep_graphs_and_left_to_right_for_wide():
    y, _ = D.sigmoid_circuit()
    assert "rankdir=TB" in draw_graph(y).source              # deep: 9 levels, 5 wide
    xs = [Value(float(i)) for i in range(12)]
    wide = sum(x * x for x in xs[:1]) + xs[1]                # shallow: 2 levels
    assert "rankdir=LR" in draw_graph(wide).source
    flat = Value(1.0) * Value(2.0)
    assert "rankdir=LR" in draw_graph(flat).source


def test_options_are_the_one_place_for_the_defaults():
    y, _ = D.sigmoid_circuit()
    assert 'size="12.5,1000"' in draw_graph(y).source       # 1200 px wide at most
    with D.options(rankdir="LR", legend=False, decimals=2, size=D.SLIDE):
        src = draw_graph(y).source
        assert "rankdir=LR" in src and ">leaf</FONT>" not in src and "data 0.73<" in src
        assert 'size="13.3,7.5"' in src
        assert draw_graph(y, rankdir="TB", legend=True).source.count("rankdir=TB") == 1
    src = draw_graph(y).source
    assert "rankdir=TB" in src and "data 0.7311" in src                # restored
    with D.options(digits=2):
        assert "data 0.73<" in draw_graph(y).source
    with pytest.raises(TypeError, match="unknown option"):
        D.options(colour="red")
    with pytest.raises(ValueError, match="rankdir"):
        D.options(rankdir="diagonal")
    with pytest.raises(ValueError, match="size"):
        D.options(size=(0, 1))
    assert "rankdir=TB" in draw_graph(y).source              # failed calls change nothing
    assert 'size="4,3"' in draw_graph(y, size=(4, 3)).source
    assert "size=" not in draw_graph(y, size=None).source.split("\n")[1]


@needs_dot
def test_the_inline_display_honours_the_options():
    y, _ = D.sigmoid_circuit()
    with D.options(rankdir="LR"):
        svg = y._repr_svg_()
    root = ET.fromstring(svg)
    w, h = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert w > 2 * h
    root = ET.fromstring(y._repr_svg_())
    w, h = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert h > 2 * w


@needs_dot
@pytest.mark.parametrize("which", ["sigmoid", "mlp"])
def test_default_diagrams_fit_1200_px(which):
    if which == "sigmoid":
        y, _ = D.sigmoid_circuit()
        y.backward()
        g = draw_graph(y)
    else:
        net, x, t, loss = lecture_mlp()
        loss.backward(retain_graph=True)
        g = draw_graph(loss, params=net)
    root = ET.fromstring(render_svg(g))
    width_px = float(root.get("width").removesuffix("pt")) * 4 / 3
    assert width_px <= 1200.5


def test_a_second_backward_says_which_gradients_accumulated():
    y, leaves = D.sigmoid_circuit()
    y.backward()
    assert "summed over" not in draw_graph(y).source
    y.backward()
    src = draw_graph(y).source
    assert src.count("summed over") == 5 and "one backward gives -0.1966" in src
    assert "grad -0.3932" in src                             # w0's, twice -0.1966
    autograd.zero_grad(y)
    y.backward()
    assert "summed over" not in draw_graph(y).source
    y.zero_grad()
    assert all(v.grad == 0.0 for v in leaves.values())


def test_tensor_diagrams_after_backward_show_interior_gradients():
    W, b, x, y = tensor_graph()
    src = draw_graph(y, legend=False).source
    assert ">grad " not in src                                # before backward: none
    y.backward(retain_graph=True)
    src = draw_graph(y, legend=False).source
    nodes = node_lines(src)
    relu_in = [a for a in nodes.values() if "data [1.000, -0.5000]" in a][0]
    assert "grad [1.000, 0.000]" in relu_in                  # d y / d (Wx + b), kept
    assert W.grad is not None and y._parents[0]._grad is None   # nothing stored on the graph


def test_modules_are_named_by_what_they_are():
    net, x, t, loss = lecture_mlp(batch=4)
    clusters = D.module_clusters(net)
    assert list(clusters)[:2] == ["0: Linear(1 -> 6)", "2: Linear(6 -> 10)"]
    src = draw_graph(loss, params=net, names={x: "x", t: "y"}, clusters=clusters,
                     collapse=True).source
    assert '"0: Linear(1 -&gt; 6)"' in src or "0: Linear(1 -&gt; 6)" in src
    assert ">module (collapsed)</FONT>" in src                # in the legend
    src = D.make_dot(loss, params=dict(net.named_parameters()), legend=False).source
    assert "<B>0.weight</B>" in src and "<B>6.bias</B>" in src
    assert re.search(r"-> op\d+ \[label=input\]", src)       # Addmm: input, weight, bias
    assert re.search(r"-> op\d+ \[label=weight\]", src) and "[label=bias]" in src
    src = draw_graph(loss, names={x: "x", t: "y"}, legend=False).source
    assert "<B>x</B>" in src and "<B>y</B>" in src
