"""`python -m autograd draw ...`: usage errors exit 2 with a clear message, the lecture's
command writes the diagram and prints the chain-rule table."""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd.cli import main

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (apt-get install graphviz)")
SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
AT = ["--at", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as e:                  # argparse's errors and --help
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_help_shows_examples(capsys):
    code, out, _ = run(capsys, "draw", "--help")
    assert code == 0
    assert "examples:" in out and "--at w0=2 x0=-1" in out and "--steps" in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "draw" in out
    code, _, err = run(capsys)
    assert code == 2 and "usage" in err


@pytest.mark.parametrize("argv, words", [
    (["draw", "x + y", "--at", "x=1"], "no value for y"),
    (["draw", "x", "--at", "x=1", "y=2"], "value given for y"),
    (["draw", "x", "--at", "x"], "NAME=VALUE"),
    (["draw", "x", "--at", "x=abc"], "not a number"),
    (["draw", "x", "--at", "x=1", "x=2"], "given twice"),
    (["draw", "x", "--at", "x=nan"], "finite"),
    (["draw", "x.__class__", "--at", "x=1"], "attribute"),
    (["draw", "__import__('os').system('touch /tmp/x')"], "'_'"),
    (["draw", "2 + 3"], "no variables"),
    (["draw", "x", "--at", "x=1", "-o", "graph.jpeg"], "format"),
    (["draw", "x", "--at", "x=1", "--digits", "0"], "--digits"),
    (["draw", "log(x)", "--at", "x=-1"], "positive"),
    (["draw"], "formula"),
])
def test_usage_and_formula_errors_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert words in err
    assert "Traceback" not in err


def test_formula_errors_point_at_the_problem(capsys):
    code, _, err = run(capsys, "draw", "exp(x)[0]", "--at", "x=1")
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("error: subscripts") and "column 7" in lines[0]
    assert lines[1] == "  exp(x)[0]" and lines[2] == "        ^"


def test_lecture_command_prints_the_table_and_writes_dot_source(capsys, tmp_path):
    gv = tmp_path / "sigmoid.gv"
    code, out, err = run(capsys, "draw", SIGMOID, *AT, "-o", str(gv))
    assert code == 0, err
    assert out.startswith(f"{SIGMOID} = 0.7311")
    for number in ("0.73", "-0.53", "-0.20", "0.39", "-0.39", "-0.59"):
        assert number in out
    assert f"wrote {gv}" in out
    assert gv.read_text().startswith("digraph")


def test_too_big_graph_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "draw", "+".join(["x"] * 30), "--at", "x=1", "--max-nodes", "10",
                       "-o", str(tmp_path / "g.gv"))
    assert code == 1 and "max_nodes" in err


def test_missing_dot_exits_1_with_install_advice(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    code, out, err = run(capsys, "draw", SIGMOID, *AT, "-o", str(tmp_path / "s.svg"))
    assert code == 1
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert not (tmp_path / "s.svg").exists()


@needs_dot
def test_as_a_program_svg_and_steps(tmp_path):
    svg, steps = tmp_path / "sigmoid.svg", tmp_path / "steps"
    r = subprocess.run([sys.executable, "-m", "autograd", "draw", SIGMOID, *AT, "-o", str(svg),
                        "--steps", str(steps)], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    texts = [t.text for t in ET.parse(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "grad -0.1966" in texts and "grad -0.5898" in texts
    assert (steps / "index.html").exists() and (steps / "frame_008.svg").exists()
    assert "wrote 9 frames" in r.stdout


def test_as_a_program_bad_formula_exit_code(tmp_path):
    marker = tmp_path / "x"
    r = subprocess.run([sys.executable, "-m", "autograd", "draw",
                        f"__import__('os').system('touch {marker}')"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "^" in r.stderr and not marker.exists()
