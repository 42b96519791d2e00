"""The command line never shows a traceback for user input: on formulas generated from
the grammar (numbers incl. 0 and negatives, variables, + - * / **, unary minus, every
registry function with its number of arguments) at random values, `main()` returns 0,
or prints exactly one `error:` line and returns 1 or 2."""
from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograd.cli import main
from autograd.cli.formula import FUNCTIONS, arity, parse, variables

NAMES = ["x", "y", "z"]
NUMBERS = st.sampled_from(["0", "1", "2", "3", "0.5", "2.5", "10", "1e3", "1e-3", "100"])
VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, 710.0,
                                    -710.0, 1e-300, 1e300]),
                   st.floats(-5, 5, allow_nan=False))
OUT_DIR = tempfile.mkdtemp(prefix="cli_fuzz_")


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children).map(
        lambda t: f"({t[0]}){t[1]}({t[2]})")
    unary = children.map(lambda c: f"-({c})")
    calls = st.sampled_from(sorted(FUNCTIONS)).flatmap(
        lambda name: st.lists(children, min_size=arity(name), max_size=arity(name)).map(
            lambda args: f"{name}({', '.join(args)})"))
    return st.one_of(binary, unary, calls)


# leaves: variables twice as likely as numbers, so most formulas have something to
# differentiate (a formula of numbers only is an error too, and is generated as well)
LEAVES = st.one_of(st.sampled_from(NAMES), st.sampled_from(NAMES), NUMBERS,
                   NUMBERS.map(lambda n: "-" + n))
FORMULAS = st.recursive(LEAVES, _combine, max_leaves=10)


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as e:           # argparse's usage errors: one "prog: error:" line
        code = e.code if isinstance(e.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def check(code: int, err: str) -> None:
    assert "Traceback" not in err
    if code == 0:
        assert "error:" not in err, err
    else:
        assert code in (1, 2), (code, err)
        errors = [line for line in err.splitlines() if "error:" in line]
        assert len(errors) == 1, err
        assert errors[0].startswith("error: ") or ": error: " in errors[0], err


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(formula=FORMULAS, values=st.lists(VALUES, min_size=3, max_size=3),
       output=st.sampled_from([None, "g.gv"]))
@example(formula="x**y", values=[-2.0, 3.0, 0.0], output=None)
@example(formula="x**y", values=[0.0, 2.0, 0.0], output=None)
@example(formula="exp(exp(exp(x)))", values=[710.0, 0.0, 0.0], output=None)
@example(formula="(x)/(y)", values=[1.0, 0.0, 0.0], output="g.gv")
def test_main_never_raises(capsys, formula, values, output):
    used = variables(parse(formula))
    argv = ["draw", formula]
    if used:
        argv += ["--at", *[f"{n}={v!r}" for n, v in zip(NAMES, values) if n in used]]
    if output:
        argv += ["-o", os.path.join(OUT_DIR, output)]
    code, _, err = run(capsys, argv)
    check(code, err)


def test_a_negative_base_names_pow_and_zero_works(capsys):
    code, _, err = run(capsys, ["draw", "x**y", "--at", "x=-2", "y=3"])
    assert code == 2 and err.startswith("error: pow: ") and "got a = -2.0" in err
    assert err.rstrip().endswith("(backpropagating through x**y at x=-2, y=3)")
    assert err.count("\n") == 1 and "Traceback" not in err
    code, out, err = run(capsys, ["draw", "x**y", "--at", "x=0", "y=2"])
    assert code == 0 and err == "" and out.startswith("x**y = 0")


@pytest.mark.parametrize("argv", [
    ["draw", "x/y", "--at", "x=1", "y=0"],
    ["draw", "log(x)", "--at", "x=0"],
    ["draw", "x**y", "--at", "x=0", "y=-1"],
    ["draw", "exp(x", "--at", "x=1"],
    ["draw", "atan2(x)", "--at", "x=1"],
    ["draw", "x", "--at", "x=1", "--max-frames", "0", "--steps", OUT_DIR + "/s"],
])
def test_input_errors_are_one_error_line(capsys, argv):
    code, _, err = run(capsys, argv)
    assert code in (1, 2)
    check(code, err)


def test_programming_errors_are_not_swallowed(capsys, monkeypatch):
    import sys
    cli = sys.modules["autograd.cli.main"]       # the module (the package exports main)

    def broken(*args, **kwargs):
        raise AttributeError("a bug, not the user's input")
    monkeypatch.setattr(cli, "backward_steps", broken)
    with pytest.raises(AttributeError):
        main(["draw", "x*y", "--at", "x=1", "y=2"])
