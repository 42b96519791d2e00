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


# ---------------------------------------------------------------- teaching flags (issue 15)
def test_version(capsys):
    import autograd
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"chalkgrad {autograd.__version__}"


@pytest.mark.parametrize("formula, value", [("-log(p)", "0.6931"), ("-p*p", "-0.25"),
                                            ("-(p + 1)", "-1.5"), ("- sin(p)", "-0.4794")])
def test_a_formula_may_start_with_minus(capsys, formula, value):
    code, out, err = run(capsys, "draw", formula, "--at", "p=0.5")
    assert code == 0, err
    assert out.splitlines()[0] == f"{formula} = {value}"
    # wherever it stands among the options
    code, out2, err = run(capsys, "draw", "--at", "p=0.5", "--table-digits", "2", formula)
    assert code == 0 and out2 == out, err


def test_every_elementwise_rule_is_a_formula_function(capsys):
    from autograd import rules as R
    from autograd.cli.formula import FUNCTIONS
    named = {r.name for r in R.ELEMENTWISE if r.symbol is None}
    assert named <= set(FUNCTIONS) and "sin" in FUNCTIONS
    code, out, _ = run(capsys, "draw", "sin(x)", "--at", "x=0")
    assert code == 0 and "cos(x)" in out


def test_named_output_and_renamed_nodes(capsys, tmp_path):
    gv = tmp_path / "g.gv"
    code, out, err = run(capsys, "draw", f"y = {SIGMOID}", *AT, "--name", "n4=s", "-o", str(gv))
    assert code == 0, err
    assert "y = 0.7311" in out and "dy/dy = 1.00" in out
    assert "dy/ds = " in out and "n4" not in out
    src = gv.read_text()
    # the names of the table are the names in the diagram, interior nodes included
    for name in ("<B>y</B>", "<B>s</B>", "<B>n1</B>", "<B>n7</B>", "<B>w0</B>"):
        assert name in src, name
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "--name", "nope=x")
    assert code == 2 and "no node is named nope" in err
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "--name", "n1")
    assert code == 2 and "OLD=NEW" in err


def test_unnamed_output_is_y(capsys):
    code, out, _ = run(capsys, "draw", "a*b", "--at", "a=2", "b=3")
    assert code == 0 and "dy/da = dy/dy * ∂y/∂a = 1.00 * 3.00 = 3.00" in out
    code, out, _ = run(capsys, "draw", "y*b", "--at", "y=2", "b=3")   # y is taken
    assert code == 0 and "dout/db" in out.replace("d(out)", "dout")


def test_decimals_size_and_layout_flags(capsys, tmp_path):
    gv = tmp_path / "g.gv"
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "-o", str(gv), "--decimals", "2",
                       "--rankdir", "LR", "--size", "slide", "--no-legend")
    assert code == 0, err
    src = gv.read_text()
    assert "data 0.73" in src and "data 0.7311" not in src and "rankdir=LR" in src
    assert 'size="13.3,7.5"' in src and ">leaf</FONT>" not in src
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "-o", str(gv))      # the defaults
    assert code == 0, err
    src = gv.read_text()
    assert "data 0.7311" in src and "rankdir=TB" in src and 'size="12.5,1000"' in src
    assert ">leaf</FONT>" in src
    for bad, words in ((["--decimals", "-1"], "--decimals"), (["--size", "big"], "--size"),
                       (["--digits", "3", "--decimals", "2"], "exclude")):
        code, _, err = run(capsys, "draw", SIGMOID, *AT, *bad)
        assert code == 2 and words in err, (bad, err)


@needs_dot
def test_steps_honour_the_layout_flags(capsys, tmp_path):
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "--steps", str(tmp_path / "s"),
                       "--rankdir", "LR", "--no-legend")
    assert code == 0, err
    frame = (tmp_path / "s" / "frame_001.svg").read_text()
    root = ET.fromstring(frame)
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert width > 3 * height                           # left to right
    assert ">leaf<" not in frame and "step 1 of 8" not in frame   # no legend, no caption
    page = (tmp_path / "s" / "index.html").read_text()
    assert page.count("step 1 of 8: ") == 1 or "step 1 of 8" in page   # captions in the data
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "--steps", str(tmp_path / "t"),
                       "--rankdir", "TB")
    root = ET.fromstring((tmp_path / "t" / "frame_001.svg").read_text())
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert height > 2 * width


def readme_commands() -> list[str]:
    """The shell commands of the README's Quick start and Diagrams sections that run the
    command line (as written, for a shell: quotes and all)."""
    import re
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    sections = [text.split("## Quick start", 1)[1].split("\n## ", 1)[0],
                text.split("## Diagrams", 1)[1].split("\n## ", 1)[0]]
    blocks = [b for s in sections for b in re.findall(r"```sh\n(.*?)```", s, re.S)]
    return [line.split("  #")[0].strip() for b in blocks for line in b.splitlines()
            if "-m autograd" in line]


@needs_dot
def test_the_readme_commands_work_as_written(tmp_path):
    """Each README command, run by a shell from a fresh directory (no out/ yet) with this
    checkout's Python standing in for .venv/bin/python and `python`."""
    commands = readme_commands()
    assert len(commands) >= 3 and any("--steps" in c for c in commands)
    for cmd in commands:
        assert cmd.startswith((".venv/bin/python -m autograd", "python -m autograd")), cmd
        line = cmd.replace(".venv/bin/python", "python", 1).replace(
            "python", shlex_quote(sys.executable), 1)
        env = dict(os.environ, PYTHONPATH=ROOT)
        r = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True, text=True,
                           timeout=120, env=env)
        assert r.returncode == 0, (cmd, r.stderr)
    assert (tmp_path / "out" / "nll.svg").exists()
    assert (tmp_path / "out" / "sigmoid_steps" / "index.html").exists()


def shlex_quote(s: str) -> str:
    import shlex
    return shlex.quote(s)


def test_frames_keep_their_natural_size_unless_size_is_given(capsys, tmp_path):
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "--steps", str(tmp_path / "s"),
                       "-o", str(tmp_path / "g.gv"))
    if code == 1 and "dot" in err:
        pytest.skip("Graphviz's dot is not installed")
    assert code == 0, err
    assert 'size="12.5,1000"' in (tmp_path / "g.gv").read_text()
    frame = (tmp_path / "s" / "frame_001.svg").read_text()
    width = float(ET.fromstring(frame).get("width").removesuffix("pt"))
    assert width > 1000                                 # 16:9 left to right, not shrunk
    code, _, err = run(capsys, "draw", SIGMOID, *AT, "--steps", str(tmp_path / "t"),
                       "--size", "slide")
    frame = (tmp_path / "t" / "frame_001.svg").read_text()
    width = float(ET.fromstring(frame).get("width").removesuffix("pt"))
    assert width <= 13.3 * 72 + 1
