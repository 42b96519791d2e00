"""The command line: `python -m autograd draw FORMULA --at NAME=VALUE ... -o FILE`.

Builds the `Value` graph of a formula, backpropagates, prints the chain-rule table and
writes the diagram (and, with --steps, a frame per backward step plus a page to click
through them). Exit status: 0 ok, 1 the work failed (Graphviz missing, graph too big,
cannot write), 2 a usage or formula error.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Any, Sequence

from ..diagrams import (
    GraphvizNotFound,
    backward_steps,
    chain_rule_table,
    draw_graph,
    format_chain_rule_table,
    save,
    write_steps,
)
from ..value import Value
from .formula import FUNCTIONS, FormulaError, build

_EXAMPLES = """\
examples:
  # the lecture's sigmoid circuit: diagram + chain-rule table
  python -m autograd draw "1/(1+exp(-(w0*x0+w1*x1+w2)))" \\
      --at w0=2 x0=-1 w1=-3 x1=-2 w2=-3 -o sigmoid.svg

  # the same, plus one frame per backward step and a page to step through them
  python -m autograd draw "1/(1+exp(-(w0*x0+w1*x1+w2)))" \\
      --at w0=2 x0=-1 w1=-3 x1=-2 w2=-3 -o sigmoid.svg --steps steps/
  # then open steps/index.html in a browser (Previous/Next or the arrow keys)

  # DOT source only (no Graphviz needed), top-to-bottom layout
  python -m autograd draw "a*b + c" --at a=2 b=-3 c=10 -o graph.gv --rankdir TB

formulas: numbers, names, + - * / **, unary minus, parentheses and the functions
{functions}. Nothing else is accepted (the formula is
parsed, never evaluated by Python).

output: the file's extension picks the format: .svg .png .pdf (need Graphviz's dot)
or .gv/.dot (the DOT source).
exit status: 0 ok, 1 the work failed (e.g. Graphviz missing), 2 usage or formula error.
"""
EXAMPLES = _EXAMPLES.replace("{functions}", ", ".join(FUNCTIONS))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m autograd",
        description="chalkgrad tools: draw the computation graph of a formula and show "
                    "backpropagation on it.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser(
        "draw", help="draw a formula's graph, backpropagate, print the chain-rule table",
        description="Build the graph of FORMULA at the given values, backpropagate from "
                    "its output, print the chain-rule table and write the diagram.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("formula", help='e.g. "1/(1+exp(-(w0*x0+w1*x1+w2)))" (quote it)')
    d.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                   help="a value for each variable of the formula, e.g. --at w0=2 x0=-1")
    d.add_argument("-o", "--output", metavar="FILE",
                   help="diagram file: .svg, .png, .pdf (Graphviz) or .gv (DOT source)")
    d.add_argument("--steps", metavar="DIR",
                   help="also write one SVG frame per backward step and DIR/index.html")
    d.add_argument("--digits", type=int, default=4,
                   help="significant digits in the diagram (default 4)")
    d.add_argument("--table-digits", type=int, default=2,
                   help="decimals in the chain-rule table and the step frames (default 2)")
    d.add_argument("--rankdir", choices=["LR", "TB", "RL", "BT"], default="LR",
                   help="layout direction (default LR: inputs on the left)")
    d.add_argument("--no-legend", action="store_true", help="leave out the colour legend")
    d.add_argument("--max-nodes", type=int, default=500,
                   help="refuse graphs with more nodes than this (default 500)")
    return p


def _values(items: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            parser.error(f"--at: expected NAME=VALUE (like w0=2), got {item!r}")
        try:
            value = float(text)
        except ValueError:
            parser.error(f"--at: {name}: {text!r} is not a number")
        if not math.isfinite(value):
            parser.error(f"--at: {name}: the value must be a finite number, got {text!r}")
        if name in values:
            parser.error(f"--at: {name} is given twice")
        values[name] = value
    return values


def _draw(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:

    for n, what in ((args.digits, "--digits"), (args.table_digits, "--table-digits")):
        if not 1 <= n <= 15:
            parser.error(f"{what} must be between 1 and 15, got {n}")
    if args.output:
        ext = os.path.splitext(args.output)[1].lower()
        if ext not in (".svg", ".png", ".pdf", ".gv", ".dot"):
            parser.error(f"-o: cannot tell the format from {args.output!r}; use a name ending "
                         "in .svg, .png, .pdf, .gv or .dot")
    values = _values(args.at, parser)
    try:
        out, _ = build(args.formula, values)
    except FormulaError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not isinstance(out, Value):
        print(f"error: the formula has no variables (it is the constant {out!r}); there is "
              "nothing to differentiate", file=sys.stderr)
        return 2
    # The gradients, once: the reference loop's steps feed the table, the diagram and
    # the step frames.
    steps = backward_steps(out)
    edges = [p for step in steps for p in step.products]
    grads: dict[Any, float] = {out: 1.0, **{p.input: p.total for p in edges}}
    print(f"{args.formula} = {out.data:.{args.digits}g}\n")
    print(format_chain_rule_table(chain_rule_table(out, edges), digits=args.table_digits))
    try:
        if args.output:
            graph = draw_graph(out, rankdir=args.rankdir, digits=args.digits,
                               legend=not args.no_legend, max_nodes=args.max_nodes, grads=grads)
            save(graph, args.output)
            print(f"\nwrote {args.output}")
        if args.steps:
            paths = write_steps(out, args.steps, decimals=args.table_digits,
                                title=f"Backpropagation through {args.formula}", steps=steps,
                                rankdir=args.rankdir, legend=not args.no_legend)
            print(f"wrote {len(paths) - 1} frames and {paths[-1]}")
    except GraphvizNotFound as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return _draw(args, parser)
