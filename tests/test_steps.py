"""Step-by-step backpropagation: the steps agree with backward(), the frames show the
right partial gradients and products, and the page is self-contained."""
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.cli.formula import build
from autograd.diagrams.steps import backward_steps, fixed, frame_graphs, steps_html, write_steps

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (apt-get install graphviz)")
SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
AT = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def circuit():
    out, leaves = build(SIGMOID, AT)
    return out, leaves


def test_fixed_decimals():
    assert [fixed(x) for x in (-0.534446, 1.0, 0.3678, -0.001, 0.0, -0.0001, 2e7)] == \
        ["-0.53", "1.00", "0.37", "-0.00100", "0.00", "-0.000100", "2.00e+07"]


def test_steps_follow_reverse_topological_order_and_match_backward():
    out, leaves = circuit()
    steps = backward_steps(out)
    assert [s.node._rule.name for s in steps] == ["div", "add", "exp", "neg", "add", "add",
                                                  "mul", "mul"]
    first = steps[0]                     # y = 1 / x4: only x4 (input b) needs a gradient
    assert [p.index for p in first.products] == [1]
    p = first.products[0]
    assert (fixed(p.local), fixed(p.upstream), fixed(p.contribution)) == ("-0.53", "1.00",
                                                                          "-0.53")
    exp_step = steps[2]
    assert exp_step.products[0].local == pytest.approx(0.36787944)
    assert exp_step.products[0].contribution == pytest.approx(-0.19661193)
    # nothing was written into .grad
    assert all(v.grad == 0.0 for v in leaves.values())
    final = steps[-1].grads
    out.backward()
    for v in leaves.values():
        assert final[id(v)] == pytest.approx(v.grad)


def test_shared_nodes_accumulate_across_steps():
    x = Value(3.0, label="x")
    y = x * x + x                        # dy/dx = 2x + 1 = 7, from three edges
    steps = backward_steps(y)
    assert steps[-1].grads[id(x)] == pytest.approx(7.0)
    partial = steps[0].grads[id(x)]      # after the add: only the direct edge
    assert partial == pytest.approx(1.0)


def test_only_scalar_values():
    import autograd
    with pytest.raises(TypeError, match="scalar Value"):
        backward_steps(autograd.tensor([1.0], requires_grad=True).sum())


def test_frames_show_known_gradients_highlight_and_products():
    out, leaves = circuit()
    frames = frame_graphs(out)
    assert len(frames) == 9
    start, second = frames[0].source, frames[2].source
    assert start.count(">grad ?<") == 12 and ">grad 1.00<" in start
    assert "step 0 of 8" not in start and "#d62728" not in start   # the page has the caption
    assert "step 0 of 8" in frame_graphs(out, titles=True)[0].source
    # step 2 processes x4 = 1 + x3 (the add): x3 gets 1.00 x -0.53 = -0.53
    assert re.search(r"-> op1 \[label=\"b: 1.00 x -0.53 = -0.53\"", second)
    assert second.count('COLOR="#d62728"') == 1          # the node being processed
    assert "step 2 of 8" in frame_graphs(out, titles=True)[2].source
    last = frames[-1].source
    assert ">grad ?<" not in last
    assert "<B>w0</B></TD></TR><TR><TD>data 2.00</TD></TR><TR><TD>grad -0.20<" in last


def test_page_is_self_contained():
    page = steps_html(["<?xml version='1.0'?><!DOCTYPE svg><svg>a</svg>", "<svg>b</svg>"],
                      ["start", "step 1 </script> of 1"])
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page.count("<figure") == 2 and "step 0 of 1" in page
    assert "</script> of 1" not in page                     # captions cannot close the script
    assert 'id="prev"' in page and 'id="next"' in page and "ArrowRight" in page


@needs_dot
def test_write_steps(tmp_path):
    out, _ = circuit()
    paths = write_steps(out, tmp_path / "steps")
    assert [p.rsplit("/", 1)[1] for p in paths] == [f"frame_{k:03d}.svg" for k in range(9)] + \
        ["index.html"]
    for p in paths[:-1]:
        ET.parse(p)
    page = (tmp_path / "steps" / "index.html").read_text()
    assert page.count("<svg") == 9 and "step 0 of 8" in page
    assert "http://www.w3.org" in page          # SVG namespaces only, nothing fetched
    assert not re.search(r"(src|href)=\"https?:", page)


# ---------------------------------------------------------------- issue 15: the stepper
def test_page_has_zoom_pan_and_one_caption():
    page = steps_html(["<svg>a</svg>", "<svg>b</svg>"], ["start", "step 1 of 1"])
    for role in ("zoom-in", "zoom-out", "fit", "actual", "stage", "canvas"):
        assert f'data-role="{role}"' in page, role
    assert '"+"' in page and '"-"' in page and '"wheel"' in page and "pointermove" in page
    assert page.count(">start</p>") == 1                    # the caption, once
    assert "toggle" not in page.split("<script>")[0]        # one view: no toggle


@needs_dot
def test_frames_carry_the_layout_flags():
    out, _ = circuit()
    lr = frame_graphs(out, rankdir="LR", legend=False)[1].source
    assert "rankdir=LR" in lr and ">leaf</FONT>" not in lr
    tb = frame_graphs(out, rankdir="TB", legend=True)[1].source
    assert "rankdir=TB" in tb and ">leaf</FONT>" in tb
    named = frame_graphs(out, names={out: "out!"})[0].source
    assert "<B>out!</B>" in named


@needs_dot
def test_notebook_stepper_is_self_contained_and_scoped():
    from autograd.diagrams import sigmoid_circuit, sigmoid_gate, stepper
    y, _ = sigmoid_circuit()
    g, _ = sigmoid_gate()
    st = stepper(y, grouped=g, labels=("primitive ops", "one sigmoid gate"))
    one, two = st._repr_html_(), st._repr_html_()
    assert "http://" not in one.replace("http://www.w3.org", "")
    assert "<link" not in one and "src=" not in one
    p1 = re.search(r'id="(cg\d+-)stepper"', one).group(1)
    p2 = re.search(r'id="(cg\d+-)stepper"', two).group(1)
    assert p1 != p2                                          # two steppers in one notebook
    assert one.count("<svg") == 9 + 6                        # both views: frames
    assert 'data-role="toggle"' in one and "one sigmoid gate" in one
    assert 'data-view="1" data-step="3"' in one
    page = st.page()
    assert page.startswith("<!DOCTYPE html>") and 'id="prev"' in page
